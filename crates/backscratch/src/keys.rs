//! Keys for matching names and companies across inputs, on the ground floor so that ingest
//! (LinkedIn identities), score (employment histories) and report (`check`'s subjects) all
//! read one definition without importing each other.

use unicode_normalization::UnicodeNormalization;

/// A name for matching: accents dropped, lower case, letters and digits only, words
/// separated by one space (`  José  O'Brien ` → `jose obrien`).
pub(crate) fn name_key(name: &str) -> String {
    // ASCII needs no decomposition (the common case, and the one scans pay for per person).
    let folded: std::borrow::Cow<'_, str> = if name.is_ascii() {
        name.into()
    } else {
        name.nfkd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)).collect::<String>().into()
    };
    folded
        .to_lowercase()
        .split_whitespace()
        .map(|w| w.chars().filter(|c| c.is_alphanumeric()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Legal-form words dropped from the end of a company name before comparing.
const LEGAL_FORMS: &[&str] = &[
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "llp",
    "plc",
    "corp",
    "corporation",
    "co",
    "gmbh",
    "ag",
    "sa",
    "bv",
];

/// A company name for comparison: lower-case words of letters and digits, without trailing
/// legal forms (`ACME, Inc.` and `Acme` compare equal).
pub(crate) fn company_key(company: &str) -> String {
    let lower = company.to_lowercase();
    let mut words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    while words.len() > 1 && words.last().is_some_and(|w| LEGAL_FORMS.contains(w)) {
        words.pop();
    }
    words.concat()
}

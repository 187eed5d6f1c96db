//! `--redact`: every person's name becomes a stable pseudonym (`person-` and eight hex digits
//! of a SHA-256 of the name), in every field of the report, so that a report can be shared
//! and two redacted reports of the same data still line up. Finding ids are left as they are
//! (they are already hashes), so `--baseline` works across redacted runs.
//!
//! A pseudonym is a hash of the name, not a secret: someone who can guess a name can check
//! the guess. Company names in explanations are kept.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::Report;

/// The pseudonym of `name`.
pub fn pseudonym(name: &str) -> String {
    let digest = Sha256::digest(format!("backscratch-pseudonym\u{1f}{name}").as_bytes());
    format!("person-{}", crate::hex::hex(&digest[..4]))
}

/// Names found in the report, each with its pseudonym.
struct Names(BTreeMap<String, String>);

/// The words of names (`Amara` of `Amara Okafor`), each with the pseudonym of the one name
/// it belongs to; a word two names share stands for neither and becomes `[name]`.
struct Words(BTreeMap<String, String>);

impl Words {
    fn of(names: &Names) -> Words {
        let mut words: BTreeMap<String, String> = BTreeMap::new();
        for (name, pseudonym) in &names.0 {
            for word in name.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 2) {
                words
                    .entry(word.to_string())
                    .and_modify(|p| {
                        if p != pseudonym {
                            *p = "[name]".to_string();
                        }
                    })
                    .or_insert_with(|| pseudonym.clone());
            }
        }
        Words(words)
    }

    /// `text` with every whole word that is part of a name replaced.
    fn scrub(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            out.push_str(self.0.get(word.as_str()).map_or(word.as_str(), String::as_str));
            word.clear();
        };
        for c in text.chars() {
            if c.is_alphanumeric() {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }
}

impl Names {
    fn map(&self, name: &str) -> String {
        self.0.get(name).cloned().unwrap_or_else(|| pseudonym(name))
    }

    /// Free text with every known name in it replaced, longest names first (so that `Ann
    /// Lee` goes before `Ann`).
    fn scrub(&self, text: &str) -> String {
        let mut names: Vec<&String> = self.0.keys().filter(|n| text.contains(n.as_str())).collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let mut out = text.to_string();
        for n in names {
            out = out.replace(n.as_str(), &self.0[n]);
        }
        out
    }
}

/// Replace every name in `report` by its pseudonym.
pub fn redact(report: &mut Report) {
    let mut all: Vec<&str> = Vec::new();
    for f in &report.findings {
        all.extend(f.members.iter().map(String::as_str));
    }
    all.extend(report.people.iter().map(|p| p.name.as_str()));
    for s in report.subjects.iter().flatten() {
        all.push(&s.query);
        all.extend(s.suggestions.iter().map(String::as_str));
    }
    let names = Names(all.into_iter().map(|n| (n.to_string(), pseudonym(n))).collect());
    let words = Words::of(&names);
    // Free text: whole names first, then stray first or last names (`Amara managed Ben`).
    let scrub = |text: &str| words.scrub(&names.scrub(text));
    for f in &mut report.findings {
        f.members = f.members.iter().map(|m| names.map(m)).collect();
        for e in &mut f.edges {
            e.from = names.map(&e.from);
            e.to = names.map(&e.to);
            e.relationship = e.relationship.as_deref().map(scrub);
        }
        for s in &mut f.signals {
            s.explanation = names.scrub(&s.explanation);
        }
        f.suppressed_by = f.suppressed_by.as_deref().map(scrub);
    }
    for p in &mut report.people {
        p.name = names.map(&p.name);
    }
    for s in report.subjects.iter_mut().flatten() {
        s.query = names.map(&s.query);
        s.suggestions = s.suggestions.iter().map(|n| names.map(n)).collect();
        if let Some(p) = &mut s.person {
            p.name = names.map(&p.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_and_distinct() {
        assert_eq!(pseudonym("Ann Lee"), pseudonym("Ann Lee"));
        assert_ne!(pseudonym("Ann Lee"), pseudonym("Ann Le"));
        assert!(pseudonym("x").starts_with("person-") && pseudonym("x").len() == 15);
    }

    #[test]
    fn scrub_replaces_longest_first() {
        let names = Names([("Ann".to_string(), "P1".to_string()), ("Ann Lee".to_string(), "P2".to_string())].into());
        assert_eq!(names.scrub("Ann Lee managed Ann"), "P2 managed P1");
    }

    #[test]
    fn stray_first_names_are_replaced_as_whole_words() {
        let names =
            Names([("Amara Okafor".to_string(), "P1".to_string()), ("Ben Lee".to_string(), "P2".to_string())].into());
        let words = Words::of(&names);
        assert_eq!(words.scrub("Amara managed Ben directly; Bend"), "P1 managed P2 directly; Bend");
        let shared =
            Names([("Ann Lee".to_string(), "P1".to_string()), ("Ann Roe".to_string(), "P2".to_string())].into());
        assert_eq!(Words::of(&shared).scrub("Ann and Roe"), "[name] and P2");
    }
}

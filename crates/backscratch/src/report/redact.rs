//! `--redact`: every person's name becomes a stable pseudonym (`person-` and eight hex digits
//! of a SHA-256 of the name), in every field of the report, so that a report can be shared
//! and two redacted reports of the same data still line up. Names are also scrubbed from
//! free text (warnings, notes, explanations, relationships) and input paths become `input-N`
//! (an export's own file names, such as `Recommendations_Given.csv`, are kept), since a path
//! such as `exports/ava.zip` names a person too. Finding ids are left as they are (they are
//! already hashes), so `--baseline` works across redacted runs.
//!
//! An unkeyed pseudonym is a hash of the name, not a secret: anyone with a list of candidate
//! names can hash them and re-identify people. With `--redact-key FILE` the pseudonym is an
//! HMAC-SHA-256 under that secret key: without the key nobody can check a guess, and reports
//! made with the same key still line up. Company names in explanations are kept.

use std::collections::{BTreeMap, BTreeSet};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::model::Report;
use crate::ingest::linkedin::identity::without_namesake_suffix;

/// The shortest `--redact-key` accepted, in bytes.
pub const MIN_KEY_BYTES: usize = 16;

/// How names become pseudonyms: an unkeyed hash, or an HMAC under a secret key.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Pseudonyms {
    key: Option<Vec<u8>>,
}

/// The key is a secret: debug output says only whether there is one.
impl std::fmt::Debug for Pseudonyms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pseudonyms").field("keyed", &self.key.is_some()).finish()
    }
}

impl Pseudonyms {
    /// Unkeyed: anyone can recompute a pseudonym from a name.
    pub fn unkeyed() -> Self {
        Pseudonyms { key: None }
    }

    /// Keyed with `key` (at least [`MIN_KEY_BYTES`] bytes).
    pub fn keyed(key: &[u8]) -> Result<Self, String> {
        if key.len() < MIN_KEY_BYTES {
            return Err(format!("a redaction key needs at least {MIN_KEY_BYTES} bytes, this one has {}", key.len()));
        }
        Ok(Pseudonyms { key: Some(key.to_vec()) })
    }

    /// Keyed with the secret in the file at `path` (one trailing line end is not part of it);
    /// the error names the file.
    pub fn keyed_from_file(path: &std::path::Path) -> Result<Self, String> {
        /// A key file is a secret of some bytes, never megabytes.
        const MAX_KEY_FILE: u64 = 64 << 10;
        let bytes = crate::ingest::source::read_bounded(path, MAX_KEY_FILE, "the redaction key")?;
        let key = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
        let key = key.strip_suffix(b"\r").unwrap_or(key);
        Pseudonyms::keyed(key).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Whether a key is in use.
    pub fn is_keyed(&self) -> bool {
        self.key.is_some()
    }

    /// The pseudonym of `name`.
    pub fn of(&self, name: &str) -> String {
        match &self.key {
            None => pseudonym(name),
            Some(key) => {
                let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
                mac.update(name.as_bytes());
                format!("person-{}", crate::hex::hex(&mac.finalize().into_bytes()[..4]))
            }
        }
    }
}

/// The unkeyed pseudonym of `name`.
pub fn pseudonym(name: &str) -> String {
    let digest = Sha256::digest(format!("backscratch-pseudonym\u{1f}{name}").as_bytes());
    format!("person-{}", crate::hex::hex(&digest[..4]))
}

/// Of `candidates` (the names in the data), those a word of `texts` could belong to: free
/// text may name people who are in no finding (a warning about two people of one name).
pub fn names_mentioned<'a>(texts: &[&str], candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let words: BTreeSet<&str> =
        texts.iter().flat_map(|t| t.split(|c: char| !c.is_alphanumeric())).filter(|w| w.chars().count() >= 2).collect();
    candidates
        .filter(|n| without_namesake_suffix(n).split(|c: char| !c.is_alphanumeric()).any(|w| words.contains(w)))
        .map(str::to_string)
        .collect()
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
            for word in
                without_namesake_suffix(name).split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 2)
            {
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
        self.0.get(name).cloned().unwrap_or_else(|| "[name]".to_string())
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

/// Input paths become `input-N` (keeping an archive entry's or export file's own name), so
/// that a file named after a person does not name them; returns (original, redacted) pairs,
/// longest original first, for scrubbing free text.
fn redact_paths(report: &mut Report) -> Vec<(String, String)> {
    let mut outer: BTreeMap<String, String> = BTreeMap::new();
    let mut map: Vec<(String, String)> = Vec::new();
    for input in &report.inputs {
        let (file, entry) = match input.path.split_once('!') {
            Some((file, entry)) => (file.to_string(), Some(entry.to_string())),
            None => (input.path.clone(), None),
        };
        // An unpacked export's files keep their names under one redacted folder.
        let path = std::path::Path::new(&file);
        let export_file = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .filter(|n| n.contains('_') && n.ends_with(".csv") && n.chars().next().is_some_and(char::is_uppercase));
        let (group, tail) = match (&entry, export_file, path.parent()) {
            (None, Some(name), Some(dir)) if !dir.as_os_str().is_empty() => (dir.display().to_string(), Some(name)),
            _ => (file.clone(), None),
        };
        let next = outer.len() + 1;
        let ext = std::path::Path::new(&group).extension().map(|e| format!(".{}", e.to_string_lossy()));
        let alias =
            outer.entry(group.clone()).or_insert_with(|| format!("input-{next}{}", ext.unwrap_or_default())).clone();
        // An entry keeps its file's name, not the folders inside the archive (`ava/...`).
        let redacted = match (&entry, &tail) {
            (Some(e), _) => format!("{alias}!{}", e.rsplit(['/', '\\']).next().unwrap_or(e)),
            (None, Some(t)) => format!("{alias}/{t}"),
            (None, None) => alias.clone(),
        };
        map.push((input.path.clone(), redacted));
        map.push((group, alias));
    }
    // The evidence files are named after people as often as the inputs (`ava_jobs.csv`).
    for (file, alias) in [(&report.params.people_file, "people-file"), (&report.params.allow_file, "allow-file")] {
        if let Some(file) = file {
            let ext = std::path::Path::new(file).extension().map(|e| format!(".{}", e.to_string_lossy()));
            map.push((file.clone(), format!("{alias}{}", ext.unwrap_or_default())));
        }
    }
    map.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    map.dedup();
    for input in &mut report.inputs {
        input.path = scrub_paths(&map, &input.path);
    }
    map
}

fn scrub_paths(map: &[(String, String)], text: &str) -> String {
    let mut out = text.to_string();
    for (from, to) in map.iter().filter(|(from, _)| !from.is_empty() && from != ".") {
        if out.contains(from.as_str()) {
            out = out.replace(from.as_str(), to);
        }
    }
    out
}

/// Replace every name in `report` by its pseudonym, and scrub names and input paths from
/// every free text. `also` are names of the data that the free text may mention although
/// they are in no finding (see [`names_mentioned`]).
pub fn redact(report: &mut Report, pseudonyms: &Pseudonyms, also: &[String]) {
    let mut all: Vec<&str> = Vec::new();
    for f in &report.findings {
        all.extend(f.members.iter().map(String::as_str));
        all.extend(f.beneficiaries.iter().chain(&f.donors).map(|o| o.name.as_str()));
    }
    all.extend(report.people.iter().map(|p| p.name.as_str()));
    for c in &report.cases {
        all.extend(c.members.iter().map(String::as_str));
        all.extend(c.beneficiaries.iter().chain(&c.donors).map(|o| o.name.as_str()));
    }
    for s in report.subjects.iter().flatten() {
        all.push(&s.query);
        all.extend(s.suggestions.iter().map(String::as_str));
        all.extend(s.received.iter().flat_map(|r| [r.edge.from.as_str(), r.edge.to.as_str()]));
    }
    all.extend(also.iter().map(String::as_str));
    if let Some(c) = &report.summary.coverage {
        all.extend(c.unmatched_examples.iter().map(String::as_str));
    }
    let names = Names(all.into_iter().map(|n| (n.to_string(), pseudonyms.of(n))).collect());
    let words = Words::of(&names);
    let paths = redact_paths(report);
    // Free text: paths, whole names, then stray first or last names (`Amara managed Ben`).
    let scrub = |text: &str| words.scrub(&names.scrub(&scrub_paths(&paths, text)));
    // One recommendation, wherever the report shows it.
    let edge = |e: &mut super::model::Edge| {
        e.from = names.map(&e.from);
        e.to = names.map(&e.to);
        e.relationship = e.relationship.as_deref().map(scrub);
        e.context = e.context.as_deref().map(scrub);
        e.text = e.text.as_deref().map(scrub);
        e.source.path = scrub_paths(&paths, &e.source.path);
    };
    for f in &mut report.findings {
        f.members = f.members.iter().map(|m| names.map(m)).collect();
        f.edges.iter_mut().for_each(edge);
        for s in &mut f.signals {
            s.explanation = scrub(&s.explanation);
        }
        f.suppressed_by = f.suppressed_by.as_deref().map(scrub);
        for o in f.beneficiaries.iter_mut().chain(f.donors.iter_mut()) {
            o.name = names.map(&o.name);
            o.reason = scrub(&o.reason);
            o.edges.iter_mut().for_each(edge);
        }
    }
    for p in &mut report.people {
        p.name = names.map(&p.name);
        p.reason = scrub(&p.reason);
    }
    for c in &mut report.cases {
        c.members = c.members.iter().map(|m| names.map(m)).collect();
        c.reason = scrub(&c.reason);
        for o in c.beneficiaries.iter_mut().chain(c.donors.iter_mut()) {
            o.name = names.map(&o.name);
            o.reason = scrub(&o.reason);
            o.edges.iter_mut().for_each(edge);
        }
    }
    for s in report.subjects.iter_mut().flatten() {
        s.query = names.map(&s.query);
        s.reason = scrub(&s.reason);
        s.suggestions = s.suggestions.iter().map(|n| names.map(n)).collect();
        for r in &mut s.received {
            edge(&mut r.edge);
            r.backing_text = scrub(&r.backing_text);
        }
        if let Some(p) = &mut s.person {
            p.name = names.map(&p.name);
            p.reason = scrub(&p.reason);
        }
    }
    let sum = &mut report.summary;
    for text in sum.warnings.iter_mut().chain(sum.checks_unavailable.iter_mut()) {
        *text = scrub(text);
    }
    let has_texts = report.findings.iter().flat_map(|f| &f.edges).any(|e| e.text.is_some());
    if has_texts {
        sum.warnings.push(
            "--redact: recommendation texts are shown with every name of the data replaced by its pseudonym; other \
             details in them (companies, projects) are kept"
                .into(),
        );
        sum.warning_codes.push(crate::warning::WarningCode::RedactedTexts.as_str().into());
    }
    sum.truncated_reason = sum.truncated_reason.as_deref().map(scrub);
    if let Some(c) = &mut sum.coverage {
        c.unmatched_examples = c.unmatched_examples.iter().map(|n| names.map(n)).collect();
    }
    let params = &mut report.params;
    params.owners = params.owners.iter().map(|o| scrub(o)).collect();
    for file in [&mut params.people_file, &mut params.allow_file].into_iter().flatten() {
        *file = scrub(file);
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
    fn keyed_pseudonyms_need_the_key() {
        let a = Pseudonyms::keyed(b"0123456789abcdef").unwrap();
        let b = Pseudonyms::keyed(b"0123456789abcdeF").unwrap();
        assert_eq!(a.of("Ann Lee"), a.of("Ann Lee"));
        assert_ne!(a.of("Ann Lee"), b.of("Ann Lee"));
        assert_ne!(a.of("Ann Lee"), pseudonym("Ann Lee"));
        assert!(a.of("Ann Lee").starts_with("person-") && a.of("x").len() == 15);
        assert!(Pseudonyms::keyed(b"short").is_err());
        assert_eq!(format!("{a:?}"), "Pseudonyms { keyed: true }", "the key never reaches debug output");
    }

    #[test]
    fn mentioned_names_are_found_by_their_words() {
        let texts = ["2 different people are named 'Sam Park'"];
        let found = names_mentioned(&texts, ["Sam Park (Globex)", "Ann Lee", "Globex Person"].into_iter());
        assert_eq!(found, vec!["Sam Park (Globex)"]);
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

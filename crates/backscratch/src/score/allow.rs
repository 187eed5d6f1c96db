//! The allowlist (`--allow FILE`): pairs or groups of people whose mutual recommendations
//! are known to be honest, each with a reason. A finding whose members all belong to one
//! entry stays in the report, marked `suppressed_by`, and does not count towards
//! `--fail-on` or anyone's verdict.
//!
//! The file is CSV `members,reason`, members separated by `;`, e.g.
//! `Ann Lee;Bob Stone,"co-founded Acme together"`. A header line `members,reason` is
//! optional; `#` starts a comment line.

use std::path::Path;

use crate::error::Error;
use crate::graph::Graph;
use crate::ingest::records::{next_side_record, open_side_file};

/// One allowlist entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Member names as written.
    pub names: Vec<String>,
    /// Why they are allowed.
    pub reason: String,
    /// Where it came from (`file:line`).
    pub origin: String,
}

/// A parsed allowlist, resolved against one graph.
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    entries: Vec<Entry>,
    /// Per entry, the member ids present in the graph, sorted.
    members: Vec<Vec<u32>>,
    /// Per person, the entries they belong to.
    by_person: Vec<Vec<u32>>,
}

/// Read an allowlist file (entries not yet resolved against a graph).
pub(crate) fn read(path: &Path) -> Result<Vec<Entry>, Error> {
    let mut records = open_side_file(path)?;
    let row_error = |line: u64, reason: String| Error::Row { path: path.to_path_buf(), line, reason };
    let mut out = Vec::new();
    while let Some(rec) = next_side_record(&mut records, path)? {
        let field = |i: usize| -> Result<String, Error> {
            std::str::from_utf8(rec.get(i).unwrap_or(b""))
                .map(|s| s.trim().to_string())
                .map_err(|_| row_error(rec.line, "a field is not valid UTF-8".into()))
        };
        let (members, reason) = (field(0)?, field(1)?);
        if out.is_empty() && members.eq_ignore_ascii_case("members") {
            continue;
        }
        let names: Vec<String> = members.split(';').map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect();
        if names.len() < 2 {
            return Err(row_error(rec.line, "an entry needs at least two members separated by ';'".into()));
        }
        if reason.is_empty() {
            return Err(row_error(rec.line, "an entry needs a reason".into()));
        }
        out.push(Entry { names, reason, origin: format!("{}:{}", path.display(), rec.line) });
    }
    Ok(out)
}

impl Allowlist {
    /// Resolve entries against the people of `g` (names not in the data are ignored).
    pub fn new(g: &Graph, entries: Vec<Entry>) -> Self {
        let mut by_person = if entries.is_empty() { Vec::new() } else { vec![Vec::new(); g.node_count()] };
        let members: Vec<Vec<u32>> = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let mut ids: Vec<u32> = entry.names.iter().filter_map(|n| g.names().get(n)).collect();
                ids.sort_unstable();
                ids.dedup();
                for &v in &ids {
                    by_person[v as usize].push(i as u32);
                }
                ids
            })
            .collect();
        Allowlist { entries, members, by_person }
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The first entry that contains every one of `members`.
    pub fn matching(&self, members: &[u32]) -> Option<&Entry> {
        let first = *members.first()?;
        let candidates = self.by_person.get(first as usize)?;
        candidates
            .iter()
            .find(|&&i| members.iter().all(|m| self.members[i as usize].binary_search(m).is_ok()))
            .map(|&i| &self.entries[i as usize])
    }

    /// The `suppressed_by` text of an entry: where it is and why.
    pub fn label(entry: &Entry) -> String {
        format!("{}: {}", entry.origin, entry.reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_resolves_and_matches_subsets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("allow.csv");
        std::fs::write(
            &path,
            "members,reason\nann;bob;cid,\"founded Acme, together\"\n# comment\nx;ghost,old friends\n",
        )
        .unwrap();
        let entries = read(&path).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].reason, "founded Acme, together");
        let g = Graph::from_edges([("ann", "bob"), ("bob", "ann"), ("bob", "cid"), ("dan", "ann"), ("x", "ann")]);
        let allow = Allowlist::new(&g, entries);
        let id = |n: &str| g.names().get(n).unwrap();
        let hit = allow.matching(&[id("ann"), id("bob")]).unwrap();
        assert!(Allowlist::label(hit).ends_with("allow.csv:2: founded Acme, together"));
        assert!(allow.matching(&[id("ann"), id("dan")]).is_none());
        assert!(allow.matching(&[id("ann"), id("x")]).is_none());
        assert!(Allowlist::new(&g, Vec::new()).matching(&[0, 1]).is_none());
    }

    #[test]
    fn bad_entries_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("allow.csv");
        std::fs::write(&path, "ann;bob,friends\nann,\n").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.contains("allow.csv:2") && err.contains("at least two members"), "{err}");
        std::fs::write(&path, "ann;bob,\n").unwrap();
        assert!(read(&path).unwrap_err().to_string().contains("needs a reason"));
    }
}

//! The Graphviz renderer: one cluster per flagged finding that stands on its own (medium or
//! above, not allowlisted, not folded into a ring), its members as nodes and its
//! recommendations as dated arrows; the label names the case it belongs to. `dot -Tsvg report.dot > rings.svg` draws it.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::describe::{counts, day, top_level};
use super::escape::dot as q;
use super::model::Report;
use super::render::Render;
use crate::score::Severity;

/// `--format dot`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dot;

impl Render for Dot {
    fn render(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut s = String::from("digraph backscratch {\n  graph [fontname=\"Helvetica\", labeljust=l];\n");
        s.push_str("  node [shape=box, style=\"rounded\", fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n");
        let flagged = top_level(r).filter(|f| counts(f, Severity::Medium));
        for (i, f) in flagged.enumerate() {
            let colour = if f.severity == Severity::High { "#c0392b" } else { "#d68910" };
            let _ = writeln!(s, "  subgraph \"cluster_{i}\" {{");
            let case = f.case.as_ref().map_or(String::new(), |c| format!(", {c}"));
            let label = format!("{} {} {} (score {}{case})", f.severity.as_str(), f.kind.as_str(), f.id, f.score);
            let _ = writeln!(s, "    label=\"{}\"; color=\"{colour}\";", q(&label));
            for (j, m) in f.members.iter().enumerate() {
                let _ = writeln!(s, "    \"f{i}_{j}\" [label=\"{}\"];", q(m));
            }
            let node = |name: &str| f.members.iter().position(|m| m == name).unwrap_or(0);
            for e in &f.edges {
                let _ = writeln!(
                    s,
                    "    \"f{i}_{}\" -> \"f{i}_{}\" [label=\"{}\", color=\"{colour}\"];",
                    node(&e.from),
                    node(&e.to),
                    day(&e.created)
                );
            }
            s.push_str("  }\n");
        }
        s.push_str("}\n");
        out.write_all(s.as_bytes())
    }
}

//! Helpers shared by the integration tests. Not every test file uses every helper.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;

/// A check that cannot run here (a tool or file missing): under CI (`CI` set, where
/// `.ci/run` installs every tool) that is a failure; elsewhere a line `SKIPPED: ...` written
/// straight to the terminal, past the test harness's capture, so that a skip is never read
/// as a pass. The caller then returns.
pub fn skip(reason: &str) {
    assert!(std::env::var_os("CI").is_none(), "cannot run under CI: {reason} (.ci/run installs what the tests need)");
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED: {reason}");
}

/// `../shared/data/real`, the real networks nobody on this project wrote; `None` (and a
/// [`skip`] saying which tests are skipped, `what`) when it is not there.
pub fn shared(what: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/real");
    if dir.is_dir() {
        Some(dir)
    } else {
        skip(&format!("{} not found; {what} needs ../shared", dir.display()));
        None
    }
}

/// A Python that imports every one of `modules`: the project's `.venv` (`.ci/run` installs
/// the tools there) or the system's `python3`; `None` (and a [`skip`]) when neither does.
pub fn python_with(modules: &[&str]) -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let import = format!("import {}", modules.join(", "));
    let found = [venv, PathBuf::from("python3")]
        .into_iter()
        .find(|p| std::process::Command::new(p).args(["-c", &import]).output().is_ok_and(|o| o.status.success()));
    if found.is_none() {
        skip(&format!("no python with {} (pip install them into .venv)", modules.join(" and ")));
    }
    found
}

/// A minimal RFC 4180 reader, independent of the scanner's own: doubled quotes, delimiters and
/// line breaks inside quoted cells; a CR outside quotes (CRLF line ends) is dropped.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell, mut quoted, mut chars) =
        (Vec::new(), Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    rows
}

/// `field` as one CSV field: quoted when it holds a comma, a quote or a line break.
pub fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

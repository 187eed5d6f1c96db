//! The README's examples run as written: every command in its `sh` blocks is run with the
//! built binary standing for `backscratch` (what `cargo install --path .` puts on the path) and
//! for `cargo run --release --`, from a scratch folder that sees the repository's `data/`, and
//! must exit as its comment says (`exit N`), or else not with an error (2). The sample run's
//! output must be the `text` block the README shows for it, byte for byte.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// One command of the README: the words after the program name, and the exit code its
/// comment promises, if it names one.
struct Example {
    line: String,
    args: Vec<String>,
    exit: Option<i32>,
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).expect("README.md")
}

/// The fenced blocks of `text` whose info string is `lang`, in order.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    // The block being read: whether it is one of `lang`'s, and its lines so far.
    let (mut out, mut open): (Vec<String>, Option<(bool, String)>) = (Vec::new(), None);
    for line in text.lines() {
        match (open.take(), line.trim_start().strip_prefix("```")) {
            (None, Some(info)) => open = Some((info.trim() == lang, String::new())),
            (Some((keep, block)), Some(_)) => out.extend(keep.then_some(block)),
            (Some((keep, mut block)), None) => {
                block.push_str(line);
                block.push('\n');
                open = Some((keep, block));
            }
            (None, None) => {}
        }
    }
    out
}

/// Shell words, as `sh` splits them for these simple commands: spaces separate, double and
/// single quotes group.
fn words(command: &str) -> Vec<String> {
    let (mut out, mut word, mut quote, mut any) = (Vec::new(), String::new(), None, false);
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, ' ') => {
                if any || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            (None, c) => word.push(c),
        }
    }
    if any || !word.is_empty() {
        out.push(word);
    }
    out
}

/// Every command of the README's `sh` blocks, continuation lines joined, `# comments` read
/// for an `exit N`; `cargo test` (this very run), `cargo install` and the wheel's `pip` and
/// `maturin` left out.
fn examples() -> Vec<Example> {
    let mut out = Vec::new();
    for block in blocks(&readme(), "sh") {
        for line in block.replace("\\\n", " ").lines() {
            let (command, comment) = line.split_once(" # ").unwrap_or((line, ""));
            let exit = comment.split("exit ").nth(1).and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next());
            let exit = exit.and_then(|n| n.parse().ok());
            let all = words(command.trim());
            let args = match all.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
                ["backscratch", ..] => all[1..].to_vec(),
                ["cargo", "run", "--release", "--", ..] => all[4..].to_vec(),
                // The test run itself, and the install (the built binary stands for what it installs).
                ["cargo", "test" | "install", ..] | [] => continue,
                // The Python wheel's build and install: .ci/run runs them, into a clean venv.
                ["pip" | "maturin", ..] => continue,
                other => panic!("README: a command this test cannot run: {other:?}"),
            };
            out.push(Example { line: command.split_whitespace().collect::<Vec<_>>().join(" "), args, exit });
        }
    }
    out
}

/// A scratch folder with the repository's `data/` in it, and, where `../shared` is here, the
/// real files the data team's recipe names.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::os::unix::fs::symlink(root.join("data"), dir.path().join("data")).unwrap();
    let otc = root.join("../shared/data/real/snap/soc-sign-bitcoinotc.csv.gz");
    if otc.is_file() {
        std::os::unix::fs::symlink(otc, dir.path().join("soc-sign-bitcoinotc.csv.gz")).unwrap();
    }
    dir
}

#[test]
fn every_readme_example_runs_as_written() {
    let examples = examples();
    assert!(examples.len() >= 5, "the README's examples were not found: {}", examples.len());
    let dir = scratch();
    for example in &examples {
        let needs_shared = example.args.iter().any(|a| a.starts_with("soc-sign-"));
        if needs_shared && !dir.path().join("soc-sign-bitcoinotc.csv.gz").exists() {
            common::skip(&format!("README example needs ../shared: {}", example.line));
            continue;
        }
        let out = Command::new(env!("CARGO_BIN_EXE_backscratch"))
            .args(&example.args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let code = out.status.code().expect("exited, not killed");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{}: panicked: {stderr}", example.line);
        match example.exit {
            Some(want) => assert_eq!(code, want, "{}: exit {code}, the README says {want}: {stderr}", example.line),
            None => assert_ne!(code, 2, "{}: an error: {stderr}", example.line),
        }
        for (flag, path) in example.args.iter().zip(example.args.iter().skip(1)) {
            if let Some((_, file)) = path.split_once('=').filter(|_| flag == "--report") {
                let written = std::fs::metadata(dir.path().join(file)).map(|m| m.len()).unwrap_or(0);
                assert!(written > 0, "{}: {file} was not written", example.line);
            }
        }
    }
}

#[test]
fn the_sample_output_shown_is_the_sample_output() {
    let text = readme();
    let shown = blocks(&text, "text").into_iter().next().expect("the README shows the sample's output");
    let first = examples().into_iter().next().expect("the README's first command");
    let out = Command::new(env!("CARGO_BIN_EXE_backscratch"))
        .args(&first.args)
        .current_dir(scratch().path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), shown, "README.md's sample output differs from the run");
}

#[test]
fn shell_words_split_as_sh_would() {
    assert_eq!(
        words(r#"check a.csv --subject "Amara Okafor"  -q"#),
        ["check", "a.csv", "--subject", "Amara Okafor", "-q"]
    );
    assert_eq!(words("x ''"), ["x", ""]);
}

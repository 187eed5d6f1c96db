//! Writing reports onto what already stands at the output path: devices, FIFOs, symlinks,
//! descriptor links and protected files must survive, and a failed write must name the path.
//! Everything runs in a private temporary folder, never on the machine's real `/dev`.

use std::fs;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::process::Output;

use assert_cmd::Command;

mod common;

const SAMPLE: &str = "data/sample/recommendations.csv";

/// The two ways a report reaches a path: `-o PATH` and `--report json=PATH`.
const WAYS: [&str; 2] = ["-o", "--report"];

fn run(way: &str, path: &Path) -> Output {
    let target = path.to_str().unwrap();
    let mut c = Command::cargo_bin("backscratch").unwrap();
    c.env_remove("SOURCE_DATE_EPOCH").env_remove("GITHUB_ACTIONS").env_remove("GITHUB_STEP_SUMMARY");
    c.args(["scan", SAMPLE, "--exit-zero", "--no-timestamp", "--format", "json"]);
    if way == "-o" {
        c.args(["-o", target]);
    } else {
        c.args(["--quiet", "--report", &format!("json={target}")]);
    }
    c.output().unwrap()
}

/// The report as standard output gets it, to compare what reached a path with.
fn expected() -> Vec<u8> {
    let out = Command::cargo_bin("backscratch")
        .unwrap()
        .env_remove("SOURCE_DATE_EPOCH")
        .args(["scan", SAMPLE, "--exit-zero", "--no-timestamp", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    out.stdout
}

fn ok(out: &Output) {
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

fn is_root() -> bool {
    fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0).unwrap_or(false)
}

#[test]
fn a_character_device_stays_a_device() {
    if !is_root() {
        common::skip("mknod needs root; a character device cannot be made here");
        return;
    }
    for way in WAYS {
        let dir = tempfile::tempdir().unwrap();
        let null = dir.path().join("null");
        let made = std::process::Command::new("mknod").arg(&null).args(["c", "1", "3"]).status().unwrap();
        assert!(made.success(), "mknod failed");
        ok(&run(way, &null));
        let meta = fs::symlink_metadata(&null).unwrap();
        assert!(meta.file_type().is_char_device(), "{way}: the device was replaced");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "{way}: something was left beside the device");
    }
}

#[test]
fn a_fifo_with_a_reader_gets_the_whole_report() {
    let want = expected();
    for way in WAYS {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let reader_path = fifo.clone();
        let reader = std::thread::spawn(move || fs::read(reader_path).unwrap());
        ok(&run(way, &fifo));
        let got = reader.join().unwrap();
        assert_eq!(got, want, "{way}: the reader got another report");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "{way}: the FIFO was replaced");
    }
}

#[test]
fn a_symlink_stays_a_link_and_its_target_holds_the_report() {
    let want = expected();
    for way in WAYS {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("elsewhere")).unwrap();
        let real = dir.path().join("elsewhere/report.json");
        fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("elsewhere/report.json", &link).unwrap();
        ok(&run(way, &link));
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "{way}: the link was replaced");
        assert_eq!(fs::read(&real).unwrap(), want, "{way}: the link's target was not written");
        // A dangling link: the report is created where it points.
        let dangling = dir.path().join("dangling.json");
        std::os::unix::fs::symlink("elsewhere/new.json", &dangling).unwrap();
        ok(&run(way, &dangling));
        assert!(fs::symlink_metadata(&dangling).unwrap().file_type().is_symlink());
        assert_eq!(fs::read(dir.path().join("elsewhere/new.json")).unwrap(), want);
    }
}

#[test]
fn a_private_report_stays_private() {
    for way in WAYS {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        ok(&run(way, &path));
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o600, "{way}: mode became {mode:o}");
        assert!(fs::read_to_string(&path).unwrap().contains("\"schema_version\""));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "{way}: a temporary file was left");
    }
}

#[test]
fn a_link_to_the_standard_output_descriptor_writes_to_standard_output() {
    let want = expected();
    for way in WAYS {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("out");
        std::os::unix::fs::symlink("/proc/self/fd/1", &link).unwrap();
        let out = run(way, &link);
        ok(&out);
        assert_eq!(out.stdout, want, "{way}: the report did not reach standard output");
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    }
}

#[test]
fn a_full_device_is_an_error_naming_the_path() {
    if !Path::new("/dev/full").exists() {
        common::skip("this machine has no /dev/full");
        return;
    }
    for way in WAYS {
        let out = run(way, Path::new("/dev/full"));
        assert_eq!(out.status.code(), Some(2), "{way}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("/dev/full") && err.contains("No space left"), "{way}: {err}");
    }
}

#[test]
fn csv_to_a_fifo_sends_both_sheets_and_creates_nothing_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.csv");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reader_path = fifo.clone();
    let reader = std::thread::spawn(move || fs::read_to_string(reader_path).unwrap());
    let out = Command::cargo_bin("backscratch")
        .unwrap()
        .args(["scan", SAMPLE, "--exit-zero", "--no-timestamp", "-o", fifo.to_str().unwrap()])
        .output()
        .unwrap();
    ok(&out);
    let text = reader.join().unwrap();
    assert!(text.starts_with("id,kind,severity") && text.contains("\n\nname,"), "{text}");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn the_step_summary_is_appended_through_its_link() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("summary.md");
    fs::write(&real, "earlier step\n").unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o600)).unwrap();
    let link = dir.path().join("link.md");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = Command::cargo_bin("backscratch")
        .unwrap()
        .env("GITHUB_STEP_SUMMARY", &link)
        .args(["scan", SAMPLE, "--exit-zero", "--quiet", "--github"])
        .output()
        .unwrap();
    ok(&out);
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    let text = fs::read_to_string(&real).unwrap();
    assert!(text.starts_with("earlier step\n") && text.len() > 100, "{text}");
    assert_eq!(fs::metadata(&real).unwrap().permissions().mode() & 0o7777, 0o600);
    let full = Command::cargo_bin("backscratch")
        .unwrap()
        .env("GITHUB_STEP_SUMMARY", "/dev/full")
        .args(["scan", SAMPLE, "--exit-zero", "--quiet", "--github"])
        .output()
        .unwrap();
    assert_eq!(full.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&full.stderr).contains("/dev/full"));
}

/// Every file a run reads is safe from its reports, however it was named: a file inside an
/// input folder (or an export folder), the file behind standard input, `/dev/stdin`, the
/// `--subjects` and `--redact-key` files. Each is refused with exit 2 naming it, and left
/// byte for byte as it was.
#[test]
fn reports_never_replace_a_file_the_run_reads_however_it_was_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = fs::read(SAMPLE).unwrap();
    let file = d.join("f.csv");
    fs::write(&file, &data).unwrap();
    fs::create_dir(d.join("fold")).unwrap();
    fs::write(d.join("fold/r.csv"), &data).unwrap();
    fs::write(d.join("key"), "a secret").unwrap();
    fs::write(d.join("subjects.txt"), "Ivan Petrov\n").unwrap();
    let export = d.join("ben");
    fs::create_dir(&export).unwrap();
    for f in ["Profile.csv", "Positions.csv", "Recommendations_Given.csv", "Recommendations_Received.csv"] {
        fs::copy(Path::new("tests/fixtures/linkedin/exports/ben").join(f), export.join(f)).unwrap();
    }
    let path = |p: &str| d.join(p).to_str().unwrap().to_string();
    let cases: Vec<(Vec<String>, bool, &str, &str)> = vec![
        (
            vec!["scan".into(), path("fold"), "-o".into(), path("fold/r.csv")],
            false,
            "fold/r.csv",
            "inside the input folder",
        ),
        (vec!["scan".into(), "-".into(), "-o".into(), path("f.csv")], true, "f.csv", "standard input"),
        (vec!["scan".into(), path("f.csv"), "-o".into(), "/dev/stdin".into()], true, "f.csv", "the input"),
        (vec!["scan".into(), "-".into(), "-o".into(), "/dev/stdin".into()], true, "f.csv", "standard input"),
        (
            vec!["scan".into(), path("f.csv"), "--redact-key".into(), path("key"), "-o".into(), path("key")],
            false,
            "key",
            "the --redact-key file",
        ),
        (
            vec![
                "check".into(),
                path("f.csv"),
                "--subjects".into(),
                path("subjects.txt"),
                "-o".into(),
                path("subjects.txt"),
            ],
            false,
            "subjects.txt",
            "the --subjects file",
        ),
        (
            vec!["scan".into(), path("ben"), "-o".into(), path("ben/Profile.csv")],
            false,
            "ben/Profile.csv",
            "inside the input folder",
        ),
        (
            vec!["scan".into(), path("ben"), "-o".into(), path("ben/new.json")],
            false,
            "ben/Profile.csv",
            "would write into",
        ),
    ];
    for (args, stdin_is_file, kept, says) in cases {
        let before = fs::read(d.join(kept)).unwrap();
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("backscratch"));
        c.args(&args).arg("--exit-zero");
        c.stdin(if stdin_is_file { fs::File::open(&file).unwrap().into() } else { std::process::Stdio::null() });
        let out = c.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says) && err.contains("which this run reads"), "{args:?}: {err}");
        assert_eq!(fs::read(d.join(kept)).unwrap(), before, "{args:?} left {kept} as it was");
    }
    assert!(!d.join("ben/new.json").exists());
}

/// A FIFO nobody reads is an error at once (not a run blocked for ever), a file name near the
/// 255-byte limit is written (its temporary name is shortened), and another user's symbolic
/// link in a sticky, world-writable folder is not followed (the kernel's rule for /tmp).
#[test]
fn fifo_long_names_and_foreign_links_in_shared_folders() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let started = std::time::Instant::now();
    let out = run("-o", &fifo);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nobody is reading"));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));

    let long = dir.path().join(format!("{}.json", "r".repeat(245)));
    ok(&run("-o", &long));
    assert_eq!(fs::read(&long).unwrap(), expected());

    if !is_root() {
        common::skip("a link owned by another user needs root to make");
        return;
    }
    let shared = dir.path().join("shared");
    fs::create_dir(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    let victim = dir.path().join("victim.txt");
    fs::write(&victim, "keep me").unwrap();
    let link = shared.join("report.json");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let c_link = std::ffi::CString::new(link.to_str().unwrap()).unwrap();
    // SAFETY: lchown on a path this test made, to a uid nobody here has.
    assert_eq!(unsafe { libc::lchown(c_link.as_ptr(), 4242, 4242) }, 0);
    for way in WAYS {
        let out = run(way, &link);
        assert_eq!(out.status.code(), Some(2), "{way}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("symbolic link of another user"), "{way}");
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep me");
    }
}

//! Writing reports to paths without ever destroying what stands there.
//!
//! A report replaces a *regular file* (or creates a missing one) atomically: a temporary
//! file in the directory of the final target, then a rename over it, so a failed run
//! never leaves half a report. The path's symlinks are followed to that final target and
//! kept, and an existing file keeps its permission bits (and owner and group where the
//! process may set them). Anything else at the path, a character or block device
//! (`/dev/null`), a FIFO, a socket, or a path through `/proc/*/fd` or `/dev/fd`
//! (`/dev/stdout`), is opened and written directly, never renamed over; a regular file
//! reached through such a descriptor path is appended to, as the descriptor would be.
//! Appends (the GitHub step summary) always write in place.

use std::fs;
use std::hash::{BuildHasher, RandomState};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use super::csv::{Csv, Sheet};
use super::format::{renderer, Format};
use super::model::Report;
use super::render::{Render, RenderOptions};

/// How many symlinks a path may pass through before it is refused (as the kernel's ELOOP).
const MAX_LINKS: usize = 40;

/// Attempts at a fresh temporary name before giving up (each is random; a clash means
/// someone is planting files).
const MAX_TEMP_ATTEMPTS: usize = 32;
/// The most bytes of the report's own name a temporary name repeats (255 is the usual limit).
const MAX_TEMP_STEM: usize = 200;

/// Temporary files being written, so that an interrupted run can remove them
/// ([`remove_pending`]).
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending(add: Option<&Path>, remove: Option<&Path>) {
    let mut list = PENDING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = remove {
        list.retain(|q| q != p);
    }
    if let Some(p) = add {
        list.push(p.to_path_buf());
    }
}

/// Remove every temporary report file still being written (for SIGINT and SIGTERM: the
/// target is left as it was, and nothing is left beside it).
pub fn remove_pending() {
    let list = PENDING.lock().unwrap_or_else(|e| e.into_inner());
    for p in list.iter() {
        let _ = fs::remove_file(p);
    }
}

/// What stands at an output path, and so how a report is written there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Nothing, or a regular file: written atomically at this path (symlinks resolved).
    Replace(PathBuf),
    /// A device, FIFO or socket: opened and written in place.
    Stream(PathBuf),
    /// A descriptor path (`/dev/stdout`, `/proc/self/fd/N`) onto a regular file: appended to.
    Descriptor(PathBuf),
}

impl Target {
    /// Whether the path holds (or will hold) a regular file of its own.
    pub fn is_file(&self) -> bool {
        matches!(self, Target::Replace(_))
    }
}

fn named(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
}

/// Whether `path` goes through the kernel's per-process descriptor links, whose
/// targets (`pipe:[123]`, a file the shell opened) are not paths to rename over.
fn is_descriptor_path(path: &Path) -> bool {
    let parts: Vec<&str> = path
        .components()
        .map(|c| match c {
            Component::RootDir => "/",
            Component::Normal(part) => part.to_str().unwrap_or("?"),
            _ => ".",
        })
        .collect();
    matches!(parts.as_slice(), ["/", "proc", _, "fd", ..] | ["/", "dev", "fd" | "stdout" | "stderr" | "stdin", ..])
}

/// The kernel's `protected_symlinks` rule, which cannot apply when the links are resolved
/// here: a symbolic link in a sticky, world-writable folder (`/tmp`) is followed only when
/// this user or the folder's owner owns it. Another user's link there may point anywhere.
fn refuse_foreign_link(link: &Path, meta: &fs::Metadata) -> io::Result<()> {
    let dir = link.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let Ok(folder) = fs::metadata(dir) else { return Ok(()) };
    let shared = folder.permissions().mode() & 0o1002 == 0o1002;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if shared && meta.uid() != me && meta.uid() != folder.uid() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} is a symbolic link of another user (uid {}) in the shared folder {}; it is not followed",
                link.display(),
                meta.uid(),
                dir.display()
            ),
        ));
    }
    Ok(())
}

/// Decide how to write to `path`: follow its symlinks to the final target and look at
/// what stands there.
pub fn classify(path: &Path) -> io::Result<Target> {
    if path.as_os_str().to_string_lossy().ends_with('/') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("cannot write {}: it names a folder (it ends in /), not a file", path.display()),
        ));
    }
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        if is_descriptor_path(&current) {
            let meta = fs::metadata(path).map_err(|e| named(path, e))?;
            return Ok(if meta.is_file() {
                Target::Descriptor(path.to_path_buf())
            } else {
                Target::Stream(path.into())
            });
        }
        let meta = match fs::symlink_metadata(&current) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Target::Replace(current)),
            Err(e) => return Err(named(path, e)),
        };
        if meta.file_type().is_symlink() {
            refuse_foreign_link(&current, &meta).map_err(|e| named(path, e))?;
            let link = fs::read_link(&current).map_err(|e| named(path, e))?;
            current = match current.parent() {
                Some(dir) if link.is_relative() => dir.join(link),
                _ => link,
            };
            continue;
        }
        if meta.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("cannot write {}: it is a directory", path.display()),
            ));
        }
        return Ok(if meta.is_file() { Target::Replace(current) } else { Target::Stream(current) });
    }
    Err(io::Error::other(format!("cannot write {}: more than {MAX_LINKS} symbolic links", path.display())))
}

/// A temporary file beside `target`, with a random name, created exclusively (never an
/// existing file or a planted symlink) and given the existing target's permission bits and,
/// where allowed, its owner and group.
fn temporary_beside(target: &Path) -> io::Result<(PathBuf, fs::File)> {
    let random = RandomState::new();
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // A name near the file system's 255-byte limit leaves no room for the temporary's
    // additions: shorten its part of the temporary name (the report keeps its own).
    if name.len() > MAX_TEMP_STEM {
        let cut = (0..=MAX_TEMP_STEM).rev().find(|&i| name.is_char_boundary(i)).unwrap_or(0);
        name.truncate(cut);
    }
    let existing = fs::metadata(target).ok();
    // Read, write and execute bits only: a report never inherits set-user-id or sticky bits.
    let mode = existing.as_ref().map_or(0o666, |m| m.permissions().mode() & 0o777);
    for attempt in 0..MAX_TEMP_ATTEMPTS {
        let tmp = dir.join(format!(".{name}.{:016x}.tmp", random.hash_one((std::process::id(), attempt))));
        match fs::OpenOptions::new().write(true).create_new(true).mode(mode).open(&tmp) {
            Ok(file) => {
                pending(Some(&tmp), None);
                if let Some(meta) = &existing {
                    // Best effort: only root may give a file away; the mode is what protects it.
                    let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()));
                    // The umask narrowed the mode at creation; set it exactly.
                    if let Err(e) = file.set_permissions(fs::Permissions::from_mode(mode)) {
                        let _ = fs::remove_file(&tmp);
                        pending(None, Some(&tmp));
                        return Err(e);
                    }
                }
                return Ok((tmp, file));
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(io::ErrorKind::AlreadyExists, "no fresh temporary file name beside it"))
}

/// Write through `fill` to `path`, by the rules in the module documentation.
pub fn write_with(path: &Path, fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let flush = |file: fs::File, fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>| -> io::Result<fs::File> {
        let mut out = io::BufWriter::new(file);
        fill(&mut out)?;
        out.into_inner().map_err(io::IntoInnerError::into_error)
    };
    match classify(path)? {
        Target::Replace(target) => {
            let (tmp, file) = temporary_beside(&target).map_err(|e| named(path, e))?;
            let written = flush(file, fill).and_then(|f| f.sync_all()).and_then(|()| fs::rename(&tmp, &target));
            let result = written.map_err(|e| {
                let _ = fs::remove_file(&tmp);
                named(path, e)
            });
            pending(None, Some(&tmp));
            result
        }
        Target::Stream(target) => {
            let file = open_stream(&target).map_err(|e| named(path, e))?;
            flush(file, fill).map(drop).map_err(|e| named(path, e))
        }
        Target::Descriptor(target) => append_with(&target, fill),
    }
}

/// Open a device, FIFO or socket for writing without waiting: a FIFO nobody reads would
/// block the open for ever, so it is an error saying so; writes then block as usual.
fn open_stream(target: &Path) -> io::Result<fs::File> {
    use std::os::fd::AsRawFd;
    let file = match fs::OpenOptions::new().write(true).custom_flags(libc::O_NONBLOCK).open(target) {
        Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "a named pipe (FIFO) that nobody is reading; start its reader first",
            ))
        }
        other => other?,
    };
    // SAFETY: fcntl on a descriptor this function owns, with flags it read from it.
    let cleared = unsafe {
        let flags = libc::fcntl(file.as_raw_fd(), libc::F_GETFL);
        flags >= 0 && libc::fcntl(file.as_raw_fd(), libc::F_SETFL, flags & !libc::O_NONBLOCK) == 0
    };
    if !cleared {
        return Err(io::Error::last_os_error());
    }
    Ok(file)
}

/// Append through `fill` to `path` (created if missing), in place: a symlink stays a link,
/// a device stays a device.
pub fn append_with(path: &Path, fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let file = fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| named(path, e))?;
    let mut out = io::BufWriter::new(file);
    fill(&mut out).and_then(|()| out.flush()).map_err(|e| named(path, e))
}

/// Write `report` to `path` through `render` (see [`write_with`]).
pub fn write_rendered(path: &Path, report: &Report, render: &dyn Render) -> io::Result<()> {
    write_with(path, &mut |out| render.render(report, out))
}

/// A file beside a report that holds another of its tables: `r.csv` → `r.people.csv`.
pub fn sibling_path(path: &Path, table: &str, extension: &str) -> PathBuf {
    let stem = path.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}.{table}.{extension}"))
}

/// Where the people sheet of a CSV report goes: `findings.csv` → `findings.people.csv`.
pub fn people_sheet_path(path: &Path) -> PathBuf {
    sibling_path(path, "people", "csv")
}

/// The files a report of `format` to `path` writes besides `path` itself (a CSV's people
/// sheet, a Parquet report's other tables), so that callers can keep them off the inputs.
pub fn companion_paths(path: &Path, format: Format) -> Vec<PathBuf> {
    match format {
        Format::Csv => vec![people_sheet_path(path)],
        Format::Parquet => {
            super::format::PARQUET_SIBLINGS.iter().map(|table| sibling_path(path, table, "parquet")).collect()
        }
        _ => Vec::new(),
    }
}

/// Write `report` as `format` to `path` and return the files written. A CSV report to a
/// file puts the people sheet beside the findings; to a device or pipe both sheets follow
/// each other, as on standard output, and nothing is created beside it.
pub fn write_report(path: &Path, report: &Report, format: Format, options: RenderOptions) -> io::Result<Vec<PathBuf>> {
    if format == Format::Parquet {
        return write_parquet(path, report);
    }
    if format == Format::Csv {
        if !classify(path)?.is_file() {
            write_rendered(path, report, &Csv { sheet: Sheet::Both })?;
            return Ok(vec![path.to_path_buf()]);
        }
        let people = people_sheet_path(path);
        write_rendered(path, report, &Csv { sheet: Sheet::Findings })?;
        write_rendered(&people, report, &Csv { sheet: Sheet::People })?;
        return Ok(vec![path.to_path_buf(), people]);
    }
    write_rendered(path, report, renderer(format, options).as_ref())?;
    Ok(vec![path.to_path_buf()])
}

/// A Parquet report is files: `Err` when `path` is a device, pipe or descriptor (the
/// command line asks before the scan, [`write_report`] again before writing).
pub fn parquet_target(path: &Path) -> io::Result<()> {
    if classify(path)?.is_file() {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("cannot write {}: a Parquet report is five files; give it a file name", path.display()),
    ))
}

/// Write the five Parquet files of `report`, the findings at `path`.
fn write_parquet(path: &Path, report: &Report) -> io::Result<Vec<PathBuf>> {
    parquet_target(path)?;
    #[cfg(feature = "parquet")]
    {
        let mut files = vec![path.to_path_buf()];
        files.extend(companion_paths(path, Format::Parquet));
        for (file, bytes) in files.iter().zip(super::parquet::files(report)?) {
            write_with(file, &mut |out| out.write_all(&bytes))?;
        }
        Ok(files)
    }
    #[cfg(not(feature = "parquet"))]
    {
        let _ = report;
        Err(io::Error::new(io::ErrorKind::Unsupported, "this build of backscratch has no Parquet support"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parquet_reports_five_files_sit_beside_each_other() {
        let mut names = vec![PathBuf::from("out/r.parquet")];
        names.extend(companion_paths(Path::new("out/r.parquet"), Format::Parquet));
        let expected = ["r.parquet", "r.people.parquet", "r.cases.parquet", "r.inputs.parquet", "r.subjects.parquet"];
        assert_eq!(names, expected.iter().map(|n| Path::new("out").join(n)).collect::<Vec<_>>());
    }

    #[test]
    fn people_sheet_sits_beside_the_findings() {
        assert_eq!(people_sheet_path(Path::new("out/f.csv")), Path::new("out/f.people.csv"));
        assert_eq!(people_sheet_path(Path::new("f")), Path::new("f.people.csv"));
    }

    #[test]
    fn descriptor_paths_are_recognised() {
        for p in ["/dev/stdout", "/dev/stderr", "/dev/fd/1", "/proc/self/fd/1", "/proc/123/fd/4"] {
            assert!(is_descriptor_path(Path::new(p)), "{p}");
        }
        for p in ["/dev/null", "/proc/self/status", "dev/stdout", "/tmp/fd/1", "/proc"] {
            assert!(!is_descriptor_path(Path::new(p)), "{p}");
        }
    }

    #[test]
    fn symlink_chains_resolve_to_the_final_target() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::os::unix::fs::symlink("real.json", dir.path().join("a")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("a"), dir.path().join("b")).unwrap();
        assert_eq!(classify(&dir.path().join("b")).unwrap(), Target::Replace(real.clone()));
        std::os::unix::fs::symlink("loop2", dir.path().join("loop1")).unwrap();
        std::os::unix::fs::symlink("loop1", dir.path().join("loop2")).unwrap();
        assert!(classify(&dir.path().join("loop1")).unwrap_err().to_string().contains("symbolic links"));
        assert!(classify(dir.path()).unwrap_err().to_string().contains("directory"));
    }

    #[test]
    fn pending_temporaries_are_removed_on_demand() {
        let dir = tempfile::tempdir().unwrap();
        let (tmp, _file) = temporary_beside(&dir.path().join("r.json")).unwrap();
        assert!(tmp.exists());
        remove_pending();
        assert!(!tmp.exists());
        pending(None, Some(&tmp));
    }

    #[test]
    fn a_failed_write_leaves_the_target_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("r.json");
        fs::write(&target, "old").unwrap();
        let err = write_with(&target, &mut |out| {
            out.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("r.json"), "{err}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

//! The files of one LinkedIn export, from an unpacked folder or a `.zip` archive, read
//! safely: entries with absolute paths or `..` are refused (zip slip), every entry's
//! decompressed size is bounded whatever its header claims (zip bombs), and a damaged
//! archive is an error naming the archive and the entry. Only the CSV files backscratch
//! reads are taken; nothing is ever written to disk.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::error::Error;

/// The export files backscratch reads (matched by file name, case-insensitively, at any
/// depth of the export).
pub(crate) const KNOWN_FILES: [&str; 8] = [
    "Profile.csv",
    "Positions.csv",
    "Recommendations_Given.csv",
    "Recommendations_Received.csv",
    "Endorsement_Given_Info.csv",
    "Endorsement_Received_Info.csv",
    "Connections.csv",
    "Invitations.csv",
];

/// Largest decompressed file taken from an export: 32 MiB, ten times the Connections.csv of
/// someone with 30,000 connections. Every row of an export costs memory until the exports
/// are matched with each other (about 1 KB), so this bounds the memory of one file.
pub(crate) const MAX_ENTRY_BYTES: u64 = 32 << 20;
/// Largest decompressed total taken from one archive.
pub(crate) const MAX_ARCHIVE_BYTES: u64 = 128 << 20;
/// Largest decompressed total taken from all exports of one scan (they are matched with each
/// other, so they are held together).
pub(crate) const MAX_EXPORTS_BYTES: u64 = 512 << 20;

/// One export's files, by their canonical name (`Profile.csv`, ...).
#[derive(Debug, Clone, Default)]
pub(crate) struct ExportFiles {
    /// The folder or archive, as the user named it (directly or through a folder).
    pub origin: PathBuf,
    /// Canonical name → (path shown in reports, contents).
    pub files: Vec<(&'static str, String, String)>,
    /// Second copies of a file (the same name again, in another case or another folder of
    /// the archive): not read, but accounted. Canonical name, path shown, contents.
    pub duplicates: Vec<(&'static str, String, String)>,
}

impl ExportFiles {
    /// Bytes of text held.
    pub(crate) fn bytes(&self) -> u64 {
        self.files.iter().chain(&self.duplicates).map(|f| f.2.len() as u64).sum()
    }

    /// Add a file, or account it as a second copy when the export already has one.
    fn add(&mut self, name: &'static str, display: String, text: String) {
        if self.files.iter().any(|f| f.0 == name) {
            self.duplicates.push((name, display, text));
        } else {
            self.files.push((name, display, text));
        }
    }

    /// The contents and display path of a file, if the export has it.
    pub(crate) fn get(&self, name: &str) -> Option<(&str, &str)> {
        self.files.iter().find(|f| f.0 == name).map(|f| (f.1.as_str(), f.2.as_str()))
    }
}

/// The canonical name of an export file, if `file_name` is one.
fn known(file_name: &str) -> Option<&'static str> {
    KNOWN_FILES.iter().copied().find(|k| k.eq_ignore_ascii_case(file_name))
}

/// Whether a folder looks like an unpacked export (holds Profile.csv or a recommendations file).
pub(crate) fn is_export_folder(dir: &Path) -> bool {
    ["Profile.csv", "Recommendations_Given.csv", "Recommendations_Received.csv"]
        .iter()
        .any(|f| dir.join(f).is_file() || dir.join(f.to_lowercase()).is_file())
}

fn text(origin: &Path, entry: &str, bytes: Vec<u8>) -> Result<String, Error> {
    let mut s = String::from_utf8(bytes).map_err(|e| Error::Format {
        path: origin.to_path_buf(),
        message: format!("{entry}: not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
    })?;
    if s.starts_with('\u{feff}') {
        s.remove(0);
    }
    Ok(s)
}

/// Read an unpacked export folder. Only regular files are read (a symlink is followed to
/// one); a device, FIFO or socket under an export file's name is refused, since reading it
/// would never end or never start.
pub(crate) fn read_folder(dir: &Path) -> Result<ExportFiles, Error> {
    let mut out = ExportFiles { origin: dir.to_path_buf(), ..ExportFiles::default() };
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut names: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    names.sort();
    for path in names {
        let Some(name) = path.file_name().and_then(|n| n.to_str()).and_then(known) else { continue };
        let meta = std::fs::metadata(&path).map_err(|e| Error::io(path.clone(), e))?;
        if !meta.is_file() {
            return Err(Error::Format {
                path: path.clone(),
                message: "not a regular file (a device, FIFO or socket); refused".into(),
            });
        }
        let io = |e: std::io::Error| Error::io(path.clone(), e);
        // Bounded by what is read, not by what the size said a moment ago.
        let mut bytes = Vec::new();
        std::fs::File::open(&path).map_err(io)?.take(MAX_ENTRY_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
        if bytes.len() as u64 > MAX_ENTRY_BYTES {
            return Err(Error::Format { path: path.clone(), message: format!("larger than {MAX_ENTRY_BYTES} bytes") });
        }
        let display = path.display().to_string();
        let contents = text(&path, name, bytes)?;
        out.add(name, display, contents);
    }
    Ok(out)
}

/// Whether an entry name stays inside the archive: relative, no `..`, no drive or root.
fn safe_entry_name(name: &str) -> bool {
    let path = Path::new(name);
    !name.starts_with('/')
        && !name.starts_with('\\')
        && !name.contains(":\\")
        && !name.split(['/', '\\']).any(|part| part == "..")
        && path.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Read the export files out of a `.zip` archive, within [`MAX_ENTRY_BYTES`] and
/// [`MAX_ARCHIVE_BYTES`].
pub(crate) fn read_zip(archive: &Path) -> Result<ExportFiles, Error> {
    read_zip_within(archive, MAX_ENTRY_BYTES, MAX_ARCHIVE_BYTES)
}

/// How many entries the archive's end-of-central-directory record lists (`None` when it
/// cannot be found, or for a Zip64 archive, whose count lies elsewhere).
fn listed_entries(file: &std::fs::File) -> Option<u64> {
    use std::os::unix::fs::FileExt;
    const EOCD: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    let len = file.metadata().ok()?.len();
    // The record is 22 bytes and a comment of at most 65,535 follows it.
    let tail_len = len.min(22 + 65_535);
    let mut tail = vec![0u8; tail_len as usize];
    file.read_exact_at(&mut tail, len - tail_len).ok()?;
    let at = tail.windows(4).rposition(|w| w == EOCD)?;
    let count = u16::from_le_bytes(tail.get(at + 10..at + 12)?.try_into().ok()?);
    (count != u16::MAX).then_some(u64::from(count))
}

/// [`read_zip`] with other bounds on the decompressed sizes.
pub(crate) fn read_zip_within(archive: &Path, max_entry: u64, max_total: u64) -> Result<ExportFiles, Error> {
    let damaged = |entry: &str, e: &dyn std::fmt::Display| Error::Format {
        path: archive.to_path_buf(),
        message: if entry.is_empty() {
            format!("damaged zip archive: {e}")
        } else {
            format!("{entry}: damaged entry: {e}")
        },
    };
    let file = std::fs::File::open(archive).map_err(|e| Error::io(archive, e))?;
    let listed = listed_entries(&file);
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| damaged("", &e))?;
    // The zip reader keeps one entry per name: a second entry of the same name would be
    // dropped without a word (and a second Profile.csv would change the export's owner).
    if let Some(listed) = listed.filter(|&n| n > zip.len() as u64) {
        return Err(Error::Format {
            path: archive.to_path_buf(),
            message: format!(
                "refused: the archive lists {listed} entries but only {} distinct names, so some entries share a name \
                 and which copy belongs to the export is unclear",
                zip.len()
            ),
        });
    }
    let mut out = ExportFiles { origin: archive.to_path_buf(), ..ExportFiles::default() };
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| damaged(&format!("entry {i}"), &e))?;
        let name = entry.name().to_string();
        if !safe_entry_name(&name) || entry.enclosed_name().is_none() {
            return Err(Error::Format {
                path: archive.to_path_buf(),
                message: format!("{name}: refused: the entry's path leaves the archive (absolute or '..')"),
            });
        }
        // Windows tools write `export\Recommendations_Given.csv`: either separator ends a folder.
        let base = name.rsplit(['/', '\\']).next().unwrap_or(&name);
        let Some(known_name) = known(base) else { continue };
        if entry.is_dir() {
            continue;
        }
        let mut bytes = Vec::new();
        let limit = max_entry.min(max_total - total);
        (&mut entry).take(limit + 1).read_to_end(&mut bytes).map_err(|e| damaged(&name, &e))?;
        if bytes.len() as u64 > limit {
            return Err(Error::Format {
                path: archive.to_path_buf(),
                message: format!(
                    "{name}: refused: decompresses to more than {limit} bytes (at most {max_entry} per file and \
                     {max_total} per archive are read)"
                ),
            });
        }
        total += bytes.len() as u64;
        let display = format!("{}!{name}", archive.display());
        let contents = text(archive, &name, bytes)?;
        out.add(known_name, display, contents);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_that_leave_the_archive_are_refused() {
        assert!(safe_entry_name("Profile.csv"));
        assert!(safe_entry_name("export/Recommendations_Given.csv"));
        for bad in ["../evil.csv", "a/../../evil", "/etc/passwd", "\\\\server\\x", "C:\\x.csv", "a\\..\\b"] {
            assert!(!safe_entry_name(bad), "{bad}");
        }
    }

    fn zip_with(entries: &[(&str, &[u8])]) -> tempfile::NamedTempFile {
        use std::io::Write;
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut zip = zip::ZipWriter::new(file.reopen().unwrap());
        for (name, data) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
        file
    }

    #[test]
    fn a_zip_bomb_is_refused_by_what_it_decompresses_to() {
        let zeros = vec![b'0'; 2 << 20];
        let bomb = zip_with(&[("Profile.csv", b"First Name,Last Name\nA,B\n"), ("Recommendations_Given.csv", &zeros)]);
        let e = read_zip_within(bomb.path(), 1 << 20, 1 << 30).unwrap_err().to_string();
        assert!(e.contains("Recommendations_Given.csv: refused: decompresses to more than 1048576 bytes"), "{e}");
        let e = read_zip_within(bomb.path(), 4 << 20, 1 << 20).unwrap_err().to_string();
        assert!(e.contains("refused"), "the archive total is bounded too: {e}");
        assert_eq!(read_zip_within(bomb.path(), 4 << 20, 8 << 20).unwrap().files.len(), 2);
    }

    #[test]
    fn a_damaged_entry_is_named() {
        let text: Vec<u8> = (0..20_000u32).flat_map(|i| format!("Ann,Lee,Acme,{i}\n").into_bytes()).collect();
        let zip = zip_with(&[("Recommendations_Given.csv", &text)]);
        let mut bytes = std::fs::read(zip.path()).unwrap();
        // Flip bytes inside the entry's compressed data (after the 30-byte local header and
        // the name), leaving the directory intact.
        for b in &mut bytes[200..260] {
            *b ^= 0x5a;
        }
        std::fs::write(zip.path(), &bytes).unwrap();
        let e = read_zip(zip.path()).unwrap_err().to_string();
        assert!(e.contains(&zip.path().display().to_string()), "{e}");
        assert!(e.contains("Recommendations_Given.csv: damaged entry"), "{e}");
    }

    #[test]
    fn other_files_in_the_archive_are_not_read() {
        let zip = zip_with(&[("Profile.csv", b"First Name,Last Name\nA,B\n"), ("Articles/big.html", &[b'x'; 64])]);
        let files = read_zip(zip.path()).unwrap();
        assert_eq!(files.files.len(), 1);
        assert_eq!(files.get("Profile.csv").unwrap().1, "First Name,Last Name\nA,B\n");
    }

    #[test]
    fn entries_of_the_same_name_are_refused_not_dropped() {
        use std::io::Write;
        // The zip writer refuses a name twice; write two entries and rename the second.
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("Profile.csv", opts).unwrap();
        w.write_all(b"First Name,Last Name\nAva,Stone\n").unwrap();
        w.start_file("Profile.csx", opts).unwrap();
        w.write_all(b"First Name,Last Name\nEve,Other\n").unwrap();
        let mut bytes = w.finish().unwrap().into_inner();
        let mut at = 0;
        while let Some(i) = bytes[at..].windows(11).position(|w| w == b"Profile.csx").map(|i| at + i) {
            bytes[i + 10] = b'v';
            at = i + 11;
        }
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &bytes).unwrap();
        let err = read_zip(file.path()).unwrap_err().to_string();
        assert!(err.contains("lists 2 entries but only 1 distinct names"), "{err}");
    }

    #[test]
    fn second_copies_and_backslash_paths_are_accounted() {
        let given = b"First Name,Last Name\nA,B\n";
        let zip = zip_with(&[
            ("export\\Recommendations_Given.csv", given),
            ("other/recommendations_given.CSV", given),
            ("Profile.csv", b"First Name,Last Name\nA,B\n"),
        ]);
        let files = read_zip(zip.path()).unwrap();
        assert!(files.get("Recommendations_Given.csv").unwrap().0.ends_with("!export\\Recommendations_Given.csv"));
        assert_eq!(files.duplicates.len(), 1);
        assert!(files.duplicates[0].1.ends_with("other/recommendations_given.CSV"));
    }

    #[test]
    fn a_device_in_an_export_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Profile.csv"), "First Name,Last Name\nA,B\n").unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("Recommendations_Given.csv")).unwrap();
        let e = read_folder(dir.path()).unwrap_err().to_string();
        assert!(e.contains("Recommendations_Given.csv") && e.contains("not a regular file"), "{e}");
    }

    #[test]
    fn known_files_match_case_insensitively() {
        assert_eq!(known("profile.CSV"), Some("Profile.csv"));
        assert_eq!(known("Articles.csv"), None);
    }
}

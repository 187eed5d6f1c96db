//! Every file a run reads, named directly or not, so that no report is written over one:
//! the inputs (the file behind standard input for `-`, every file inside an input folder),
//! `--people`, `--allow`, `--subjects`, `--redact-key` and `--hosts`. The baseline is not in
//! it: it is read whole before anything is written, so refreshing it in place is fine.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::bail;

use backscratch::report::output;

/// Files looked at inside one input folder at most (a folder of exports is far smaller).
const MAX_FOLDER_ENTRIES: usize = 100_000;

/// What a run reads.
pub(crate) struct ReadSet {
    /// Device, inode and how the user named it, for every regular file read.
    files: Vec<(u64, u64, String)>,
    /// Input folders, resolved, and how the user named them.
    folders: Vec<(PathBuf, String)>,
}

impl ReadSet {
    /// The files and folders read by a run of `inputs` with these side files.
    pub(crate) fn new<'p>(inputs: &[PathBuf], side_files: impl IntoIterator<Item = (&'static str, &'p Path)>) -> Self {
        let mut set = ReadSet { files: Vec::new(), folders: Vec::new() };
        for input in inputs {
            if input.as_os_str() == "-" {
                // Standard input redirected from a file: that file is an input too.
                set.add_file(Path::new("/proc/self/fd/0"), "standard input (the file behind it)".into());
            } else if input.is_dir() {
                set.add_folder(input);
            } else {
                set.add_file(input, format!("the input {}", input.display()));
            }
        }
        for (flag, path) in side_files {
            set.add_file(path, format!("the {flag} file {}", path.display()));
        }
        set
    }

    fn add_file(&mut self, path: &Path, label: String) {
        if let Some(m) = std::fs::metadata(path).ok().filter(|m| m.is_file()) {
            self.files.push((m.dev(), m.ino(), label));
        }
    }

    fn add_folder(&mut self, folder: &Path) {
        let label = format!("the input folder {}", folder.display());
        if let Ok(resolved) = folder.canonicalize() {
            self.folders.push((resolved, label.clone()));
        }
        let mut pending = vec![folder.to_path_buf()];
        let mut seen = 0usize;
        while let Some(dir) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            for entry in entries.flatten().take(MAX_FOLDER_ENTRIES.saturating_sub(seen)) {
                seen += 1;
                let path = entry.path();
                match entry.file_type() {
                    Ok(t) if t.is_dir() => pending.push(path),
                    _ => self.add_file(&path, format!("{} (inside {label})", path.display())),
                }
            }
        }
    }

    /// An error when writing a report to `path` (`label` says which flag asked for it)
    /// would replace a file this run reads, or put a file into an input folder.
    pub(crate) fn refuse_output(&self, label: &str, path: &Path) -> anyhow::Result<()> {
        if let Ok(m) = std::fs::metadata(path) {
            if let Some((_, _, what)) = self.files.iter().find(|(dev, ino, _)| (*dev, *ino) == (m.dev(), m.ino())) {
                bail!("{label} would write over {what}, which this run reads; give the report another path");
            }
        }
        let Ok(output::Target::Replace(target)) = output::classify(path) else { return Ok(()) };
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if let Ok(dir) = parent.canonicalize() {
            if let Some((_, what)) = self.folders.iter().find(|(folder, _)| dir.starts_with(folder)) {
                bail!(
                    "{label} would write into {what}, which this run reads (the next scan would read the report as \
                     data); give the report a path outside it"
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_read_directly_or_inside_a_folder_are_refused_and_others_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("exports");
        std::fs::create_dir_all(folder.join("ava")).unwrap();
        std::fs::write(folder.join("ava/Profile.csv"), "x").unwrap();
        let key = dir.path().join("secret.key");
        std::fs::write(&key, "k").unwrap();
        let set = ReadSet::new(std::slice::from_ref(&folder), [("--redact-key", key.as_path())]);
        let err = set.refuse_output("-o", &folder.join("ava/Profile.csv")).unwrap_err().to_string();
        assert!(err.contains("Profile.csv") && err.contains("inside the input folder"), "{err}");
        let err = set.refuse_output("-o", &folder.join("new.json")).unwrap_err().to_string();
        assert!(err.contains("would write into the input folder"), "{err}");
        let err = set.refuse_output("-o", &key).unwrap_err().to_string();
        assert!(err.contains("the --redact-key file"), "{err}");
        set.refuse_output("-o", &dir.path().join("report.json")).unwrap();
    }
}

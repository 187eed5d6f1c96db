//! Writing reports to files: atomically (a temporary file beside the target, then a rename,
//! so a failed run never leaves half a report), and for CSV the people sheet beside the
//! findings sheet.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{renderer, Csv, Format, Render, RenderOptions, Report, Sheet};

/// Write `report` to `path` through `render`, atomically.
pub fn write_atomically(path: &Path, report: &Report, render: &dyn Render) -> io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("{}: not a file name", path.display())))?;
    let tmp = dir.join(format!(".{}.tmp{}", name.to_string_lossy(), std::process::id()));
    let written = (|| {
        let mut out = io::BufWriter::new(fs::File::create(&tmp)?);
        render.render(report, &mut out)?;
        out.flush()?;
        out.get_ref().sync_all()
    })();
    match written.and_then(|()| fs::rename(&tmp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display())))
        }
    }
}

/// Where the people sheet of a CSV report goes: `findings.csv` → `findings.people.csv`.
pub fn people_sheet_path(path: &Path) -> PathBuf {
    let stem = path.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}.people.csv"))
}

/// Write `report` as `format` to `path` (and, for CSV, the people sheet beside it); returns
/// the files written.
pub fn write_report(path: &Path, report: &Report, format: Format, options: RenderOptions) -> io::Result<Vec<PathBuf>> {
    if format == Format::Csv {
        let people = people_sheet_path(path);
        write_atomically(path, report, &Csv { sheet: Sheet::Findings })?;
        write_atomically(&people, report, &Csv { sheet: Sheet::People })?;
        return Ok(vec![path.to_path_buf(), people]);
    }
    write_atomically(path, report, renderer(format, options).as_ref())?;
    Ok(vec![path.to_path_buf()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_sheet_sits_beside_the_findings() {
        assert_eq!(people_sheet_path(Path::new("out/f.csv")), Path::new("out/f.people.csv"));
        assert_eq!(people_sheet_path(Path::new("f")), Path::new("f.people.csv"));
    }
}

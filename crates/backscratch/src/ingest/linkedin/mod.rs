//! LinkedIn "Get a copy of your data" exports, read as they come: a `.zip` archive or an
//! unpacked folder per person, or a folder holding several, mixed with ordinary edge lists.
//!
//! Each export's owner comes from `Profile.csv` (or `--owner PATH=NAME`). Rows of
//! `Recommendations_Given.csv` become owner → counterpart, `Recommendations_Received.csv`
//! counterpart → owner, with the date, the text, and the counterpart's company and job title
//! kept as context. Endorsements are a second, weaker kind of edge, read only when asked for.
//! `Positions.csv` is the owner's employment history (fed to corroboration like `--people`);
//! `Connections.csv` says since when two people were connected (context, not an edge).
//! People are matched across exports by `identity`; the same recommendation seen in one
//! export's Given and another's Received becomes one edge (the second copy is accounted as a
//! duplicate row).

pub(crate) mod archive;
pub(crate) mod dates;
pub(crate) mod identity;
mod table;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use archive::ExportFiles;
use identity::{Mention, Owner};
use table::Table;

use crate::error::Error;
use crate::keys::name_key;
use crate::warning::{Warning, WarningCode};

/// What to read from exports.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct LinkedInOptions {
    /// Read endorsements as edges of kind `endorsement` (`--include endorsements`).
    pub include_endorsements: bool,
    /// Owners named by the user, for exports without Profile.csv (`--owner PATH=NAME`).
    pub owners: Vec<(PathBuf, String)>,
}

/// An edge kind other than a recommendation.
pub const ENDORSEMENT: &str = "endorsement";

/// One data row of an export file, resolved to people.
#[derive(Debug, Clone)]
pub struct Edge {
    /// Index into [`Exports::files`].
    pub file: usize,
    /// 1-based line.
    pub line: u64,
    /// Who wrote it.
    pub from: String,
    /// About whom.
    pub to: String,
    /// When.
    pub created: Option<i64>,
    /// The text, if any.
    pub text: Option<String>,
    /// Counterpart's company and title, skill, connection date.
    pub context: String,
    /// `None` for a recommendation, `Some(ENDORSEMENT)` for an endorsement.
    pub kind: Option<&'static str>,
}

/// One export file's accounting.
#[derive(Debug, Clone, Default)]
pub struct FileAccount {
    /// `archive.zip!Recommendations_Given.csv` or the file's path.
    pub path: String,
    /// SHA-256 of the contents.
    pub sha256: String,
    /// Data rows.
    pub rows: u64,
    /// Rows that are not edges, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Rows kept without their date, which could not be read.
    pub undated_bad_date: u64,
    /// The first such date: line and text.
    pub first_bad_date: Option<(u64, String)>,
}

/// Everything read from the exports.
#[derive(Debug, Clone, Default)]
pub struct Exports {
    /// Files with data rows, in reading order.
    pub files: Vec<FileAccount>,
    /// Edges, in file and line order.
    pub edges: Vec<Edge>,
    /// Owners' jobs: name, company, start, end (`i64::MAX` = current).
    pub jobs: Vec<(String, String, i64, i64)>,
    /// Ambiguous identities and other things the user should know.
    pub warnings: Vec<Warning>,
    /// The export at which reading stopped when the time budget ran out.
    pub stopped: Option<String>,
}

/// Where an input's data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputKind {
    /// An ordinary edge list.
    EdgeList(PathBuf),
    /// A LinkedIn export (zip or folder).
    Export(PathBuf),
}

/// File endings of ordinary edge lists found inside a folder.
const EDGE_LIST_ENDINGS: [&str; 8] = [".csv", ".tsv", ".txt", ".edges", ".gz", ".zst", ".csv.gz", ".tsv.gz"];

/// The file names of a LinkedIn export whose presence marks its folder as one.
const EXPORT_FILE_NAMES: [&str; 7] = [
    "profile.csv",
    "recommendations_given.csv",
    "recommendations_received.csv",
    "positions.csv",
    "connections.csv",
    "endorsement_given_info.csv",
    "endorsement_received_info.csv",
];

/// Sort the inputs into edge lists and exports: a `.zip` is an export; a folder is an export
/// when it holds Profile.csv or a recommendations file, otherwise its `.zip`s, export folders
/// and the edge-list files `recognised` accepts are taken (other files are named in a
/// warning). A file of an unpacked export named alone (`Recommendations_Given.csv`) stands
/// for its export folder.
pub fn classify(
    paths: &[PathBuf],
    recognised: &dyn Fn(&Path) -> bool,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<InputKind>, Error> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            if archive::is_export_folder(path) {
                out.push(InputKind::Export(path.clone()));
                continue;
            }
            let entries = std::fs::read_dir(path).map_err(|e| Error::io(path.clone(), e))?;
            let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            children.sort();
            let before = out.len();
            for child in children {
                let name = child.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
                let export = (child.is_dir() && archive::is_export_folder(&child))
                    || (child.is_file() && name.ends_with(".zip"));
                if export {
                    out.push(InputKind::Export(child));
                } else if child.is_file() && EDGE_LIST_ENDINGS.iter().any(|e| name.ends_with(e)) {
                    if recognised(&child) {
                        out.push(InputKind::EdgeList(child));
                    } else {
                        warnings.push(Warning::new(
                            WarningCode::FileNotRead,
                            format!(
                                "{}: not read: its first line names no recommender and recommendee columns (name the \
                             file itself, or give --from-col and --to-col, to read it as an edge list)",
                                child.display()
                            ),
                        ));
                    }
                } else if !name.starts_with('.') {
                    warnings.push(Warning::new(
                        WarningCode::FileNotRead,
                        format!("{}: not read (neither an export nor an edge list)", child.display()),
                    ));
                }
            }
            if out.len() == before {
                return Err(Error::NoData {
                    path: path.clone(),
                    what: "no LinkedIn export (.zip or folder with Profile.csv) and no edge-list file with a \
                           recognised header"
                        .into(),
                });
            }
        } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")) {
            out.push(InputKind::Export(path.clone()));
        } else if let Some(folder) = export_folder_of(path) {
            if !out.contains(&InputKind::Export(folder.clone())) {
                warnings.push(Warning::new(
                    WarningCode::ExportFolderRead,
                    format!(
                        "{}: a file of a LinkedIn export, so the export in {} is read",
                        path.display(),
                        folder.display()
                    ),
                ));
                out.push(InputKind::Export(folder));
            }
        } else {
            out.push(InputKind::EdgeList(path.clone()));
        }
    }
    Ok(out)
}

/// The unpacked export a file belongs to, when its name is one of an export's files and its
/// folder is an export folder.
fn export_folder_of(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    if !EXPORT_FILE_NAMES.contains(&name.as_str()) || !path.is_file() {
        return None;
    }
    let folder = match path.parent() {
        Some(p) if p.as_os_str().is_empty() => PathBuf::from("."),
        Some(p) => p.to_path_buf(),
        None => return None,
    };
    archive::is_export_folder(&folder).then_some(folder)
}

fn full_name(t: &Table, row: &[String], first: &str, last: &str) -> String {
    format!("{} {}", t.cell(row, first), t.cell(row, last)).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The owner of an export: named by the user, or the first row of Profile.csv.
fn owner_name(files: &ExportFiles, options: &LinkedInOptions) -> Result<String, Error> {
    // `./x.zip`, `x.zip` and `/abs/x.zip` are one file: compare where they lead.
    let same = |p: &PathBuf| match (std::fs::canonicalize(p), std::fs::canonicalize(&files.origin)) {
        (Ok(a), Ok(b)) => a == b,
        _ => p == &files.origin,
    };
    if let Some((_, name)) = options.owners.iter().find(|(p, _)| same(p)) {
        return Ok(name.clone());
    }
    let no_owner = |why: &str| Error::Format {
        path: files.origin.clone(),
        message: format!("{why}, so whose export this is is unknown (name the owner with --owner PATH=NAME)"),
    };
    let (path, text) = files.get("Profile.csv").ok_or_else(|| no_owner("no Profile.csv"))?;
    let t = Table::parse(path, text, &["First Name", "Last Name"])?;
    let name = t.rows.first().map(|(_, row)| full_name(&t, row, "First Name", "Last Name")).unwrap_or_default();
    if name.is_empty() {
        return Err(no_owner("Profile.csv names nobody"));
    }
    Ok(name)
}

/// One export, parsed but not yet resolved.
struct Parsed {
    files: ExportFiles,
    owner: Owner,
    positions: Vec<(String, i64, i64)>,
    /// Connections: name key → (url key, connected on).
    connections: HashMap<String, Vec<(String, i64)>>,
}

/// Rows kept from Positions.csv or Connections.csv, which give context, not edges: someone's
/// positions are tens and LinkedIn caps connections at 30,000, and every kept row costs memory
/// (a few hundred bytes) until the exports are matched. Rows past this are counted in a warning.
pub const MAX_CONTEXT_ROWS: usize = 100_000;

/// [`Table::parse_limited`] at [`MAX_CONTEXT_ROWS`], with a warning for the rows left unread.
fn context_table(path: &str, text: &str, required: &[&str], warnings: &mut Vec<Warning>) -> Result<Table, Error> {
    let t = Table::parse_limited(path, text, required, MAX_CONTEXT_ROWS)?;
    if t.over_limit > 0 {
        warnings.push(Warning::new(
            WarningCode::RowLimit,
            format!(
                "{path}: only the first {MAX_CONTEXT_ROWS} rows were read and {} more were not (no real export has \
             that many; is it the right file?)",
                t.over_limit
            ),
        ));
    }
    Ok(t)
}

fn parse_positions(files: &ExportFiles, warnings: &mut Vec<Warning>) -> Result<Vec<(String, i64, i64)>, Error> {
    let Some((path, text)) = files.get("Positions.csv") else { return Ok(Vec::new()) };
    let t = context_table(path, text, &["Company Name", "Started On"], warnings)?;
    let mut out = Vec::new();
    // The first few unusable positions are named; the rest are counted.
    const NAMED: usize = 10;
    let mut unusable = 0usize;
    for (line, row) in &t.rows {
        let company = t.cell(row, "Company Name");
        let (started, finished) = (t.cell(row, "Started On"), t.cell(row, "Finished On"));
        let start = dates::parse(started);
        let end = if finished.is_empty() { Some(i64::MAX) } else { dates::end_of_period(finished) };
        let problem = match (start, end) {
            (None, _) => format!("has no readable start date ('{started}')"),
            (Some(start), Some(end)) if !company.is_empty() && end >= start => {
                out.push((company.to_string(), start, end));
                continue;
            }
            _ => "has an unreadable period".to_string(),
        };
        unusable += 1;
        if unusable <= NAMED {
            warnings.push(Warning::new(
                WarningCode::PositionNotUsed,
                format!("{path}:{line}: position at '{company}' {problem}; not used"),
            ));
        }
    }
    if unusable > NAMED {
        warnings.push(Warning::new(
            WarningCode::PositionNotUsed,
            format!("{path}: {} more positions were not used for the same reasons", unusable - NAMED),
        ));
    }
    // Most recent first: the first company is the one a name is told apart by.
    out.sort_by_key(|p| std::cmp::Reverse(p.1));
    Ok(out)
}

fn parse_connections(
    files: &ExportFiles,
    warnings: &mut Vec<Warning>,
) -> Result<HashMap<String, Vec<(String, i64)>>, Error> {
    let mut out: HashMap<String, Vec<(String, i64)>> = HashMap::new();
    let Some((path, text)) = files.get("Connections.csv") else { return Ok(out) };
    let t = context_table(path, text, &["First Name", "Last Name", "Connected On"], warnings)?;
    for (_, row) in &t.rows {
        if let Some(on) = dates::parse(t.cell(row, "Connected On")) {
            let key = name_key(&full_name(&t, row, "First Name", "Last Name"));
            out.entry(key).or_default().push((identity::url_key(t.cell(row, "URL")), on));
        }
    }
    Ok(out)
}

/// The kinds of rows that can become edges.
#[derive(Clone, Copy)]
struct EdgeFile {
    name: &'static str,
    /// Whether the counterpart wrote it (received) or the owner did (given).
    received: bool,
    endorsement: bool,
    first: &'static str,
    last: &'static str,
    date: &'static str,
}

const EDGE_FILES: [EdgeFile; 4] = [
    EdgeFile {
        name: "Recommendations_Given.csv",
        received: false,
        endorsement: false,
        first: "First Name",
        last: "Last Name",
        date: "Creation Date",
    },
    EdgeFile {
        name: "Recommendations_Received.csv",
        received: true,
        endorsement: false,
        first: "First Name",
        last: "Last Name",
        date: "Creation Date",
    },
    EdgeFile {
        name: "Endorsement_Given_Info.csv",
        received: false,
        endorsement: true,
        first: "Endorsee First Name",
        last: "Endorsee Last Name",
        date: "Endorsement Date",
    },
    EdgeFile {
        name: "Endorsement_Received_Info.csv",
        received: true,
        endorsement: true,
        first: "Endorser First Name",
        last: "Endorser Last Name",
        date: "Endorsement Date",
    },
];

/// A row waiting for its counterpart to be resolved.
struct Pending {
    export: usize,
    file: usize,
    line: u64,
    received: bool,
    endorsement: bool,
    created: Option<i64>,
    text: Option<String>,
    detail: String,
}

/// Recommendation and endorsement rows kept per export file: a person's own export holds
/// hundreds; every kept row costs about 1 KB until the exports are matched with each other.
pub const MAX_EDGE_ROWS_PER_FILE: usize = 50_000;
/// Recommendation and endorsement rows kept from all exports of one scan (about 1 GB).
pub const MAX_EDGE_ROWS: usize = 1_000_000;

/// Second copies of an export file (the same name again in an archive): named in a warning,
/// and for recommendation and endorsement files listed among the inputs with every row
/// skipped, so that no row goes unaccounted.
fn account_duplicates(files: &ExportFiles, out: &mut Exports) -> Result<(), Error> {
    for (name, path, text) in &files.duplicates {
        let first = files.get(name).map_or("", |f| f.0);
        out.warnings.push(Warning::new(
            WarningCode::DuplicateExportFile,
            format!("{path}: a second {name} in the export; only the first ({first}) is read"),
        ));
        if let Some(kind) = EDGE_FILES.iter().find(|k| k.name == *name) {
            let t = Table::parse(path, text, &[kind.first, kind.last])?;
            let rows = t.rows.len() as u64;
            let mut skipped = BTreeMap::new();
            if rows > 0 {
                skipped.insert("second copy of the file in the export (only the first is read)".to_string(), rows);
            }
            out.files.push(FileAccount {
                path: path.clone(),
                sha256: crate::hex::sha256_hex(text.as_bytes()),
                rows,
                skipped,
                ..Default::default()
            });
        }
    }
    Ok(())
}

/// Read every export and resolve who is who across them.
/// Past `deadline` no further export is read (the ones left are named in warnings).
pub fn read_exports(
    paths: &[PathBuf],
    options: &LinkedInOptions,
    strict: bool,
    deadline: Option<std::time::Instant>,
) -> Result<Exports, Error> {
    let mut out = Exports::default();
    let mut parsed = Vec::new();
    let mut held = 0u64;
    for path in paths {
        if out.stopped.is_some() || deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            out.stopped.get_or_insert_with(|| format!("{} (a LinkedIn export)", path.display()));
            out.warnings.push(Warning::not_read_in_time(path));
            continue;
        }
        let files = if path.is_dir() { archive::read_folder(path)? } else { archive::read_zip(path)? };
        held += files.bytes();
        if held > archive::MAX_EXPORTS_BYTES {
            return Err(Error::Format {
                path: path.clone(),
                message: format!(
                    "refused: the exports read so far hold more than {} bytes of text together (at most {} per file, \
                     {} per archive and {} for all exports of a scan are read)",
                    archive::MAX_EXPORTS_BYTES,
                    archive::MAX_ENTRY_BYTES,
                    archive::MAX_ARCHIVE_BYTES,
                    archive::MAX_EXPORTS_BYTES
                ),
            });
        }
        let name = owner_name(&files, options)?;
        let positions = parse_positions(&files, &mut out.warnings)?;
        let connections = parse_connections(&files, &mut out.warnings)?;
        let owner = Owner {
            name,
            companies: positions.iter().map(|p| p.0.clone()).collect(),
            export: files
                .origin
                .file_name()
                .map_or_else(|| files.origin.display().to_string(), |n| n.to_string_lossy().into()),
        };
        parsed.push(Parsed { files, owner, positions, connections });
    }
    let mut mentions = Vec::new();
    let mut pending = Vec::new();
    let mut edge_rows = 0usize;
    for (x, p) in parsed.iter().enumerate() {
        for kind in EDGE_FILES {
            let Some((path, text)) = p.files.get(kind.name) else { continue };
            let limit = MAX_EDGE_ROWS_PER_FILE.min(MAX_EDGE_ROWS.saturating_sub(edge_rows));
            let t = Table::parse_limited(path, text, &[kind.first, kind.last], limit)?;
            edge_rows += t.rows.len();
            let file = out.files.len();
            let mut skipped = BTreeMap::new();
            if t.over_limit > 0 {
                skipped.insert(
                    format!(
                        "over the row limit of exports ({MAX_EDGE_ROWS_PER_FILE} per file, {MAX_EDGE_ROWS} in all)"
                    ),
                    t.over_limit,
                );
            }
            out.files.push(FileAccount {
                path: path.to_string(),
                sha256: crate::hex::sha256_hex(text.as_bytes()),
                rows: t.rows.len() as u64 + t.over_limit,
                skipped,
                ..Default::default()
            });
            for (line, row) in &t.rows {
                let skip =
                    |why: &str, out: &mut Exports| *out.files[file].skipped.entry(why.to_string()).or_insert(0) += 1;
                // With --strict a bad row is an error, as in an edge list.
                let bad = |why: &str, out: &mut Exports| -> Result<(), Error> {
                    if strict {
                        let reason = format!("{why} (rejected by --strict)");
                        return Err(Error::Row { path: path.into(), line: *line, reason });
                    }
                    skip(why, out);
                    Ok(())
                };
                if kind.endorsement && !options.include_endorsements {
                    skip("endorsement (not read without --include endorsements)", &mut out);
                    continue;
                }
                let name = full_name(&t, row, kind.first, kind.last);
                if name.is_empty() {
                    bad("empty name", &mut out)?;
                    continue;
                }
                let raw_date = t.cell(row, kind.date);
                let created = dates::parse(raw_date);
                if created.is_none() && !raw_date.is_empty() {
                    if strict {
                        bad("bad date", &mut out)?;
                    }
                    // The recommendation stands; only its date is lost (and counted).
                    let account = &mut out.files[file];
                    account.undated_bad_date += 1;
                    account.first_bad_date.get_or_insert_with(|| (*line, raw_date.to_string()));
                }
                let (company, title) = (t.cell(row, "Company"), t.cell(row, "Job Title"));
                let url = t.cell(row, if kind.received { "Endorser Public Url" } else { "Endorsee Public Url" });
                let role = match (title.is_empty(), company.is_empty()) {
                    (false, false) => format!("{title} at {company}"),
                    (false, true) => title.to_string(),
                    (true, false) => company.to_string(),
                    (true, true) => String::new(),
                };
                let mut detail = Vec::new();
                if kind.endorsement {
                    detail.push(format!("endorsement of the skill '{}'", t.cell(row, "Skill Name")));
                }
                if !role.is_empty() {
                    detail.push(format!("{}: {role}", if kind.received { "recommender" } else { "recommendee" }));
                }
                let status = t.cell(row, "Status");
                if !status.is_empty() && !status.eq_ignore_ascii_case("VISIBLE") {
                    detail.push(format!("status {status}"));
                }
                mentions.push(Mention {
                    name,
                    company: company.to_string(),
                    url: url.to_string(),
                    seen_at: format!("{path}:{line}"),
                });
                let text = t.cell(row, "Text");
                pending.push(Pending {
                    export: x,
                    file,
                    line: *line,
                    received: kind.received,
                    endorsement: kind.endorsement,
                    created,
                    text: (!text.is_empty()).then(|| text.to_string()),
                    detail: detail.join("; "),
                });
            }
        }
    }
    for p in &parsed {
        account_duplicates(&p.files, &mut out)?;
    }
    let owners: Vec<Owner> = parsed.iter().map(|p| p.owner.clone()).collect();
    let resolution = identity::resolve(&owners, &mentions);
    out.warnings.extend(resolution.warnings);
    for (p, owner) in parsed.iter().zip(&resolution.owners) {
        out.jobs.extend(p.positions.iter().map(|(c, s, e)| (owner.clone(), c.clone(), *s, *e)));
    }
    // Each row's writer and reader, once; the recommendations among them, for endorsements.
    let sides: Vec<(String, String)> =
        pending.iter().zip(&resolution.mentions).map(|(r, who)| oriented(r, who, &resolution.owners)).collect();
    let recommended: HashSet<(&str, &str)> = sides
        .iter()
        .zip(&pending)
        .filter(|(_, r)| !r.endorsement)
        .map(|((a, b), _)| (a.as_str(), b.as_str()))
        .collect();
    let mut owner_index: HashMap<&str, usize> = HashMap::new();
    for (i, o) in resolution.owners.iter().enumerate() {
        owner_index.entry(o.as_str()).or_insert(i);
    }
    for (((r, who), m), (from, to)) in pending.into_iter().zip(&resolution.mentions).zip(&mentions).zip(&sides) {
        if r.endorsement && recommended.contains(&(from.as_str(), to.as_str())) {
            *out.files[r.file].skipped.entry("endorsement where a recommendation exists".into()).or_insert(0) += 1;
            continue;
        }
        let mut context = r.detail;
        if let Some(since) = connected_since(&parsed, r.export, m, owner_index.get(who.as_str()).copied()) {
            let day = &crate::ingest::date::format_timestamp(since)[..10];
            context = [context, format!("connected since {day}")]
                .into_iter()
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
        }
        out.edges.push(Edge {
            file: r.file,
            line: r.line,
            from: from.clone(),
            to: to.clone(),
            created: r.created,
            text: r.text,
            context,
            kind: r.endorsement.then_some(ENDORSEMENT),
        });
    }
    Ok(out)
}

/// Since when the owner of `export` and the person of mention `m` were connected, by either
/// side's Connections.csv (the other side's too when that person owns an export).
fn connected_since(parsed: &[Parsed], export: usize, m: &Mention, other_owner: Option<usize>) -> Option<i64> {
    let url = identity::url_key(&m.url);
    let mine = parsed[export].connections.get(&name_key(&m.name)).into_iter().flatten();
    let mine = mine.filter(|(u, _)| url.is_empty() || u.is_empty() || *u == url).map(|c| c.1);
    let theirs = other_owner.and_then(|o| parsed[o].connections.get(&name_key(&parsed[export].owner.name)));
    mine.chain(theirs.into_iter().flatten().map(|c| c.1)).min()
}

fn oriented(r: &Pending, who: &str, owners: &[String]) -> (String, String) {
    let owner = owners[r.export].clone();
    if r.received {
        (who.to_string(), owner)
    } else {
        (owner, who.to_string())
    }
}

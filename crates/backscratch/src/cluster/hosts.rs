//! The host file of a cluster run: one `host:port` per line, line I for process I (blank
//! lines and `#` comments are skipped and do not count).

use std::path::Path;

use crate::error::{Error, Result};

/// Read a host file. Every address must be `host:port` with a port number; at least one
/// process, and no address twice.
pub fn read(path: &Path) -> Result<Vec<String>> {
    /// A host file lists a few hundred processes at most.
    const MAX_HOST_FILE: u64 = 1 << 20;
    let io = |message: String| Error::io_message(path, message);
    let bytes = crate::ingest::source::read_bounded(path, MAX_HOST_FILE, "the host file").map_err(io)?;
    let text = String::from_utf8(bytes).map_err(|_| io("the host file is not UTF-8 text".into()))?;
    parse(&text).map_err(|(line, message)| Error::Row { path: path.to_path_buf(), line, reason: message })
}

/// Parse host file text; an error gives the 1-based line and the problem.
pub fn parse(text: &str) -> std::result::Result<Vec<String>, (u64, String)> {
    let mut hosts: Vec<String> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        let entry = line.split('#').next().unwrap_or("").trim();
        if entry.is_empty() {
            continue;
        }
        let Some((host, port)) = entry.rsplit_once(':') else {
            return Err((line_no, format!("'{entry}' is not host:port")));
        };
        if host.is_empty() || port.parse::<u16>().map_or(true, |p| p == 0) {
            return Err((line_no, format!("'{entry}' is not host:port with a port from 1 to 65535")));
        }
        if hosts.iter().any(|h| h == entry) {
            return Err((line_no, format!("'{entry}' is listed twice; each process needs its own port")));
        }
        hosts.push(entry.to_string());
    }
    if hosts.is_empty() {
        return Err((1, "no host:port lines".into()));
    }
    Ok(hosts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_comments_and_errors() {
        assert_eq!(
            parse("# cluster\n127.0.0.1:4000\n\nbox2:4001  # second\n").unwrap(),
            ["127.0.0.1:4000", "box2:4001"]
        );
        assert_eq!(parse("a:1\nnoport\n").unwrap_err().0, 2);
        assert!(parse("a:0\n").is_err());
        assert!(parse("a:1\na:1\n").unwrap_err().1.contains("twice"));
        assert!(parse("# nothing\n").is_err());
    }
}

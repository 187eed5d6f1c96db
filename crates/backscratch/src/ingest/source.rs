//! Opening one input: a file or standard input, hashed as read, decompressed when the magic
//! bytes say gzip or zstd, and refused when it is binary rather than text.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use sha2::{Digest, Sha256};

use crate::error::Error;

const BUFFER: usize = 1 << 16;
const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
/// The first bytes of a Parquet file.
const PARQUET_MAGIC: &[u8] = b"PAR1";

/// Whether `path` is a Parquet file (by its first bytes; standard input never is).
pub(super) fn is_parquet(path: &std::path::Path) -> bool {
    let mut head = [0u8; 4];
    path.as_os_str() != "-"
        && path.is_file()
        && std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok()
        && head == PARQUET_MAGIC
}

/// Feeds every byte that passes through into a shared SHA-256, and counts them.
struct HashingReader<R> {
    inner: R,
    hasher: Rc<RefCell<Sha256>>,
    read: Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.borrow_mut().update(&buf[..n]);
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

/// Decompressed output over this is held against the compressed input read so far.
pub const BOMB_FLOOR: u64 = 1 << 30;
/// Past [`BOMB_FLOOR`], output more than this many times the input read is a decompression
/// bomb (edge lists compress 5 to 20-fold; a bomb of repeated rows, thousands-fold).
pub const MAX_EXPANSION: u64 = 200;

/// Counts the decompressed bytes and stops a stream that expands like a bomb.
struct BombGuard<R> {
    inner: R,
    raw: Rc<std::cell::Cell<u64>>,
    decoded: u64,
    floor: u64,
    ratio: u64,
}

impl<R: Read> Read for BombGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.decoded += n as u64;
        if self.decoded > self.floor && self.decoded > self.ratio * self.raw.get().max(1) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "refused: {} bytes of compressed input expand to more than {} bytes, over {}-fold (a \
                     decompression bomb?)",
                    self.raw.get(),
                    self.decoded,
                    self.ratio
                ),
            ));
        }
        Ok(n)
    }
}

/// A text whose lines end in CR alone, read with LF line ends.
/// Line ends as the reader takes them: a CR alone (classic Mac, or mixed into a file of LF
/// lines) becomes LF; CRLF is left as it is. Same length, so byte offsets still hold. A CR
/// at the end of what is buffered looks at the next buffer to see whether an LF follows.
struct CrLines<R>(R);

impl<R: BufRead> Read for CrLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.0.fill_buf()?;
        let n = avail.len().min(buf.len());
        if n == 0 {
            return Ok(0);
        }
        buf[..n].copy_from_slice(&avail[..n]);
        let next = avail.get(n).copied();
        self.0.consume(n);
        let mut at = 0;
        while let Some(i) = memchr::memchr(b'\r', &buf[at..n]).map(|i| at + i) {
            let following = match next {
                _ if i + 1 < n => Some(buf[i + 1]),
                Some(b) => Some(b),
                None => self.0.fill_buf()?.first().copied(),
            };
            if following != Some(b'\n') {
                buf[i] = b'\n';
            }
            at = i + 1;
        }
        Ok(n)
    }
}

/// How the bytes of an input were stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain text.
    None,
    /// gzip (one or more members).
    Gzip,
    /// Zstandard (every frame, skippable frames skipped, checksums verified).
    Zstd,
}

/// An opened input: decoded text bytes, plus the hash of the raw bytes read so far.
pub struct Source {
    /// The decoded stream, buffered.
    pub reader: Box<dyn BufRead>,
    /// How the input was compressed.
    pub compression: Compression,
    hasher: Rc<RefCell<Sha256>>,
}

impl Source {
    /// Open `path`, or standard input when it is `-`.
    pub fn open(path: &Path) -> Result<Source, Error> {
        let io_err = |e: io::Error| Error::io(path, e);
        let raw: Box<dyn Read> = if path.as_os_str() == "-" {
            Box::new(io::stdin())
        } else {
            if path.is_dir() {
                return Err(Error::io_message(path, "is a directory, not a file"));
            }
            Box::new(File::open(path).map_err(io_err)?)
        };
        let hasher = Rc::new(RefCell::new(Sha256::new()));
        let count = Rc::new(std::cell::Cell::new(0u64));
        let mut raw =
            BufReader::with_capacity(BUFFER, HashingReader { inner: raw, hasher: hasher.clone(), read: count.clone() });
        let head = raw.fill_buf().map_err(io_err)?;
        let guard = |inner: Box<dyn Read>| -> Box<dyn Read> {
            Box::new(BombGuard { inner, raw: count.clone(), decoded: 0, floor: BOMB_FLOOR, ratio: MAX_EXPANSION })
        };
        let (compression, decoded): (Compression, Box<dyn Read>) = if head.starts_with(GZIP_MAGIC) {
            (Compression::Gzip, guard(Box::new(flate2::bufread::MultiGzDecoder::new(raw))))
        } else if super::zstd::is_zstd(head) {
            (Compression::Zstd, guard(Box::new(super::zstd::Frames::new(raw))))
        } else {
            (Compression::None, Box::new(raw))
        };
        let mut reader = BufReader::with_capacity(BUFFER, decoded);
        let head = reader.fill_buf().map_err(|e| damaged(path, compression, e))?;
        if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
            return Err(Error::Format {
                path: path.to_path_buf(),
                message: "UTF-16 text (byte-order mark FF FE or FE FF); save it as UTF-8 (for example \
                          iconv -f UTF-16 -t UTF-8)"
                    .into(),
            });
        }
        if head.contains(&0) {
            return Err(Error::Format {
                path: path.to_path_buf(),
                message: "binary data (NUL bytes), not a text edge list".into(),
            });
        }
        // A CR alone ends a line (classic Mac files, or CR lines mixed into LF ones, anywhere
        // in the file): without this such lines would merge into one row.
        let reader = CrLines(reader);
        Ok(Source { reader: Box::new(BufReader::with_capacity(BUFFER, reader)), compression, hasher })
    }

    /// Read whatever is left (so that the hash covers the whole input) and return the
    /// SHA-256 of the raw bytes as lower-case hex.
    pub fn finish(mut self, path: &Path) -> Result<String, Error> {
        io::copy(&mut self.reader, &mut io::sink()).map_err(|e| damaged(path, self.compression, e))?;
        let digest = self.hasher.borrow_mut().finalize_reset();
        Ok(crate::hex::hex(&digest))
    }
}

/// Read a small side file (`what` says which, for the message) whole, refusing one over
/// `max` bytes before holding it: a FIFO or a 1 GB file named where a list of names or a key
/// belongs costs at most `max` bytes and no wait for its end.
pub fn read_bounded(path: &Path, max: u64, what: &str) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {what} {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    io::Read::take(file, max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {what} {}: {e}", path.display()))?;
    if bytes.len() as u64 > max {
        return Err(format!("{what} {} is larger than {max} bytes; is it the right file?", path.display()));
    }
    Ok(bytes)
}

/// The error for a stream that failed while being decoded.
pub fn damaged(path: &Path, compression: Compression, e: io::Error) -> Error {
    let what = match compression {
        Compression::Gzip => "damaged or truncated gzip data",
        Compression::Zstd => "damaged or truncated zstd data",
        Compression::None => "read failed",
    };
    Error::Format { path: path.to_path_buf(), message: format!("{what}: {e}") }
}

/// Look at the start of a stream and return the first line that holds data (not blank,
/// not a `#` comment), if the buffer holds one.
pub fn first_data_line(head: &[u8]) -> Option<&[u8]> {
    let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(head);
    head.split(|&b| b == b'\n').find(|line| {
        let t = line.iter().position(|b| !b.is_ascii_whitespace());
        matches!(t, Some(i) if line[i] != b'#')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_keeps_the_operating_systems_error_as_its_source() {
        let missing = Path::new("no/such/dir/edges.csv");
        let Err(err) = Source::open(missing) else { panic!("a missing file opened") };
        let source = std::error::Error::source(&err).and_then(|s| s.downcast_ref::<io::Error>());
        assert_eq!(source.map(io::Error::kind), Some(io::ErrorKind::NotFound), "{err}");
        assert!(err.to_string().starts_with("no/such/dir/edges.csv: "), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let Err(err) = Source::open(dir.path()) else { panic!("a directory opened") };
        assert!(std::error::Error::source(&err).is_none(), "the library's own refusal has no OS source");
        assert!(err.to_string().ends_with("is a directory, not a file"), "{err}");
    }

    #[test]
    fn a_stream_that_expands_like_a_bomb_is_stopped() {
        let raw = Rc::new(std::cell::Cell::new(10u64));
        let endless = std::io::repeat(b'a').take(1 << 20);
        let mut guard = BombGuard { inner: endless, raw, decoded: 0, floor: 1000, ratio: 50 };
        let err = io::copy(&mut guard, &mut io::sink()).unwrap_err();
        assert!(err.to_string().contains("over 50-fold"), "{err}");
        let fine = Rc::new(std::cell::Cell::new(1u64 << 20));
        let mut ok =
            BombGuard { inner: std::io::repeat(b'a').take(1 << 20), raw: fine, decoded: 0, floor: 1000, ratio: 50 };
        assert_eq!(io::copy(&mut ok, &mut io::sink()).unwrap(), 1 << 20);
    }

    #[test]
    fn first_data_line_skips_comments_and_blanks() {
        assert_eq!(first_data_line(b"# c\r\n\r\n1\t2\r\n"), Some(&b"1\t2\r"[..]));
        assert_eq!(first_data_line(b"# only comments\n"), None);
    }
}

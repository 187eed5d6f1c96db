//! A compact byte encoding for what processes send each other: little-endian numbers,
//! length-prefixed strings. Small records of counts travel as JSON instead.

use crate::error::{Error, Result};

/// Appends values to a buffer.
#[derive(Debug, Default)]
pub struct Writer {
    /// The bytes so far.
    pub bytes: Vec<u8>,
}

impl Writer {
    /// A byte.
    pub fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }
    /// An unsigned 32-bit number.
    pub fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    /// An unsigned 64-bit number.
    pub fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    /// A signed 64-bit number.
    pub fn i64(&mut self, v: i64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    /// A string.
    pub fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.bytes.extend_from_slice(s.as_bytes());
    }
    /// A string or nothing.
    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.bytes.push(0),
            Some(s) => {
                self.bytes.push(1);
                self.str(s);
            }
        }
    }
    /// A signed 64-bit number or nothing (one byte when nothing).
    pub fn opt_i64(&mut self, v: Option<i64>) {
        match v {
            None => self.bytes.push(0),
            Some(v) => {
                self.bytes.push(1);
                self.i64(v);
            }
        }
    }
    /// A float or nothing.
    pub fn opt_f64(&mut self, v: Option<f64>) {
        match v {
            None => self.bytes.push(0),
            Some(v) => {
                self.bytes.push(1);
                self.bytes.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
    /// A value as JSON, length-prefixed.
    pub fn json<T: serde::Serialize>(&mut self, v: &T) {
        let text = serde_json::to_string(v).expect("plain data serializes");
        self.str(&text);
    }
}

/// Reads values back in the order they were written.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

fn short() -> Error {
    Error::Cluster("a peer sent a message cut short (a different version?)".into())
}

impl<'a> Reader<'a> {
    /// Read `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }
    /// Whether everything was read.
    pub(crate) fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }
    /// Bytes not read yet: a bound on how many items a count sent by a peer can really
    /// have (room is reserved for no more than that, whatever the count says).
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.at)
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(short)?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    /// A byte.
    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    /// An unsigned 32-bit number.
    pub(crate) fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    /// An unsigned 64-bit number.
    pub(crate) fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    /// A signed 64-bit number.
    pub(crate) fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    /// A string.
    pub(crate) fn str(&mut self) -> Result<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).map_err(|_| short())
    }
    /// A string or nothing.
    pub(crate) fn opt_str(&mut self) -> Result<Option<&'a str>> {
        match self.take(1)?[0] {
            0 => Ok(None),
            _ => self.str().map(Some),
        }
    }
    /// A signed 64-bit number or nothing.
    pub(crate) fn opt_i64(&mut self) -> Result<Option<i64>> {
        match self.take(1)?[0] {
            0 => Ok(None),
            _ => self.i64().map(Some),
        }
    }
    /// A float or nothing.
    pub(crate) fn opt_f64(&mut self) -> Result<Option<f64>> {
        match self.take(1)?[0] {
            0 => Ok(None),
            _ => Ok(Some(f64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))),
        }
    }
    /// A value written with [`Writer::json`].
    pub(crate) fn json<T: serde::de::DeserializeOwned>(&mut self) -> Result<T> {
        let text = self.str()?;
        serde_json::from_str(text)
            .map_err(|e| Error::Cluster(format!("a peer sent a record this version cannot read: {e}")))
    }
}

/// The little-endian `u32`s of a byte buffer (a trailing partial number is ignored).
pub(super) fn u32s(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
}

/// The error for a person id a peer sent to a process that does not own it.
pub(super) fn bad_id() -> Error {
    Error::Cluster("a peer sent a person this process does not own".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back_in_order() {
        let mut w = Writer::default();
        w.u32(7);
        w.u64(u64::MAX);
        w.i64(-5);
        w.str("Ana Lima");
        w.opt_str(None);
        w.opt_str(Some("text"));
        w.opt_f64(Some(-1.5));
        w.opt_i64(None);
        w.opt_i64(Some(-9));
        w.json(&vec![1, 2]);
        let mut r = Reader::new(&w.bytes);
        assert_eq!(r.u32().unwrap(), 7);
        assert_eq!(r.u64().unwrap(), u64::MAX);
        assert_eq!(r.i64().unwrap(), -5);
        assert_eq!(r.str().unwrap(), "Ana Lima");
        assert_eq!(r.opt_str().unwrap(), None);
        assert_eq!(r.opt_str().unwrap(), Some("text"));
        assert_eq!(r.opt_f64().unwrap(), Some(-1.5));
        assert_eq!(r.opt_i64().unwrap(), None);
        assert_eq!(r.opt_i64().unwrap(), Some(-9));
        assert_eq!(r.json::<Vec<i32>>().unwrap(), [1, 2]);
        assert!(r.done());
        assert!(r.u32().is_err(), "past the end is an error, not a panic");
    }
}

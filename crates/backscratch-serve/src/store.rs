//! The accepted recommendations, durable: an embedded redb database (`rows.redb` in the
//! state directory) that maps a sequence number to the row as it was accepted. A batch of
//! rows is one write transaction, committed with redb's default immediate durability (the
//! commit returns after fsync), so one fsync covers a whole batch (group commit). redb's
//! commits are atomic: after a crash the store holds every committed batch and nothing of an
//! uncommitted one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::{Database, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use crate::Error;

/// redb's page cache.
const CACHE_BYTES: usize = 32 << 20;

const ROWS: TableDefinition<u64, &[u8]> = TableDefinition::new("rows");

/// One recommendation as submitted (names as given; the engine trims and judges them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// The recommender.
    pub from: String,
    /// The recommendee.
    pub to: String,
    /// When it was written, as given (any form a file's date column accepts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// The store of one state directory.
pub struct Store {
    db: Arc<Database>,
    path: PathBuf,
    len: u64,
}

impl Store {
    /// Open (or create) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Store, Error> {
        let path = dir.to_path_buf();
        let fail = |e: &dyn std::fmt::Display| Error::State { path: path.clone(), message: e.to_string() };
        std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
        // Rows are appended and read back only at a restart: a small page cache is enough, and
        // the resident memory is then the graph (redb's default cache is 1 GiB).
        let db = Database::builder().set_cache_size(CACHE_BYTES).create(dir.join("rows.redb")).map_err(|e| fail(&e))?;
        let txn = db.begin_write().map_err(|e| fail(&e))?;
        txn.open_table(ROWS).map_err(|e| fail(&e))?;
        txn.commit().map_err(|e| fail(&e))?;
        let read = db.begin_read().map_err(|e| fail(&e))?;
        let table = read.open_table(ROWS).map_err(|e| fail(&e))?;
        let len = table.last().map_err(|e| fail(&e))?.map_or(0, |(k, _)| k.value() + 1);
        drop(table);
        Ok(Store { db: Arc::new(db), path, len })
    }

    /// How many rows the store holds.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the store holds no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Make `rows` durable, in order, in one commit; their sequence numbers follow on from
    /// the rows already held. Returns the first one's.
    pub fn append<'a>(&mut self, rows: impl IntoIterator<Item = &'a Row>) -> Result<u64, Error> {
        let first = self.len;
        let mut rows = rows.into_iter().peekable();
        if rows.peek().is_none() {
            return Ok(first);
        }
        let txn = self.db.begin_write().map_err(|e| self.fail(&e))?;
        let mut next = first;
        {
            let mut table = txn.open_table(ROWS).map_err(|e| self.fail(&e))?;
            let mut bytes = Vec::new();
            for row in rows {
                bytes.clear();
                serde_json::to_writer(&mut bytes, row).map_err(|e| self.fail(&e))?;
                table.insert(next, bytes.as_slice()).map_err(|e| self.fail(&e))?;
                next += 1;
            }
        }
        txn.commit().map_err(|e| self.fail(&e))?;
        self.len = next;
        Ok(first)
    }

    /// Call `each` with every row held, in sequence order, reading one at a time.
    pub fn for_each_row(&self, each: impl FnMut(Row)) -> Result<(), Error> {
        self.reader().for_each_row(each)
    }

    /// A reader of the committed rows that another thread may use while rows are appended.
    pub fn reader(&self) -> Reader {
        Reader { db: Arc::clone(&self.db), path: self.path.clone() }
    }

    fn fail(&self, e: &dyn std::fmt::Display) -> Error {
        Error::State { path: self.path.clone(), message: e.to_string() }
    }
}

/// Reads the rows committed when each read starts (redb's reads see one commit, whole).
#[derive(Clone)]
pub struct Reader {
    db: Arc<Database>,
    path: PathBuf,
}

impl Reader {
    /// Call `each` with every row committed when the call starts, in sequence order.
    pub fn for_each_row(&self, mut each: impl FnMut(Row)) -> Result<(), Error> {
        let fail = |e: &dyn std::fmt::Display| Error::State { path: self.path.clone(), message: e.to_string() };
        let read = self.db.begin_read().map_err(|e| fail(&e))?;
        let table = read.open_table(ROWS).map_err(|e| fail(&e))?;
        for entry in table.iter().map_err(|e| fail(&e))? {
            let (_, value) = entry.map_err(|e| fail(&e))?;
            each(serde_json::from_slice(value.value()).map_err(|e| fail(&e))?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(a: &str, b: &str) -> Row {
        Row { from: a.into(), to: b.into(), date: None }
    }

    #[test]
    fn rows_survive_a_reopen_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        assert!(store.is_empty());
        assert_eq!(store.append(&[row("a", "b"), row("b", "c")]).unwrap(), 0);
        assert_eq!(store.append(&[] as &[Row]).unwrap(), 2);
        assert_eq!(store.append(&[Row { date: Some("2024-01-02".into()), ..row("c", "a") }]).unwrap(), 2);
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.len(), 3);
        let mut rows = Vec::new();
        store.for_each_row(|r| rows.push(r)).unwrap();
        assert_eq!(rows[0], row("a", "b"));
        assert_eq!(rows[2].date.as_deref(), Some("2024-01-02"));
    }
}

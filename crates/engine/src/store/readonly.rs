//! Opening someone else's database for reading only (`mode=ro`): history tools read the
//! very file a running app writes, without migrating, locking or changing it.

use std::path::Path;

use super::readers::Readers;
use super::writer::Writer;
use super::{blocking, connect, Access, Store};
use crate::error::{EngineError, Result};

/// Connections a read-only store keeps.
const READERS: usize = 2;

impl Store {
    /// Opens an existing database read-only. Every query works; every write fails. Safe
    /// while the app that owns the file runs (WAL readers never block its writer).
    pub async fn open_read_only(path: &Path) -> Result<Store> {
        if !path.is_file() {
            return Err(EngineError::Invalid(format!(
                "no database at {}; point --data-dir at a wxsim data dir (it holds wxsim.db)",
                path.display()
            )));
        }
        let file = path.to_owned();
        // Opened now so that a file that is not a database fails here, not at first use.
        let conn = blocking(move || {
            let conn = connect(&file, Access::Read)?;
            conn.query_row("SELECT COUNT(*) FROM sqlite_schema", [], |_| Ok(()))?;
            Ok::<_, EngineError>(conn)
        })
        .await?;
        Ok(Store {
            commits: Writer::start(conn),
            readers: Readers::new(path, Access::Read, READERS),
        })
    }
}

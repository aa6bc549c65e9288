//! Opening someone else's database for reading only (`mode=ro`): history tools read the
//! very file a running app writes, without migrating, locking or changing it.

use std::path::Path;

use super::readers::Readers;
use super::{blocking, connect, Access, Store};
use crate::error::{EngineError, Result};

/// Connections a read-only store keeps.
const READERS: usize = 2;

impl Store {
    /// Opens an existing database read-only. Every query works; every write fails with
    /// [`EngineError::ReadOnly`]. Safe
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
        blocking(move || {
            let conn = connect(&file, Access::Read)?;
            conn.query_row("SELECT COUNT(*) FROM sqlite_schema", [], |_| Ok(()))?;
            super::schema::require_latest(&conn)?;
            Ok::<_, EngineError>(())
        })
        .await?;
        Ok(Store {
            commits: None,
            readers: Readers::new(path, Access::Read, READERS),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_see_the_owners_rows_and_writes_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let owner = Store::open(&path).await.unwrap();
        owner
            .write(|conn| Ok(conn.execute("CREATE TABLE t (x)", [])?))
            .await
            .unwrap();
        owner
            .write(|conn| Ok(conn.execute("INSERT INTO t VALUES (7)", [])?))
            .await
            .unwrap();

        let reader = Store::open_read_only(&path).await.unwrap();
        let x: i64 = reader
            .read(|conn| Ok(conn.query_row("SELECT x FROM t", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(x, 7);
        let refused = reader
            .write(|conn| Ok(conn.execute("INSERT INTO t VALUES (8)", [])?))
            .await
            .unwrap_err();
        assert!(matches!(refused, EngineError::ReadOnly), "{refused}");
        assert!(refused.to_string().contains("read-only"), "{refused}");
        reader.close().await;
        owner.close().await;
    }
}

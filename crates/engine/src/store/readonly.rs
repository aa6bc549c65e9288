//! Opening someone else's database for reading only (`mode=ro`): history tools read the
//! very file a running app writes, without migrating, locking or changing it.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use super::Store;
use crate::error::{EngineError, Result};

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
        let options =
            SqliteConnectOptions::from_str(&format!("sqlite://{}?mode=ro", path.display()))?
                .read_only(true)
                .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await?;
        Ok(Store::with_pools(pool.clone(), pool))
    }
}

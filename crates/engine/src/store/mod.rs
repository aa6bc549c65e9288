//! SQLite history (WAL): one writer connection so read-modify-write steps never race,
//! and a pool of readers for the API. Migrations run at open.

pub(crate) mod conversations;
pub(crate) mod customers;
pub(crate) mod exchanges;
pub(crate) mod media;
pub(crate) mod messages;
pub(crate) mod profiles;
mod readonly;
mod seed;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

pub use conversations::ConversationRow;
pub use exchanges::NewExchange;
pub use messages::NewMessage;
pub use seed::{SeedPlan, SeededConversation};

use crate::error::Result;

#[derive(Clone)]
pub struct Store {
    writer: SqlitePool,
    reader: SqlitePool,
}

pub type Tx = Transaction<'static, Sqlite>;

/// Milliseconds since the epoch, the unit of every stored time.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Store> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations").run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Store { writer, reader })
    }

    /// A write transaction: everything in it is committed together, or not at all.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(self.writer.begin().await?)
    }

    pub fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

//! SQLite history (WAL): one writer connection so read-modify-write steps never race,
//! fed by the group-commit queue (`writer`), and a pool of readers for the API.
//! Migrations run at open.

mod checkpoint;
pub(crate) mod conversations;
pub(crate) mod customers;
pub(crate) mod exchanges;
pub(crate) mod media;
pub(crate) mod messages;
pub(crate) mod profiles;
mod readonly;
mod seed;
mod writer;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, SqliteConnection, Transaction};

pub use conversations::ConversationRow;
pub use exchanges::NewExchange;
pub use messages::NewMessage;
pub use seed::{SeedPlan, SeededConversation};

use crate::error::Result;
use writer::Writer;

#[derive(Clone)]
pub struct Store {
    writer: SqlitePool,
    reader: SqlitePool,
    commits: Writer,
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
            .connect_with(
                options
                    .clone()
                    .pragma("wal_autocheckpoint", checkpoint::SAFETY_NET_PAGES),
            )
            .await?;
        sqlx::migrate!("./migrations").run(&writer).await?;
        checkpoint::spawn(options.clone(), writer.clone());
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Store::with_pools(writer, reader))
    }

    fn with_pools(writer: SqlitePool, reader: SqlitePool) -> Store {
        Store {
            commits: Writer::start(writer.clone()),
            writer,
            reader,
        }
    }

    /// Runs `work` in the next group commit (see `writer`) and returns its output once
    /// committed. `work` may run twice (alone, if its batch failed): database work only.
    pub async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnMut(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        self.commits.write(work).await
    }

    /// A write transaction of its own, for work off the hot path that should not share a
    /// commit (seeding, start-up repairs, profile switches): all of it commits, or none.
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

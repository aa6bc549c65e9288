//! SQLite history (WAL) on rusqlite. One writer connection lives on a thread of its own,
//! fed by the group-commit queue (`writer`): read-modify-write steps never race, and a
//! batch runs its statements back to back with no thread hop per statement. A few
//! read-only connections serve the API (`readers`). Migrations run at open (`schema`);
//! full-text search is indexed in bulk (`search_index`).

/// Declares a row struct and its `from_row`, which reads the statement's columns in the
/// order of the fields (extra columns after them are left to the caller).
macro_rules! row_struct {
    ($(#[$meta:meta])* $vis:vis struct $name:ident {
        $($(#[$field_meta:meta])* $field_vis:vis $field:ident: $ty:ty,)*
    }) => {
        $(#[$meta])*
        $vis struct $name {
            $($(#[$field_meta])* $field_vis $field: $ty,)*
        }

        impl $name {
            fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Self> {
                let mut column = 0;
                Ok($name {
                    $($field: {
                        column += 1;
                        r.get(column - 1)?
                    },)*
                })
            }
        }
    };
}

mod checkpoint;
pub(crate) mod conversations;
pub(crate) mod customers;
pub(crate) mod exchanges;
pub(crate) mod media;
pub(crate) mod messages;
pub mod pictures;
pub(crate) mod profiles;
mod readers;
mod readonly;
pub(crate) mod schema;
mod search_index;
mod seed;
mod writer;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub use conversations::ConversationRow;
pub use exchanges::{headers_json, NewExchange};
pub use messages::NewMessage;
pub use seed::{SeedPlan, SeededConversation};

use crate::error::{EngineError, Result};
use readers::Readers;
use writer::Writer;

#[derive(Clone)]
pub struct Store {
    /// None when the store was opened read-only: it has nothing to write with.
    commits: Option<Writer>,
    readers: Readers,
}

pub use wxsim_protocol::clock::now_ms;

/// Readers of a database that this process also writes.
const READERS: usize = 4;

/// How a connection opens its file.
#[derive(Clone, Copy, Debug)]
enum Access {
    /// The app's own writer: creates the file, WAL, checkpoints left to `checkpoint`
    /// (the writer copies back only what that thread asks of it between group commits).
    Write,
    /// Reading only: every write fails.
    Read,
}

/// Opens one connection to `path` with the settings every connection of the store shares.
fn connect(path: &Path, access: Access) -> Result<Connection> {
    let flags = match access {
        Access::Write => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        Access::Read => OpenFlags::SQLITE_OPEN_READ_ONLY,
    } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(64);
    conn.pragma_update(None, "foreign_keys", true)?;
    if let Access::Write = access {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "wal_autocheckpoint", checkpoint::SAFETY_NET_PAGES)?;
    }
    Ok(conn)
}

/// Runs blocking database work off the async threads.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(out) => out,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, checkpoint::Policy::DEFAULT).await
    }

    /// [`Store::open`] with WAL checkpoints on their own terms (tests).
    pub(crate) async fn open_with(path: &Path, checkpoints: checkpoint::Policy) -> Result<Store> {
        let file = path.to_owned();
        let conn = blocking(move || {
            let mut conn = connect(&file, Access::Write)?;
            schema::migrate(&mut conn)?;
            Ok::<_, EngineError>(conn)
        })
        .await?;
        let restart = checkpoint::Restart::default();
        let commits = Writer::start(conn, search_index::upkeep, restart.clone());
        checkpoint::spawn(path, &commits, restart, checkpoints);
        Ok(Store {
            commits: Some(commits),
            readers: Readers::new(path, Access::Read, READERS),
        })
    }

    /// Runs `work` in the next group commit (see `writer`) and returns its output once
    /// committed. `work` may run twice (alone, if its batch's transaction failed): database
    /// work only.
    pub async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnMut(&Connection) -> Result<T> + Send + 'static,
    {
        self.writer()?.write(work).await
    }

    /// Runs `work` on the writer connection between group commits, with the connection
    /// to itself: for work that manages its own transactions (seeding a million rows).
    pub async fn write_alone<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        self.writer()?.alone(work).await
    }

    fn writer(&self) -> Result<&Writer> {
        self.commits.as_ref().ok_or(EngineError::ReadOnly)
    }

    /// Runs `work` on a read-only connection, off the async threads.
    pub async fn read<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        self.readers.read(work).await
    }

    /// Commits what is queued, then stops the writer and the readers: later calls fail
    /// with [`EngineError::StoreClosed`].
    pub async fn close(&self) {
        self.readers.close();
        if let Some(commits) = &self.commits {
            commits.close().await;
        }
    }
}

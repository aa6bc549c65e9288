//! Read-only connections for the API, opened as needed up to a limit and kept for reuse.
//! A read runs on tokio's blocking threads (SQLite calls block); WAL lets it see the last
//! commit while the writer goes on.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use tokio::sync::Semaphore;

use super::{blocking, connect, Access};
use crate::error::{EngineError, Result};

#[derive(Clone)]
pub(crate) struct Readers {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    access: Access,
    /// One permit per connection that may exist; closed when the store closes.
    permits: Semaphore,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    pub(crate) fn new(path: &Path, access: Access, most: usize) -> Readers {
        Readers {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                access,
                permits: Semaphore::new(most),
                idle: Mutex::new(Vec::with_capacity(most)),
            }),
        }
    }

    pub(crate) async fn read<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let _permit = self
            .inner
            .permits
            .acquire()
            .await
            .map_err(|_| EngineError::StoreClosed)?;
        let idle = self.inner.idle.lock().expect("reader pool lock").pop();
        let inner = self.inner.clone();
        let (conn, out) = blocking(move || {
            let conn = match idle {
                Some(conn) => conn,
                None => connect(&inner.path, inner.access)?,
            };
            let out = work(&conn);
            Ok::<_, EngineError>((conn, out))
        })
        .await?;
        if !self.inner.permits.is_closed() {
            self.inner.idle.lock().expect("reader pool lock").push(conn);
        }
        out
    }

    /// Later reads fail with [`EngineError::StoreClosed`]; idle connections close now.
    pub(crate) fn close(&self) {
        self.inner.permits.close();
        self.inner.idle.lock().expect("reader pool lock").clear();
    }
}

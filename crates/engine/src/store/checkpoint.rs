//! WAL checkpoints off the write path. SQLite's automatic checkpoint runs inside the commit
//! that crosses its threshold, so one commit in many waited while pages were copied back
//! and the file synced (the intake's p99). The writer's threshold is raised to a safety
//! net, and this thread checkpoints every second on a connection of its own; PASSIVE mode
//! never blocks the writer or a reader.

use std::path::Path;
use std::time::Duration;

use super::writer::Writer;
use super::{connect, Access};

const EVERY: Duration = Duration::from_secs(1);
/// Pages the WAL may reach before a commit checkpoints by itself (if this thread is behind).
pub(crate) const SAFETY_NET_PAGES: i64 = 20_000;

/// Checkpoints the database at `path` until `writer` stops.
pub(crate) fn spawn(path: &Path, writer: &Writer) {
    let (path, watch) = (path.to_owned(), writer.watch());
    let started = std::thread::Builder::new()
        .name("wxsim-checkpoint".into())
        .spawn(move || {
            let conn = match connect(&path, Access::Write) {
                Ok(conn) => conn,
                Err(e) => {
                    tracing::warn!(error = %e, "no checkpoint connection; commits will checkpoint the WAL themselves");
                    return;
                }
            };
            loop {
                std::thread::sleep(EVERY);
                if watch.stopped() {
                    return;
                }
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!(error = %e, "WAL checkpoint failed; will try again");
                }
            }
        });
    if let Err(e) = started {
        tracing::warn!(error = %e, "no checkpoint thread; commits will checkpoint the WAL themselves");
    }
}

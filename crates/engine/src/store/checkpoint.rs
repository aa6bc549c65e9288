//! WAL checkpoints off the write path. SQLite's automatic checkpoint runs inside the commit
//! that crosses its threshold, so one commit in many waited while pages were copied back
//! and the file synced (the intake's p99). The writer's threshold is raised to a safety
//! net, and this task checkpoints every second on a connection of its own; PASSIVE mode
//! never blocks the writer or a reader.

use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqlitePool};

const EVERY: Duration = Duration::from_secs(1);
/// Pages the WAL may reach before a commit checkpoints by itself (if this task is behind).
pub(crate) const SAFETY_NET_PAGES: &str = "20000";

/// Checkpoints the database of `options` until the writer pool closes.
pub(crate) fn spawn(options: SqliteConnectOptions, writer: SqlitePool) {
    tokio::spawn(async move {
        let mut conn = match options.connect().await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "no checkpoint connection; commits will checkpoint the WAL themselves");
                return;
            }
        };
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if writer.is_closed() {
                break;
            }
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&mut conn)
                .await
            {
                tracing::warn!(error = %e, "WAL checkpoint failed; will try again");
            }
        }
        let _ = conn.close().await;
    });
}

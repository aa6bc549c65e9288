//! WAL checkpoints off the write path. SQLite's automatic checkpoint runs inside the commit
//! that crosses its threshold: that commit copies the WAL's pages back into the database
//! and syncs both files while every callback queued behind it waits. Here a thread of its
//! own does that work on a connection of its own (PASSIVE: it never blocks the writer or a
//! reader); the writer's threshold is only a safety net.
//!
//! Under continuous writes a PASSIVE checkpoint never catches up by itself: frames arrive
//! while it copies, so the WAL is never wholly copied back and SQLite never starts it over.
//! It grew until the safety net checkpointed tens of thousands of pages inside a commit
//! (the saturated intake's p99). So once the WAL holds [`Policy::restart_at`] frames, this thread
//! catches up in a few quick passes (each copies what came in during the one before) and
//! then asks the writer to copy the last few hundred frames itself, between two group
//! commits ([`Restart::finish`]). With the WAL wholly copied back, the next commit starts
//! it over from the beginning. Durability is unchanged: every checkpoint syncs the WAL
//! before copying and the database after.
//!
//! When writing stops, a WAL file a burst left large is truncated.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;

use super::writer::Writer;
use super::{connect, Access};

/// When the checkpoint thread looks at the WAL, and what it does about it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Policy {
    /// How often while commits come in.
    pub busy_every: Duration,
    /// How often while none do.
    pub idle_every: Duration,
    /// Frames (pages) in the WAL above which it is started over.
    pub restart_at: i64,
    /// A WAL file larger than this is truncated once commits have stopped.
    pub truncate_idle_above: u64,
}

impl Policy {
    /// Saturated intake writes 8,000 frames (≈ 32 MB of 4 KiB pages) in about 0.2 s,
    /// ~1,000 callbacks/s in about 1.5 s: the WAL starts over a few times a second at
    /// most, each time a pause of a few ms (two `fsync`s) between two group commits.
    pub(crate) const DEFAULT: Policy = Policy {
        busy_every: Duration::from_millis(250),
        idle_every: Duration::from_secs(1),
        restart_at: 8_000,
        truncate_idle_above: 16 << 20,
    };
}

/// At most this many catch-up passes before the writer is asked to finish; fewer once a
/// pass found fewer than [`CAUGHT_UP`] new frames.
const CATCH_UP_PASSES: usize = 3;
const CAUGHT_UP: i64 = 300;
/// Pages the WAL may reach before a commit checkpoints by itself (if this thread is
/// behind). Above what saturated intake writes between two restarts (≈ 20,000 frames
/// here), so that it does not fire in their stead.
pub(crate) const SAFETY_NET_PAGES: i64 = 40_000;

/// What `PRAGMA wal_checkpoint` answered.
struct Pass {
    /// Another checkpoint was running (or, past PASSIVE, a writer or reader in the way).
    busy: bool,
    /// Frames in the WAL.
    frames: i64,
    /// Of those, copied back into the database.
    copied: i64,
}

fn checkpoint(conn: &Connection, mode: &str) -> rusqlite::Result<Pass> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| {
        Ok(Pass {
            busy: r.get::<_, i64>(0)? != 0,
            frames: r.get(1)?,
            copied: r.get(2)?,
        })
    })
}

/// The writer's share of starting the WAL over: asked by the checkpoint thread, done by
/// the writer between two group commits.
#[derive(Clone, Default)]
pub(crate) struct Restart(Arc<AtomicBool>);

impl Restart {
    /// Called by the writer after each group commit: if asked, copies back what the
    /// checkpoint thread has not (the frames of the last few commits), so that the next
    /// commit starts the WAL over.
    pub(crate) fn finish(&self, conn: &Connection) {
        if self.0.swap(false, Ordering::AcqRel) {
            if let Err(e) = checkpoint(conn, "PASSIVE") {
                tracing::warn!(error = %e, "WAL checkpoint on the writer failed; will try again");
            }
        }
    }

    fn ask(&self) {
        self.0.store(true, Ordering::Release);
    }
}

/// Checkpoints the database at `path` until `writer` stops; asks `restart` of the writer.
pub(crate) fn spawn(path: &Path, writer: &Writer, restart: Restart, policy: Policy) {
    let (path, watch) = (path.to_owned(), writer.watch());
    let started = std::thread::Builder::new()
        .name("wxsim-checkpoint".into())
        .spawn(move || {
            let conn = match connect(&path, Access::Write) {
                // Never wait for a lock: PASSIVE does not, and an idle TRUNCATE that finds
                // a reader or the writer in the way is tried again later.
                Ok(conn) => match conn.busy_timeout(Duration::ZERO) {
                    Ok(()) => conn,
                    Err(e) => return no_thread(&e),
                },
                Err(e) => return no_thread(&e),
            };
            let wal = wal_file(&path);
            let mut every = policy.idle_every;
            let mut last_frames = None;
            loop {
                std::thread::sleep(every);
                if watch.stopped() {
                    return;
                }
                let pass = match checkpoint(&conn, "PASSIVE") {
                    Ok(pass) => pass,
                    Err(e) => {
                        tracing::warn!(error = %e, "WAL checkpoint failed; will try again");
                        continue;
                    }
                };
                if pass.busy {
                    // The writer's own checkpoint is running: writes are coming in.
                    every = policy.busy_every;
                    continue;
                }
                let idle = last_frames == Some(pass.frames) && pass.copied == pass.frames;
                last_frames = Some(pass.frames);
                every = if idle {
                    policy.idle_every
                } else {
                    policy.busy_every
                };
                if !idle && pass.frames > policy.restart_at {
                    catch_up(&conn, pass.frames);
                    restart.ask();
                } else if idle && file_len(&wal) > policy.truncate_idle_above {
                    match checkpoint(&conn, "TRUNCATE") {
                        Ok(pass) if !pass.busy => last_frames = Some(0),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "truncating the WAL failed"),
                    }
                }
            }
        });
    if let Err(e) = started {
        no_thread(&e);
    }
}

/// PASSIVE passes, each copying what came in during the one before, until one finds few
/// new frames: what is left for the writer is then small.
fn catch_up(conn: &Connection, mut frames: i64) {
    for _ in 0..CATCH_UP_PASSES {
        match checkpoint(conn, "PASSIVE") {
            Ok(pass) if !pass.busy && pass.frames >= frames => {
                let new = pass.frames - frames;
                frames = pass.frames;
                if new < CAUGHT_UP {
                    return;
                }
            }
            // Started over in between, or another checkpoint is running: nothing to chase.
            Ok(_) => return,
            Err(e) => {
                tracing::warn!(error = %e, "WAL checkpoint failed; will try again");
                return;
            }
        }
    }
}

fn wal_file(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn no_thread(e: &dyn std::fmt::Display) {
    tracing::warn!(error = %e, "no checkpoint thread; commits will checkpoint the WAL themselves");
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{file_len, wal_file, Policy};
    use crate::store::Store;

    /// The production policy scaled down: a restart every 64 frames, looks every few ms.
    const QUICK: Policy = Policy {
        busy_every: Duration::from_millis(5),
        idle_every: Duration::from_millis(20),
        restart_at: 64,
        truncate_idle_above: 0,
    };

    /// How many times the WAL was started over: its header's checkpoint sequence number.
    /// (0 while the file is empty: truncated, and not written since.)
    fn restarts(db: &std::path::Path) -> u32 {
        let header = std::fs::read(wal_file(db)).unwrap_or_default();
        header
            .get(12..16)
            .map_or(0, |b| u32::from_be_bytes(b.try_into().unwrap()))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn under_continuous_writes_the_wal_starts_over_and_once_idle_it_is_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        let store = Store::open_with(&db, QUICK).await.unwrap();
        // Back to back: a PASSIVE checkpoint alone never finds the WAL wholly copied back.
        // Written until the WAL was started over twice, or a deadline (a busy machine
        // schedules the checkpoint thread late, so no count of writes is enough there).
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut n = 0;
        while restarts(&db) < 2 {
            assert!(
                Instant::now() < deadline,
                "the WAL was started over {} times in {n} writes",
                restarts(&db)
            );
            n += 1;
            store
                .write(move |conn| {
                    conn.execute(
                        "INSERT INTO profiles (name, body, active, updated_at) VALUES (?1, '{}', 0, 0)",
                        [format!("c-{n}")],
                    )?;
                    Ok(())
                })
                .await
                .unwrap();
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while file_len(&wal_file(&db)) > 0 {
            assert!(
                Instant::now() < deadline,
                "the WAL was not truncated once writes stopped"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        store.close().await;
    }
}

//! Group commit. Every write of the engine is a job queued to one writer task; the task
//! takes whatever is waiting, runs it all in one transaction on the writer connection and
//! commits once, then answers each job. "Stored" still means committed, but a burst of
//! callbacks shares one commit instead of paying for one each (and SQLite writes a page
//! touched by a hundred rows once). A batch that fails is run again one job per
//! transaction, so a job that fails never takes its neighbours down with it; that is why
//! a job is `FnMut` and must do nothing but database work.

use futures::future::BoxFuture;
use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use crate::error::{EngineError, Result};

/// More than this many queued jobs wait for the next commit; bounds one transaction's size.
const MOST_PER_COMMIT: usize = 512;
/// Writers that find this many jobs queued wait for room (back-pressure, bounded memory).
const QUEUE_DEPTH: usize = 8192;

/// One queued write, its result type erased so that jobs of every kind share the queue.
trait Queued: Send {
    fn run<'c>(&'c mut self, conn: &'c mut SqliteConnection) -> BoxFuture<'c, Result<()>>;
    /// Hands the job's output (or the error) to its caller, once the outcome is final.
    fn answer(self: Box<Self>, outcome: Result<()>);
}

struct Job<T, F> {
    work: F,
    output: Option<T>,
    reply: oneshot::Sender<Result<T>>,
}

impl<T, F> Queued for Job<T, F>
where
    T: Send + 'static,
    F: for<'c> FnMut(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
{
    fn run<'c>(&'c mut self, conn: &'c mut SqliteConnection) -> BoxFuture<'c, Result<()>> {
        Box::pin(async move {
            self.output = Some((self.work)(conn).await?);
            Ok(())
        })
    }

    fn answer(self: Box<Self>, outcome: Result<()>) {
        let Job { output, reply, .. } = *self;
        // A caller that stopped waiting does not need the answer; the write stands.
        let _ = reply.send(outcome.map(|()| output.expect("a job that ran has its output")));
    }
}

/// The queue to the writer task.
#[derive(Clone)]
pub(crate) struct Writer {
    queue: mpsc::Sender<Box<dyn Queued>>,
}

impl Writer {
    /// Starts the writer task on `pool` (the one-connection writer pool).
    pub(crate) fn start(pool: SqlitePool) -> Writer {
        let (queue, jobs) = mpsc::channel(QUEUE_DEPTH);
        tokio::spawn(drain(pool, jobs));
        Writer { queue }
    }

    /// Runs `work` in the next commit and returns its output once that commit is durable.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnMut(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Job {
            work,
            output: None,
            reply,
        });
        self.queue
            .send(job)
            .await
            .map_err(|_| EngineError::WriterStopped)?;
        answer.await.map_err(|_| EngineError::WriterStopped)?
    }
}

async fn drain(pool: SqlitePool, mut jobs: mpsc::Receiver<Box<dyn Queued>>) {
    let mut batch: Vec<Box<dyn Queued>> = Vec::with_capacity(MOST_PER_COMMIT);
    while jobs.recv_many(&mut batch, MOST_PER_COMMIT).await > 0 {
        match commit(&pool, &mut batch).await {
            Ok(()) => batch.drain(..).for_each(|job| job.answer(Ok(()))),
            Err(e) if batch.len() == 1 => {
                if let Some(job) = batch.pop() {
                    job.answer(Err(e));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, jobs = batch.len(), "a group commit failed; committing its jobs one by one");
                for mut job in batch.drain(..) {
                    let outcome = commit(&pool, std::slice::from_mut(&mut job)).await;
                    job.answer(outcome);
                }
            }
        }
    }
}

/// Runs `jobs` in one transaction and commits it; any error rolls all of them back.
async fn commit(pool: &SqlitePool, jobs: &mut [Box<dyn Queued>]) -> Result<()> {
    let mut tx = pool.begin().await?;
    for job in jobs.iter_mut() {
        job.run(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    async fn count(store: &Store) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM profiles WHERE name LIKE 'w-%'")
            .fetch_one(store.reader())
            .await
            .unwrap()
    }

    fn insert_profile(
        name: String,
    ) -> impl FnMut(&mut SqliteConnection) -> BoxFuture<'_, Result<()>> {
        move |conn| {
            let name = name.clone();
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO profiles (name, body, active, updated_at) VALUES (?, '{}', 0, 0)",
                )
                .bind(name)
                .execute(conn)
                .await?;
                Ok(())
            })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_job_fails_alone_and_its_batch_mates_are_committed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.db")).await.unwrap();
        // 200 writers at once share commits; one of them breaks a constraint (a second
        // row with the same name), so its batch is retried job by job.
        let jobs: Vec<_> = (0..200)
            .map(|n| {
                let store = store.clone();
                let name = if n == 150 {
                    "w-7".into()
                } else {
                    format!("w-{n}")
                };
                tokio::spawn(async move { store.write(insert_profile(name)).await })
            })
            .collect();
        let mut failed = 0;
        for job in jobs {
            if job.await.unwrap().is_err() {
                failed += 1;
            }
        }
        assert_eq!(failed, 1, "only the duplicate fails");
        assert_eq!(count(&store).await, 199, "every other write is committed");
    }
}

//! Group commit. Every write of the engine is a job queued to one writer thread, which
//! owns the writer connection. It takes whatever is waiting, runs it all in one
//! transaction and commits once, then answers each job. "Stored" still means committed,
//! but a burst of callbacks shares one commit instead of paying for one each, and the
//! statements of a batch run back to back on this thread (no hop between threads per
//! statement, which cost more than the statements on two cores). A job that fails fails
//! alone: its batch is rolled back and runs again with a savepoint around each job, and
//! its neighbours commit. If the transaction itself fails (at its start or its commit),
//! each job is run again in a transaction of its own. That is why a job is `FnMut` and
//! must do nothing but database work. Every transaction ends with the store's upkeep
//! (indexing for search), in a savepoint: if it fails, it is logged and the jobs commit
//! without it.

use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use super::checkpoint::Restart;
use crate::error::{EngineError, Result};

/// More than this many queued jobs wait for the next commit; bounds one transaction's size.
const MOST_PER_COMMIT: usize = 512;
/// Writers that find this many orders queued wait for room (back-pressure, bounded memory).
const QUEUE_DEPTH: usize = 8192;

/// One queued write, its result type erased so that jobs of every kind share the queue.
trait Queued: Send {
    fn run(&mut self, conn: &Connection) -> Result<()>;
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
    F: FnMut(&Connection) -> Result<T> + Send + 'static,
{
    fn run(&mut self, conn: &Connection) -> Result<()> {
        self.output = Some((self.work)(conn)?);
        Ok(())
    }

    fn answer(self: Box<Self>, outcome: Result<()>) {
        let Job { output, reply, .. } = *self;
        // A caller that stopped waiting does not need the answer; the write stands.
        let _ = reply.send(outcome.map(|()| output.expect("a job that ran has its output")));
    }
}

/// What the writer thread is asked to do, in queue order.
enum Order {
    /// A write for the next group commit.
    Job(Box<dyn Queued>),
    /// Work with the connection to itself, between commits.
    Alone(Box<dyn FnOnce(&mut Connection) + Send>),
    /// Commit what came before, then stop.
    Close(oneshot::Sender<()>),
}

/// Work every group commit ends with, after its jobs.
pub(crate) type Upkeep = fn(&Connection) -> Result<()>;

/// The queue to the writer thread.
#[derive(Clone)]
pub(crate) struct Writer {
    queue: mpsc::Sender<Order>,
}

impl Writer {
    /// Starts the writer thread, which owns `conn` until the store closes.
    /// `restart` is the checkpoint thread's request to finish a checkpoint between commits.
    pub(crate) fn start(conn: Connection, upkeep: Upkeep, restart: Restart) -> Writer {
        let (queue, orders) = mpsc::channel(QUEUE_DEPTH);
        std::thread::Builder::new()
            .name("wxsim-writer".into())
            .spawn(move || {
                drain(
                    Committer {
                        conn,
                        upkeep,
                        restart,
                    },
                    orders,
                )
            })
            .expect("the OS lets us start the writer thread");
        Writer { queue }
    }

    /// Runs `work` in the next commit and returns its output once that commit is durable.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnMut(&Connection) -> Result<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.send(Order::Job(Box::new(Job {
            work,
            output: None,
            reply,
        })))
        .await?;
        answer.await.map_err(|_| EngineError::StoreClosed)?
    }

    /// Runs `work` between commits with the connection to itself.
    pub(crate) async fn alone<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.send(Order::Alone(Box::new(move |conn| {
            let _ = reply.send(work(conn));
        })))
        .await?;
        answer.await.map_err(|_| EngineError::StoreClosed)?
    }

    /// Commits what is queued and stops the thread; returns once it has.
    pub(crate) async fn close(&self) {
        let (done, closed) = oneshot::channel();
        if self.send(Order::Close(done)).await.is_ok() {
            let _ = closed.await;
        }
    }

    /// A handle that does not keep the writer running (for the checkpoint thread).
    pub(crate) fn watch(&self) -> Watch {
        Watch(self.queue.downgrade())
    }

    async fn send(&self, order: Order) -> Result<()> {
        self.queue
            .send(order)
            .await
            .map_err(|_| EngineError::StoreClosed)
    }
}

/// Tells whether the writer has stopped, without keeping it running.
pub(crate) struct Watch(mpsc::WeakSender<Order>);

impl Watch {
    pub(crate) fn stopped(&self) -> bool {
        self.0.upgrade().is_none_or(|queue| queue.is_closed())
    }
}

/// The writer connection and what each of its transactions ends with.
struct Committer {
    conn: Connection,
    upkeep: Upkeep,
    /// Asked by the checkpoint thread: copy the WAL's last frames back after a commit.
    restart: Restart,
}

/// The writer thread: group commits until the store closes or every handle is dropped.
fn drain(mut committer: Committer, mut orders: mpsc::Receiver<Order>) {
    let mut batch: Vec<Box<dyn Queued>> = Vec::with_capacity(MOST_PER_COMMIT);
    while let Some(first) = orders.blocking_recv() {
        let mut next = Some(first);
        while let Some(order) = next.take() {
            match order {
                Order::Job(job) => {
                    batch.push(job);
                    if batch.len() == MOST_PER_COMMIT {
                        committer.flush(&mut batch);
                    }
                }
                Order::Alone(work) => {
                    committer.flush(&mut batch);
                    work(&mut committer.conn);
                }
                Order::Close(done) => {
                    committer.flush(&mut batch);
                    drop(committer);
                    let _ = done.send(());
                    return;
                }
            }
            next = orders.try_recv().ok();
        }
        committer.flush(&mut batch);
    }
}

impl Committer {
    /// Commits `batch` together and answers its jobs; if the transaction fails, each job alone.
    fn flush(&mut self, batch: &mut Vec<Box<dyn Queued>>) {
        if batch.is_empty() {
            return;
        }
        match self.commit(batch) {
            Ok(outcomes) => batch
                .drain(..)
                .zip(outcomes)
                .for_each(|(job, outcome)| job.answer(outcome)),
            Err(e) if batch.len() == 1 => {
                if let Some(job) = batch.pop() {
                    job.answer(Err(e));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, jobs = batch.len(), "a group commit failed; committing its jobs one by one");
                for mut job in batch.drain(..) {
                    let outcome = self
                        .commit(std::slice::from_mut(&mut job))
                        .and_then(|mut outcomes| outcomes.pop().expect("one outcome per job"));
                    job.answer(outcome);
                }
            }
        }
        // After the answers: the callbacks of this batch do not wait for it.
        self.restart.finish(&self.conn);
    }

    /// Runs `jobs` in one transaction, then the upkeep, and commits: the outcome of each
    /// job, or the error that stopped the transaction as a whole. The jobs run back to back
    /// first; only if one fails does the batch run again with a savepoint around each, so
    /// that it fails alone (a savepoint copies every page a job touches first).
    fn commit(&mut self, jobs: &mut [Box<dyn Queued>]) -> Result<Vec<Result<()>>> {
        match self.attempt(jobs, false)? {
            Some(outcomes) => Ok(outcomes),
            None => Ok(self
                .attempt(jobs, true)?
                .expect("jobs in savepoints always reach the commit")),
        }
    }

    /// One transaction over `jobs`; without `savepoints`, None (rolled back) once a job fails.
    fn attempt(
        &mut self,
        jobs: &mut [Box<dyn Queued>],
        savepoints: bool,
    ) -> Result<Option<Vec<Result<()>>>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut outcomes = Vec::with_capacity(jobs.len());
        for job in jobs.iter_mut() {
            let outcome = if savepoints {
                in_savepoint(&tx, |conn| job.run(conn))?
            } else {
                job.run(&tx)
            };
            if outcome.is_err() && !savepoints {
                return Ok(None);
            }
            outcomes.push(outcome);
        }
        if let Err(e) = in_savepoint(&tx, self.upkeep)? {
            tracing::warn!(error = %e, "the store's upkeep failed; it is tried again at the next commit");
        }
        tx.commit()?;
        Ok(Some(outcomes))
    }
}

/// Runs `work` in a savepoint, rolled back if it fails: its outcome, or the error that
/// broke the transaction itself.
fn in_savepoint(
    conn: &Connection,
    mut work: impl FnMut(&Connection) -> Result<()>,
) -> Result<Result<()>> {
    conn.prepare_cached("SAVEPOINT job")?.execute([])?;
    let outcome = work(conn);
    if outcome.is_err() {
        conn.prepare_cached("ROLLBACK TO job")?.execute([])?;
    }
    conn.prepare_cached("RELEASE job")?.execute([])?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use crate::store::Store;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_job_fails_alone_and_its_batch_mates_are_committed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.db")).await.unwrap();
        // 200 writers at once share commits; one of them writes a row, then breaks a
        // constraint (a second row with the same name): its savepoint takes back both.
        let insert = |conn: &rusqlite::Connection, name: &str| {
            conn.execute(
                "INSERT INTO profiles (name, body, active, updated_at) VALUES (?, '{}', 0, 0)",
                [name],
            )
        };
        // The row the breaking job collides with is committed first: were it written by one of
        // the 200, the breaking job could run before it and succeed, and that one fail instead.
        store
            .write(move |conn| {
                insert(conn, "w-seed")?;
                Ok(())
            })
            .await
            .unwrap();
        let jobs: Vec<_> = (0..200)
            .map(|n| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .write(move |conn| {
                            if n == 150 {
                                insert(conn, "w-partial")?;
                                insert(conn, "w-seed")?;
                            } else {
                                insert(conn, &format!("w-{n}"))?;
                            }
                            Ok(())
                        })
                        .await
                })
            })
            .collect();
        let mut failed = 0;
        for job in jobs {
            if job.await.unwrap().is_err() {
                failed += 1;
            }
        }
        assert_eq!(failed, 1, "only the duplicate fails");
        let count: i64 = store
            .read(|conn| {
                Ok(conn.query_row(
                    "SELECT COUNT(*) FROM profiles WHERE name LIKE 'w-%'",
                    [],
                    |r| r.get(0),
                )?)
            })
            .await
            .unwrap();
        assert_eq!(
            count,
            1 + 199,
            "the seed and every other write are committed, none of the failed one"
        );
    }

    #[tokio::test]
    async fn after_close_writes_fail_with_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.db")).await.unwrap();
        store.close().await;
        let err = store.write(|_| Ok(())).await.unwrap_err();
        assert!(
            matches!(err, crate::error::EngineError::StoreClosed),
            "{err}"
        );
    }
}

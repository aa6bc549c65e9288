//! The window's engine events: one broadcast receiver, subscribed at app start, holds them
//! until the page pulls them in batches (`next_events` in ipc.rs). Pulled, because an answer
//! to an `invoke` travels over Tauri's IPC protocol, where each `emit` was a script
//! evaluated in the page, and the web process kept what those scripts cost. Only the events
//! the page's watch wants are sent (`watch_events`): under a flood of callbacks the page
//! would parse, then drop, every other conversation's messages and every exchange.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::{broadcast, Mutex, Notify};
use wxsim_engine::{EngineEvent, EventBatch, EventWatch};

/// Longest a poll waits for an event before it answers an empty batch: the page asks again,
/// and a poll from a page that is gone ends.
const POLL_TIMEOUT: Duration = Duration::from_secs(25);
/// Longest an event waits for others to share its answer: about one frame.
const BATCH_WINDOW: Duration = Duration::from_millis(16);
/// Most events in one answer.
const MOST_PER_BATCH: usize = 512;

/// The engine has stopped (the app is exiting): there will be no more events.
#[derive(Debug, thiserror::Error)]
#[error("the engine has stopped")]
pub struct EngineStopped;

/// Engine events queued for the window.
pub struct EventQueue {
    receiver: Mutex<broadcast::Receiver<Arc<EngineEvent>>>,
    /// Polls so far: a poll left over from an earlier subscription (or a reloaded page)
    /// gives way to the newest one instead of holding the receiver until its timeout.
    polls: AtomicU64,
    newer_poll: Notify,
    /// What the page shows. An event is judged when it is taken from the receiver: one
    /// skipped was sent before the page's watch changed, so the page's next read has it.
    watch: std::sync::Mutex<EventWatch>,
}

impl EventQueue {
    pub fn new(receiver: broadcast::Receiver<Arc<EngineEvent>>) -> Self {
        EventQueue {
            receiver: Mutex::new(receiver),
            polls: AtomicU64::new(0),
            newer_poll: Notify::new(),
            watch: std::sync::Mutex::new(EventWatch::default()),
        }
    }

    /// From now on, sends only the events `watch` wants.
    pub fn watch(&self, watch: EventWatch) {
        *self.watch.lock().expect("watch lock") = watch;
    }

    fn wanted(&self, event: &EngineEvent) -> bool {
        self.watch.lock().expect("watch lock").wants(event)
    }

    /// Waits for at least one event (empty after POLL_TIMEOUT, or when a newer poll comes),
    /// then answers what has queued within a frame, up to MOST_PER_BATCH.
    pub async fn next(&self) -> Result<EventBatch, EngineStopped> {
        let poll = self.polls.fetch_add(1, Ordering::SeqCst) + 1;
        self.newer_poll.notify_waiters();
        let mut receiver = self.receiver.lock().await;
        let newer_poll = self.newer_poll.notified();
        tokio::pin!(newer_poll);
        // Registered before the check, so a newer poll's notice cannot fall in between.
        newer_poll.as_mut().enable();
        let mut batch = EventBatch::default();
        if self.polls.load(Ordering::SeqCst) != poll {
            return Ok(batch);
        }
        let timeout = tokio::time::sleep(POLL_TIMEOUT);
        tokio::pin!(timeout);
        let first = loop {
            tokio::select! {
                received = receiver.recv() => match received {
                    Ok(event) if self.wanted(&event) => break event,
                    Ok(_) => {}
                    Err(RecvError::Lagged(missed)) => lag(&mut batch, missed),
                    Err(RecvError::Closed) => return Err(EngineStopped),
                },
                () = &mut newer_poll => return Ok(batch),
                () = &mut timeout => return Ok(batch),
            }
        };
        batch.events.push(first);
        tokio::time::sleep(BATCH_WINDOW).await;
        while batch.events.len() < MOST_PER_BATCH {
            match receiver.try_recv() {
                Ok(event) if self.wanted(&event) => batch.events.push(event),
                Ok(_) => {}
                Err(TryRecvError::Lagged(missed)) => lag(&mut batch, missed),
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        Ok(batch)
    }
}

/// The receiver fell behind: the page will reload what it shows.
fn lag(batch: &mut EventBatch, missed: u64) {
    tracing::warn!(missed, "the window missed engine events");
    batch.lagged = true;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pulse_in(conversation_id: i64, at: i64) -> Arc<EngineEvent> {
        Arc::new(EngineEvent::Pulse {
            conversation_id,
            alive: true,
            at,
        })
    }

    /// A pulse of conversation 1, the one the tests' page has open.
    fn pulse(at: i64) -> Arc<EngineEvent> {
        pulse_in(1, at)
    }

    fn watching(conversation: i64) -> EventWatch {
        EventWatch {
            conversation: Some(conversation),
            exchanges: false,
        }
    }

    /// A queue of `capacity` whose page has conversation 1 open, with a pulse sent for
    /// each of `ats` before the first poll.
    fn queued(
        capacity: usize,
        ats: std::ops::Range<i64>,
    ) -> (broadcast::Sender<Arc<EngineEvent>>, EventQueue) {
        let (sender, receiver) = broadcast::channel(capacity);
        let queue = EventQueue::new(receiver);
        queue.watch(watching(1));
        for at in ats {
            sender.send(pulse(at)).unwrap();
        }
        (sender, queue)
    }

    fn ats(batch: &EventBatch) -> Vec<i64> {
        batch
            .events
            .iter()
            .map(|event| match **event {
                EngineEvent::Pulse { at, .. } => at,
                _ => unreachable!("only pulses are sent"),
            })
            .collect()
    }

    #[tokio::test]
    async fn events_sent_before_the_poll_are_queued_and_answered_in_order() {
        let (_sender, queue) = queued(16, 0..3);
        let batch = queue.next().await.unwrap();
        assert_eq!(ats(&batch), [0, 1, 2]);
        assert!(!batch.lagged);
    }

    #[tokio::test]
    async fn a_batch_holds_at_most_its_share_and_the_rest_waits_for_the_next_poll() {
        let (_sender, queue) = queued(1024, 0..600);
        assert_eq!(queue.next().await.unwrap().events.len(), MOST_PER_BATCH);
        let rest = queue.next().await.unwrap();
        assert_eq!(ats(&rest), (512..600).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_receiver_that_fell_behind_says_so_with_what_is_left() {
        let (_sender, queue) = queued(4, 0..10);
        let batch = queue.next().await.unwrap();
        assert!(batch.lagged);
        assert_eq!(ats(&batch), [6, 7, 8, 9]);
    }

    #[tokio::test]
    async fn a_newer_poll_takes_over_from_a_waiting_one() {
        let (sender, queue) = queued(16, 0..0);
        let queue = Arc::new(queue);
        let older = tokio::spawn({
            let queue = queue.clone();
            async move { queue.next().await }
        });
        while queue.polls.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let newer = tokio::spawn({
            let queue = queue.clone();
            async move { queue.next().await }
        });
        let older = older.await.unwrap().unwrap();
        assert!(older.events.is_empty());
        sender.send(pulse(7)).unwrap();
        assert_eq!(ats(&newer.await.unwrap().unwrap()), [7]);
    }

    #[tokio::test]
    async fn events_the_watch_does_not_want_are_skipped_and_do_not_count() {
        let (sender, queue) = queued(1024, 0..0);
        for at in 0..600 {
            sender.send(pulse_in(2, at)).unwrap();
        }
        sender.send(pulse(600)).unwrap();
        assert_eq!(ats(&queue.next().await.unwrap()), [600]);

        // Judged when taken: a change of watch applies to what is already queued.
        sender.send(pulse_in(2, 601)).unwrap();
        sender.send(pulse(602)).unwrap();
        queue.watch(watching(2));
        assert_eq!(ats(&queue.next().await.unwrap()), [601]);
    }

    #[tokio::test]
    async fn a_stopped_engine_ends_the_polls() {
        let (sender, queue) = queued(16, 0..0);
        drop(sender);
        assert!(matches!(queue.next().await, Err(EngineStopped)));
    }
}

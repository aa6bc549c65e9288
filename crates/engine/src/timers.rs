//! Background rounds per conversation: `pulse.do` while chatting, `getQueueLength.do`
//! while queued. Intervals come from the active profile at every round (0 = off).

use std::time::Duration;

use tokio_util::sync::CancellationToken;
use wxsim_protocol::{BasicAnswer, Endpoint, PulseRequest, WireId};

use crate::commands::create_time;
use crate::engine::Engine;
use crate::error::Result;
use crate::events::EngineEvent;
use crate::model::ConversationState;
use crate::store::{now_ms, ConversationRow};
use crate::system_line::SystemLine;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimerKind {
    Pulse,
    QueuePoll,
}

impl TimerKind {
    fn wanted(self, row: &ConversationRow) -> bool {
        match self {
            TimerKind::Pulse => row.state() == ConversationState::Chatting,
            // Once an agent accepted, the place in the queue means nothing (webchat forgets
            // the request), so polling stops until /ari/create arrives.
            TimerKind::QueuePoll => {
                row.state() == ConversationState::Queued
                    && !row
                        .request_status
                        .is_some_and(|s| wxsim_protocol::RequestStatus::from(s).is_accepted())
            }
        }
    }
}

impl Engine {
    /// Starts or stops the rounds a conversation's state calls for.
    pub(crate) fn sync_timers(&self, row: &ConversationRow) {
        if self.observing() {
            // The hosting service runs its own rounds; the proxy sees them pass.
            return;
        }
        let mut timers = self.inner.timers.lock().expect("timers lock");
        for kind in [TimerKind::Pulse, TimerKind::QueuePoll] {
            let key = (row.id, kind);
            match (kind.wanted(row), timers.contains_key(&key)) {
                (true, false) => {
                    let token = self.inner.shutdown.child_token();
                    timers.insert(key, token.clone());
                    tokio::spawn(self.clone().rounds(row.id, kind, token));
                }
                (false, true) => {
                    if let Some(token) = timers.remove(&key) {
                        token.cancel();
                    }
                }
                _ => {}
            }
        }
    }

    /// After a restart: resume rounds for conversations that were queued or chatting.
    pub(crate) async fn resume_timers(&self) -> Result<()> {
        for state in [ConversationState::Queued, ConversationState::Chatting] {
            let filter = crate::model::ConversationFilter {
                state: Some(state),
                ..Default::default()
            };
            for c in self.conversations(&filter).await? {
                self.sync_timers(&self.store().conversation_row(c.id).await?);
            }
        }
        Ok(())
    }

    /// After a restart: asks webchat about each chat that was in progress. One it no longer
    /// knows (pulse.do answered, and not with 1) is marked lost, so that nobody types into a
    /// session that is gone; one it cannot be asked about (webchat down) stays as it was.
    pub(crate) async fn check_sessions(self) {
        let filter = crate::model::ConversationFilter {
            state: Some(ConversationState::Chatting),
            ..Default::default()
        };
        let chats = match self.conversations(&filter).await {
            Ok(chats) => chats,
            Err(e) => return tracing::warn!(error = %e, "cannot list the chats to check"),
        };
        for chat in chats {
            let checked = async {
                let row = self.store().conversation_row(chat.id).await?;
                if self.pulse(&row).await? {
                    return Ok(());
                }
                let note = SystemLine::SessionLost {
                    session: chat.session_id.clone().unwrap_or_default(),
                };
                self.update_conversation(chat.id, Some(note), |r| {
                    if r.state() == ConversationState::Chatting {
                        r.set_state(ConversationState::Lost);
                        r.closed_at = Some(now_ms());
                    }
                })
                .await
                .map(|_| ())
            };
            if let Err(e) = checked.await {
                tracing::info!(conversation = chat.id, error = %e, "could not check a chat after a restart");
            }
        }
    }

    fn interval(&self, kind: TimerKind) -> u64 {
        let p = &self.settings().profile;
        match kind {
            TimerKind::Pulse => p.pulse_interval_ms,
            TimerKind::QueuePoll => p.queue_poll_interval_ms,
        }
    }

    async fn rounds(self, conversation_id: i64, kind: TimerKind, token: CancellationToken) {
        loop {
            let ms = self.interval(kind);
            let wait = Duration::from_millis(if ms == 0 { 1000 } else { ms });
            tokio::select! {
                _ = token.cancelled() => return,
                _ = tokio::time::sleep(wait) => {}
            }
            if ms == 0 {
                continue;
            }
            let row = match self.store().conversation_row(conversation_id).await {
                Ok(row) if kind.wanted(&row) => row,
                _ => break,
            };
            let round = match kind {
                TimerKind::Pulse => self.pulse(&row).await.map(|_| ()),
                TimerKind::QueuePoll => self.poll_queue(&row).await.map(|_| ()),
            };
            if let Err(e) = round {
                tracing::debug!(conversation_id, ?kind, error = %e, "background round failed");
            }
        }
        self.inner
            .timers
            .lock()
            .expect("timers lock")
            .remove(&(conversation_id, kind));
    }

    /// One `pulse.do` round; `true` when webchat says the chat is live.
    pub(crate) async fn pulse(&self, row: &ConversationRow) -> Result<bool> {
        let Some(session) = row.session_id() else {
            return Ok(false);
        };
        let request = PulseRequest {
            session_id: session.into(),
            open_id: WireId::Text(row.open_id.clone()).into(),
            create_time: create_time(self.settings().profile.create_time_format),
            transfer_info: String::new(),
            epid: Some(self.settings().profile.epid.clone()),
        };
        let answer = self
            .client()
            .call::<BasicAnswer>(
                &self.target(),
                Endpoint::Pulse,
                &request,
                &Engine::context(row),
            )
            .await;
        let alive = matches!(&answer, Ok(a) if a.result.is_success());
        self.publish(EngineEvent::Pulse {
            conversation_id: row.id,
            alive,
            at: now_ms(),
        });
        answer?;
        Ok(alive)
    }

    /// A `pulse.do` round on demand.
    pub async fn pulse_now(&self, conversation_id: i64) -> Result<bool> {
        self.hosting()?;
        let row = self.store().conversation_row(conversation_id).await?;
        self.pulse(&row).await
    }
}

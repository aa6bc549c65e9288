//! Waiting with a deadline: a probe of the database is re-run whenever the engine reports
//! something about the customer (or at least every 200 ms), until it yields or time is up.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::Instant;
use wxsim_engine::{EngineError, EngineEvent};

const FALLBACK_TICK: Duration = Duration::from_millis(200);

/// One customer's view of the engine's events.
pub struct Watch {
    events: broadcast::Receiver<Arc<EngineEvent>>,
    customer_id: i64,
    open_id: String,
    conversation_id: Option<i64>,
}

impl Watch {
    pub fn new(
        events: broadcast::Receiver<Arc<EngineEvent>>,
        customer_id: i64,
        open_id: String,
    ) -> Self {
        Watch {
            events,
            customer_id,
            open_id,
            conversation_id: None,
        }
    }

    /// Runs `probe` until it yields a value; `Ok(None)` when `within` ran out first.
    pub async fn until<T, F, Fut>(
        &mut self,
        within: Duration,
        mut probe: F,
    ) -> Result<Option<T>, EngineError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Option<T>, EngineError>>,
    {
        let deadline = Instant::now() + within;
        loop {
            if let Some(value) = probe().await? {
                return Ok(Some(value));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            let wake = (now + FALLBACK_TICK).min(deadline);
            let _ = tokio::time::timeout_at(wake, self.next_news()).await;
        }
    }

    /// Returns when an event concerns this customer (or events were missed).
    async fn next_news(&mut self) {
        loop {
            match self.events.recv().await {
                Ok(event) if self.concerns(&event) => return,
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => return,
                Err(RecvError::Closed) => std::future::pending::<()>().await,
            }
        }
    }

    fn concerns(&mut self, event: &EngineEvent) -> bool {
        match event {
            EngineEvent::CustomerChanged { customer } => customer.id == self.customer_id,
            EngineEvent::ConversationChanged { conversation } => {
                let ours = conversation.customer_id == self.customer_id;
                if ours {
                    self.conversation_id = Some(conversation.id);
                }
                ours
            }
            EngineEvent::MessageAdded { message } | EngineEvent::MessageUpdated { message } => {
                Some(message.conversation_id) == self.conversation_id
            }
            EngineEvent::Exchange { exchange } => {
                exchange.open_id.as_deref() == Some(&self.open_id)
            }
            EngineEvent::Pulse {
                conversation_id, ..
            } => Some(*conversation_id) == self.conversation_id,
            _ => false,
        }
    }
}

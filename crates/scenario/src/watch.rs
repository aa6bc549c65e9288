//! Waiting with a deadline: a probe of the database is re-run whenever the engine reports
//! something about the customer (or at least every 200 ms), until it yields or time is up.
//! One `Newsroom` subscribes to the engine for all customers and wakes only the customer an
//! event concerns, so a thousand waiting customers do not each wake on every event.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::Notify;
use tokio::time::Instant;
use wxsim_engine::{Direction, EngineError, EngineEvent};

const FALLBACK_TICK: Duration = Duration::from_millis(200);

/// Routes the engine's events to the customers they concern.
#[derive(Clone)]
pub struct Newsroom {
    routes: Arc<Mutex<Routes>>,
}

/// Who is waiting, and how to tell whom an event is about.
#[derive(Default)]
struct Routes {
    by_customer: HashMap<i64, Arc<Notify>>,
    by_open_id: HashMap<String, i64>,
    by_conversation: HashMap<i64, i64>,
    /// Agent messages seen per routed conversation, so a load run need not re-read them.
    agent_messages: HashMap<i64, usize>,
    /// Events were missed once: counts from events can no longer be trusted.
    lagged: bool,
}

impl Routes {
    fn customer_of(&mut self, event: &EngineEvent) -> Option<i64> {
        match event {
            EngineEvent::CustomerChanged { customer } => Some(customer.id),
            EngineEvent::ConversationChanged { conversation } => {
                if self.by_customer.contains_key(&conversation.customer_id) {
                    self.by_conversation
                        .insert(conversation.id, conversation.customer_id);
                }
                Some(conversation.customer_id)
            }
            EngineEvent::MessageAdded { message } => {
                let customer = self.by_conversation.get(&message.conversation_id).copied();
                if customer.is_some() && message.direction == Direction::In {
                    *self
                        .agent_messages
                        .entry(message.conversation_id)
                        .or_default() += 1;
                }
                customer
            }
            EngineEvent::MessageUpdated { message } => {
                self.by_conversation.get(&message.conversation_id).copied()
            }
            EngineEvent::Exchange { exchange } => exchange
                .open_id
                .as_deref()
                .and_then(|o| self.by_open_id.get(o).copied()),
            EngineEvent::Pulse {
                conversation_id, ..
            } => self.by_conversation.get(conversation_id).copied(),
            _ => None,
        }
    }

    fn deliver(&mut self, event: &EngineEvent) {
        if let Some(news) = self
            .customer_of(event)
            .and_then(|c| self.by_customer.get(&c))
        {
            news.notify_one();
        }
    }

    /// Events were missed: everyone looks again.
    fn wake_all(&mut self) {
        self.lagged = true;
        self.by_customer.values().for_each(|n| n.notify_one());
    }
}

impl Newsroom {
    /// Starts routing `events`; the routing stops with the engine or the last clone.
    pub fn start(mut events: broadcast::Receiver<Arc<EngineEvent>>) -> Newsroom {
        let routes = Arc::new(Mutex::new(Routes::default()));
        let weak = Arc::downgrade(&routes);
        tokio::spawn(async move {
            loop {
                let event = events.recv().await;
                let Some(routes) = weak.upgrade() else { return };
                let mut routes = routes.lock().expect("routes lock");
                match event {
                    Ok(event) => routes.deliver(&event),
                    Err(RecvError::Lagged(_)) => routes.wake_all(),
                    Err(RecvError::Closed) => return,
                }
            }
        });
        Newsroom { routes }
    }

    /// A watch on one customer's news, until it is dropped.
    pub fn watch(&self, customer_id: i64, open_id: String) -> Watch {
        let news = Arc::new(Notify::new());
        let mut routes = self.routes.lock().expect("routes lock");
        routes.by_customer.insert(customer_id, news.clone());
        routes.by_open_id.insert(open_id.clone(), customer_id);
        Watch {
            news,
            routes: self.routes.clone(),
            customer_id,
            open_id,
        }
    }
}

/// One customer's view of the engine's events.
pub struct Watch {
    news: Arc<Notify>,
    routes: Arc<Mutex<Routes>>,
    customer_id: i64,
    open_id: String,
}

impl Watch {
    /// How many agent messages the conversation received since this watch began, or
    /// `None` when events were missed and only the database knows.
    pub fn agent_messages(&self, conversation_id: i64) -> Option<usize> {
        let routes = self.routes.lock().expect("routes lock");
        (!routes.lagged).then(|| {
            routes
                .agent_messages
                .get(&conversation_id)
                .copied()
                .unwrap_or_default()
        })
    }

    /// Runs `probe` until it yields a value; `Ok(None)` when `within` ran out first.
    pub async fn until<T, F, Fut>(
        &self,
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
            let _ = tokio::time::timeout_at(wake, self.news.notified()).await;
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let mut routes = self.routes.lock().expect("routes lock");
        routes.by_customer.remove(&self.customer_id);
        routes.by_open_id.remove(&self.open_id);
        let customer = self.customer_id;
        let Routes {
            by_conversation,
            agent_messages,
            ..
        } = &mut *routes;
        by_conversation.retain(|conversation, c| {
            let ours = *c == customer;
            if ours {
                agent_messages.remove(conversation);
            }
            !ours
        });
    }
}

/// The signals one scenario's customers raise (`signal`) and wait for (`wait_signal`).
#[derive(Clone, Default)]
pub struct Signals {
    raised: Arc<Mutex<std::collections::HashSet<String>>>,
    news: Arc<Notify>,
}

impl Signals {
    pub fn raise(&self, name: &str) {
        self.raised
            .lock()
            .expect("signals lock")
            .insert(name.to_owned());
        self.news.notify_waiters();
    }

    /// `true` once `name` is raised; `false` when `within` ran out first.
    pub async fn wait(&self, name: &str, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            let notified = self.news.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.raised.lock().expect("signals lock").contains(name) {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return false;
            }
        }
    }
}

//! The core every handler and task shares: the configuration, the state behind its lock
//! (each change of it announced to whoever follows them: the agent desk), the
//! CallbackSender, an HTTP client for downloads, and the background tasks' lifetime.

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use wxsim_protocol::Endpoint;

use crate::callbacks::{CallbackSender, DeliveryPolicy};
use crate::config::{SimConfig, SimSettings};
use crate::error::SimError;
use crate::state::{SimState, StateSnapshot};

pub struct Sim {
    pub config: SimConfig,
    pub callbacks: Arc<CallbackSender>,
    pub http: reqwest::Client,
    state: Mutex<SimState>,
    /// Counts the state's changes: bumped whenever a lock that changed it is released.
    changes: watch::Sender<u64>,
    cancel: CancellationToken,
}

/// The state, locked. Taking it mutably marks it changed, and its release then announces
/// the change, so that no change can be made without its followers hearing of it.
pub struct StateGuard<'a> {
    state: MutexGuard<'a, SimState>,
    changes: &'a watch::Sender<u64>,
    changed: bool,
}

impl Deref for StateGuard<'_> {
    type Target = SimState;

    fn deref(&self) -> &SimState {
        &self.state
    }
}

impl DerefMut for StateGuard<'_> {
    fn deref_mut(&mut self) -> &mut SimState {
        self.changed = true;
        &mut self.state
    }
}

impl Drop for StateGuard<'_> {
    fn drop(&mut self) {
        if self.changed {
            self.changes.send_modify(|n| *n = n.wrapping_add(1));
        }
    }
}

impl Sim {
    pub fn new(config: SimConfig, http: reqwest::Client, cancel: CancellationToken) -> Arc<Self> {
        let callbacks = Arc::new(CallbackSender::new(
            http.clone(),
            config.ari_base.clone(),
            delivery(&config.settings()),
            config.double_slash_push_rating,
            cancel.clone(),
        ));
        Arc::new(Sim {
            state: Mutex::new(SimState::new(&config)),
            config,
            callbacks,
            http,
            changes: watch::Sender::new(0),
            cancel,
        })
    }

    pub fn state(&self) -> StateGuard<'_> {
        StateGuard {
            state: self.state.lock().unwrap_or_else(PoisonError::into_inner),
            changes: &self.changes,
            changed: false,
        }
    }

    /// How many times the state has changed.
    pub fn version(&self) -> u64 {
        *self.changes.borrow()
    }

    /// Hears of every change of the state from now on.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Runs a background task that ends with the simulator.
    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let cancel = self.cancel.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = cancel.cancelled() => {}
                () = task => {}
            }
        });
    }

    /// Answers with the endpoint's injected fault, if one is armed.
    pub fn check_fault(&self, endpoint: Endpoint) -> Result<(), SimError> {
        match self.state().faults.take(endpoint) {
            Some((code, message)) => {
                tracing::info!(endpoint = endpoint.path(), %code, "answering with an injected fault");
                Err(SimError::refused(code, message))
            }
            None => Ok(()),
        }
    }

    pub fn snapshot(&self) -> StateSnapshot {
        let state = self.state();
        StateSnapshot {
            settings: state.settings.clone(),
            ari_base: self.callbacks.ari_base(),
            queue: state.queue.all().to_vec(),
            sessions: state.sessions.all().cloned().collect(),
            media: state.media.clone(),
            callbacks: self.callbacks.outcomes(),
            faults: state.faults.endpoint_faults(),
            next_request_statuses: state.faults.planned_statuses(),
            groups: state.group_views(),
            clock: Some(state.clock.view()),
            routing_failures: state.faults.planned_routing_failures(),
        }
    }

    pub fn shut_down(&self) {
        self.cancel.cancel();
    }
}

/// The callback delivery the settings ask for.
pub fn delivery(settings: &SimSettings) -> DeliveryPolicy {
    DeliveryPolicy {
        timeout_ms: settings.callback_timeout_ms,
        tries: settings.callback_tries.max(1),
        backoff_ms: settings.callback_backoff_ms,
    }
}

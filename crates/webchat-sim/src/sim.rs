//! The core every handler and task shares: the configuration, the state behind its lock,
//! the CallbackSender, an HTTP client for downloads, and the background tasks' lifetime.

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

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
    cancel: CancellationToken,
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
            cancel,
        })
    }

    pub fn state(&self) -> MutexGuard<'_, SimState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
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

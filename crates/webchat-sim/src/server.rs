//! Starting and stopping a simulator: the router (endpoints, control, images, JSON answers
//! for unknown paths, wrong methods and oversized bodies) served on a caller's listener.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Uri};
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::agent::ScriptedAgent;
use crate::callbacks::http_client;
use crate::config::SimConfig;
use crate::control::{self, SimControl};
use crate::error::SimError;
use crate::sim::Sim;
use crate::{assets, endpoints, uploads};

/// A running simulator.
pub struct SimHandle {
    addr: SocketAddr,
    control: SimControl,
    sim: Arc<Sim>,
    server: JoinHandle<io::Result<()>>,
}

/// Serves a simulator on `listener` until [`SimHandle::shutdown`].
pub async fn spawn(config: SimConfig, listener: TcpListener) -> io::Result<SimHandle> {
    reqwest::Url::parse(&config.ari_base).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("ari_base `{}` is not a URL: {e}", config.ari_base),
        )
    })?;
    config.check().map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("simulator configuration: {e}"),
        )
    })?;
    let http =
        http_client(Duration::from_millis(config.callback_timeout_ms)).map_err(io::Error::other)?;
    let cancel = CancellationToken::new();
    let sim = Sim::new(config, http, cancel.clone());
    ScriptedAgent::new(Arc::clone(&sim)).start_sweeping();
    let app = router(Arc::clone(&sim));
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(cancel.cancelled_owned())
            .await
    });
    tracing::info!(%addr, ari_base = %sim.callbacks.ari_base(), "webchat simulator listening");
    Ok(SimHandle {
        addr,
        control: SimControl::new(Arc::clone(&sim)),
        sim,
        server,
    })
}

fn router(sim: Arc<Sim>) -> Router {
    let max_body = sim.config.max_body_bytes;
    Router::new()
        .merge(endpoints::routes(Arc::clone(&sim)))
        .merge(control::routes())
        .merge(assets::routes())
        .merge(uploads::routes())
        .fallback(|method: Method, uri: Uri| async move {
            SimError::UnknownPath {
                method: method.to_string(),
                path: uri.path().to_owned(),
            }
        })
        .method_not_allowed_fallback(|method: Method, uri: Uri| async move {
            SimError::WrongMethod {
                method: method.to_string(),
                path: uri.path().to_owned(),
            }
        })
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(sim)
}

impl SimHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where the `*.do` endpoints live: `http://{addr}/webchat`.
    pub fn base_url(&self) -> String {
        format!("http://{}/webchat", self.addr)
    }

    pub fn control(&self) -> &SimControl {
        &self.control
    }

    /// Stops serving and ends every background task (pending callbacks are dropped).
    pub async fn shutdown(self) {
        self.sim.shut_down();
        match self.server.await {
            Ok(Ok(())) => tracing::info!(addr = %self.addr, "webchat simulator stopped"),
            Ok(Err(e)) => tracing::warn!(error = %e, "webchat simulator stopped with an error"),
            Err(e) => tracing::warn!(error = %e, "webchat simulator task failed"),
        }
    }
}

//! wxsim-proxy: `wxsim proxy` stands between a real hosting service and a real webchat.
//!
//! Two listeners: the hosting service is given `listen` as its webchat, and the eight
//! `*.do` calls it makes there go on to `webchat`; webchat is given `callback_listen` as its
//! hosting service, and the seven `/ari/*` callbacks and the `/wechat/…` media downloads it
//! makes there go on to `hosting` (`forward`). A request keeps its path: only the origin
//! changes, so each side is given the other's URL with the proxy's address in it. Nothing is changed on the way, and a side
//! that does not answer gets the caller a gateway's 502 or 504 (`gateway`). Every exchange
//! goes to an engine that only watches ([`wxsim_engine::Engine::observe`]): the same
//! SQLite history, contract findings and conversations as wxsim's own, so the same API and
//! UI ([`Proxy::router`]) show the pair live.

mod forward;
pub mod gateway;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use wxsim_engine::{Engine, EngineError, ObserveOptions, Recording};

use crate::forward::Leg;
use crate::gateway::Upstream;

pub struct ProxyOptions {
    /// The real webchat's base URL (the `*.do` endpoints are under it).
    pub webchat: String,
    /// The real hosting service's base URL (its `/ari/*` and `/wechat/*` are under it).
    pub hosting: String,
    /// Where the hosting service calls webchat.
    pub listen: TcpListener,
    /// Where webchat calls the hosting service.
    pub callback_listen: TcpListener,
    /// Holds `wxsim.db` and `media/`.
    pub data_dir: PathBuf,
    /// How long either side may take to answer before the caller gets a 504.
    pub timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("{flag} {url} is not a base URL wxsim proxy can forward to ({reason}); give an http:// URL such as http://127.0.0.1:8080/webchat")]
    Url {
        flag: &'static str,
        url: String,
        reason: String,
    },
    #[error("cannot start the recording engine on data dir {}: {source}", dir.display())]
    Engine { dir: PathBuf, source: EngineError },
    #[error("cannot read a listener's address: {0}")]
    Io(#[from] std::io::Error),
}

/// A running proxy: both directions forwarding, the engine recording.
pub struct Proxy {
    pub engine: Engine,
    webchat_url: String,
    hosting_url: String,
    shutdown: CancellationToken,
    /// Taken by the first stop.
    running: Arc<Mutex<Option<Running>>>,
}

/// What runs until a stop: the two forwarding servers and the recording.
struct Running {
    servers: Vec<JoinHandle<()>>,
    recording: Recording,
}

/// A side's base URL, split: its origin (`http://host:port`), where requests go with their
/// path unchanged, and the whole URL, as the other side is to call the proxy in its place.
struct Base {
    origin: String,
    path: String,
    url: String,
}

/// Reads `url` as a side's base URL: plain HTTP, a host, no query.
fn base(flag: &'static str, url: &str) -> Result<Base, ProxyError> {
    let refuse = |reason: &str| ProxyError::Url {
        flag,
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed: axum::http::Uri = url.parse().map_err(|e| refuse(&format!("{e}")))?;
    match parsed.scheme_str() {
        Some("http") => {}
        Some("https") => {
            return Err(refuse(
                "it forwards plain HTTP only; put a TLS terminator between it and an https:// side",
            ))
        }
        _ => return Err(refuse("it needs a scheme and a host")),
    }
    let Some(authority) = parsed.authority() else {
        return Err(refuse("it has no host"));
    };
    if parsed.query().is_some() {
        return Err(refuse("a base URL has no query"));
    }
    Ok(Base {
        origin: format!("http://{authority}"),
        path: parsed.path().trim_end_matches('/').to_owned(),
        url: url.trim_end_matches('/').to_owned(),
    })
}

impl Proxy {
    pub async fn start(options: ProxyOptions) -> Result<Proxy, ProxyError> {
        let webchat = base("--webchat", &options.webchat)?;
        let hosting = base("--hosting", &options.hosting)?;
        let listen_addr = options.listen.local_addr()?;
        let callback_addr = options.callback_listen.local_addr()?;
        let (engine, observer, recording) = Engine::observe(ObserveOptions {
            data_dir: options.data_dir.clone(),
            webchat: webchat.url.clone(),
            callback_addr,
        })
        .await
        .map_err(|source| ProxyError::Engine {
            dir: options.data_dir.clone(),
            source,
        })?;
        let shutdown = CancellationToken::new();
        let client = forward::client();
        let webchat_path = webchat.path.clone();
        let hosting_path = hosting.path.clone();
        let mut servers = Vec::new();
        for (listener, upstream, base) in [
            (options.listen, Upstream::Webchat, webchat),
            (options.callback_listen, Upstream::Hosting, hosting),
        ] {
            let app = forward::router(Leg {
                upstream,
                origin: base.origin,
                timeout: options.timeout,
                client: client.clone(),
                observer: observer.clone(),
            });
            let stop = shutdown.clone();
            servers.push(tokio::spawn(async move {
                let served = axum::serve(listener, app)
                    .with_graceful_shutdown(async move { stop.cancelled().await })
                    .await;
                if let Err(e) = served {
                    tracing::error!(error = %e, side = upstream.as_str(), "a proxy listener stopped");
                }
            }));
        }
        Ok(Proxy {
            engine,
            webchat_url: format!("http://{listen_addr}{webchat_path}"),
            hosting_url: format!("http://{callback_addr}{hosting_path}"),
            shutdown,
            running: Arc::new(Mutex::new(Some(Running { servers, recording }))),
        })
    }

    /// The webchat URL to give the hosting service: webchat's, with the proxy's address.
    pub fn webchat_url(&self) -> &str {
        &self.webchat_url
    }

    /// The hosting service's URL to give webchat (its callbacks, and `LIVEBOT_WANADDR`):
    /// the hosting service's, with the proxy's address.
    pub fn hosting_url(&self) -> &str {
        &self.hosting_url
    }

    /// The engine's API (and the UI, when `ui_dir` holds a build), guarded by `token`: the
    /// same as `wxsim serve`'s, over what the proxy recorded.
    pub fn router(&self, token: String, ui_dir: PathBuf) -> Router {
        wxsim_api::router(self.engine.clone(), token, ui_dir)
    }

    /// Stops the proxy: no new exchange is taken, those under way are answered, all that
    /// passed is stored, then the engine stops (closing the database). A second stop only
    /// waits for the engine. A future of its own, for a server's graceful shutdown.
    pub fn stopper(&self) -> impl Future<Output = ()> + Send + 'static {
        let (shutdown, running, engine) = (
            self.shutdown.clone(),
            self.running.clone(),
            self.engine.clone(),
        );
        async move {
            shutdown.cancel();
            if let Some(running) = running.lock().await.take() {
                for server in running.servers {
                    let _ = server.await;
                }
                running.recording.finished().await;
            }
            engine.shutdown().await;
        }
    }

    /// [`Proxy::stopper`], awaited.
    pub async fn stop(&self) {
        self.stopper().await
    }
}

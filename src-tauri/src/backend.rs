//! The backend the window talks to: binds the callback listener, starts the embedded
//! webchat simulator (always: it idles cheaply, and a tester can switch a profile between a
//! real webchat and the embedded one at any time), starts the engine, and holds the API
//! router that IPC calls in-process with its random token.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Mutex;

use axum::Router;
use rand::Rng;
use tokio::net::TcpListener;
use wxsim_engine::{Engine, EngineError, EngineOptions};
use wxsim_webchat::{SimConfig, SimHandle};

/// Where webchat calls us back when `WXSIM_LISTEN` does not say otherwise.
const DEFAULT_LISTEN: &str = "127.0.0.1:7081";

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {addr} for the callback listener: {source}")]
    Listen { addr: String, source: io::Error },
    #[error("cannot start the embedded webchat simulator: {0}")]
    Simulator(io::Error),
    #[error("cannot start the engine on data dir {}: {source}", dir.display())]
    Engine { dir: PathBuf, source: EngineError },
}

/// The running engine (and simulator), and the router IPC calls.
pub struct Backend {
    engine: Engine,
    sim: Mutex<Option<SimHandle>>,
    router: Router,
    token: String,
}

impl Backend {
    /// Starts everything on `data_dir`; `listen` overrides the callback listener's address.
    pub async fn start(data_dir: PathBuf, listen: Option<String>) -> Result<Backend, StartError> {
        let (listener, addr) = bind_listener(listen).await?;
        let callback_base = format!("http://{addr}");
        let engine_error = |source| StartError::Engine {
            dir: data_dir.clone(),
            source,
        };
        let sim_listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(StartError::Simulator)?;
        let config = SimConfig {
            ari_base: callback_base,
            ..SimConfig::default()
        };
        let sim = wxsim_webchat::spawn(config, sim_listener)
            .await
            .map_err(StartError::Simulator)?;
        let engine = Engine::start(EngineOptions {
            data_dir: data_dir.clone(),
            profile: None,
            embedded_webchat: Some(sim.base_url()),
            listener,
        })
        .await
        .map_err(engine_error)?;
        tracing::info!(
            data = %data_dir.display(),
            webchat = %engine.webchat_base(),
            embedded = engine.profile().webchat_url.is_none(),
            listener = %engine.callback_base(),
            "desktop backend started"
        );
        let token = hex::encode(rand::thread_rng().gen::<[u8; 16]>());
        let router = wxsim_api::router(engine.clone(), token.clone(), PathBuf::new());
        Ok(Backend {
            engine,
            sim: Mutex::new(Some(sim)),
            router,
            token,
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// A fresh handle on the API router (each in-process call consumes one).
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// Stops the engine (closing the database) and the simulator.
    pub async fn shutdown(&self) {
        self.engine.shutdown().await;
        let sim = self.sim.lock().expect("simulator lock").take();
        if let Some(sim) = sim {
            sim.shutdown().await;
        }
    }
}

/// `listen` exactly when given, else the default port, or any free one when it is taken.
async fn bind_listener(listen: Option<String>) -> Result<(TcpListener, SocketAddr), StartError> {
    let bind = |addr: String| async move {
        let bound = match TcpListener::bind(&addr).await {
            Ok(listener) => listener.local_addr().map(|local| (listener, local)),
            Err(e) => Err(e),
        };
        bound.map_err(|source| StartError::Listen { addr, source })
    };
    match listen {
        Some(addr) => bind(addr).await,
        None => match bind(DEFAULT_LISTEN.to_owned()).await {
            Err(StartError::Listen { source, .. }) if source.kind() == io::ErrorKind::AddrInUse => {
                tracing::warn!(
                    "{DEFAULT_LISTEN} is taken; the callback listener takes a free port"
                );
                bind("127.0.0.1:0".to_owned()).await
            }
            other => other,
        },
    }
}

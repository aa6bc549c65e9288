//! The backend the window talks to: binds the callback listener, starts the stack with the
//! embedded webchat simulator (always: it idles cheaply, and a tester can switch a profile
//! between a real webchat and the embedded one at any time), and holds the API router that
//! IPC calls in-process with its random token.

use axum::Router;
use rand::Rng;
use std::io;
use std::path::PathBuf;
use tokio::net::TcpListener;
use wxsim_engine::Engine;
use wxsim_stack::{Stack, StackError, StackOptions};
use wxsim_webchat::SimConfig;

/// Where webchat calls us back when `WXSIM_LISTEN` does not say otherwise.
const DEFAULT_LISTEN: &str = "127.0.0.1:7081";

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {addr} for the callback listener: {source}")]
    Listen { addr: String, source: io::Error },
    #[error(transparent)]
    Stack(#[from] StackError),
}

/// The running stack, and the router IPC calls.
pub struct Backend {
    stack: Stack,
    router: Router,
    token: String,
}

impl Backend {
    /// Starts everything on `data_dir`; `listen` overrides the callback listener's address.
    pub async fn start(data_dir: PathBuf, listen: Option<String>) -> Result<Backend, StartError> {
        let listener = bind_listener(listen).await?;
        let stack = Stack::start(StackOptions {
            data_dir: data_dir.clone(),
            listener,
            simulator: Some(SimConfig::default()),
            profile: None,
        })
        .await?;
        tracing::info!(data = %data_dir.display(), "desktop backend started");
        let token = hex::encode(rand::thread_rng().gen::<[u8; 16]>());
        let router = stack.router(token.clone(), PathBuf::new());
        Ok(Backend {
            stack,
            router,
            token,
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.stack.engine
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
        self.stack.stop().await;
    }
}

/// `listen` exactly when given, else the default port, or any free one when it is taken.
async fn bind_listener(listen: Option<String>) -> Result<TcpListener, StartError> {
    let bind = |addr: String| async move {
        TcpListener::bind(&addr)
            .await
            .map_err(|source| StartError::Listen { addr, source })
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

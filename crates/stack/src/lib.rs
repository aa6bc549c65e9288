//! One running wxsim: the engine on its callback listener and, when wxsim plays webchat
//! itself, the embedded simulator beside it on loopback. `wxsim serve`, the desktop shell
//! and scenario runs start and stop it here, so that they cannot start or stop it
//! differently. Its API is the engine's (crates/api) plus the embedded simulator's controls
//! under `/api/simulator` ([`simulator`]), behind the same guard.

mod desk;
pub mod simulator;

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use axum::Router;
use tokio::net::TcpListener;
use wxsim_engine::{Engine, EngineError, EngineOptions, Profile};
use wxsim_webchat::{SimConfig, SimControl, SimHandle};

pub struct StackOptions {
    /// Holds `wxsim.db` and `media/`.
    pub data_dir: PathBuf,
    /// The bound callback and media listener (each front end binds it its own way).
    pub listener: TcpListener,
    /// Starts the embedded simulator with this configuration (its `ari_base` becomes the
    /// listener's address); `None` runs without one, against a real webchat.
    pub simulator: Option<SimConfig>,
    /// Overrides (and becomes) the active profile; `None` keeps the stored one.
    pub profile: Option<Profile>,
}

#[derive(Debug, thiserror::Error)]
pub enum StackError {
    #[error("cannot start the embedded webchat simulator: {0}")]
    Simulator(#[from] io::Error),
    #[error("cannot start the engine on data dir {}: {source}", dir.display())]
    Engine { dir: PathBuf, source: EngineError },
}

/// Where the embedded simulator listened, kept beside the database: agent messages point at
/// the simulator's own images (emoji, pictures), so a restart on a new port would change how
/// old transcripts look.
const SIMULATOR_ADDRESS: &str = "embedded-webchat.addr";

/// The embedded simulator's address of the last run on this data dir, or a new one (kept).
async fn bind_simulator(data_dir: &Path) -> io::Result<TcpListener> {
    let file = data_dir.join(SIMULATOR_ADDRESS);
    let last = std::fs::read_to_string(&file)
        .ok()
        .and_then(|text| text.trim().parse::<SocketAddr>().ok());
    if let Some(addr) = last {
        match TcpListener::bind(addr).await {
            Ok(listener) => return Ok(listener),
            Err(e) => tracing::warn!(
                %addr,
                error = %e,
                "the embedded simulator's address of the last run is taken; it takes a new one, and agent images of older chats may not load"
            ),
        }
    }
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    std::fs::create_dir_all(data_dir)?;
    std::fs::write(&file, listener.local_addr()?.to_string())?;
    Ok(listener)
}

/// The engine, and the simulator it talks to when there is no real webchat.
pub struct Stack {
    pub engine: Engine,
    control: Option<SimControl>,
    /// The embedded simulator's `*.do` base URL (its pictures' addresses resolve against it).
    simulator_base: String,
    /// Taken by the one `stop`.
    simulator: Mutex<Option<SimHandle>>,
}

impl Stack {
    pub async fn start(options: StackOptions) -> Result<Stack, StackError> {
        let simulator = match options.simulator {
            Some(config) => {
                let config = SimConfig {
                    ari_base: format!("http://{}", options.listener.local_addr()?),
                    ..config
                };
                let listener = bind_simulator(&options.data_dir).await?;
                Some(wxsim_webchat::spawn(config, listener).await?)
            }
            None => None,
        };
        let engine = Engine::start(EngineOptions {
            data_dir: options.data_dir.clone(),
            profile: options.profile,
            embedded_webchat: simulator.as_ref().map(SimHandle::base_url),
            listener: options.listener,
        })
        .await;
        let engine = match engine {
            Ok(engine) => engine,
            Err(source) => {
                if let Some(simulator) = simulator {
                    simulator.shutdown().await;
                }
                return Err(StackError::Engine {
                    dir: options.data_dir,
                    source,
                });
            }
        };
        tracing::info!(
            webchat = %engine.webchat_base(),
            listener = %engine.callback_base(),
            embedded = simulator.is_some(),
            "wxsim started"
        );
        Ok(Stack {
            engine,
            control: simulator.as_ref().map(|s| s.control().clone()),
            simulator_base: simulator
                .as_ref()
                .map(SimHandle::base_url)
                .unwrap_or_default(),
            simulator: Mutex::new(simulator),
        })
    }

    /// The embedded simulator's controls; `None` against a real webchat.
    pub fn simulator(&self) -> Option<&SimControl> {
        self.control.as_ref()
    }

    /// The engine's API (and, when `ui_dir` holds a build, the UI) and the simulator's
    /// controls under `/api/simulator` (404 without one), guarded by `token`.
    pub fn router(&self, token: String, ui_dir: PathBuf) -> Router {
        let simulator = wxsim_api::guarded(
            Router::new().nest(
                simulator::PREFIX,
                simulator::routes(
                    self.control.clone(),
                    self.engine.clone(),
                    &self.simulator_base,
                ),
            ),
            &token,
        );
        wxsim_api::router(self.engine.clone(), token, ui_dir).merge(simulator)
    }

    /// Stops the engine (closing the database), then the simulator; a second call does nothing.
    pub async fn stop(&self) {
        self.engine.shutdown().await;
        let simulator = self.simulator.lock().expect("simulator lock").take();
        if let Some(simulator) = simulator {
            simulator.shutdown().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wxsim_engine::{ConversationState, NewCustomer};

    #[tokio::test]
    async fn the_embedded_simulator_calls_back_the_engine_it_was_started_with() {
        let dir = tempfile::tempdir().unwrap();
        let stack = Stack::start(StackOptions {
            data_dir: dir.path().to_path_buf(),
            listener: TcpListener::bind("127.0.0.1:0").await.unwrap(),
            simulator: Some(SimConfig::default()),
            profile: None,
        })
        .await
        .unwrap();
        assert!(stack.simulator().is_some());
        let customer = stack
            .engine
            .create_customer(NewCustomer {
                open_id: None,
                nickname: "Ann".into(),
                head_img_url: None,
                source: None,
                brand: None,
                skill_group: 1,
                agent_id: None,
                tracks: None,
            })
            .await
            .unwrap();
        stack.engine.request_chat(customer.id).await.unwrap();
        // The agent's acceptance comes back as /ari/create to this engine's listener.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while stack.engine.customer(customer.id).await.unwrap().state
            != Some(ConversationState::Chatting)
        {
            assert!(
                std::time::Instant::now() < deadline,
                "the simulator never called back"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        stack.stop().await;
        stack.stop().await;
    }

    #[tokio::test]
    async fn the_embedded_simulator_keeps_its_address_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let start = || async {
            Stack::start(StackOptions {
                data_dir: dir.path().to_path_buf(),
                listener: TcpListener::bind("127.0.0.1:0").await.unwrap(),
                simulator: Some(SimConfig::default()),
                profile: None,
            })
            .await
            .unwrap()
        };
        let first = start().await;
        let address = first.engine.webchat_base();
        first.stop().await;
        let second = start().await;
        assert_eq!(second.engine.webchat_base(), address);
        second.stop().await;
    }

    #[tokio::test]
    async fn without_a_simulator_the_profile_names_the_webchat() {
        let dir = tempfile::tempdir().unwrap();
        let stack = Stack::start(StackOptions {
            data_dir: dir.path().to_path_buf(),
            listener: TcpListener::bind("127.0.0.1:0").await.unwrap(),
            simulator: None,
            profile: Some(Profile {
                webchat_url: Some("http://127.0.0.1:9/webchat".into()),
                ..Profile::default()
            }),
        })
        .await
        .unwrap();
        assert!(stack.simulator().is_none());
        assert_eq!(stack.engine.webchat_base(), "http://127.0.0.1:9/webchat");
        stack.stop().await;
    }
}

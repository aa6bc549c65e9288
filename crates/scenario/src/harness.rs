//! The engine a run talks through, on its own callback listener, and, unless a webchat URL
//! is given, the embedded simulator beside it on loopback.

use std::path::PathBuf;

use tokio::net::TcpListener;
use wxsim_engine::{Engine, EngineError, EngineOptions, Profile};
use wxsim_webchat::{SimConfig, SimControl, SimHandle};

pub struct HarnessOptions {
    /// Holds `wxsim.db` and `media/`.
    pub data_dir: PathBuf,
    /// A real webchat; `None` starts the embedded simulator.
    pub webchat_url: Option<String>,
    /// The callback listener's address (a real webchat must reach it).
    pub listen: String,
    /// The engine's profile (its `webchat_url` is set from `webchat_url`).
    pub profile: Profile,
    /// The embedded simulator's configuration (its `ari_base` is set to the listener).
    pub simulator: SimConfig,
}

/// A running engine, and the simulator it talks to when there is no real webchat.
pub struct Harness {
    pub engine: Engine,
    simulator: Option<SimHandle>,
}

impl Harness {
    pub async fn start(options: HarnessOptions) -> Result<Harness, EngineError> {
        let listener = TcpListener::bind(&options.listen).await?;
        let simulator = match options.webchat_url {
            Some(_) => None,
            None => {
                let config = SimConfig {
                    ari_base: format!("http://{}", listener.local_addr()?),
                    ..options.simulator
                };
                Some(wxsim_webchat::spawn(config, TcpListener::bind("127.0.0.1:0").await?).await?)
            }
        };
        let profile = Profile {
            webchat_url: options.webchat_url,
            ..options.profile
        };
        let engine = Engine::start(EngineOptions {
            data_dir: options.data_dir,
            profile: Some(profile),
            embedded_webchat: simulator.as_ref().map(SimHandle::base_url),
            listener,
        })
        .await?;
        Ok(Harness { engine, simulator })
    }

    /// The embedded simulator's controls; `None` against a real webchat.
    pub fn simulator(&self) -> Option<&SimControl> {
        self.simulator.as_ref().map(SimHandle::control)
    }

    pub async fn stop(self) {
        self.engine.shutdown().await;
        if let Some(simulator) = self.simulator {
            simulator.shutdown().await;
        }
    }
}

//! The stack a run talks through: the engine on the run's callback listener and, unless a
//! webchat URL is given, the embedded simulator beside it.

use std::path::PathBuf;

use tokio::net::TcpListener;
use wxsim_engine::Profile;
use wxsim_stack::{Stack, StackError, StackOptions};
use wxsim_webchat::SimConfig;

pub struct HarnessOptions {
    /// Holds `wxsim.db` and `media/`.
    pub data_dir: PathBuf,
    /// A real webchat; `None` starts the embedded simulator.
    pub webchat_url: Option<String>,
    /// The callback listener's address (a real webchat must reach it).
    pub listen: String,
    /// The engine's profile (its `webchat_url` is set from `webchat_url`).
    pub profile: Profile,
    /// The embedded simulator's configuration.
    pub simulator: SimConfig,
}

/// Starts the stack a run's options describe.
pub async fn start(options: HarnessOptions) -> Result<Stack, StackError> {
    let listener = TcpListener::bind(&options.listen).await?;
    Stack::start(StackOptions {
        data_dir: options.data_dir,
        listener,
        simulator: options.webchat_url.is_none().then_some(options.simulator),
        profile: Some(Profile {
            webchat_url: options.webchat_url,
            ..options.profile
        }),
    })
    .await
}

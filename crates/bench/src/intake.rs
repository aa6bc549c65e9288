//! The intake target: a real engine (WAL store, FTS index, exchange log) whose listener
//! answers `/ari/msg` after the commit, with `sessions` conversations already chatting
//! (session ids `bench-0` …) so every callback lands in one.

use std::path::Path;

use tokio::net::TcpListener;
use wxsim_engine::store::{SeedPlan, Store};
use wxsim_engine::{ConversationState, Engine, EngineOptions, Profile};

/// A profile that never calls webchat on its own (no pulse, no queue polling).
pub fn quiet_profile() -> Profile {
    Profile {
        name: "bench".into(),
        pulse_interval_ms: 0,
        queue_poll_interval_ms: 0,
        ..Profile::default()
    }
}

/// Starts the engine on `data_dir`, seeds the chatting conversations and serves until the
/// process is stopped.
pub async fn run(data_dir: &Path, listen: &str, sessions: u64) -> anyhow::Result<()> {
    // Seeded before the engine opens the file (and so before it makes the dir): the
    // engine keeps its store to itself.
    std::fs::create_dir_all(data_dir)?;
    let store = Store::open(&data_dir.join("wxsim.db")).await?;
    store
        .seed(&SeedPlan {
            conversations: sessions,
            messages_per_conversation: 0,
            state: ConversationState::Chatting,
            prefix: "bench-".into(),
        })
        .await?;
    store.close().await;
    let engine = Engine::start(EngineOptions {
        data_dir: data_dir.to_path_buf(),
        profile: Some(quiet_profile()),
        embedded_webchat: None,
        listener: TcpListener::bind(listen).await?,
    })
    .await?;
    println!("listener {}", engine.callback_base());
    println!("sessions {sessions}");
    tokio::signal::ctrl_c().await?;
    engine.shutdown().await;
    Ok(())
}

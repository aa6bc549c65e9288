//! `wxsim webchat`: the simulator alone, so another hosting service can be tested against it.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use tokio::net::TcpListener;
use wxsim_webchat::SimConfig;

#[derive(Args)]
pub struct WebchatArgs {
    /// Address the simulator listens on.
    #[arg(long, default_value = "127.0.0.1:7090")]
    listen: String,
    /// Base URL of the hosting service whose /ari/* callbacks it calls (its LIVEBOT_WANADDR too).
    #[arg(long)]
    ari: String,
    /// A JSON file with the simulator's configuration (skill groups, agents, delays).
    #[arg(long)]
    config: Option<PathBuf>,
}

pub async fn run(args: WebchatArgs) -> anyhow::Result<()> {
    let mut config: SimConfig = match &args.config {
        Some(path) => serde_json::from_slice(
            &std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
        )
        .with_context(|| format!("{} is not a valid simulator configuration", path.display()))?,
        None => SimConfig::default(),
    };
    config.ari_base = args.ari.clone();
    let listener = TcpListener::bind(&args.listen).await.with_context(|| {
        format!(
            "cannot listen on {}; pick another address with --listen",
            args.listen
        )
    })?;
    let sim = wxsim_webchat::spawn(config, listener).await?;
    println!("webchat  {}", sim.base_url());
    println!("control  http://{}/sim/state", sim.addr());
    println!("ari      {}", args.ari);
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}

//! `wxsim`: the headless binary. `serve` runs the engine (with the embedded webchat
//! simulator unless told otherwise) and its HTTP API; `webchat` runs the simulator alone.

mod serve;
mod webchat;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "wxsim",
    version,
    about = "Play WeChat customers against a webchat customer-service system"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the engine, its callback listener and the HTTP API (plus the embedded webchat).
    Serve(serve::ServeArgs),
    /// Run the webchat simulator alone, calling the hosting service at --ari.
    Webchat(webchat::WebchatArgs),
}

/// The platform data dir, or `./wxsim-data` where there is none.
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("dev", "wxsim", "wxsim")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("wxsim-data"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve(args) => serve::run(args).await,
        Command::Webchat(args) => webchat::run(args).await,
    }
}

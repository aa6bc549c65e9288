//! `wxsim`: the headless binary. `serve` runs the engine (with the embedded webchat
//! simulator unless told otherwise) and its HTTP API; `webchat` runs the simulator alone;
//! `run` plays scenario files, `history` reads the database, `load` measures throughput,
//! `check` and `report` judge a database's exchanges against the contract.

mod check;
mod data_dir;
mod demo;
mod history;
mod load;
mod proxy;
mod report;
mod run;
mod serve;
mod webchat;

use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Play scenario files (exit 0: passed, 1: a step failed, 2: a file is invalid).
    Run(run::RunArgs),
    /// Read the conversation history (read-only): list, show, search, export.
    History(history::HistoryArgs),
    /// Many customers through whole conversations at once; throughput and latencies.
    Load(load::LoadArgs),
    /// The contract checker's report over a database: where webchat broke the interface.
    Check(check::CheckArgs),
    /// A conformance report to send to a partner: rules, offending exchanges, timings, codes.
    Report(report::ReportArgs),
    /// Stand between a real hosting service and a real webchat: forward, record, show.
    Proxy(proxy::ProxyArgs),
    /// Print the interface (both directions) as an OpenAPI 3.1 document.
    Spec,
    /// Play a scenario at a person's pace in the demo layout (the phone beside the agent desk).
    Demo(demo::DemoArgs),
}

/// The platform data dir, or `./wxsim-data` where there is none.
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("dev", "wxsim", "wxsim")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("wxsim-data"))
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let command = Cli::parse().command;
    let quiet = matches!(
        command,
        Command::Run(_)
            | Command::History(_)
            | Command::Load(_)
            | Command::Check(_)
            | Command::Report(_)
            | Command::Spec
    );
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                if quiet {
                    "warn,wxsim_webchat=error"
                } else {
                    "info"
                }
                .into()
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    let done = |r: anyhow::Result<()>| r.map(|()| ExitCode::SUCCESS);
    match command {
        Command::Serve(args) => done(serve::run(args).await),
        Command::Webchat(args) => done(webchat::run(args).await),
        Command::Run(args) => run::run(args).await,
        Command::History(args) => done(history::run(args).await),
        Command::Load(args) => done(load::run(args).await),
        Command::Check(args) => Ok(if check::run(args).await? {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }),
        Command::Report(args) => done(report::run(args).await),
        Command::Proxy(args) => done(proxy::run(args).await),
        Command::Spec => done(check::spec()),
        Command::Demo(args) => demo::run(args).await,
    }
}

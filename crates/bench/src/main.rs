//! `wxsim-bench`: the benchmarks behind `make bench`. Each measuring subcommand appends its
//! figures, with a baseline measured in the same run, to a results file; `report` turns
//! that file into the table of `docs/BENCHMARKS.md`. The helpers (`echo`, `intake`,
//! `seed`, `flood`) are the servers and data the shell script measures with `wrk` and
//! under Xvfb.

mod conversations;
mod convo;
mod echo;
mod export;
mod flood;
mod intake;
mod proxy;
mod report;
mod search;
mod seed;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "wxsim-bench",
    about = "wxsim benchmarks against same-run baselines"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The intake baseline: a bare axum handler answering callbacks without storing them.
    Echo {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
    },
    /// A real engine listener with `--sessions` chatting conversations (`bench-0` …).
    Intake {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
        #[arg(long, default_value_t = 100)]
        sessions: u64,
    },
    /// Generates a history database: `--messages` over `--conversations` (default: one per 1,000).
    Seed {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        messages: u64,
        #[arg(long)]
        conversations: Option<u64>,
        /// Leave the conversations chatting, with session ids `{prefix}0 …`.
        #[arg(long)]
        chatting: bool,
        #[arg(long)]
        prefix: Option<String>,
    },
    /// History search over `--data-dir` against 10,000 messages seeded in `--baseline-dir`.
    Search {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        baseline_dir: PathBuf,
        #[arg(long, default_value_t = 40)]
        rounds: usize,
        #[arg(long)]
        results: PathBuf,
    },
    /// Transcript export throughput against raw serde_json encoding.
    Export {
        #[arg(long)]
        work_dir: PathBuf,
        #[arg(long, default_value_t = 100_000)]
        messages: u64,
        #[arg(long)]
        results: PathBuf,
    },
    /// `wxsim load` against the same conversations with a no-store hosting side.
    Conversations {
        /// The `wxsim` binary.
        #[arg(long)]
        wxsim: PathBuf,
        #[arg(long, default_value_t = 1000)]
        customers: usize,
        #[arg(long, default_value_t = 10)]
        messages: usize,
        #[arg(long)]
        results: PathBuf,
    },
    /// The proxy's added latency per exchange, against the same exchange sent straight.
    Proxy {
        #[arg(long)]
        work_dir: PathBuf,
        #[arg(long, default_value_t = 2000)]
        exchanges: usize,
        #[arg(long)]
        results: PathBuf,
    },
    /// Posts `/ari/msg` callbacks with unique bodies to a listener.
    Flood {
        #[arg(long)]
        listener: String,
        #[arg(long, default_value = "bench-")]
        prefix: String,
        #[arg(long, default_value_t = 100)]
        sessions: u64,
        #[arg(long, default_value_t = 100_000)]
        count: u64,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
    /// Appends one row measured elsewhere (by `wrk`, under Xvfb) to the results.
    Record {
        #[arg(long)]
        results: PathBuf,
        #[command(flatten)]
        row: report::Row,
    },
    /// Prints the table of the results and writes it into `--out` (Markdown).
    Report {
        #[arg(long)]
        results: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// A Markdown file put before the table (how it was measured).
        #[arg(long)]
        preamble: Option<PathBuf>,
        /// A Markdown file put after the table (findings).
        #[arg(long)]
        notes: Option<PathBuf>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Echo { listen } => echo::run(&listen).await,
        Command::Intake {
            data_dir,
            listen,
            sessions,
        } => intake::run(&data_dir, &listen, sessions).await,
        Command::Seed {
            data_dir,
            messages,
            conversations,
            chatting,
            prefix,
        } => seed::run(
            &data_dir,
            messages,
            conversations,
            chatting,
            prefix.as_deref(),
        )
        .await
        .map(drop),
        Command::Search {
            data_dir,
            baseline_dir,
            rounds,
            results,
        } => search::run(&data_dir, &baseline_dir, rounds, &results).await,
        Command::Export {
            work_dir,
            messages,
            results,
        } => export::run(&work_dir, messages, &results).await,
        Command::Conversations {
            wxsim,
            customers,
            messages,
            results,
        } => conversations::run(&wxsim, customers, messages, &results).await,
        Command::Proxy {
            work_dir,
            exchanges,
            results,
        } => proxy::run(&work_dir, exchanges, &results).await,
        Command::Flood {
            listener,
            prefix,
            sessions,
            count,
            concurrency,
        } => flood::run(&listener, &prefix, sessions, count, concurrency).await,
        Command::Record { results, row } => row.append(&results),
        Command::Report {
            results,
            out,
            preamble,
            notes,
        } => {
            let table = report::table(&report::read(&results)?)?;
            println!("{table}");
            let read = |p: Option<PathBuf>| p.map(std::fs::read_to_string).transpose();
            let text = [read(preamble)?, Some(table), read(notes)?]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n");
            std::fs::write(&out, text)?;
            Ok(())
        }
    }
}

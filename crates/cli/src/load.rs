//! `wxsim load`: many customers through whole conversations at once, with a progress bar
//! and a summary of throughput, latencies and errors (text, or JSON with --json).

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use wxsim_scenario::load::{run_load, LoadOptions, LoadSummary, Progress};

use crate::data_dir::DataDir;

#[derive(Args)]
pub struct LoadArgs {
    /// Customers holding conversations at the same time (at most 10000).
    #[arg(long, default_value_t = 10)]
    customers: usize,
    /// Messages per conversation, each waiting for the agent's reply.
    #[arg(long, default_value_t = 5)]
    messages: usize,
    /// Cap on messages per second across all customers.
    #[arg(long)]
    rate: Option<f64>,
    /// Keep customers conversing for this many seconds (at most 3600); default: one conversation each.
    #[arg(long)]
    duration: Option<u64>,
    /// A real webchat's base URL (loopback only unless --allow-remote); default: the embedded simulator.
    #[arg(long)]
    webchat_url: Option<String>,
    /// Allow a --webchat-url that is not on this machine.
    #[arg(long)]
    allow_remote: bool,
    /// Keep the run's database here (default: a temporary dir, removed afterwards).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The callback listener a real webchat calls.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    #[arg(long, default_value_t = 1)]
    skill_group: i64,
    /// Soak: keep faults on (delayed, refused and dropped callbacks; refused messages) and
    /// report memory at start and end; fails on any error the faults did not cause.
    #[arg(long)]
    faults: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: LoadArgs) -> anyhow::Result<()> {
    let data = DataDir::given_or_temporary(args.data_dir)?;
    let options = LoadOptions {
        customers: args.customers,
        messages: args.messages,
        rate: args.rate,
        duration: args.duration.map(Duration::from_secs),
        data_dir: data.path().to_path_buf(),
        webchat_url: args.webchat_url,
        listen: args.listen,
        skill_group: args.skill_group,
        within: Duration::from_secs(30),
        faults: args.faults,
    };
    options.check(args.allow_remote)?;
    if !args.json {
        println!("data     {}", data.describe());
    }
    let progress = Arc::new(Progress::default());
    let bar = progress_bar(&options);
    let ticker = {
        let (bar, progress) = (bar.clone(), Arc::clone(&progress));
        let by_time = options.duration.is_some();
        let started = std::time::Instant::now();
        tokio::spawn(async move {
            loop {
                let done = progress.conversations.load(Ordering::Relaxed);
                bar.set_position(if by_time {
                    started.elapsed().as_secs()
                } else {
                    done
                });
                bar.set_message(format!(
                    "{done} conversations, {} messages, {} errors",
                    progress.messages.load(Ordering::Relaxed),
                    progress.errors.load(Ordering::Relaxed)
                ));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let summary = run_load(options, progress).await;
    ticker.abort();
    bar.finish_and_clear();
    let summary = summary?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_summary(&summary);
    }
    anyhow::ensure!(
        summary.unexpected_errors == 0 || !args.faults,
        "{} errors that the faults did not cause",
        summary.unexpected_errors
    );
    Ok(())
}

fn progress_bar(options: &LoadOptions) -> ProgressBar {
    let (length, unit) = match options.duration {
        Some(d) => (d.as_secs(), "s"),
        None => (options.customers as u64, "conversations"),
    };
    let bar = ProgressBar::new(length);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{elapsed_precise}} [{{bar:30}}] {{pos}}/{{len}} {unit}  {{msg}}"
        ))
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar
}

fn print_summary(s: &LoadSummary) {
    println!(
        "{} customers × {} messages in {:.2} s",
        s.customers, s.messages_per_conversation, s.elapsed_secs
    );
    println!(
        "conversations  {} completed of {} started  ({:.1}/s)",
        s.conversations_completed, s.conversations_started, s.conversations_per_sec
    );
    println!(
        "messages       {} sent, {} replies  ({:.1}/s)",
        s.messages_sent, s.replies_received, s.messages_per_sec
    );
    println!("latency (ms)         count     mean      p50      p90      p99      max");
    for (what, l) in &s.latency_ms {
        println!(
            "  {what:<18} {:>6} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>8.1}",
            l.count, l.mean, l.p50, l.p90, l.p99, l.max
        );
    }
    if s.errors.is_empty() {
        println!("errors         none");
    } else {
        for (what, n) in &s.errors {
            println!("errors         {what}: {n}");
        }
    }
    if s.faults_injected > 0 {
        println!(
            "faults         {} refusals armed; {} errors they do not explain",
            s.faults_injected, s.unexpected_errors
        );
    }
    let mb = |kb: u64| kb as f64 / 1024.0;
    if let (Some(start), Some(end)) = (s.rss_start_kb, s.rss_end_kb) {
        println!(
            "memory (RSS)   {:.1} MB at start, {:.1} MB at end",
            mb(start),
            mb(end)
        );
    }
    if s.rss_series_kb.len() > 2 {
        let series: Vec<String> = s
            .rss_series_kb
            .iter()
            .map(|&kb| format!("{:.0}", mb(kb)))
            .collect();
        println!("memory (MB)    every 10 s: {}", series.join(" "));
    }
}

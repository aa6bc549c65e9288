//! `wxsim run FILE...`: plays scenario files, printing each step as it ends, optionally
//! writing JUnit XML. Exit code 0: all passed; 1: a step failed; 2: a file is invalid.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use wxsim_scenario::{junit, load_scenario, run_scenarios, RunOptions, StepOutcome};

use crate::data_dir::DataDir;

#[derive(Args)]
pub struct RunArgs {
    /// Scenario files (TOML; see scenarios/README.md).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// A real webchat's base URL; without it, the embedded simulator (needed by `sim` steps).
    #[arg(long)]
    webchat_url: Option<String>,
    /// Keep the run's database and media here (default: a temporary dir, removed afterwards).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The callback listener a real webchat calls (default: any free loopback port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// Also write the results as JUnit XML here.
    #[arg(long)]
    junit: Option<PathBuf>,
}

fn print_step(step: &StepOutcome) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "  {:<12} {}", step.customer, junit::step_line(step));
}

pub async fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let mut scenarios = Vec::new();
    let mut invalid = false;
    for file in &args.files {
        match load_scenario(file) {
            Ok(s) => scenarios.push(Arc::new(s)),
            Err(e) => {
                eprintln!("{e}");
                invalid = true;
            }
        }
    }
    if invalid {
        return Ok(ExitCode::from(2));
    }
    let data = DataDir::given_or_temporary(args.data_dir)?;
    println!("data     {}", data.describe());
    let options = RunOptions {
        data_dir: data.path().to_path_buf(),
        webchat_url: args.webchat_url,
        listen: args.listen,
    };
    let outcomes = run_scenarios(
        scenarios,
        &options,
        Arc::new(print_step),
        |s| println!("▶ {} ({})", s.name, s.file.display()),
        |o| {
            let verdict = if o.passed() { "passed" } else { "FAILED" };
            match &o.setup_error {
                Some(e) => println!("  {verdict}: {e}"),
                None => println!("  {verdict} in {} ms", o.elapsed.as_millis()),
            }
        },
    )
    .await;
    if let Some(path) = &args.junit {
        std::fs::write(path, junit::render(&outcomes))
            .with_context(|| format!("cannot write the JUnit report to {}", path.display()))?;
    }
    let failures: Vec<String> = outcomes.iter().flat_map(|o| o.failures()).collect();
    let passed = outcomes.iter().filter(|o| o.passed()).count();
    println!("\n{passed} of {} scenarios passed", outcomes.len());
    for line in &failures {
        println!("✗ {line}");
    }
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

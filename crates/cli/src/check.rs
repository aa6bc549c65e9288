//! `wxsim check`: the contract checker's report over a database (or a time range of it),
//! as Markdown or JSON; and `wxsim spec`: the interface as an OpenAPI 3.1 document.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use wxsim_engine::contract::ContractReport;
use wxsim_engine::store::Store;

#[derive(Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Md,
    Json,
}

#[derive(Args)]
pub struct CheckArgs {
    /// The data dir whose database to check (read-only; safe while the app runs).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Only exchanges from this date or time on (YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS], or epoch ms).
    #[arg(long, value_parser = crate::history::parse_since)]
    since: Option<i64>,
    /// Only exchanges up to this date or time.
    #[arg(long, value_parser = crate::history::parse_until)]
    until: Option<i64>,
    #[arg(long, value_enum, default_value = "md")]
    format: ReportFormat,
    /// Write the report here instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Exit with 1 when any finding of severity error is present (for CI).
    #[arg(long)]
    fail_on_error: bool,
}

/// Writes the report; `Ok(false)` when `--fail-on-error` found an error.
pub async fn run(args: CheckArgs) -> anyhow::Result<bool> {
    let dir = args.data_dir.unwrap_or_else(crate::default_data_dir);
    let store = Store::open_read_only(&dir.join("wxsim.db")).await?;
    let report = ContractReport::build(&store, args.since, args.until).await?;
    let text = match args.format {
        ReportFormat::Md => report.markdown(),
        ReportFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
    };
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{text}"),
    }
    let errors = report
        .rules
        .iter()
        .any(|r| r.severity == wxsim_engine::protocol::Severity::Error);
    Ok(!(args.fail_on_error && errors))
}

/// Prints the interface's OpenAPI document.
pub fn spec() -> anyhow::Result<()> {
    println!(
        "{}",
        serde_json::to_string_pretty(&wxsim_engine::protocol::openapi::document())?
    );
    Ok(())
}

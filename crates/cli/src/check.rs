//! `wxsim check`: the contract checker's report over a database (or a time range of it),
//! as Markdown or JSON; and `wxsim spec`: the interface as an OpenAPI 3.1 document. The
//! database and range options, and where a report is written, are shared with `report`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use wxsim_engine::contract::ContractReport;
use wxsim_engine::store::Store;

#[derive(Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Md,
    Json,
}

/// Which exchanges a report covers.
#[derive(Args)]
pub struct Source {
    /// The data dir whose database to read (read-only; safe while the app runs).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Only exchanges from this date or time on (YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS], or epoch ms).
    #[arg(long, value_parser = crate::history::parse_since)]
    since: Option<i64>,
    /// Only exchanges up to this date or time.
    #[arg(long, value_parser = crate::history::parse_until)]
    until: Option<i64>,
}

impl Source {
    /// The database, opened read-only, and the range.
    pub async fn open(&self) -> anyhow::Result<(Store, Option<i64>, Option<i64>)> {
        let dir = self
            .data_dir
            .clone()
            .unwrap_or_else(crate::default_data_dir);
        let store = Store::open_read_only(&dir.join("wxsim.db"))
            .await
            .with_context(|| format!("cannot read the history in {}", dir.display()))?;
        Ok((store, self.since, self.until))
    }
}

/// Writes a report to `path`, or to standard output.
pub fn write_out(path: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    source: Source,
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
    let (store, since, until) = args.source.open().await?;
    let report = ContractReport::build(&store, since, until).await?;
    store.close().await;
    let text = match args.format {
        ReportFormat::Md => report.markdown(),
        ReportFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
    };
    write_out(args.output.as_deref(), &text)?;
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

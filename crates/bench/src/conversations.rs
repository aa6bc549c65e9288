//! Whole conversations: `wxsim load` (1,000 concurrent customers against the embedded
//! simulator, every agent reply stored before it is acknowledged) against the no-store
//! baseline of [`crate::convo`], in the same run.

use std::path::Path;
use std::process::Command;

use anyhow::Context;

use crate::report::Row;

pub async fn run(
    wxsim: &Path,
    customers: usize,
    messages: usize,
    results: &Path,
) -> anyhow::Result<()> {
    let output = Command::new(wxsim)
        .args(["load", "--json", "--customers", &customers.to_string()])
        .args(["--messages", &messages.to_string()])
        .output()
        .with_context(|| format!("running {}", wxsim.display()))?;
    anyhow::ensure!(
        output.status.success(),
        "wxsim load failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout)
        .context("wxsim load --json printed no JSON summary")?;
    println!(
        "wxsim load: {} sent, {} replies in {:.2} s, errors {}",
        summary["messagesSent"],
        summary["repliesReceived"],
        summary["elapsedSecs"].as_f64().unwrap_or_default(),
        summary["errors"]
    );
    let measured = summary["messagesPerSec"].as_f64().unwrap_or_default();
    let round_trip = &summary["latencyMs"]["reply round trip"];
    let baseline = crate::convo::run(customers, messages).await?;
    Row {
        what: "whole conversations".into(),
        measure: format!("customer messages/s round trip, {customers} customers × {messages}"),
        figure: measured,
        baseline: Some(baseline),
        baseline_is: "same flow and simulator, hosting side stores nothing".into(),
        target: ">=2000".into(),
    }
    .append(results)?;
    if let Some(p99) = round_trip["p99"].as_f64() {
        println!(
            "wxsim load reply round trip: p50 {} ms, p99 {p99} ms",
            round_trip["p50"]
        );
    }
    Ok(())
}

//! Export: a 100,000-message transcript rendered to Markdown, JSON and CSV by the engine's
//! exporters, against serializing the same rows with `serde_json::to_vec` (raw encode).

use std::path::Path;
use std::time::{Duration, Instant};

use wxsim_engine::export::{conversation, Embedded, ExportFormat};
use wxsim_engine::store::Store;

use crate::report::Row;

/// The fastest of three runs of `work`, in messages per second.
fn rate(messages: usize, mut work: impl FnMut() -> usize) -> f64 {
    let best = (0..3)
        .map(|_| {
            let begun = Instant::now();
            std::hint::black_box(work());
            begun.elapsed()
        })
        .min()
        .unwrap_or(Duration::MAX);
    messages as f64 / best.as_secs_f64()
}

pub async fn run(work_dir: &Path, messages: u64, results: &Path) -> anyhow::Result<()> {
    let seeded = crate::seed::run(work_dir, messages, Some(1), false, None).await?;
    let store = Store::open_read_only(&work_dir.join("wxsim.db")).await?;
    let id = seeded.first().map(|c| c.id).unwrap_or_default();
    let (c, rows) = (store.conversation(id).await?, store.messages(id).await?);
    let raw = rate(rows.len(), || {
        serde_json::to_vec(&rows).expect("messages serialize").len()
    });
    for (format, name) in [
        (ExportFormat::Markdown, "Markdown"),
        (ExportFormat::Json, "JSON"),
        (ExportFormat::Csv, "CSV"),
    ] {
        Row {
            what: "export".into(),
            measure: format!("{name}, messages/s ({} messages)", rows.len()),
            figure: rate(rows.len(), || {
                conversation(format, &c, &rows, &Embedded::default()).len()
            }),
            baseline: Some(raw),
            baseline_is: "serde_json::to_vec of the same rows".into(),
            target: ">=100000".into(),
        }
        .append(results)?;
    }
    Ok(())
}

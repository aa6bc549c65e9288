//! History search: the API's full-text search (limit 200, as `/api/search` uses) over a
//! big database, against the same queries over a 10,000-message one seeded in this run.

use std::path::Path;
use std::time::{Duration, Instant};

use wxsim_engine::store::Store;

use crate::report::Row;
use wxsim_scenario::load::Samples;

/// Common words, a phrase, Chinese, and a rare order number.
const QUERIES: [&str; 5] = ["kettle", "refund order", "优惠券", "发货 blue", "#777777"];
const LIMIT: i64 = 200;

/// Times `rounds` of every query; prints each query's median.
async fn timings(store: &Store, label: &str, rounds: usize) -> anyhow::Result<Vec<Duration>> {
    for q in QUERIES {
        store.search(q, LIMIT).await?;
    }
    let mut by_query = vec![Vec::with_capacity(rounds); QUERIES.len()];
    for _ in 0..rounds {
        for (q, samples) in QUERIES.iter().zip(&mut by_query) {
            let begun = Instant::now();
            store.search(q, LIMIT).await?;
            samples.push(begun.elapsed());
        }
    }
    let medians: Vec<String> = QUERIES
        .iter()
        .zip(&by_query)
        .map(|(q, samples)| format!("`{q}` {:.1}", Samples::new(samples).quantile(0.5)))
        .collect();
    println!("{label}: median ms per query: {}", medians.join(", "));
    Ok(by_query.concat())
}

/// Prints how SQLite runs the search of `query`.
async fn explain(store: &Store, query: &str) -> anyhow::Result<()> {
    println!("query plan of `{query}`:");
    for step in store.explain_search(query, LIMIT).await? {
        println!("  {step}");
    }
    Ok(())
}

/// Measures `data_dir`'s database and a 10,000-message baseline in `baseline_dir`.
pub async fn run(
    data_dir: &Path,
    baseline_dir: &Path,
    rounds: usize,
    results: &Path,
) -> anyhow::Result<()> {
    let big = Store::open_read_only(&data_dir.join("wxsim.db")).await?;
    let messages: i64 = big
        .read(|conn| Ok(conn.query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))?))
        .await?;
    explain(&big, QUERIES[0]).await?;
    crate::seed::run(baseline_dir, 10_000, Some(10), false, None).await?;
    let small = Store::open_read_only(&baseline_dir.join("wxsim.db")).await?;
    let measured = Samples::new(&timings(&big, "big", rounds).await?);
    let baseline = Samples::new(&timings(&small, "10k", rounds).await?);
    for (label, q, target) in [("p50", 0.5, "<=20"), ("p99", 0.99, "<=100")] {
        Row {
            what: "history search".into(),
            measure: format!("{label} ms, FTS over {messages} messages"),
            figure: measured.quantile(q),
            baseline: Some(baseline.quantile(q)),
            baseline_is: "the same queries over 10,000 messages".into(),
            target: target.into(),
        }
        .append(results)?;
    }
    Ok(())
}

//! `wxsim-bench flood`: posts `/ari/msg` callbacks with unique bodies, spread round-robin
//! over sessions `{prefix}0 … {prefix}{sessions-1}`, to a listener (the desktop app's),
//! with a fixed number in flight.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Posts `count` callbacks; fails when any is not answered with result 1.
pub async fn run(
    listener: &str,
    prefix: &str,
    sessions: u64,
    count: u64,
    concurrency: usize,
) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let next = Arc::new(AtomicU64::new(0));
    let url = format!("{}/ari/msg", listener.trim_end_matches('/'));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (http, next, url, prefix) = (
                http.clone(),
                Arc::clone(&next),
                url.clone(),
                prefix.to_owned(),
            );
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= count {
                        return Ok::<_, anyhow::Error>(());
                    }
                    let body = serde_json::json!({
                        "sessionId": format!("{prefix}{}", n % sessions),
                        "agentId": "agent-1",
                        "msgTime": n,
                        "content": format!("<p>flood reply {n}: your parcel ships today</p>"),
                    });
                    let answer: serde_json::Value =
                        http.post(&url).json(&body).send().await?.json().await?;
                    anyhow::ensure!(answer["result"] == 1, "callback {n} answered {answer}");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await??;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "flood: {count} callbacks in {secs:.1} s ({:.0}/s)",
        count as f64 / secs
    );
    Ok(())
}

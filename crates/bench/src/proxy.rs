//! The proxy's added latency: the same exchange, one at a time, straight to its upstream
//! and through `wxsim proxy` (which records it into SQLite on the side), measured in
//! alternating blocks in the same run so that the machine's other load weighs on both;
//! p50 and p99 per exchange, for a `*.do` call (`pulse.do`, answered by the webchat
//! simulator) and a callback (`/ari/msg`, answered by the intake benchmark's bare handler).

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::net::TcpListener;
use wxsim_proxy::{Proxy, ProxyOptions};
use wxsim_webchat::SimConfig;

use crate::report::Row;

/// Exchanges per block: direct and proxied blocks take turns.
const BLOCK: usize = 50;

/// Milliseconds of each exchange, direct and proxied.
async fn measure(
    http: &reqwest::Client,
    direct: &str,
    proxied: &str,
    body: &str,
    exchanges: usize,
) -> anyhow::Result<(Vec<f64>, Vec<f64>)> {
    let (mut straight, mut through) = (Vec::new(), Vec::new());
    let once = |url: String| {
        let request = http
            .post(&url)
            .header("content-type", "application/json")
            .body(body.to_owned());
        async move {
            let begun = Instant::now();
            let answer = request.send().await?;
            anyhow::ensure!(
                answer.status().is_success(),
                "{url} answered {}",
                answer.status()
            );
            answer.bytes().await?;
            Ok(begun.elapsed().as_secs_f64() * 1000.0)
        }
    };
    // Warm both paths (connections, caches) before measuring.
    for _ in 0..BLOCK {
        once(direct.to_owned()).await?;
        once(proxied.to_owned()).await?;
    }
    while straight.len() < exchanges {
        for _ in 0..BLOCK {
            straight.push(once(direct.to_owned()).await?);
        }
        for _ in 0..BLOCK {
            through.push(once(proxied.to_owned()).await?);
        }
    }
    Ok((straight, through))
}

fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

pub async fn run(work_dir: &Path, exchanges: usize, results: &Path) -> anyhow::Result<()> {
    let listen = TcpListener::bind("127.0.0.1:0").await?;
    let callback_listen = TcpListener::bind("127.0.0.1:0").await?;
    let hosting = TcpListener::bind("127.0.0.1:0").await?;
    let hosting_url = format!("http://{}", hosting.local_addr()?);
    tokio::spawn(async move { axum::serve(hosting, crate::echo::router()).await });
    let sim = wxsim_webchat::spawn(
        SimConfig {
            ari_base: format!("http://{}", callback_listen.local_addr()?),
            ..SimConfig::default()
        },
        TcpListener::bind("127.0.0.1:0").await?,
    )
    .await?;
    let proxy = Proxy::start(ProxyOptions {
        webchat: sim.base_url(),
        hosting: hosting_url.clone(),
        listen,
        callback_listen,
        data_dir: work_dir.to_owned(),
        timeout: Duration::from_secs(5),
    })
    .await?;
    let http = reqwest::Client::builder().no_proxy().build()?;
    let pulse = json!({"sessionId": 1, "openId": "o-bench", "createTime": "2025-01-06 10:00:00",
        "transferInfo": "", "epid": "bench"})
    .to_string();
    let msg = json!({"sessionId": 1, "agentId": "A001", "openId": "o-bench", "epid": "bench",
        "msgTime": wxsim_engine::store::now_ms(), "content": "<p>Your order ships today.</p>"})
    .to_string();
    let legs = [
        (
            "*.do call (pulse.do, answered by the webchat simulator)",
            format!("{}/pulse.do", sim.base_url()),
            format!("{}/pulse.do", proxy.webchat_url()),
            pulse,
        ),
        (
            "callback (/ari/msg, answered by a bare handler)",
            format!("{hosting_url}/ari/msg"),
            format!("{}/ari/msg", proxy.hosting_url()),
            msg,
        ),
    ];
    for (leg, direct, proxied, body) in legs {
        let (mut straight, mut through) =
            measure(&http, &direct, &proxied, &body, exchanges).await?;
        for (p, target) in [(50.0, "<=1"), (99.0, "<=5")] {
            let row = Row {
                what: "proxy".into(),
                measure: format!(
                    "p{p} ms per {leg}, through wxsim proxy ({exchanges} one at a time)"
                ),
                figure: percentile(&mut through, p),
                baseline: Some(percentile(&mut straight, p)),
                baseline_is: "the same exchange straight to its upstream, in alternating blocks"
                    .into(),
                target: target.into(),
            };
            println!(
                "proxy {leg}: p{p} {:.3} ms through, {:.3} ms direct (+{:.3} ms)",
                row.figure,
                row.baseline.unwrap_or_default(),
                row.figure - row.baseline.unwrap_or_default()
            );
            row.append(results)?;
        }
    }
    proxy.stop().await;
    sim.shutdown().await;
    Ok(())
}

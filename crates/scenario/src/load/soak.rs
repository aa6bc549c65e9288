//! Soak mode of the load: faults stay on the whole run — on our own listener (delayed agent
//! messages, refused and dropped agent-list updates) and on webchat (a `getmsg.do` refused
//! with -10 every few seconds) — so a long run shows that memory stays flat and that no
//! error turns up that the faults did not ask for.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use wxsim_engine::faults::{FaultAction, ListenerFault};
use wxsim_engine::protocol::{Endpoint, ResultCode};
use wxsim_engine::{Engine, EngineError};
use wxsim_webchat::{FaultSpec, SimControl};

/// How often webchat refuses one `getmsg.do`.
const REFUSAL_EVERY: Duration = Duration::from_secs(5);

/// The error an armed refusal causes (its result code).
const REFUSAL: ResultCode = ResultCode::NoServedAgentFound;

/// The running fault plan.
pub struct Faults {
    armed: Arc<AtomicU64>,
    stop: CancellationToken,
}

impl Faults {
    /// Stops arming and tells how many refusals were armed.
    pub fn stop(self) -> u64 {
        self.stop.cancel();
        self.armed.load(Ordering::Relaxed)
    }
}

fn listener_faults() -> Vec<ListenerFault> {
    let fault = |path: &str, action, share| ListenerFault {
        path: path.into(),
        action,
        remaining: None,
        share: Some(share),
    };
    vec![
        fault("/ari/msg", FaultAction::Delay { ms: 20 }, 0.2),
        fault(
            "/ari/sessionAgentsUpdate",
            FaultAction::Status { status: 503 },
            0.3,
        ),
        fault("/ari/sessionAgentsUpdate", FaultAction::Drop, 0.2),
    ]
}

/// Arms the listener faults and starts refusing a `getmsg.do` every few seconds.
pub fn arm(engine: &Engine, sim: SimControl) -> Result<Faults, EngineError> {
    engine.set_listener_faults(listener_faults())?;
    let armed = Arc::new(AtomicU64::new(0));
    let stop = CancellationToken::new();
    let (counter, token) = (armed.clone(), stop.clone());
    tokio::spawn(async move {
        let mut every = tokio::time::interval(REFUSAL_EVERY);
        every.tick().await;
        loop {
            tokio::select! {
                _ = token.cancelled() => return,
                _ = every.tick() => {
                    sim.inject_fault(FaultSpec { endpoint: Endpoint::GetMsg, result: REFUSAL, count: 1, message: Some("soak: refused on purpose".into()) });
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    });
    Ok(Faults { armed, stop })
}

/// Errors the faults do not explain: any other kind, or more refusals than were armed.
pub fn unexpected(errors: &BTreeMap<String, u64>, refusals_armed: u64) -> u64 {
    errors
        .iter()
        .map(|(what, &n)| {
            if *what == REFUSAL.code().to_string() {
                n.saturating_sub(refusals_armed)
            } else {
                n
            }
        })
        .sum()
}

/// Samples of this process's resident memory, every ten seconds while a run lasts.
pub struct Memory {
    samples: Arc<std::sync::Mutex<Vec<u64>>>,
    stop: CancellationToken,
}

impl Memory {
    pub fn watch() -> Memory {
        let samples: Arc<std::sync::Mutex<Vec<u64>>> = Arc::default();
        let stop = CancellationToken::new();
        let (into, token) = (samples.clone(), stop.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(10));
            loop {
                tokio::select! {
                    _ = token.cancelled() => return,
                    _ = every.tick() => into.lock().expect("samples lock").extend(rss_kb()),
                }
            }
        });
        Memory { samples, stop }
    }

    pub fn stop(self) -> Vec<u64> {
        self.stop.cancel();
        std::mem::take(&mut *self.samples.lock().expect("samples lock"))
    }
}

/// This process's resident memory in kB, read from `/proc/self/status`; `None` where there is
/// no such file (Windows, macOS): the load report then leaves memory out.
pub fn rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_errors_beyond_the_armed_refusals_are_unexpected() {
        let errors = BTreeMap::from([
            ("-10".to_owned(), 3),
            ("timeout: an agent reply".to_owned(), 1),
        ]);
        assert_eq!(unexpected(&errors, 5), 1);
        assert_eq!(unexpected(&BTreeMap::from([("-10".to_owned(), 7)]), 5), 2);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn resident_memory_is_read_on_linux() {
        assert!(rss_kb().is_some_and(|kb| kb > 0));
    }
}

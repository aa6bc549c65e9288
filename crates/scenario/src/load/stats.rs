//! Latency samples and their summary (count, mean, p50/p90/p99, max), and the tallies of a
//! load run, kept per virtual customer and merged at the end.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

/// What one virtual customer measured.
#[derive(Debug, Default)]
pub struct Tally {
    pub latencies: BTreeMap<&'static str, Vec<Duration>>,
    pub errors: BTreeMap<String, u64>,
    pub conversations_started: u64,
    pub conversations_completed: u64,
    pub messages_sent: u64,
    pub replies_received: u64,
}

impl Tally {
    pub fn sample(&mut self, what: &'static str, took: Duration) {
        self.latencies.entry(what).or_default().push(took);
    }

    pub fn error(&mut self, what: String) {
        *self.errors.entry(what).or_default() += 1;
    }

    pub fn merge(&mut self, other: Tally) {
        for (what, samples) in other.latencies {
            self.latencies.entry(what).or_default().extend(samples);
        }
        for (what, n) in other.errors {
            *self.errors.entry(what).or_default() += n;
        }
        self.conversations_started += other.conversations_started;
        self.conversations_completed += other.conversations_completed;
        self.messages_sent += other.messages_sent;
        self.replies_received += other.replies_received;
    }
}

/// A latency distribution, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Latency {
    pub count: usize,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

/// Durations in milliseconds, sorted: the one place percentiles are taken (load runs and
/// the benchmarks).
pub struct Samples(Vec<f64>);

impl Samples {
    pub fn new(durations: &[Duration]) -> Samples {
        let mut ms: Vec<f64> = durations.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        ms.sort_by(f64::total_cmp);
        Samples(ms)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `q`-quantile (0.5 = median), nearest rank; 0 when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.0.is_empty() {
            return 0.0;
        }
        let rank = ((q * self.0.len() as f64).ceil() as usize).clamp(1, self.0.len());
        self.0[rank - 1]
    }

    pub fn mean(&self) -> f64 {
        if self.0.is_empty() {
            return 0.0;
        }
        self.0.iter().sum::<f64>() / self.0.len() as f64
    }
}

impl Latency {
    /// `None` for no samples.
    pub fn of(samples: &[Duration]) -> Option<Latency> {
        let samples = Samples::new(samples);
        if samples.is_empty() {
            return None;
        }
        Some(Latency {
            count: samples.len(),
            mean: samples.mean(),
            p50: samples.quantile(0.5),
            p90: samples.quantile(0.9),
            p99: samples.quantile(0.99),
            max: samples.quantile(1.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let l = Latency::of(&samples).unwrap();
        assert_eq!(
            (l.count, l.p50, l.p90, l.p99, l.max),
            (100, 50.0, 90.0, 99.0, 100.0)
        );
        assert_eq!(Latency::of(&[Duration::from_millis(7)]).unwrap().p99, 7.0);
        assert!(Latency::of(&[]).is_none());
    }
}

//! `wxsim report`: the conformance report over a database (or a time range of it), for a
//! tester to send to a partner: every contract rule with how many exchanges it was checked
//! on, passed and failed, the offending exchanges (request, answer and findings), timings
//! per operation (p50/p95/p99) and the result-code mix. One struct, written as a standalone
//! HTML page (`html`) or as JSON for CI.

mod html;

use std::collections::BTreeMap;
use std::time::Duration;

use clap::{Args, ValueEnum};
use serde::Serialize;
use wxsim_engine::contract::ContractReport;
use wxsim_engine::protocol::{Lang, Operation, ResultCode, Severity, RULES};
use wxsim_engine::{Exchange, ExchangeDirection};
use wxsim_scenario::load::Samples;

use crate::check::Source;

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Html,
    Json,
}

#[derive(Args)]
pub struct ReportArgs {
    #[command(flatten)]
    source: Source,
    #[arg(long, value_enum, default_value = "html")]
    format: Format,
    /// Write the report here instead of standard output.
    #[arg(short, long = "out")]
    out: Option<std::path::PathBuf>,
}

/// One rule of the contract over the exchanges it applies to.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleCheck {
    pub rule: String,
    /// What the rule checks.
    pub checks: String,
    /// Exchanges the rule was checked on.
    pub checked: usize,
    pub passed: usize,
    /// Exchanges with at least one finding of the rule.
    pub failed: usize,
    /// The most severe of its findings, if any.
    pub worst: Option<Severity>,
}

/// How long one operation took, one direction (`out`: webchat answering our call; `in`:
/// our listener answering webchat's), in milliseconds.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Timing {
    pub operation: String,
    pub direction: ExchangeDirection,
    pub count: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// How often an operation's answer carried a result code (`None`: no code, e.g. no answer).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeCount {
    pub operation: String,
    pub code: Option<i64>,
    /// The code's name (`SUCCESS`, …), or how the exchange ended without one.
    pub name: String,
    pub count: usize,
}

/// The conformance report: the contract checker's report plus every rule's verdict,
/// timings and result codes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConformanceReport {
    /// When it was written (epoch ms), and the range of exchanges it covers.
    pub generated_at: i64,
    pub since: Option<i64>,
    pub until: Option<i64>,
    #[serde(flatten)]
    pub contract: ContractReport,
    pub checks: Vec<RuleCheck>,
    pub timings: Vec<Timing>,
    pub result_codes: Vec<CodeCount>,
}

/// Every rule of the catalogue (and any other a finding names) over `all`.
fn checks(all: &[Exchange]) -> Vec<RuleCheck> {
    let operations: Vec<Option<Operation>> = all
        .iter()
        .map(|e| e.operation.as_deref().and_then(Operation::from_name))
        .collect();
    let mut checks: Vec<RuleCheck> = RULES
        .iter()
        .map(|rule| RuleCheck {
            rule: rule.name.into(),
            checks: rule.checks.into(),
            checked: operations
                .iter()
                .flatten()
                .filter(|op| rule.applies_to(**op))
                .count(),
            passed: 0,
            failed: 0,
            worst: None,
        })
        .collect();
    for e in all {
        let mut named: Vec<&str> = e.findings.iter().map(|f| f.rule.as_str()).collect();
        named.sort_unstable();
        named.dedup();
        for rule in named {
            let worst = e
                .findings
                .iter()
                .filter(|f| f.rule == rule)
                .map(|f| f.severity)
                .max();
            let at = match checks.iter().position(|c| c.rule == rule) {
                Some(at) => at,
                // A rule the catalogue does not know yet: checked where it was found.
                None => {
                    checks.push(RuleCheck {
                        rule: rule.into(),
                        checks: String::new(),
                        checked: 0,
                        passed: 0,
                        failed: 0,
                        worst: None,
                    });
                    checks.len() - 1
                }
            };
            let check = &mut checks[at];
            check.failed += 1;
            check.checked = check.checked.max(check.failed);
            check.worst = check.worst.max(worst);
        }
    }
    for c in &mut checks {
        c.passed = c.checked - c.failed;
    }
    checks
}

/// Per operation and direction, sorted by operation.
fn timings(all: &[Exchange]) -> Vec<Timing> {
    let mut by: BTreeMap<(String, bool), Vec<Duration>> = BTreeMap::new();
    for e in all {
        if let Some(op) = &e.operation {
            by.entry((op.clone(), e.direction == ExchangeDirection::In))
                .or_default()
                .push(Duration::from_micros(e.duration_us.max(0).unsigned_abs()));
        }
    }
    by.into_iter()
        .map(|((operation, incoming), durations)| {
            let s = Samples::new(&durations);
            Timing {
                operation,
                direction: if incoming {
                    ExchangeDirection::In
                } else {
                    ExchangeDirection::Out
                },
                count: s.len(),
                p50_ms: s.quantile(0.5),
                p95_ms: s.quantile(0.95),
                p99_ms: s.quantile(0.99),
                max_ms: s.quantile(1.0),
            }
        })
        .collect()
}

fn result_codes(all: &[Exchange]) -> Vec<CodeCount> {
    let mut by: BTreeMap<(String, Option<i64>, String), usize> = BTreeMap::new();
    for e in all {
        let Some(op) = &e.operation else { continue };
        let name = match (e.result_code, e.status) {
            (Some(code), _) => ResultCode::from(code).name().to_owned(),
            (None, Some(status)) => format!("HTTP {status}"),
            (None, None) => "no answer".to_owned(),
        };
        *by.entry((op.clone(), e.result_code, name)).or_default() += 1;
    }
    by.into_iter()
        .map(|((operation, code, name), count)| CodeCount {
            operation,
            code,
            name,
            count,
        })
        .collect()
}

impl ConformanceReport {
    /// The report over `all` (newest first, as the store reads them).
    pub fn of(all: &[Exchange], since: Option<i64>, until: Option<i64>) -> ConformanceReport {
        ConformanceReport {
            generated_at: wxsim_engine::protocol::clock::now_ms(),
            since,
            until,
            contract: ContractReport::of(all),
            checks: checks(all),
            timings: timings(all),
            result_codes: result_codes(all),
        }
    }
}

/// A result code's label, for the page.
fn code_label(code: i64) -> String {
    ResultCode::from(code).label(Lang::En)
}

pub async fn run(args: ReportArgs) -> anyhow::Result<()> {
    let (store, since, until) = args.source.open().await?;
    let all = store.all_exchanges(since, until).await?;
    store.close().await;
    let report = ConformanceReport::of(&all, since, until);
    let text = match args.format {
        Format::Html => html::page(&report),
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
    };
    crate::check::write_out(args.out.as_deref(), &text)
}

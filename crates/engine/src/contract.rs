//! The contract checker on the engine's side: body findings for each exchange (from the
//! protocol's table) and the report that sums them per conversation and per run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wxsim_protocol::{check_body, check_value, Finding, Operation, Severity, Side};

use crate::model::Exchange;
use crate::store::{now_ms, Store};

fn operation(name: Option<&str>) -> Option<Operation> {
    name.and_then(Operation::from_name)
}

/// Findings of a request body of the named operation (none for paths outside the interface).
pub fn request_findings(name: Option<&str>, request: &str) -> Vec<Finding> {
    operation(name).map_or_else(Vec::new, |op| {
        check_body(op, Side::Request, request, now_ms())
    })
}

/// As [`request_findings`], for a body already read as JSON.
pub fn request_value_findings(name: Option<&str>, request: &serde_json::Value) -> Vec<Finding> {
    operation(name).map_or_else(Vec::new, |op| {
        check_value(op, Side::Request, request, now_ms())
    })
}

/// Findings of an answer body; only a 2xx answer is held to the interface's shape.
pub fn answer_findings(
    name: Option<&str>,
    status: Option<u16>,
    answer: Option<&str>,
) -> Vec<Finding> {
    match (operation(name), status, answer) {
        (Some(op), Some(200..=299), Some(answer)) => check_body(op, Side::Answer, answer, now_ms()),
        _ => vec![],
    }
}

/// Both halves of an exchange.
pub fn body_findings(
    name: Option<&str>,
    request: &str,
    status: Option<u16>,
    answer: Option<&str>,
) -> Vec<Finding> {
    let mut findings = request_findings(name, request);
    findings.extend(answer_findings(name, status, answer));
    findings
}

/// True when `findings` hold a breach that strict mode refuses.
pub fn first_breach(findings: &[Finding]) -> Option<&Finding> {
    findings.iter().find(|f| f.severity == Severity::Error)
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RuleCount {
    pub rule: String,
    pub severity: Severity,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: i64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConversationFindings {
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub conversation_id: Option<i64>,
    pub open_id: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub exchanges: i64,
    pub rules: Vec<RuleCount>,
}

/// The contract checker's verdict over a run (a database, or a time range of it).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContractReport {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub exchanges: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub exchanges_with_findings: i64,
    pub rules: Vec<RuleCount>,
    pub conversations: Vec<ConversationFindings>,
    /// Every exchange with findings, oldest first.
    pub details: Vec<Exchange>,
}

fn count(findings: impl Iterator<Item = Finding>) -> Vec<RuleCount> {
    let mut counts: BTreeMap<(String, Severity), i64> = BTreeMap::new();
    for f in findings {
        *counts.entry((f.rule, f.severity)).or_default() += 1;
    }
    let mut rules: Vec<RuleCount> = counts
        .into_iter()
        .map(|((rule, severity), count)| RuleCount {
            rule,
            severity,
            count,
        })
        .collect();
    rules.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.count.cmp(&a.count)));
    rules
}

impl ContractReport {
    pub async fn build(
        store: &Store,
        since: Option<i64>,
        until: Option<i64>,
    ) -> crate::error::Result<ContractReport> {
        Ok(ContractReport::of(
            &store.all_exchanges(since, until).await?,
        ))
    }

    /// The report over these exchanges (newest first, as the store reads them).
    pub fn of(all: &[Exchange]) -> ContractReport {
        let mut details: Vec<Exchange> = all
            .iter()
            .filter(|e| !e.findings.is_empty())
            .cloned()
            .collect();
        details.reverse();
        let mut per: BTreeMap<Option<i64>, (Option<String>, i64, Vec<Finding>)> = BTreeMap::new();
        for e in all {
            let entry = per
                .entry(e.conversation_id)
                .or_insert((e.open_id.clone(), 0, vec![]));
            entry.1 += 1;
            entry.2.extend(e.findings.iter().cloned());
        }
        ContractReport {
            exchanges: all.len() as i64,
            exchanges_with_findings: details.len() as i64,
            rules: count(details.iter().flat_map(|e| e.findings.clone())),
            conversations: per
                .into_iter()
                .filter(|(_, (_, _, f))| !f.is_empty())
                .map(
                    |(conversation_id, (open_id, exchanges, findings))| ConversationFindings {
                        conversation_id,
                        open_id,
                        exchanges,
                        rules: count(findings.into_iter()),
                    },
                )
                .collect(),
            details,
        }
    }

    /// The report as Markdown, for a bug report against a webchat deployment.
    pub fn markdown(&self) -> String {
        let mut out = String::from("# Contract check\n\n");
        out += &format!(
            "{} exchanges checked, {} with findings.\n\n",
            self.exchanges, self.exchanges_with_findings
        );
        if self.rules.is_empty() {
            out += "No findings: every exchange follows the interface.\n";
            return out;
        }
        out += "## By rule\n\n| rule | severity | count |\n|---|---|---|\n";
        for r in &self.rules {
            out += &format!("| {} | {:?} | {} |\n", r.rule, r.severity, r.count);
        }
        out += "\n## By conversation\n\n| conversation | openId | exchanges | findings |\n|---|---|---|---|\n";
        for c in &self.conversations {
            let rules = c
                .rules
                .iter()
                .map(|r| format!("{} ×{}", r.rule, r.count))
                .collect::<Vec<_>>()
                .join(", ");
            out += &format!(
                "| {} | {} | {} | {} |\n",
                c.conversation_id.map_or("—".into(), |i| i.to_string()),
                c.open_id.as_deref().unwrap_or("—"),
                c.exchanges,
                rules
            );
        }
        out += "\n## Findings\n\n";
        for e in &self.details {
            for f in &e.findings {
                out += &format!(
                    "- exchange {} `{} {}`: **{}** ({:?}){} — {}\n",
                    e.id,
                    e.method,
                    e.operation.as_deref().unwrap_or(&e.path),
                    f.rule,
                    f.severity,
                    f.field
                        .as_deref()
                        .map(|x| format!(" `{x}`"))
                        .unwrap_or_default(),
                    f.message.replace('\n', " ")
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_mode_finds_no_breach_in_a_failed_routing() {
        let failed = r#"{"result":-5,"message":"no agent online","openId":"o","epid":"e"}"#;
        assert_eq!(
            first_breach(&request_findings(Some("/ari/create"), failed)),
            None
        );
        let routed_without_session = r#"{"result":1,"message":"ok","agentId":"A","agentName":"Ann","responseTime":1,"openId":"o","epid":"e"}"#;
        let breach = first_breach(&request_findings(
            Some("/ari/create"),
            routed_without_session,
        ))
        .cloned()
        .expect("a routed create needs its session");
        assert_eq!(
            (breach.rule.as_str(), breach.field.as_deref()),
            ("required", Some("request.sessionId"))
        );
    }

    #[test]
    fn a_placeholder_timestamp_is_no_breach() {
        let msg = r#"{"sessionId":123,"agentId":"SELITE","openId":"","epid":"","msgTime":12341234324,"content":""}"#;
        let findings = request_findings(Some("/ari/msg"), msg);
        assert_eq!(first_breach(&findings), None);
        assert_eq!(findings[0].rule, "timestamp");
        assert_eq!(findings[0].severity, Severity::Warning);
    }

    #[test]
    fn a_refused_answer_is_held_to_its_code_alone() {
        for (name, answer) in [
            (
                "getQueueLength.do",
                r#"{"result":-10,"message":"no such request"}"#,
            ),
            ("/ari/getMedia", r#"{"code":-10,"message":"no such media"}"#),
        ] {
            assert_eq!(
                answer_findings(Some(name), Some(200), Some(answer)),
                vec![],
                "{name}"
            );
        }
    }
}

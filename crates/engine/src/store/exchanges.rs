//! The raw wire log: every HTTP exchange both ways, with bodies, status and timing.

use rusqlite::{params, Connection};
use wxsim_protocol::Finding;

use super::Store;
use crate::error::Result;
use crate::model::{Exchange, ExchangeDirection, ExchangeFilter, ExchangeOutcome};

/// Headers as the wire log keeps them: one string each (`(binary)` when not text).
pub fn headers_json(headers: &axum::http::HeaderMap) -> serde_json::Value {
    serde_json::Value::Object(
        headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    serde_json::Value::String(v.to_str().unwrap_or("(binary)").to_owned()),
                )
            })
            .collect(),
    )
}

/// An exchange about to be stored.
#[derive(Clone, Debug)]
pub struct NewExchange {
    pub direction: ExchangeDirection,
    pub method: String,
    pub path: String,
    pub operation: Option<String>,
    pub open_id: Option<String>,
    pub conversation_id: Option<i64>,
    pub request_headers: serde_json::Value,
    pub request_body: String,
    pub status: Option<u16>,
    pub response_body: Option<String>,
    pub result_code: Option<i64>,
    pub outcome: ExchangeOutcome,
    pub error: Option<String>,
    pub started_at: i64,
    pub duration_us: i64,
    pub findings: Vec<Finding>,
}

row_struct! {
    struct ExchangeRow {
        id: i64,
        direction: String,
        method: String,
        path: String,
        operation: Option<String>,
        open_id: Option<String>,
        conversation_id: Option<i64>,
        request_headers: String,
        request_body: String,
        status: Option<i64>,
        response_body: Option<String>,
        result_code: Option<i64>,
        outcome: String,
        error: Option<String>,
        started_at: i64,
        duration_us: i64,
        findings: String,
    }
}

impl From<ExchangeRow> for Exchange {
    fn from(r: ExchangeRow) -> Self {
        Exchange {
            id: r.id,
            direction: if r.direction == "out" {
                ExchangeDirection::Out
            } else {
                ExchangeDirection::In
            },
            method: r.method,
            path: r.path,
            operation: r.operation,
            open_id: r.open_id,
            conversation_id: r.conversation_id,
            request_headers: serde_json::from_str(&r.request_headers).unwrap_or_default(),
            request_body: r.request_body,
            status: r.status.and_then(|s| u16::try_from(s).ok()),
            response_body: r.response_body,
            result_code: r.result_code,
            outcome: ExchangeOutcome::parse(&r.outcome),
            error: r.error,
            started_at: r.started_at,
            duration_us: r.duration_us,
            findings: serde_json::from_str(&r.findings).unwrap_or_default(),
        }
    }
}

macro_rules! columns {
    () => {
        "id, direction, method, path, operation, open_id, conversation_id, request_headers,
        request_body, status, response_body, result_code, outcome, error, started_at, duration_us, findings"
    };
}
const SELECT: &str = concat!("SELECT ", columns!(), " FROM exchanges");

pub fn insert(conn: &Connection, e: &NewExchange) -> Result<Exchange> {
    let row = conn
        .prepare_cached(concat!(
            "INSERT INTO exchanges (direction, method, path, operation, open_id, conversation_id, request_headers,
                request_body, status, response_body, result_code, outcome, error, started_at, duration_us,
                findings, finding_count)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ",
            columns!()
        ))?
        .query_row(
            params![
                match e.direction {
                    ExchangeDirection::Out => "out",
                    ExchangeDirection::In => "in",
                },
                e.method,
                e.path,
                e.operation,
                e.open_id,
                e.conversation_id,
                e.request_headers.to_string(),
                e.request_body,
                e.status,
                e.response_body,
                e.result_code,
                e.outcome.as_str(),
                e.error,
                e.started_at,
                e.duration_us,
                serde_json::to_string(&e.findings).expect("findings serialize"),
                e.findings.len() as i64,
            ],
            ExchangeRow::from_row,
        )?;
    Ok(row.into())
}

impl Store {
    /// Stores an exchange that changed nothing else, in the next group commit.
    pub async fn log_exchange(&self, exchange: NewExchange) -> Result<Exchange> {
        self.write(move |conn| insert(conn, &exchange)).await
    }

    /// Every exchange that began in a time range (either end open), newest first.
    pub async fn all_exchanges(
        &self,
        since: Option<i64>,
        until: Option<i64>,
    ) -> Result<Vec<Exchange>> {
        self.exchanges(&ExchangeFilter {
            since,
            until,
            limit: Some(i64::MAX),
            ..Default::default()
        })
        .await
    }

    /// Exchanges, newest first.
    pub async fn exchanges(&self, f: &ExchangeFilter) -> Result<Vec<Exchange>> {
        let f = f.clone();
        self.read(move |conn| {
            let mut select = conn.prepare_cached(&format!(
                "{SELECT} WHERE (?1 IS NULL OR conversation_id = ?1)
                   AND (?2 IS NULL OR open_id = (SELECT open_id FROM customers WHERE id = ?2))
                   AND (?3 IS NULL OR operation = ?3) AND (?4 IS NULL OR outcome = ?4)
                   AND (?5 IS NULL OR id > ?5) AND (?7 IS NULL OR ?7 = 0 OR finding_count > 0)
                   AND (?8 IS NULL OR started_at >= ?8) AND (?9 IS NULL OR started_at <= ?9)
                 ORDER BY id DESC LIMIT ?6"
            ))?;
            let rows = select.query_map(
                params![
                    f.conversation_id,
                    f.customer_id,
                    f.operation,
                    f.outcome.map(|o| o.as_str()),
                    f.after_id,
                    f.limit.unwrap_or(500),
                    f.with_findings,
                    f.since,
                    f.until,
                ],
                ExchangeRow::from_row,
            )?;
            Ok(rows
                .map(|row| row.map(Exchange::from))
                .collect::<rusqlite::Result<_>>()?)
        })
        .await
    }
}

//! The raw wire log: every HTTP exchange both ways, with bodies, status and timing.

use sqlx::{FromRow, SqliteConnection};
use wxsim_protocol::Finding;

use super::Store;
use crate::error::Result;
use crate::model::{Exchange, ExchangeDirection, ExchangeFilter, ExchangeOutcome};

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

#[derive(FromRow)]
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

pub async fn insert(conn: &mut SqliteConnection, e: &NewExchange) -> Result<Exchange> {
    let row = sqlx::query_as::<_, ExchangeRow>(concat!(
        "INSERT INTO exchanges (direction, method, path, operation, open_id, conversation_id, request_headers,
            request_body, status, response_body, result_code, outcome, error, started_at, duration_us,
            findings, finding_count)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ",
        columns!()
    ))
    .bind(match e.direction {
        ExchangeDirection::Out => "out",
        ExchangeDirection::In => "in",
    })
    .bind(&e.method)
    .bind(&e.path)
    .bind(&e.operation)
    .bind(&e.open_id)
    .bind(e.conversation_id)
    .bind(e.request_headers.to_string())
    .bind(&e.request_body)
    .bind(e.status.map(i64::from))
    .bind(&e.response_body)
    .bind(e.result_code)
    .bind(e.outcome.as_str())
    .bind(&e.error)
    .bind(e.started_at)
    .bind(e.duration_us)
    .bind(serde_json::to_string(&e.findings).expect("findings serialize"))
    .bind(e.findings.len() as i64)
    .fetch_one(conn)
    .await?;
    Ok(row.into())
}

impl Store {
    /// Stores an exchange that changed nothing else, in the next group commit.
    pub async fn log_exchange(&self, exchange: NewExchange) -> Result<Exchange> {
        let exchange = std::sync::Arc::new(exchange);
        self.write(move |conn| {
            let exchange = exchange.clone();
            Box::pin(async move { insert(conn, &exchange).await })
        })
        .await
    }

    /// Exchanges, newest first.
    pub async fn exchanges(&self, f: &ExchangeFilter) -> Result<Vec<Exchange>> {
        let rows = sqlx::query_as::<_, ExchangeRow>(&format!(
            "{SELECT} WHERE (?1 IS NULL OR conversation_id = ?1)
               AND (?2 IS NULL OR open_id = (SELECT open_id FROM customers WHERE id = ?2))
               AND (?3 IS NULL OR operation = ?3) AND (?4 IS NULL OR outcome = ?4)
               AND (?5 IS NULL OR id > ?5) AND (?7 IS NULL OR ?7 = 0 OR finding_count > 0)
               AND (?8 IS NULL OR started_at >= ?8) AND (?9 IS NULL OR started_at <= ?9)
             ORDER BY id DESC LIMIT ?6"
        ))
        .bind(f.conversation_id)
        .bind(f.customer_id)
        .bind(&f.operation)
        .bind(f.outcome.map(|o| o.as_str()))
        .bind(f.after_id)
        .bind(f.limit.unwrap_or(500))
        .bind(f.with_findings)
        .bind(f.since)
        .bind(f.until)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(Exchange::from).collect())
    }
}

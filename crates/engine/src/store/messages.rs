//! Messages of a conversation, both directions, with their delivery state, and full-text
//! search over their text.

use rusqlite::{params, Connection, OptionalExtension};
use wxsim_protocol::MessageContent;

use super::{now_ms, search_index, Store};
use crate::error::{EngineError, Result};
use crate::model::{Delivery, Direction, Message, SearchHit};
use crate::system_line::SystemLine;

row_struct! {
    struct MessageRow {
        id: i64,
        conversation_id: i64,
        direction: String,
        kind: String,
        body: String,
        html: Option<String>,
        text: String,
        delivery: String,
        result_code: Option<i64>,
        error: Option<String>,
        wire_time: Option<i64>,
        created_at: i64,
        agent_name: Option<String>,
    }
}

fn direction_str(d: Direction) -> &'static str {
    match d {
        Direction::Out => "out",
        Direction::In => "in",
        Direction::System => "system",
    }
}

fn delivery_str(d: Delivery) -> &'static str {
    match d {
        Delivery::Pending => "pending",
        Delivery::Sent => "sent",
        Delivery::Failed => "failed",
        Delivery::Received => "received",
    }
}

impl From<MessageRow> for Message {
    fn from(r: MessageRow) -> Self {
        let direction = match r.direction.as_str() {
            "out" => Direction::Out,
            "in" => Direction::In,
            _ => Direction::System,
        };
        Message {
            id: r.id,
            conversation_id: r.conversation_id,
            direction,
            content: (direction == Direction::Out)
                .then(|| serde_json::from_str::<MessageContent>(&r.body).ok())
                .flatten(),
            line: (direction == Direction::System)
                .then(|| serde_json::from_str::<SystemLine>(&r.body).ok())
                .flatten(),
            kind: r.kind,
            html: r.html,
            text: r.text,
            delivery: match r.delivery.as_str() {
                "pending" => Delivery::Pending,
                "sent" => Delivery::Sent,
                "failed" => Delivery::Failed,
                _ => Delivery::Received,
            },
            result_code: r.result_code,
            error: r.error,
            wire_time: r.wire_time,
            created_at: r.created_at,
            agent_name: r.agent_name,
        }
    }
}

/// A message about to be stored.
#[derive(Clone, Debug)]
pub struct NewMessage {
    pub conversation_id: i64,
    pub direction: Direction,
    pub kind: String,
    /// Customer messages: the content as JSON; agent messages: the raw HTML as received.
    pub body: String,
    pub html: Option<String>,
    pub text: String,
    pub delivery: Delivery,
    pub wire_time: Option<i64>,
    /// Agent messages: who wrote it, by name.
    pub agent_name: Option<String>,
}

impl NewMessage {
    pub fn outgoing(conversation_id: i64, content: &MessageContent) -> Self {
        NewMessage {
            conversation_id,
            direction: Direction::Out,
            kind: content.msg_type().as_str().into(),
            body: serde_json::to_string(content).expect("content serializes"),
            html: None,
            text: content.searchable_text(),
            delivery: Delivery::Pending,
            wire_time: None,
            agent_name: None,
        }
    }

    /// A system line: its code and parameters in `body`, its English rendering in `text`.
    pub fn system(conversation_id: i64, line: &SystemLine) -> Self {
        NewMessage {
            conversation_id,
            direction: Direction::System,
            kind: "event".into(),
            body: serde_json::to_string(line).expect("a system line serializes"),
            html: None,
            text: line.to_string(),
            delivery: Delivery::Received,
            wire_time: None,
            agent_name: None,
        }
    }
}

macro_rules! columns {
    () => {
        "id, conversation_id, direction, kind, body, html, text, delivery, result_code, error, wire_time, created_at, agent_name"
    };
}
const SELECT: &str = concat!("SELECT ", columns!(), " FROM messages");

pub fn fetch(conn: &Connection, id: i64) -> Result<Message> {
    conn.prepare_cached(&format!("{SELECT} WHERE id = ?"))?
        .query_row([id], MessageRow::from_row)
        .optional()?
        .map(Message::from)
        .ok_or(EngineError::UnknownMessage(id))
}

pub fn insert(conn: &Connection, m: &NewMessage) -> Result<Message> {
    let row = insert_unless(conn, m, None)?;
    Ok(row.expect("an unguarded insert stores its row"))
}

/// The conversation's latest customer message that failed and has exactly this body: a
/// `getmsg.do` that carries the same again is its re-send (`wxsim proxy` watching).
pub fn failed_twin(conn: &Connection, conversation_id: i64, body: &str) -> Result<Option<Message>> {
    Ok(conn
        .prepare_cached(&format!(
            "{SELECT} WHERE conversation_id = ? AND direction = 'out' AND delivery = 'failed' AND body = ?
             ORDER BY id DESC LIMIT 1"
        ))?
        .query_row(params![conversation_id, body], MessageRow::from_row)
        .optional()?
        .map(Message::from))
}

/// After a restart: customer messages still `pending` were cut off mid-send. They become
/// `failed` (unconfirmed), to be re-sent by the tester, never automatically: webchat may
/// have received them, and a blind re-send could duplicate them.
pub fn fail_interrupted(conn: &Connection) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE messages SET delivery = 'failed', updated_at = ?,
            error = 'unconfirmed: wxsim stopped before webchat answered; re-send if webchat did not get it'
         WHERE direction = 'out' AND delivery = 'pending'",
        [now_ms()],
    )?)
}

/// Stores an agent message unless an identical one (same body and `msgTime`) arrived
/// within `window_ms`; `None` means it is a repeat. One statement: the check and the
/// insert cannot be separated.
pub fn insert_unless_repeat(
    conn: &Connection,
    m: &NewMessage,
    window_ms: i64,
) -> Result<Option<Message>> {
    insert_unless(conn, m, Some(window_ms))
}

/// Inserts `m` (RETURNING saves a second statement), unless `repeat_window_ms` is given
/// and an identical agent message arrived within it.
fn insert_unless(
    conn: &Connection,
    m: &NewMessage,
    repeat_window_ms: Option<i64>,
) -> Result<Option<Message>> {
    let now = now_ms();
    Ok(conn
        .prepare_cached(concat!(
            "INSERT INTO messages (conversation_id, direction, kind, body, html, text, delivery, wire_time, created_at, updated_at, agent_name)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?11
             WHERE ?10 IS NULL OR NOT EXISTS (SELECT 1 FROM messages WHERE conversation_id = ?1
                 AND direction = 'in' AND body = ?4 AND wire_time IS ?8 AND created_at >= ?10)
             RETURNING ",
            columns!()
        ))?
        .query_row(
            params![
                m.conversation_id,
                direction_str(m.direction),
                m.kind,
                m.body,
                m.html,
                m.text,
                delivery_str(m.delivery),
                m.wire_time,
                now,
                repeat_window_ms.map(|w| now - w),
                m.agent_name,
            ],
            MessageRow::from_row,
        )
        .optional()?
        .map(Message::from))
}

/// Records webchat's verdict on an outgoing message.
pub fn set_delivery(
    conn: &Connection,
    id: i64,
    delivery: Delivery,
    result_code: Option<i64>,
    error: Option<&str>,
) -> Result<Message> {
    conn.prepare_cached(concat!(
        "UPDATE messages SET delivery = ?, result_code = ?, error = ?, updated_at = ? WHERE id = ? RETURNING ",
        columns!()
    ))?
    .query_row(
        params![delivery_str(delivery), result_code, error, now_ms(), id],
        MessageRow::from_row,
    )
    .optional()?
    .map(Message::from)
    .ok_or(EngineError::UnknownMessage(id))
}

/// Escapes text for HTML and wraps the (case-insensitive) occurrences of `needle`.
fn highlight(text: &str, needle: &str) -> String {
    use wxsim_protocol::html::escape;
    let lower = text.to_lowercase();
    let pattern = needle.to_lowercase();
    if pattern.is_empty() || lower.len() != text.len() {
        return escape(text);
    }
    let mut out = String::new();
    let mut rest = 0;
    for (start, _) in lower.match_indices(&pattern) {
        if start < rest {
            continue;
        }
        out.push_str(&escape(&text[rest..start]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[start..start + pattern.len()]));
        out.push_str("</mark>");
        rest = start + pattern.len();
    }
    out.push_str(&escape(&text[rest..]));
    out
}

impl Store {
    pub async fn messages(&self, conversation_id: i64) -> Result<Vec<Message>> {
        self.read(move |conn| {
            let mut select =
                conn.prepare_cached(&format!("{SELECT} WHERE conversation_id = ? ORDER BY id"))?;
            let rows = select.query_map([conversation_id], MessageRow::from_row)?;
            Ok(rows
                .map(|row| row.map(Message::from))
                .collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    pub async fn message(&self, id: i64) -> Result<Message> {
        self.read(move |conn| fetch(conn, id)).await
    }

    /// Full-text search, newest first, over the index and the messages not indexed yet.
    /// Queries shorter than three characters (below the trigram index's reach) scan.
    pub async fn search(&self, query: &str, limit: i64) -> Result<Vec<SearchHit>> {
        let query = query.trim().to_owned();
        if query.is_empty() {
            return Ok(vec![]);
        }
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(&search_sql(&query))?;
            let hits = statement.query_map(search_params(&query, limit), |r| {
                let message = Message::from(MessageRow::from_row(r)?);
                Ok(SearchHit {
                    snippet: highlight(&message.text, &query),
                    message,
                    nickname: r.get("nickname")?,
                    open_id: r.get("open_id")?,
                })
            })?;
            Ok(hits.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    /// How SQLite runs the search of `query` (`EXPLAIN QUERY PLAN`, one line a step).
    pub async fn explain_search(&self, query: &str, limit: i64) -> Result<Vec<String>> {
        let query = query.trim().to_owned();
        self.read(move |conn| {
            let mut plan = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", search_sql(&query)))?;
            let steps = plan.query_map(search_params(&query, limit), |r| r.get("detail"))?;
            Ok(steps.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }
}

/// The search of `query`; its parameters are [`search_params`].
fn search_sql(query: &str) -> String {
    let select = "SELECT m.id, m.conversation_id, m.direction, m.kind, m.body, m.html, m.text, m.delivery,
            m.result_code, m.error, m.wire_time, m.created_at, m.agent_name, c.nickname, c.open_id
        FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN customers c ON c.id = v.customer_id";
    if query.chars().count() >= 3 {
        // The limit inside the FTS query lets it walk its doclists newest first and stop
        // early, instead of collecting every match of a common word.
        format!(
            "{select} WHERE m.id IN ({}) ORDER BY m.id DESC LIMIT ?2",
            search_index::MATCHING_IDS
        )
    } else {
        format!("{select} WHERE m.text LIKE '%' || ?3 || '%' ORDER BY m.id DESC LIMIT ?2")
    }
}

/// ?1 the FTS phrase, ?2 the limit, ?3 the plain text.
fn search_params(query: &str, limit: i64) -> (String, i64, String) {
    (
        format!("\"{}\"", query.replace('"', "\"\"")),
        limit,
        query.to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::highlight;

    #[test]
    fn highlight_escapes_and_marks() {
        assert_eq!(
            highlight("a <b> Hello hello", "hello"),
            "a &lt;b&gt; <mark>Hello</mark> <mark>hello</mark>"
        );
        assert_eq!(highlight("你好世界", "世界"), "你好<mark>世界</mark>");
    }
}

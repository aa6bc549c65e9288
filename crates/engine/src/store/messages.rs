//! Messages of a conversation, both directions, with their delivery state, and full-text
//! search over their text.

use sqlx::{FromRow, SqliteConnection};
use wxsim_protocol::MessageContent;

use super::{now_ms, Store};
use crate::error::{EngineError, Result};
use crate::model::{Delivery, Direction, Message, SearchHit};

#[derive(FromRow)]
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
        }
    }

    pub fn system(conversation_id: i64, text: impl Into<String>) -> Self {
        NewMessage {
            conversation_id,
            direction: Direction::System,
            kind: "event".into(),
            body: String::new(),
            html: None,
            text: text.into(),
            delivery: Delivery::Received,
            wire_time: None,
        }
    }
}

macro_rules! columns {
    () => {
        "id, conversation_id, direction, kind, body, html, text, delivery, result_code, error, wire_time, created_at"
    };
}
const SELECT: &str = concat!("SELECT ", columns!(), " FROM messages");

pub async fn fetch(conn: &mut SqliteConnection, id: i64) -> Result<Message> {
    sqlx::query_as::<_, MessageRow>(&format!("{SELECT} WHERE id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(Message::from)
        .ok_or(EngineError::UnknownMessage(id))
}

pub async fn insert(conn: &mut SqliteConnection, m: NewMessage) -> Result<Message> {
    let row = insert_unless(conn, m, None).await?;
    Ok(row.expect("an unguarded insert stores its row"))
}

/// After a restart: customer messages still `pending` were cut off mid-send. They become
/// `failed` (unconfirmed), to be re-sent by the tester, never automatically: webchat may
/// have received them, and a blind re-send could duplicate them.
pub async fn fail_interrupted(conn: &mut SqliteConnection) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE messages SET delivery = 'failed', updated_at = ?,
            error = 'unconfirmed: wxsim stopped before webchat answered; re-send if webchat did not get it'
         WHERE direction = 'out' AND delivery = 'pending'",
    )
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Stores an agent message unless an identical one (same body and `msgTime`) arrived
/// within `window_ms`; `None` means it is a repeat. One statement: the check and the
/// insert cannot be separated, and the writer makes one trip instead of two.
pub async fn insert_unless_repeat(
    conn: &mut SqliteConnection,
    m: NewMessage,
    window_ms: i64,
) -> Result<Option<Message>> {
    insert_unless(conn, m, Some(window_ms)).await
}

/// Inserts `m` (RETURNING saves a second round trip), unless `repeat_window_ms` is given
/// and an identical agent message arrived within it.
async fn insert_unless(
    conn: &mut SqliteConnection,
    m: NewMessage,
    repeat_window_ms: Option<i64>,
) -> Result<Option<Message>> {
    let now = now_ms();
    let row = sqlx::query_as::<_, MessageRow>(concat!(
        "INSERT INTO messages (conversation_id, direction, kind, body, html, text, delivery, wire_time, created_at, updated_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9
         WHERE ?10 IS NULL OR NOT EXISTS (SELECT 1 FROM messages WHERE conversation_id = ?1
             AND direction = 'in' AND body = ?4 AND wire_time IS ?8 AND created_at >= ?10)
         RETURNING ",
        columns!()
    ))
    .bind(m.conversation_id)
    .bind(direction_str(m.direction))
    .bind(&m.kind)
    .bind(&m.body)
    .bind(&m.html)
    .bind(&m.text)
    .bind(delivery_str(m.delivery))
    .bind(m.wire_time)
    .bind(now)
    .bind(repeat_window_ms.map(|w| now - w))
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Message::from))
}

/// Records webchat's verdict on an outgoing message.
pub async fn set_delivery(
    conn: &mut SqliteConnection,
    id: i64,
    delivery: Delivery,
    result_code: Option<i64>,
    error: Option<&str>,
) -> Result<Message> {
    sqlx::query_as::<_, MessageRow>(concat!(
        "UPDATE messages SET delivery = ?, result_code = ?, error = ?, updated_at = ? WHERE id = ? RETURNING ",
        columns!()
    ))
    .bind(delivery_str(delivery))
    .bind(result_code)
    .bind(error)
    .bind(now_ms())
    .bind(id)
    .fetch_optional(conn)
    .await?
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
        let rows = sqlx::query_as::<_, MessageRow>(&format!(
            "{SELECT} WHERE conversation_id = ? ORDER BY id"
        ))
        .bind(conversation_id)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(Message::from).collect())
    }

    pub async fn message(&self, id: i64) -> Result<Message> {
        fetch(&mut *self.reader().acquire().await?, id).await
    }

    /// Full-text search, newest first. Queries shorter than three characters (below the
    /// trigram index's reach) fall back to a scan.
    pub async fn search(&self, query: &str, limit: i64) -> Result<Vec<SearchHit>> {
        let query = query.trim();
        if query.is_empty() {
            return Ok(vec![]);
        }
        let select = "SELECT m.id, m.conversation_id, m.direction, m.kind, m.body, m.html, m.text, m.delivery,
                m.result_code, m.error, m.wire_time, m.created_at, c.nickname, c.open_id
            FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN customers c ON c.id = v.customer_id";
        let rows: Vec<(MessageRow, String, String)> = if query.chars().count() >= 3 {
            let phrase = format!("\"{}\"", query.replace('"', "\"\""));
            // The limit inside the FTS query lets it walk its doclists newest first and stop
            // early, instead of collecting every match of a common word.
            sqlx::query(&format!(
                "{select} WHERE m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1
                   ORDER BY rowid DESC LIMIT ?2) ORDER BY m.id DESC LIMIT ?2"
            ))
            .bind(phrase)
            .bind(limit)
            .fetch_all(self.reader())
            .await?
        } else {
            sqlx::query(&format!(
                "{select} WHERE m.text LIKE '%' || ? || '%' ORDER BY m.id DESC LIMIT ?"
            ))
            .bind(query)
            .bind(limit)
            .fetch_all(self.reader())
            .await?
        }
        .into_iter()
        .map(|row| {
            use sqlx::Row;
            Ok((
                MessageRow::from_row(&row)?,
                row.try_get("nickname")?,
                row.try_get("open_id")?,
            ))
        })
        .collect::<Result<_, sqlx::Error>>()?;
        Ok(rows
            .into_iter()
            .map(|(m, nickname, open_id)| {
                let message = Message::from(m);
                SearchHit {
                    snippet: highlight(&message.text, query),
                    message,
                    nickname,
                    open_id,
                }
            })
            .collect())
    }
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

//! Bulk seeding, for benchmarks and demos: conversations of many generated messages written
//! through the engine's own schema (so the FTS triggers index them), fast enough for a
//! million messages. Each batch is one `INSERT … SELECT` over a counter, generated inside
//! SQLite, and many batches share one transaction.

use rusqlite::{params, Connection};

use super::{now_ms, Store};
use crate::error::Result;
use crate::model::ConversationState;

/// Words the generated texts are made of (English and Chinese, so the trigram index sees
/// both), each padded to [`WIDTH`] characters.
const WORDS: [&str; 32] = [
    "kettle",
    "refund",
    "order",
    "delivery",
    "invoice",
    "broken",
    "color",
    "size",
    "exchange",
    "address",
    "coupon",
    "warranty",
    "payment",
    "parcel",
    "return",
    "discount",
    "你好",
    "退款",
    "订单",
    "发货",
    "发票",
    "地址",
    "优惠券",
    "保修",
    "thanks",
    "please",
    "today",
    "tomorrow",
    "blue",
    "green",
    "station",
    "receipt",
];
const WIDTH: usize = 10;

/// Rows per `INSERT … SELECT`, and rows per transaction.
const BATCH: u64 = 10_000;
const PER_TRANSACTION: u64 = 200_000;

/// What to generate.
#[derive(Clone, Debug)]
pub struct SeedPlan {
    pub conversations: u64,
    pub messages_per_conversation: u64,
    /// `Chatting` gives every conversation a session id, so callbacks can reach it.
    pub state: ConversationState,
    /// Prefix of the generated `openId`s and session ids (`{prefix}{n}`); unique per call.
    pub prefix: String,
}

/// One generated conversation.
#[derive(Clone, Debug)]
pub struct SeededConversation {
    pub id: i64,
    pub open_id: String,
    /// The session id webchat would use (`Chatting` plans only).
    pub session_id: Option<String>,
}

fn vocabulary() -> String {
    WORDS
        .iter()
        .map(|w| format!("{w:<WIDTH$}"))
        .collect::<String>()
}

impl Store {
    /// Writes `plan`'s customers, conversations and messages. Texts read like
    /// `"refund 订单 blue order #123"`, with a number unique across the database;
    /// messages alternate customer (sent) and agent (received), a second apart.
    pub async fn seed(&self, plan: &SeedPlan) -> Result<Vec<SeededConversation>> {
        let plan = plan.clone();
        self.write_alone(move |conn| seed(conn, &plan)).await
    }
}

/// Commits every [`PER_TRANSACTION`] rows: one transaction of a million would hold the
/// whole WAL until its end.
fn seed(conn: &mut Connection, plan: &SeedPlan) -> Result<Vec<SeededConversation>> {
    let mut tx = conn.transaction()?;
    let mut seeded = Vec::with_capacity(plan.conversations as usize);
    let mut pending = 0;
    let mut next: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM messages", [], |r| {
        r.get(0)
    })?;
    for n in 0..plan.conversations {
        let conversation = conversation(&tx, plan, n)?;
        let mut done = 0;
        while done < plan.messages_per_conversation {
            let rows = BATCH.min(plan.messages_per_conversation - done);
            messages(&tx, conversation.id, next, rows)?;
            next += rows as i64;
            done += rows;
            pending += rows;
            if pending >= PER_TRANSACTION {
                super::search_index::catch_up(&tx, 0)?;
                tx.commit()?;
                tx = conn.transaction()?;
                pending = 0;
            }
        }
        seeded.push(conversation);
    }
    super::search_index::catch_up(&tx, 0)?;
    tx.commit()?;
    Ok(seeded)
}

fn conversation(conn: &Connection, plan: &SeedPlan, n: u64) -> Result<SeededConversation> {
    let now = now_ms();
    let open_id = format!("{}{n}", plan.prefix);
    let customer: i64 = conn.query_row(
        "INSERT INTO customers (open_id, nickname, skill_group, created_at) VALUES (?, ?, 1, ?) RETURNING id",
        params![open_id, format!("Seed {n}"), now],
        |r| r.get(0),
    )?;
    let session_id = (plan.state == ConversationState::Chatting).then(|| open_id.clone());
    let session_wire = session_id
        .as_ref()
        .map(|s| serde_json::Value::from(s.as_str()).to_string());
    let id: i64 = conn.query_row(
        "INSERT INTO conversations (customer_id, profile, state, session_key, session_wire, agent_id,
            agent_name, created_at, accepted_at, updated_at)
         VALUES (?, 'seed', ?, ?, ?, 'agent-1', 'Seed agent', ?, ?, ?) RETURNING id",
        params![customer, plan.state.as_str(), session_id, session_wire, now, now, now],
        |r| r.get(0),
    )?;
    Ok(SeededConversation {
        id,
        open_id,
        session_id,
    })
}

/// `rows` messages of one conversation; `first` numbers the first one's text.
fn messages(conn: &Connection, conversation_id: i64, first: i64, rows: u64) -> Result<()> {
    let words = WORDS.len();
    conn.execute(
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 + ?2 - 1),
                  t(i, text) AS (SELECT i,
                      rtrim(substr(?3, (i % {words}) * {WIDTH} + 1, {WIDTH})) || ' ' ||
                      rtrim(substr(?3, ((i / {words}) % {words}) * {WIDTH} + 1, {WIDTH})) || ' ' ||
                      rtrim(substr(?3, ((i * 7 + 3) % {words}) * {WIDTH} + 1, {WIDTH})) || ' ' ||
                      rtrim(substr(?3, ((i / 1024) % {words}) * {WIDTH} + 1, {WIDTH})) || ' #' || i FROM n)
             INSERT INTO messages (conversation_id, direction, kind, body, html, text, delivery,
                 created_at, updated_at)
             SELECT ?4,
                 CASE i % 2 WHEN 0 THEN 'out' ELSE 'in' END,
                 CASE i % 2 WHEN 0 THEN 'text' ELSE 'html' END,
                 CASE i % 2 WHEN 0 THEN json_object('msgType', 'text', 'content', text) ELSE text END,
                 CASE i % 2 WHEN 0 THEN NULL ELSE text END,
                 text,
                 CASE i % 2 WHEN 0 THEN 'sent' ELSE 'received' END,
                 ?5 + (i - ?1) * 1000, ?5 + (i - ?1) * 1000
             FROM t"
        ),
        params![
            first,
            rows as i64,
            vocabulary(),
            conversation_id,
            now_ms() - rows as i64 * 1000
        ],
    )?;
    Ok(())
}

//! Simulated WeChat customers, with their newest conversation's state and unread count.

use rusqlite::{params, Connection, OptionalExtension};

use super::{now_ms, Store};
use crate::error::{EngineError, Result};
use crate::model::{ConversationState, Customer, NewCustomer};

row_struct! {
    struct CustomerRow {
        id: i64,
        open_id: String,
        nickname: String,
        head_img_url: Option<String>,
        source: Option<String>,
        brand: Option<String>,
        skill_group: i64,
        agent_id: Option<String>,
        tracks: Option<String>,
        created_at: i64,
        state: Option<String>,
        conversation_id: Option<i64>,
        unread: i64,
    }
}

impl From<CustomerRow> for Customer {
    fn from(r: CustomerRow) -> Self {
        Customer {
            id: r.id,
            open_id: r.open_id,
            nickname: r.nickname,
            head_img_url: r.head_img_url,
            source: r
                .source
                .and_then(|s| serde_json::from_value(serde_json::Value::String(s)).ok()),
            brand: r.brand,
            skill_group: r.skill_group,
            agent_id: r.agent_id,
            tracks: r.tracks,
            state: r.state.as_deref().map(ConversationState::parse),
            conversation_id: r.conversation_id,
            unread: r.unread,
            created_at: r.created_at,
        }
    }
}

const SELECT: &str = "SELECT c.id, c.open_id, c.nickname, c.head_img_url, c.source, c.brand,
        c.skill_group, c.agent_id, c.tracks, c.created_at,
        v.state, v.id AS conversation_id, c.unread
    FROM customers c
    LEFT JOIN conversations v ON v.id = (SELECT MAX(id) FROM conversations WHERE customer_id = c.id)";

pub fn fetch(conn: &Connection, id: i64) -> Result<Customer> {
    conn.prepare_cached(&format!("{SELECT} WHERE c.id = ?"))?
        .query_row([id], CustomerRow::from_row)
        .optional()?
        .map(Customer::from)
        .ok_or(EngineError::UnknownCustomer(id))
}

pub fn id_by_open_id(conn: &Connection, open_id: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM customers WHERE open_id = ?")?
        .query_row([open_id], |r| r.get(0))
        .optional()?)
}

pub fn insert(conn: &Connection, open_id: &str, c: &NewCustomer) -> Result<i64> {
    let source = c
        .source
        .and_then(|s| serde_json::to_value(s).ok())
        .and_then(|v| v.as_str().map(str::to_owned));
    let done = conn
        .prepare_cached(
            "INSERT INTO customers (open_id, nickname, head_img_url, source, brand, skill_group, agent_id, tracks, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )?
        .execute(params![
            open_id,
            c.nickname,
            c.head_img_url,
            source,
            c.brand,
            c.skill_group,
            c.agent_id,
            c.tracks,
            now_ms(),
        ]);
    match done {
        Ok(_) => Ok(conn.last_insert_rowid()),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            Err(EngineError::DuplicateOpenId(open_id.to_owned()))
        }
        Err(e) => Err(e.into()),
    }
}

pub fn mark_read(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE customers SET unread = 0, last_read_message_id = COALESCE((SELECT MAX(m.id) FROM messages m
            JOIN conversations v ON v.id = m.conversation_id WHERE v.customer_id = customers.id), 0)
         WHERE id = ?",
    )?
    .execute([id])?;
    Ok(())
}

impl Store {
    pub async fn customers(&self) -> Result<Vec<Customer>> {
        self.read(|conn| {
            let mut select = conn.prepare_cached(&format!("{SELECT} ORDER BY c.id"))?;
            let rows = select.query_map([], CustomerRow::from_row)?;
            Ok(rows
                .map(|row| row.map(Customer::from))
                .collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    pub async fn customer(&self, id: i64) -> Result<Customer> {
        self.read(move |conn| fetch(conn, id)).await
    }
}

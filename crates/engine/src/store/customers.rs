//! Simulated WeChat customers, with their newest conversation's state and unread count.

use sqlx::{FromRow, SqliteConnection};

use super::{now_ms, Store};
use crate::error::{EngineError, Result};
use crate::model::{ConversationState, Customer, NewCustomer};

#[derive(FromRow)]
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

pub async fn fetch(conn: &mut SqliteConnection, id: i64) -> Result<Customer> {
    sqlx::query_as::<_, CustomerRow>(&format!("{SELECT} WHERE c.id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(Customer::from)
        .ok_or(EngineError::UnknownCustomer(id))
}

pub async fn id_by_open_id(conn: &mut SqliteConnection, open_id: &str) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM customers WHERE open_id = ?")
            .bind(open_id)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn insert(conn: &mut SqliteConnection, open_id: &str, c: &NewCustomer) -> Result<i64> {
    let source = c
        .source
        .and_then(|s| serde_json::to_value(s).ok())
        .and_then(|v| v.as_str().map(str::to_owned));
    let done = sqlx::query(
        "INSERT INTO customers (open_id, nickname, head_img_url, source, brand, skill_group, agent_id, tracks, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(open_id)
    .bind(&c.nickname)
    .bind(&c.head_img_url)
    .bind(source)
    .bind(&c.brand)
    .bind(c.skill_group)
    .bind(&c.agent_id)
    .bind(&c.tracks)
    .bind(now_ms())
    .execute(conn)
    .await;
    match done {
        Ok(r) => Ok(r.last_insert_rowid()),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(EngineError::DuplicateOpenId(open_id.to_owned()))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn mark_read(conn: &mut SqliteConnection, id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE customers SET unread = 0, last_read_message_id = COALESCE((SELECT MAX(m.id) FROM messages m
            JOIN conversations v ON v.id = m.conversation_id WHERE v.customer_id = customers.id), 0)
         WHERE id = ?",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    pub async fn customers(&self) -> Result<Vec<Customer>> {
        let rows = sqlx::query_as::<_, CustomerRow>(&format!("{SELECT} ORDER BY c.id"))
            .fetch_all(self.reader())
            .await?;
        Ok(rows.into_iter().map(Customer::from).collect())
    }

    pub async fn customer(&self, id: i64) -> Result<Customer> {
        fetch(&mut *self.reader().acquire().await?, id).await
    }
}

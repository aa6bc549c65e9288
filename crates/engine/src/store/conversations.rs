//! Conversations: one per chat request, with the ids in the form webchat gave them.

use serde_json::Value;
use sqlx::{FromRow, SqliteConnection};
use wxsim_protocol::WireId;

use super::{messages, now_ms, NewMessage, Store};
use crate::error::{EngineError, Result};
use crate::model::{AgentView, Conversation, ConversationFilter, ConversationState, Message};

/// A conversation as stored; `*_wire` columns keep an id's JSON form to echo it back.
#[derive(Clone, Debug, FromRow)]
pub struct ConversationRow {
    pub id: i64,
    pub customer_id: i64,
    pub open_id: String,
    pub nickname: String,
    pub profile: String,
    pub state: String,
    pub request_wire: Option<String>,
    pub session_wire: Option<String>,
    pub agent_id: Option<String>,
    pub agent_name: Option<String>,
    pub agents: String,
    pub queue_position: Option<i64>,
    pub request_status: Option<i64>,
    pub result_code: Option<i64>,
    pub status_message: Option<String>,
    pub rating_options: Option<String>,
    pub rating_id: Option<String>,
    pub rating_comment: Option<String>,
    pub closed_by: Option<String>,
    pub created_at: i64,
    pub accepted_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub rated_at: Option<i64>,
    pub message_count: i64,
    pub finding_count: i64,
}

impl ConversationRow {
    pub fn state(&self) -> ConversationState {
        ConversationState::parse(&self.state)
    }
    pub fn set_state(&mut self, state: ConversationState) {
        self.state = state.as_str().to_owned();
    }
    pub fn session_id(&self) -> Option<WireId> {
        self.session_wire.as_deref().map(WireId::from_json_text)
    }
    pub fn set_session_id(&mut self, id: &WireId) {
        self.session_wire = Some(id.to_json_text());
    }
    pub fn request_id(&self) -> Option<WireId> {
        self.request_wire.as_deref().map(WireId::from_json_text)
    }
    pub fn set_request_id(&mut self, id: &WireId) {
        self.request_wire = Some(id.to_json_text());
    }
    pub fn agents(&self) -> Vec<AgentView> {
        serde_json::from_str(&self.agents).unwrap_or_default()
    }

    pub fn view(&self) -> Conversation {
        Conversation {
            id: self.id,
            customer_id: self.customer_id,
            open_id: self.open_id.clone(),
            nickname: self.nickname.clone(),
            profile: self.profile.clone(),
            state: self.state(),
            request_id: self.request_id().map(|i| i.key()),
            session_id: self.session_id().map(|i| i.key()),
            agent_id: self.agent_id.clone(),
            agent_name: self.agent_name.clone(),
            agents: self.agents(),
            queue_position: self.queue_position,
            request_status: self.request_status,
            result_code: self.result_code,
            status_message: self.status_message.clone(),
            rating_options: self
                .rating_options
                .as_deref()
                .and_then(|s| serde_json::from_str::<Vec<Value>>(s).ok()),
            rating_id: self.rating_id.clone(),
            rating_comment: self.rating_comment.clone(),
            closed_by: self.closed_by.clone(),
            created_at: self.created_at,
            accepted_at: self.accepted_at,
            closed_at: self.closed_at,
            rated_at: self.rated_at,
            message_count: self.message_count,
            finding_count: self.finding_count,
        }
    }
}

const SELECT: &str = "SELECT v.id, v.customer_id, c.open_id, c.nickname, v.profile, v.state,
        v.request_wire, v.session_wire, v.agent_id, v.agent_name, v.agents, v.queue_position,
        v.request_status, v.result_code, v.status_message, v.rating_options, v.rating_id,
        v.rating_comment, v.closed_by, v.created_at, v.accepted_at, v.closed_at, v.rated_at,
        v.message_count, v.finding_count
    FROM conversations v JOIN customers c ON c.id = v.customer_id";

async fn one<T>(
    conn: &mut SqliteConnection,
    clause: &str,
    bind: T,
) -> Result<Option<ConversationRow>>
where
    T: for<'q> sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send,
{
    Ok(sqlx::query_as::<_, ConversationRow>(&format!(
        "{SELECT} WHERE {clause} ORDER BY v.id DESC LIMIT 1"
    ))
    .bind(bind)
    .fetch_optional(conn)
    .await?)
}

pub async fn fetch(conn: &mut SqliteConnection, id: i64) -> Result<ConversationRow> {
    sqlx::query_as::<_, ConversationRow>(&format!("{SELECT} WHERE v.id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(EngineError::UnknownConversation(id))
}

/// The customer's newest conversation, whatever its state.
pub async fn latest_for_customer(
    conn: &mut SqliteConnection,
    customer_id: i64,
) -> Result<Option<ConversationRow>> {
    one(conn, "v.customer_id = ?", customer_id).await
}

/// The customer's conversation that is requesting, queued or chatting.
pub async fn active_for_customer(
    conn: &mut SqliteConnection,
    customer_id: i64,
) -> Result<Option<ConversationRow>> {
    let clause = format!(
        "v.customer_id = ? AND v.state IN {}",
        ConversationState::ACTIVE_SQL
    );
    one(conn, &clause, customer_id).await
}

pub async fn by_session(
    conn: &mut SqliteConnection,
    session_key: &str,
) -> Result<Option<ConversationRow>> {
    one(conn, "v.session_key = ?", session_key.to_owned()).await
}

/// The customer's newest conversation with this request id.
pub async fn by_request(
    conn: &mut SqliteConnection,
    customer_id: i64,
    request_key: &str,
) -> Result<Option<ConversationRow>> {
    Ok(sqlx::query_as::<_, ConversationRow>(&format!(
        "{SELECT} WHERE v.customer_id = ? AND v.request_key = ? ORDER BY v.id DESC LIMIT 1"
    ))
    .bind(customer_id)
    .bind(request_key)
    .fetch_optional(conn)
    .await?)
}

pub async fn insert(
    conn: &mut SqliteConnection,
    customer_id: i64,
    profile: &str,
) -> Result<ConversationRow> {
    let now = now_ms();
    let id = sqlx::query(
        "INSERT INTO conversations (customer_id, profile, state, created_at, updated_at) VALUES (?, ?, 'requesting', ?, ?)",
    )
    .bind(customer_id)
    .bind(profile)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .last_insert_rowid();
    fetch(conn, id).await
}

/// Adds `line` to the transcript (if any), then saves `row`: in that order, so that the
/// counters it comes back with include the line.
pub async fn save_with_line(
    conn: &mut SqliteConnection,
    row: ConversationRow,
    line: Option<NewMessage>,
) -> Result<(ConversationRow, Option<Message>)> {
    let added = match line {
        Some(line) => Some(messages::insert(conn, line).await?),
        None => None,
    };
    Ok((save(conn, row).await?, added))
}

/// Writes every mutable column of `row`; returns it with the counters the triggers keep.
pub async fn save(
    conn: &mut SqliteConnection,
    mut row: ConversationRow,
) -> Result<ConversationRow> {
    let key = |wire: &Option<String>| wire.as_deref().map(|w| WireId::from_json_text(w).key());
    let counters: (i64, i64) = sqlx::query_as(
        "UPDATE conversations SET state = ?, request_key = ?, request_wire = ?, session_key = ?, session_wire = ?,
            agent_id = ?, agent_name = ?, agents = ?, queue_position = ?, request_status = ?, result_code = ?,
            status_message = ?, rating_options = ?, rating_id = ?, rating_comment = ?, closed_by = ?,
            accepted_at = ?, closed_at = ?, rated_at = ?, updated_at = ?
         WHERE id = ? RETURNING message_count, finding_count",
    )
    .bind(&row.state)
    .bind(key(&row.request_wire))
    .bind(&row.request_wire)
    .bind(key(&row.session_wire))
    .bind(&row.session_wire)
    .bind(&row.agent_id)
    .bind(&row.agent_name)
    .bind(&row.agents)
    .bind(row.queue_position)
    .bind(row.request_status)
    .bind(row.result_code)
    .bind(&row.status_message)
    .bind(&row.rating_options)
    .bind(&row.rating_id)
    .bind(&row.rating_comment)
    .bind(&row.closed_by)
    .bind(row.accepted_at)
    .bind(row.closed_at)
    .bind(row.rated_at)
    .bind(now_ms())
    .bind(row.id)
    .fetch_optional(conn)
    .await?
    .ok_or(EngineError::UnknownConversation(row.id))?;
    (row.message_count, row.finding_count) = counters;
    Ok(row)
}

impl Store {
    pub async fn conversation(&self, id: i64) -> Result<Conversation> {
        Ok(fetch(&mut *self.reader().acquire().await?, id)
            .await?
            .view())
    }

    pub async fn conversations(&self, filter: &ConversationFilter) -> Result<Vec<Conversation>> {
        let rows = sqlx::query_as::<_, ConversationRow>(&format!(
            "{SELECT} WHERE (?1 IS NULL OR v.customer_id = ?1) AND (?2 IS NULL OR v.state = ?2)
               AND (?3 IS NULL OR v.created_at >= ?3) AND (?4 IS NULL OR v.created_at <= ?4)
             ORDER BY v.id DESC LIMIT ?5"
        ))
        .bind(filter.customer_id)
        .bind(filter.state.map(|s| s.as_str()))
        .bind(filter.since)
        .bind(filter.until)
        .bind(filter.limit.unwrap_or(500))
        .fetch_all(self.reader())
        .await?;
        Ok(rows.iter().map(ConversationRow::view).collect())
    }
}

impl Store {
    pub(crate) async fn conversation_row(&self, id: i64) -> Result<ConversationRow> {
        fetch(&mut *self.reader().acquire().await?, id).await
    }
}

//! Conversations: one per chat request, with the ids in the form webchat gave them.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use wxsim_protocol::{RatingOption, WireId};

use super::{messages, now_ms, NewMessage, Store};
use crate::error::{EngineError, Result};
use crate::model::{AgentView, Conversation, ConversationFilter, ConversationState, Message};

row_struct! {
    /// A conversation as stored; `*_wire` columns keep an id's JSON form to echo it back.
    #[derive(Clone, Debug)]
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
        pub agent_wire: Option<String>,
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
        /// A robot chat handed to a human within its session (see migration 10).
        pub handed_over_at: Option<i64>,
        pub message_count: i64,
        pub finding_count: i64,
        /// Raised by every write to the row (see migration 6).
        pub version: i64,
    }
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
    /// The agent's id as webchat gave it.
    pub fn agent(&self) -> Option<WireId> {
        match (&self.agent_wire, &self.agent_id) {
            (Some(wire), _) => Some(WireId::from_json_text(wire)),
            (None, id) => id.clone().map(WireId::Text),
        }
    }
    pub fn set_agent(&mut self, id: &WireId) {
        self.agent_id = Some(id.key());
        self.agent_wire = Some(id.to_json_text());
    }
    pub fn request_id(&self) -> Option<WireId> {
        self.request_wire.as_deref().map(WireId::from_json_text)
    }
    pub fn set_request_id(&mut self, id: &WireId) {
        self.request_wire = Some(id.to_json_text());
    }
    /// The options of the last rating prompt, read again: rows stored before they were
    /// kept read hold the raw `ratings` list.
    pub fn rating_options(&self) -> Option<Vec<RatingOption>> {
        let raw = serde_json::from_str::<Vec<Value>>(self.rating_options.as_deref()?).ok()?;
        Some(RatingOption::read_all(&raw))
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
            rating_options: self.rating_options(),
            rating_id: self.rating_id.clone(),
            rating_comment: self.rating_comment.clone(),
            closed_by: self.closed_by.clone(),
            created_at: self.created_at,
            accepted_at: self.accepted_at,
            closed_at: self.closed_at,
            rated_at: self.rated_at,
            handed_over_at: self.handed_over_at,
            message_count: self.message_count,
            finding_count: self.finding_count,
            version: self.version,
        }
    }
}

const SELECT: &str = "SELECT v.id, v.customer_id, c.open_id, c.nickname, v.profile, v.state,
        v.request_wire, v.session_wire, v.agent_id, v.agent_wire, v.agent_name, v.agents, v.queue_position,
        v.request_status, v.result_code, v.status_message, v.rating_options, v.rating_id,
        v.rating_comment, v.closed_by, v.created_at, v.accepted_at, v.closed_at, v.rated_at,
        v.handed_over_at, v.message_count, v.finding_count, v.version
    FROM conversations v JOIN customers c ON c.id = v.customer_id";

/// The newest conversation matching `clause`.
fn one(
    conn: &Connection,
    clause: &str,
    bind: impl rusqlite::Params,
) -> Result<Option<ConversationRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "{SELECT} WHERE {clause} ORDER BY v.id DESC LIMIT 1"
        ))?
        .query_row(bind, ConversationRow::from_row)
        .optional()?)
}

pub fn fetch(conn: &Connection, id: i64) -> Result<ConversationRow> {
    one(conn, "v.id = ?", [id])?.ok_or(EngineError::UnknownConversation(id))
}

/// The customer's newest conversation, whatever its state.
pub fn latest_for_customer(conn: &Connection, customer_id: i64) -> Result<Option<ConversationRow>> {
    one(conn, "v.customer_id = ?", [customer_id])
}

/// The customer's conversation that is requesting, queued or chatting.
pub fn active_for_customer(conn: &Connection, customer_id: i64) -> Result<Option<ConversationRow>> {
    let clause = format!(
        "v.customer_id = ? AND v.state IN {}",
        ConversationState::ACTIVE_SQL
    );
    one(conn, &clause, [customer_id])
}

pub fn by_session(conn: &Connection, session_key: &str) -> Result<Option<ConversationRow>> {
    one(conn, "v.session_key = ?", [session_key])
}

/// The customer's newest conversation with this request id.
pub fn by_request(
    conn: &Connection,
    customer_id: i64,
    request_key: &str,
) -> Result<Option<ConversationRow>> {
    one(
        conn,
        "v.customer_id = ? AND v.request_key = ?",
        params![customer_id, request_key],
    )
}

/// The newest conversation of any customer with this request id (`getQueueLength.do` names
/// nothing else).
pub fn by_request_key(conn: &Connection, request_key: &str) -> Result<Option<ConversationRow>> {
    one(conn, "v.request_key = ?", [request_key])
}

pub fn insert(conn: &Connection, customer_id: i64, profile: &str) -> Result<ConversationRow> {
    let now = now_ms();
    conn.prepare_cached(
        "INSERT INTO conversations (customer_id, profile, state, created_at, updated_at) VALUES (?, ?, 'requesting', ?, ?)",
    )?
    .execute(params![customer_id, profile, now, now])?;
    fetch(conn, conn.last_insert_rowid())
}

/// Adds `line` to the transcript (if any), then saves `row`: in that order, so that the
/// counters it comes back with include the line.
pub fn save_with_line(
    conn: &Connection,
    row: ConversationRow,
    line: Option<NewMessage>,
) -> Result<(ConversationRow, Option<Message>)> {
    let added = line.map(|line| messages::insert(conn, &line)).transpose()?;
    Ok((save(conn, row)?, added))
}

/// Writes every mutable column of `row` and raises its version; returns it with the
/// counters the triggers keep and the new version.
pub fn save(conn: &Connection, mut row: ConversationRow) -> Result<ConversationRow> {
    let key = |wire: &Option<String>| wire.as_deref().map(|w| WireId::from_json_text(w).key());
    let counters = conn
        .prepare_cached(
            "UPDATE conversations SET state = ?, request_key = ?, request_wire = ?, session_key = ?, session_wire = ?,
                agent_id = ?, agent_wire = ?, agent_name = ?, agents = ?, queue_position = ?, request_status = ?, result_code = ?,
                status_message = ?, rating_options = ?, rating_id = ?, rating_comment = ?, closed_by = ?,
                accepted_at = ?, closed_at = ?, rated_at = ?, handed_over_at = ?, updated_at = ?, version = version + 1
             WHERE id = ? RETURNING message_count, finding_count, version",
        )?
        .query_row(
            params![
                row.state,
                key(&row.request_wire),
                row.request_wire,
                key(&row.session_wire),
                row.session_wire,
                row.agent_id,
                row.agent_wire,
                row.agent_name,
                row.agents,
                row.queue_position,
                row.request_status,
                row.result_code,
                row.status_message,
                row.rating_options,
                row.rating_id,
                row.rating_comment,
                row.closed_by,
                row.accepted_at,
                row.closed_at,
                row.rated_at,
                row.handed_over_at,
                now_ms(),
                row.id,
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or(EngineError::UnknownConversation(row.id))?;
    (row.message_count, row.finding_count, row.version) = counters;
    Ok(row)
}

impl Store {
    pub async fn conversation(&self, id: i64) -> Result<Conversation> {
        self.read(move |conn| Ok(fetch(conn, id)?.view())).await
    }

    pub async fn conversations(&self, filter: &ConversationFilter) -> Result<Vec<Conversation>> {
        let filter = filter.clone();
        self.read(move |conn| {
            let mut select = conn.prepare_cached(&format!(
                "{SELECT} WHERE (?1 IS NULL OR v.customer_id = ?1) AND (?2 IS NULL OR v.state = ?2)
                   AND (?3 IS NULL OR v.created_at >= ?3) AND (?4 IS NULL OR v.created_at <= ?4)
                 ORDER BY v.id DESC LIMIT ?5"
            ))?;
            let rows = select.query_map(
                params![
                    filter.customer_id,
                    filter.state.map(|s| s.as_str()),
                    filter.since,
                    filter.until,
                    filter.limit.unwrap_or(500),
                ],
                ConversationRow::from_row,
            )?;
            Ok(rows
                .map(|row| row.map(|row| row.view()))
                .collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    pub(crate) async fn conversation_row(&self, id: i64) -> Result<ConversationRow> {
        self.read(move |conn| fetch(conn, id)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Delivery, Direction};

    fn conversation() -> (Connection, ConversationRow) {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO customers (open_id, nickname, skill_group, created_at) VALUES ('o-1', 'Wu', 1, 0)",
            [],
        )
        .unwrap();
        let row = insert(&conn, conn.last_insert_rowid(), "embedded").unwrap();
        (conn, row)
    }

    fn agent_says(conversation_id: i64) -> NewMessage {
        NewMessage {
            conversation_id,
            direction: Direction::In,
            kind: "html".into(),
            body: "<p>hi</p>".into(),
            html: Some("<p>hi</p>".into()),
            text: "hi".into(),
            delivery: Delivery::Received,
            wire_time: None,
            agent_name: Some("Ann".into()),
        }
    }

    #[test]
    fn every_save_raises_the_version() {
        let (conn, row) = conversation();
        assert_eq!(row.version, 1, "a new conversation");
        assert_eq!(row.view().version, 1);

        let mut versions = vec![row.version];
        let mut row = row;
        for state in [
            ConversationState::Queued,
            ConversationState::Chatting,
            ConversationState::Chatting, // a save that changes nothing is still a write
            ConversationState::Closed,
        ] {
            row.set_state(state);
            row = save(&conn, row).unwrap();
            assert_eq!(
                fetch(&conn, row.id).unwrap().version,
                row.version,
                "what save answers is what is stored"
            );
            versions.push(row.version);
        }
        assert_eq!(versions, [1, 2, 3, 4, 5]);

        // A save with a line: the counted line's trigger and the save each write the row.
        let (saved, _) = save_with_line(&conn, row.clone(), Some(agent_says(row.id))).unwrap();
        assert_eq!((saved.version, saved.message_count), (7, 1));
        let (saved, _) = save_with_line(
            &conn,
            saved,
            Some(NewMessage::system(
                row.id,
                &crate::SystemLine::ClosedByCustomer,
            )),
        )
        .unwrap();
        assert_eq!(
            (saved.version, saved.message_count),
            (8, 1),
            "a system line is not counted: the save alone"
        );
        assert_eq!(saved.view().version, 8);
    }

    #[test]
    fn a_write_by_a_counter_trigger_raises_the_version_too() {
        let (conn, row) = conversation();
        messages::insert(&conn, &agent_says(row.id)).unwrap();
        let after = fetch(&conn, row.id).unwrap();
        assert_eq!((after.message_count, after.version), (1, row.version + 1));
    }
}

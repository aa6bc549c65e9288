//! Taking up a chat that began before the proxy started, from the ids a side that knows it
//! puts on the wire.

use serde_json::Value;
use wxsim_protocol::WireId;

use crate::error::Result;
use crate::model::{ConversationState, NewCustomer};
use crate::store::{conversations, customers};

/// Adopts a chat the body names that began before the proxy started: its customer (by
/// `openId`, new if unknown) and, unless that customer has a chat in progress, a
/// conversation in `state` with the ids the body gives (`sessionId`, `agentId`,
/// `requestId`, `agentName`). False when the body names no customer.
pub(super) fn adopt(
    conn: &rusqlite::Connection,
    body: &Value,
    state: ConversationState,
    profile: &str,
) -> Result<bool> {
    let id = |field: &str| {
        body.get(field)
            .filter(|v| v.is_string() || v.is_number())
            .and_then(|v| serde_json::from_value::<WireId>(v.clone()).ok())
    };
    let Some(open_id) = id("openId").map(|o| o.key()).filter(|o| !o.is_empty()) else {
        return Ok(false);
    };
    let customer = match customers::id_by_open_id(conn, &open_id)? {
        Some(customer) => customer,
        None => customers::insert(conn, &open_id, &known_by(&open_id))?,
    };
    if conversations::active_for_customer(conn, customer)?.is_some() {
        return Ok(true);
    }
    let mut row = conversations::insert(conn, customer, profile)?;
    row.set_state(state);
    if let Some(session) = id("sessionId").filter(|s| s.key() != "0") {
        row.set_session_id(&session);
    }
    if let Some(agent) = id("agentId") {
        row.set_agent(&agent);
    }
    if let Some(request) = id("requestId") {
        row.set_request_id(&request);
    }
    row.agent_name = body
        .get("agentName")
        .and_then(Value::as_str)
        .map(str::to_owned);
    conversations::save(conn, row)?;
    Ok(true)
}

/// A customer the wire names by `openId` alone (no nickname, no skill group): named by it.
pub(super) fn known_by(open_id: &str) -> NewCustomer {
    NewCustomer {
        open_id: Some(open_id.to_owned()),
        nickname: open_id.to_owned(),
        head_img_url: None,
        source: None,
        brand: None,
        skill_group: 0,
        agent_id: None,
        tracks: None,
    }
}

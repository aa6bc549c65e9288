//! The typed event stream: one event for every state change a front end shows.

use serde::{Deserialize, Serialize, Serializer};
use std::sync::Arc;

use tokio::sync::broadcast;

use crate::config::Profile;
use crate::model::{Conversation, Customer, Exchange, Message};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum EngineEvent {
    CustomerChanged {
        customer: Customer,
    },
    ConversationChanged {
        conversation: Conversation,
    },
    MessageAdded {
        message: Message,
    },
    MessageUpdated {
        message: Message,
    },
    Exchange {
        exchange: Exchange,
    },
    /// A `pulse.do` round: `alive` is webchat's answer (result 1 = still chatting).
    Pulse {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        conversation_id: i64,
        alive: bool,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        at: i64,
    },
    ProfileChanged {
        profile: Profile,
    },
    /// Someone is writing in a customer's chat (`typing`), or stopped. No wire call says so:
    /// `wxsim demo` plays its scenario at a person's pace and announces each message and
    /// reply this way before it is sent, so that both sides show it coming.
    Typing {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        customer_id: i64,
        who: Typist,
        typing: bool,
    },
}

/// Who is writing: the customer on their phone, or the agent at the desk.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Typist {
    Customer,
    Agent,
}

/// What a window shows, so that it is sent only the events it uses: customers and
/// profiles always, a conversation's events while it is open, exchanges while asked for.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EventWatch {
    /// The open conversation.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub conversation: Option<i64>,
    /// The wire's exchanges (the wire inspector or the faults view is open).
    pub exchanges: bool,
}

impl EventWatch {
    pub fn wants(&self, event: &EngineEvent) -> bool {
        let open = |id: i64| self.conversation == Some(id);
        match event {
            EngineEvent::CustomerChanged { .. }
            | EngineEvent::ProfileChanged { .. }
            | EngineEvent::Typing { .. } => true,
            EngineEvent::ConversationChanged { conversation } => open(conversation.id),
            EngineEvent::MessageAdded { message } | EngineEvent::MessageUpdated { message } => {
                open(message.conversation_id)
            }
            EngineEvent::Pulse {
                conversation_id, ..
            } => open(*conversation_id),
            EngineEvent::Exchange { .. } => self.exchanges,
        }
    }
}

/// Events delivered together (the desktop window pulls them so); `lagged` when the
/// receiver dropped events before these, so what a front end shows is stale.
#[derive(Clone, Debug, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EventBatch {
    #[serde(serialize_with = "shared")]
    #[cfg_attr(feature = "ts", ts(as = "Vec<EngineEvent>"))]
    pub events: Vec<Arc<EngineEvent>>,
    pub lagged: bool,
}

/// Writes shared events as the events themselves (serde's `rc` feature would do the same,
/// but for the whole workspace).
fn shared<S: Serializer>(events: &[Arc<EngineEvent>], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(events.iter().map(|event| &**event))
}

/// Fan-out of events to any number of subscribers; slow ones miss events, never block us.
/// Events travel as `Arc`s: a thousand subscribers share one copy of each.
#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<EngineEvent>>,
}

impl EventBus {
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(4096);
        EventBus { sender }
    }

    pub fn publish(&self, event: EngineEvent) {
        // No subscriber is fine: the event is also in the database.
        let _ = self.sender.send(Arc::new(event));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<EngineEvent>> {
        self.sender.subscribe()
    }
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pulse(conversation_id: i64) -> EngineEvent {
        EngineEvent::Pulse {
            conversation_id,
            alive: true,
            at: 5,
        }
    }

    #[test]
    fn a_watch_passes_the_open_conversation_and_what_it_asked_for() {
        let nothing_open = EventWatch::default();
        let open = EventWatch {
            conversation: Some(7),
            exchanges: false,
        };
        let profile = EngineEvent::ProfileChanged {
            profile: Profile::default(),
        };
        assert!(nothing_open.wants(&profile) && open.wants(&profile));
        assert!(open.wants(&pulse(7)));
        assert!(!open.wants(&pulse(8)) && !nothing_open.wants(&pulse(7)));
        let message: Message = serde_json::from_value(serde_json::json!({
            "id": 1, "conversationId": 8, "direction": "in", "kind": "html", "content": null,
            "html": "<b>hi</b>", "text": "hi", "delivery": "received", "resultCode": null,
            "error": null, "wireTime": null, "createdAt": 0
        }))
        .unwrap();
        let added = EngineEvent::MessageAdded { message };
        assert!(!open.wants(&added));
        assert!(EventWatch {
            conversation: Some(8),
            ..open
        }
        .wants(&added));
    }

    #[test]
    fn a_batch_is_written_as_its_events_and_whether_it_lagged() {
        let pulse = pulse(1);
        let batch = EventBatch {
            events: vec![Arc::new(pulse.clone())],
            lagged: true,
        };
        let json = serde_json::to_value(&batch).unwrap();
        assert_eq!(json["lagged"], true);
        assert_eq!(json["events"][0], serde_json::to_value(&pulse).unwrap());
    }
}

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

    #[test]
    fn a_batch_is_written_as_its_events_and_whether_it_lagged() {
        let pulse = EngineEvent::Pulse {
            conversation_id: 1,
            alive: true,
            at: 5,
        };
        let batch = EventBatch {
            events: vec![Arc::new(pulse.clone())],
            lagged: true,
        };
        let json = serde_json::to_value(&batch).unwrap();
        assert_eq!(json["lagged"], true);
        assert_eq!(json["events"][0], serde_json::to_value(&pulse).unwrap());
    }
}

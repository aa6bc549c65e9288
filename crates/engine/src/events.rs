//! The typed event stream: one event for every state change a front end shows.

use serde::{Deserialize, Serialize};
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

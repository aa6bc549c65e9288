//! What a simulated webchat deployment looks like: its skill groups, its agents, the
//! scripted agents' pace and the switches for the spec's ambiguous places. Also the part
//! of it that can change while the simulator runs.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// A queue of chat requests, served by the agents that belong to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillGroup {
    pub id: i64,
    pub name: String,
    /// Served by a robot: accepted at once, and `transferCon.do` hands it to a human group.
    #[serde(default)]
    pub robot: bool,
    /// A persistent queue: `createcon.do` answers with the session at once.
    #[serde(default)]
    pub persistent: bool,
}

/// An agent and the skill groups it serves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentConfig {
    pub id: String,
    pub name: String,
    pub skill_groups: Vec<i64>,
}

/// The whole configuration of a simulator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SimConfig {
    /// The hosting service's base URL: callbacks go to `{ari_base}/ari/…`, and it is the
    /// `LIVEBOT_WANADDR` that media download addresses are built from.
    pub ari_base: String,
    pub skill_groups: Vec<SkillGroup>,
    pub agents: Vec<AgentConfig>,
    /// A scripted agent accepts a queued request after this long.
    pub accept_delay_ms: u64,
    /// A scripted agent answers a customer's message after this long.
    pub reply_delay_ms: u64,
    pub auto_reply: bool,
    /// Adds `requestId` to `createcon.do`'s answer (the spec lists none).
    pub answer_request_id: bool,
    /// The options sent in `pushRating`.
    pub rating_options: Vec<Value>,
    /// Calls `/ari//pushRating`, as the original writes it.
    pub double_slash_push_rating: bool,
    pub callback_timeout_ms: u64,
    pub max_body_bytes: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        let group = |id, name: &str, robot| SkillGroup {
            id,
            name: name.into(),
            robot,
            persistent: false,
        };
        let agent = |id: &str, name: &str, groups: &[i64]| AgentConfig {
            id: id.into(),
            name: name.into(),
            skill_groups: groups.to_vec(),
        };
        let ratings = [
            "Very satisfied",
            "Satisfied",
            "Neutral",
            "Unsatisfied",
            "Very unsatisfied",
        ];
        SimConfig {
            ari_base: "http://127.0.0.1:8181".into(),
            skill_groups: vec![
                group(1, "Sales", false),
                group(2, "Support", false),
                group(9, "Robot", true),
            ],
            agents: vec![
                agent("A001", "Alice", &[1]),
                agent("A002", "Bob", &[2]),
                agent("BOT", "Robot", &[9]),
            ],
            accept_delay_ms: 300,
            reply_delay_ms: 200,
            auto_reply: true,
            answer_request_id: false,
            rating_options: (1..)
                .zip(ratings)
                .map(|(id, name)| json!({ "id": id, "name": name }))
                .collect(),
            double_slash_push_rating: true,
            callback_timeout_ms: 5000,
            max_body_bytes: 1024 * 1024,
        }
    }
}

impl SimConfig {
    pub fn skill_group(&self, id: i64) -> Option<&SkillGroup> {
        self.skill_groups.iter().find(|g| g.id == id)
    }

    /// Agents serving a skill group, in configuration order.
    pub fn agents_of(&self, group: i64) -> impl Iterator<Item = &AgentConfig> {
        self.agents
            .iter()
            .filter(move |a| a.skill_groups.contains(&group))
    }

    /// Where a robot session goes when the customer asks for a human: the first human group.
    pub fn human_group(&self) -> Option<&SkillGroup> {
        self.skill_groups.iter().find(|g| !g.robot)
    }

    pub(crate) fn settings(&self) -> SimSettings {
        SimSettings {
            accept_delay_ms: self.accept_delay_ms,
            reply_delay_ms: self.reply_delay_ms,
            auto_reply: self.auto_reply,
            answer_request_id: self.answer_request_id,
        }
    }
}

/// The settings that can change while the simulator runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimSettings {
    pub accept_delay_ms: u64,
    pub reply_delay_ms: u64,
    pub auto_reply: bool,
    pub answer_request_id: bool,
}

/// A change to the running settings: absent fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigPatch {
    #[serde(default)]
    pub accept_delay_ms: Option<u64>,
    #[serde(default)]
    pub reply_delay_ms: Option<u64>,
    #[serde(default)]
    pub auto_reply: Option<bool>,
    #[serde(default)]
    pub answer_request_id: Option<bool>,
    /// A new hosting-service base URL.
    #[serde(default)]
    pub ari_base: Option<String>,
}

impl SimSettings {
    pub(crate) fn apply(&mut self, patch: &ConfigPatch) {
        let ConfigPatch {
            accept_delay_ms,
            reply_delay_ms,
            auto_reply,
            answer_request_id,
            ari_base: _,
        } = patch;
        if let Some(v) = accept_delay_ms {
            self.accept_delay_ms = *v;
        }
        if let Some(v) = reply_delay_ms {
            self.reply_delay_ms = *v;
        }
        if let Some(v) = auto_reply {
            self.auto_reply = *v;
        }
        if let Some(v) = answer_request_id {
            self.answer_request_id = *v;
        }
    }
}

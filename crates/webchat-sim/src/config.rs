//! What a simulated webchat deployment looks like: its skill groups (working hours, queue
//! timeout, refusals), its agents (capacity, online or not), the scripted agents' pace,
//! callback delivery, and the switches for the spec's ambiguous places. Also the parts of
//! it that can change while the simulator runs: [`ConfigPatch`] for the settings,
//! [`GroupPatch`] and [`AgentPatch`] for the roster.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};
use wxsim_protocol::ParseError;

use crate::clock;

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
    /// When the group takes requests (on the simulator's clock); `None`: always.
    #[serde(default)]
    pub hours: Option<WorkingHours>,
    /// A request still queued after this long ends with status 3 (`TIMEOUT`); `None`: never.
    #[serde(default, alias = "queue_timeout_ms")]
    pub queue_timeout_ms: Option<u64>,
    /// The share (0–1) of requests an agent refuses when it looks at them (status 2).
    #[serde(default, alias = "refuse_share")]
    pub refuse_share: f64,
    /// The next this-many requests an agent looks at are refused (status 2).
    #[serde(default, alias = "refuse_next")]
    pub refuse_next: u32,
}

impl SkillGroup {
    /// A group with no hours, timeout or refusals.
    pub fn new(id: i64, name: impl Into<String>) -> Self {
        SkillGroup {
            id,
            name: name.into(),
            robot: false,
            persistent: false,
            hours: None,
            queue_timeout_ms: None,
            refuse_share: 0.0,
            refuse_next: 0,
        }
    }
}

/// Opening hours: from `open` to `close` (`"HH:MM"`, local time on the simulator's clock) on
/// the ISO weekdays listed (1 Monday … 7 Sunday). `close` before `open` runs past midnight
/// (its early hours count for the day the shift began); `open` equal to `close` is all day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimWorkingHours"))]
pub struct WorkingHours {
    pub open: String,
    pub close: String,
    #[serde(default = "every_day")]
    pub days: Vec<u8>,
}

fn every_day() -> Vec<u8> {
    (1..=7).collect()
}

impl WorkingHours {
    /// Refuses times that are not `HH:MM` and days outside 1–7.
    pub fn check(&self) -> Result<(), String> {
        clock::minute_of_day(&self.open).map_err(|e| format!("open: {e}"))?;
        clock::minute_of_day(&self.close).map_err(|e| format!("close: {e}"))?;
        match self.days.iter().find(|d| !(1..=7).contains(*d)) {
            Some(d) => Err(format!(
                "days: {d} is not an ISO weekday (1 Monday … 7 Sunday)"
            )),
            None => Ok(()),
        }
    }

    /// Open at this local time (minutes since the epoch, in the simulator's time zone)?
    pub fn open_at(&self, local_minute: i64) -> bool {
        let (Ok(open), Ok(close)) = (
            clock::minute_of_day(&self.open),
            clock::minute_of_day(&self.close),
        ) else {
            return true;
        };
        let day = local_minute.div_euclid(1440);
        let minute = local_minute.rem_euclid(1440);
        let works = |day: i64| self.days.contains(&clock::iso_weekday(day));
        if open == close {
            works(day)
        } else if open < close {
            works(day) && (open..close).contains(&minute)
        } else {
            (minute >= open && works(day)) || (minute < close && works(day - 1))
        }
    }
}

/// An agent and the skill groups it serves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentConfig {
    pub id: String,
    pub name: String,
    #[serde(alias = "skill_groups")]
    pub skill_groups: Vec<i64>,
    /// How many chats the agent serves at once (requests it is looking at count too);
    /// `None`: any number.
    #[serde(default)]
    pub capacity: Option<u32>,
    /// An agent who is offline takes no new chats; its open ones go on.
    #[serde(default = "yes")]
    pub online: bool,
}

fn yes() -> bool {
    true
}

impl AgentConfig {
    /// An online agent with no capacity limit.
    pub fn new(id: impl Into<String>, name: impl Into<String>, skill_groups: &[i64]) -> Self {
        AgentConfig {
            id: id.into(),
            name: name.into(),
            skill_groups: skill_groups.to_vec(),
            capacity: None,
            online: true,
        }
    }
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
    /// A scripted agent accepts a queued request this long after it is offered a seat.
    pub accept_delay_ms: u64,
    /// A scripted agent answers a customer's message after this long.
    pub reply_delay_ms: u64,
    pub auto_reply: bool,
    /// Adds `requestId` to `createcon.do`'s answer (the spec lists none).
    pub answer_request_id: bool,
    /// Re-sends `WAITING` to a queued request whenever its place changes.
    pub resend_waiting: bool,
    /// The options sent in `pushRating`.
    pub rating_options: Vec<Value>,
    /// Calls `/ari//pushRating`, as the original writes it.
    pub double_slash_push_rating: bool,
    /// How long one callback try may take.
    pub callback_timeout_ms: u64,
    /// Tries per callback (1: no retry); a failed try is retried after
    /// `callback_backoff_ms`, doubling each time.
    pub callback_tries: u32,
    pub callback_backoff_ms: u64,
    /// The simulator's time zone, for working hours: minutes east of UTC (480: China).
    pub time_zone_offset_minutes: i32,
    pub max_body_bytes: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        let group = |id, name: &str, robot| SkillGroup {
            robot,
            ..SkillGroup::new(id, name)
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
                AgentConfig::new("A001", "Alice", &[1]),
                AgentConfig::new("A002", "Bob", &[2]),
                AgentConfig::new("BOT", "Robot", &[9]),
            ],
            accept_delay_ms: 300,
            reply_delay_ms: 200,
            auto_reply: true,
            answer_request_id: false,
            resend_waiting: true,
            rating_options: (1..)
                .zip(ratings)
                .map(|(id, name)| json!({ "id": id, "name": name }))
                .collect(),
            double_slash_push_rating: true,
            callback_timeout_ms: 5000,
            callback_tries: 1,
            callback_backoff_ms: 500,
            time_zone_offset_minutes: 480,
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

    /// What the types cannot say: hours are times, shares are shares, tries are at least one.
    pub fn check(&self) -> Result<(), ParseError> {
        for group in &self.skill_groups {
            check_group(group)?;
        }
        if self.callback_tries == 0 {
            return Err(field("callbackTries", "at least 1 (1: no retry)"));
        }
        Ok(())
    }

    pub(crate) fn settings(&self) -> SimSettings {
        SimSettings {
            accept_delay_ms: self.accept_delay_ms,
            reply_delay_ms: self.reply_delay_ms,
            auto_reply: self.auto_reply,
            answer_request_id: self.answer_request_id,
            resend_waiting: self.resend_waiting,
            callback_timeout_ms: self.callback_timeout_ms,
            callback_tries: self.callback_tries,
            callback_backoff_ms: self.callback_backoff_ms,
        }
    }
}

fn field(name: &str, reason: impl Into<String>) -> ParseError {
    ParseError::Field {
        field: name.into(),
        reason: reason.into(),
    }
}

pub(crate) fn check_group(group: &SkillGroup) -> Result<(), ParseError> {
    if let Some(hours) = &group.hours {
        hours.check().map_err(|e| field("hours", e))?;
    }
    if !(0.0..=1.0).contains(&group.refuse_share) {
        return Err(field(
            "refuseShare",
            format!("{} is not between 0 and 1", group.refuse_share),
        ));
    }
    Ok(())
}

/// The settings that can change while the simulator runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SimSettings {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub accept_delay_ms: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub reply_delay_ms: u64,
    pub auto_reply: bool,
    pub answer_request_id: bool,
    #[serde(default = "yes")]
    pub resend_waiting: bool,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub callback_timeout_ms: u64,
    #[serde(default)]
    pub callback_tries: u32,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub callback_backoff_ms: u64,
}

/// A change to the running settings: absent fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimConfigPatch"))]
pub struct ConfigPatch {
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub accept_delay_ms: Option<u64>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub reply_delay_ms: Option<u64>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub auto_reply: Option<bool>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub answer_request_id: Option<bool>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub resend_waiting: Option<bool>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub callback_timeout_ms: Option<u64>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub callback_tries: Option<u32>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub callback_backoff_ms: Option<u64>,
    /// A new hosting-service base URL.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub ari_base: Option<String>,
}

impl ConfigPatch {
    pub(crate) fn check(&self) -> Result<(), ParseError> {
        if let Some(base) = &self.ari_base {
            reqwest::Url::parse(base).map_err(|e| field("ariBase", format!("not a URL: {e}")))?;
        }
        if self.callback_tries == Some(0) {
            return Err(field("callbackTries", "at least 1 (1: no retry)"));
        }
        Ok(())
    }
}

impl SimSettings {
    pub(crate) fn apply(&mut self, patch: &ConfigPatch) {
        let ConfigPatch {
            accept_delay_ms,
            reply_delay_ms,
            auto_reply,
            answer_request_id,
            resend_waiting,
            callback_timeout_ms,
            callback_tries,
            callback_backoff_ms,
            ari_base: _,
        } = patch;
        set(&mut self.accept_delay_ms, accept_delay_ms);
        set(&mut self.reply_delay_ms, reply_delay_ms);
        set(&mut self.auto_reply, auto_reply);
        set(&mut self.answer_request_id, answer_request_id);
        set(&mut self.resend_waiting, resend_waiting);
        set(&mut self.callback_timeout_ms, callback_timeout_ms);
        set(&mut self.callback_tries, callback_tries);
        set(&mut self.callback_backoff_ms, callback_backoff_ms);
    }
}

fn set<T: Clone>(target: &mut T, value: &Option<T>) {
    if let Some(v) = value {
        *target = v.clone();
    }
}

/// `Some(None)` for an explicit `null`, `Some(Some(v))` for a value, `None` when absent.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A change to one skill group (created when its id is new): absent fields stay as they
/// are; `null` clears `hours` and `queueTimeoutMs`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimGroupPatch"))]
pub struct GroupPatch {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub robot: Option<bool>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub persistent: Option<bool>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ts", ts(as = "Option<WorkingHours>", optional = nullable))]
    pub hours: Option<Option<WorkingHours>>,
    #[serde(
        default,
        alias = "queue_timeout_ms",
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ts", ts(optional = nullable, type = "number | null"))]
    pub queue_timeout_ms: Option<Option<u64>>,
    #[serde(default, alias = "refuse_share")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub refuse_share: Option<f64>,
    #[serde(default, alias = "refuse_next")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub refuse_next: Option<u32>,
}

impl GroupPatch {
    /// The group as patched (a new one when `group` is `None`), checked.
    pub(crate) fn applied(&self, group: Option<&SkillGroup>) -> Result<SkillGroup, ParseError> {
        let mut g = group
            .cloned()
            .unwrap_or_else(|| SkillGroup::new(self.id, format!("Group {}", self.id)));
        set(&mut g.name, &self.name);
        set(&mut g.robot, &self.robot);
        set(&mut g.persistent, &self.persistent);
        set(&mut g.hours, &self.hours);
        set(&mut g.queue_timeout_ms, &self.queue_timeout_ms);
        set(&mut g.refuse_share, &self.refuse_share);
        set(&mut g.refuse_next, &self.refuse_next);
        check_group(&g)?;
        Ok(g)
    }
}

/// A change to one agent (created when its id is new): absent fields stay as they are;
/// `capacity: null` lifts the limit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimAgentPatch"))]
pub struct AgentPatch {
    pub id: String,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<String>,
    #[serde(default, alias = "skill_groups")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number[]"))]
    pub skill_groups: Option<Vec<i64>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ts", ts(optional = nullable, type = "number | null"))]
    pub capacity: Option<Option<u32>>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub online: Option<bool>,
}

impl AgentPatch {
    /// The agent as patched (a new, online one when `agent` is `None`).
    pub(crate) fn applied(&self, agent: Option<&AgentConfig>) -> AgentConfig {
        let mut a = agent
            .cloned()
            .unwrap_or_else(|| AgentConfig::new(self.id.clone(), self.id.clone(), &[]));
        set(&mut a.name, &self.name);
        set(&mut a.skill_groups, &self.skill_groups);
        set(&mut a.capacity, &self.capacity);
        set(&mut a.online, &self.online);
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(open: &str, close: &str, days: &[u8]) -> WorkingHours {
        WorkingHours {
            open: open.into(),
            close: close.into(),
            days: days.to_vec(),
        }
    }

    /// Minutes since the epoch of a local wall time.
    fn at(text: &str) -> i64 {
        clock::parse_local(text).unwrap() / 60_000
    }

    #[test]
    fn working_hours_follow_the_days_and_run_past_midnight() {
        let office = hours("09:00", "18:00", &[1, 2, 3, 4, 5]);
        assert!(office.check().is_ok());
        // 2025-01-06 is a Monday, 2025-01-11 a Saturday.
        assert!(!office.open_at(at("2025-01-06 08:59:59")));
        assert!(office.open_at(at("2025-01-06 09:00:00")));
        assert!(office.open_at(at("2025-01-06 17:59:00")));
        assert!(!office.open_at(at("2025-01-06 18:00:00")));
        assert!(!office.open_at(at("2025-01-11 10:00:00")));
        let night = hours("22:00", "06:00", &[5]);
        assert!(night.open_at(at("2025-01-10 23:00:00")), "Friday night");
        assert!(night.open_at(at("2025-01-11 05:59:00")), "its early hours");
        assert!(!night.open_at(at("2025-01-11 23:00:00")), "Saturday night");
        assert!(hours("00:00", "00:00", &[1]).open_at(at("2025-01-06 12:00:00")));
        assert!(hours("9", "18:00", &[1]).check().is_err());
        assert!(hours("09:00", "18:00", &[0]).check().is_err());
    }

    #[test]
    fn patches_create_change_and_clear() {
        let patch: GroupPatch =
            serde_json::from_str(r#"{"id": 4, "queueTimeoutMs": 1000, "refuseNext": 2}"#).unwrap();
        let group = patch.applied(None).unwrap();
        assert_eq!(
            (
                group.name.as_str(),
                group.queue_timeout_ms,
                group.refuse_next
            ),
            ("Group 4", Some(1000), 2)
        );
        let clear: GroupPatch =
            serde_json::from_str(r#"{"id": 4, "queueTimeoutMs": null}"#).unwrap();
        assert_eq!(clear.applied(Some(&group)).unwrap().queue_timeout_ms, None);
        let bad: GroupPatch = serde_json::from_str(r#"{"id": 4, "refuseShare": 2}"#).unwrap();
        assert!(bad.applied(None).is_err());

        let agent: AgentPatch =
            serde_json::from_str(r#"{"id": "X", "capacity": 1, "skillGroups": [4]}"#).unwrap();
        let x = agent.applied(None);
        assert_eq!(
            (x.capacity, x.online, x.skill_groups),
            (Some(1), true, vec![4])
        );
        let unlimited: AgentPatch =
            serde_json::from_str(r#"{"id": "X", "capacity": null}"#).unwrap();
        assert_eq!(unlimited.capacity, Some(None));
        let old: SimConfig =
            serde_json::from_str(r#"{"agents": [{"id": "A", "name": "A", "skillGroups": [1]}]}"#)
                .unwrap();
        assert_eq!((old.agents[0].capacity, old.agents[0].online), (None, true));
    }
}

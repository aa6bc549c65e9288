//! The typed scenario: customers and the steps each one takes, as a scenario file says
//! them. Deserialized from TOML (`parse`), with every choice validated on the way in so
//! that a running scenario never meets a malformed step.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use wxsim_engine::faults::{FaultAction, ListenerFault};
use wxsim_engine::protocol::{
    content::{LinkContent, LocationContent},
    AgentRef, ContentEncoding, RequestSource, RequestStatus, ResultCode,
};
use wxsim_engine::scenario_file::DEFAULT_WITHIN_MS;
use wxsim_engine::{ConversationState, CreateTimeFormat, Profile, TransferReading};
use wxsim_webchat::{
    AgentPatch, ClockPatch, ConfigPatch, FaultSpec, GroupPatch, NextRequestStatus, RoutingFailure,
};

/// One scenario file.
#[derive(Debug)]
pub struct Scenario {
    pub file: PathBuf,
    pub name: String,
    pub settings: Settings,
    /// Pace and switches of the embedded simulator (`[simulator]`).
    pub simulator: Option<SimulatorSettings>,
    pub customers: Vec<CustomerSpec>,
}

/// `[settings]`: the engine profile for the run, and the default deadline of waits.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub within_ms: Option<u64>,
    pub pulse_interval_ms: Option<u64>,
    pub queue_poll_interval_ms: Option<u64>,
    pub request_timeout_ms: Option<u64>,
    pub content_encoding: Option<ContentEncoding>,
    pub create_time_format: Option<CreateTimeFormat>,
    /// How `transferCon.do` is read: `robot_session` (default) or `hand_over`.
    pub transfer_reading: Option<TransferReading>,
}

impl Settings {
    /// Writes the settings given into `profile`.
    pub fn apply(&self, profile: &mut Profile) {
        if let Some(v) = self.pulse_interval_ms {
            profile.pulse_interval_ms = v;
        }
        if let Some(v) = self.queue_poll_interval_ms {
            profile.queue_poll_interval_ms = v;
        }
        if let Some(v) = self.request_timeout_ms {
            profile.request_timeout_ms = v;
        }
        if let Some(v) = self.content_encoding {
            profile.content_encoding = v;
        }
        if let Some(v) = self.create_time_format {
            profile.create_time_format = v;
        }
        if let Some(v) = self.transfer_reading {
            profile.transfer_reading = v;
        }
    }

    /// How long a step with no `within_ms` of its own waits.
    pub fn default_within(&self) -> Duration {
        Duration::from_millis(self.within_ms.unwrap_or(DEFAULT_WITHIN_MS))
    }
}

/// `[simulator]`: the embedded simulator's running settings, and skill groups and agents
/// (`[[simulator.group]]`, `[[simulator.agent]]`) changed or added for this file.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimulatorSettings {
    pub accept_delay_ms: Option<u64>,
    pub reply_delay_ms: Option<u64>,
    pub auto_reply: Option<bool>,
    pub answer_request_id: Option<bool>,
    pub resend_waiting: Option<bool>,
    pub callback_timeout_ms: Option<u64>,
    pub callback_tries: Option<u32>,
    pub callback_backoff_ms: Option<u64>,
    pub group: Vec<GroupPatch>,
    pub agent: Vec<AgentPatch>,
}

impl SimulatorSettings {
    pub fn patch(&self) -> ConfigPatch {
        ConfigPatch {
            accept_delay_ms: self.accept_delay_ms,
            reply_delay_ms: self.reply_delay_ms,
            auto_reply: self.auto_reply,
            answer_request_id: self.answer_request_id,
            resend_waiting: self.resend_waiting,
            callback_timeout_ms: self.callback_timeout_ms,
            callback_tries: self.callback_tries,
            callback_backoff_ms: self.callback_backoff_ms,
            ari_base: None,
        }
    }
}

/// `[[customer]]`: who the customer is, and the steps it takes in order.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerSpec {
    pub nickname: String,
    /// Generated when absent; an existing customer with this openId is reused.
    #[serde(default)]
    pub open_id: Option<String>,
    #[serde(default = "first_skill_group")]
    pub skill_group: i64,
    #[serde(default)]
    pub agent_id: Option<String>,
    #[serde(default)]
    pub source: Option<RequestSource>,
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub tracks: Option<String>,
    #[serde(default)]
    pub head_img_url: Option<String>,
    /// Read as plain tables first, so that an error in a step names that step's line.
    #[serde(rename = "step", default)]
    pub(crate) raw_steps: Vec<toml::Spanned<toml::Table>>,
    /// Filled from `raw_steps` once the file's lines are known.
    #[serde(skip)]
    pub steps: Vec<Step>,
    #[serde(skip)]
    pub line: usize,
}

fn first_skill_group() -> i64 {
    1
}

/// A step with where it stands in its file.
#[derive(Debug)]
pub struct Step {
    /// 1-based position in the customer's list.
    pub number: usize,
    pub line: usize,
    pub column: usize,
    pub action: Action,
}

/// What a step does; `do = "…"` in the file.
#[derive(Debug, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// `createcon.do`.
    RequestChat,
    /// Until the customer's conversation is in `state`.
    WaitState {
        state: ConversationState,
        within_ms: Option<u64>,
    },
    /// Until the last `requestStatus` webchat announced is `status`.
    WaitStatus {
        status: RequestStatus,
        within_ms: Option<u64>,
    },
    /// Until the exchange log holds `count` exchanges of `operation` for this customer
    /// (`/ari/create`, `pulse.do`, …).
    WaitCallback {
        operation: String,
        #[serde(default = "one")]
        count: usize,
        within_ms: Option<u64>,
    },
    /// `getmsg.do` with one message.
    Send(Outgoing),
    /// Until an agent message after the last one matched fits.
    ExpectAgent(AgentExpectation),
    /// Until the session's agents include each id or name.
    ExpectAgents {
        agents: Vec<String>,
        within_ms: Option<u64>,
    },
    /// Waits for the rating prompt (`pushRating`), then `ratesession.do`.
    Rate {
        /// A rating id; by default the first option offered.
        rating: Option<String>,
        #[serde(default)]
        comment: String,
        within_ms: Option<u64>,
    },
    /// `cancelRequest.do`, once the request's id is known.
    Cancel {
        within_ms: Option<u64>,
    },
    /// `transferCon.do`.
    Transfer {
        #[serde(default)]
        info: String,
    },
    /// `closecon.do`.
    Close,
    Pause {
        ms: u64,
    },
    /// Until `getQueueLength.do` answers `orderInQueue` = `order` (0: first in line).
    WaitQueuePosition {
        order: i64,
        within_ms: Option<u64>,
    },
    /// Tells the other customers of the file that this point is reached.
    Signal {
        name: String,
    },
    /// Until another customer's `signal` step of that name has run.
    WaitSignal {
        name: String,
        within_ms: Option<u64>,
    },
    /// Arms a fault on the engine's own callback listener (see `GET /api/faults`).
    ListenerFault(ListenerFaultStep),
    /// The next step must fail this way.
    ExpectError(ExpectedError),
    /// Drives the embedded simulator.
    Sim(SimAction),
}

/// A fault on the engine's listener: `path` (`/ari/create`, … or `*`), `action`
/// (`{ kind = "result", code = -9 }`, `{ kind = "status", status = 500 }`,
/// `{ kind = "delay", ms = 100 }`, `{ kind = "drop" }`), for `remaining` calls or a `share`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListenerFaultStep(pub ListenerFault);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListenerFaultFields {
    path: String,
    action: FaultAction,
    remaining: Option<u32>,
    share: Option<f64>,
}

impl<'de> Deserialize<'de> for ListenerFaultStep {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = ListenerFaultFields::deserialize(d)?;
        Ok(ListenerFaultStep(ListenerFault {
            path: f.path,
            action: f.action,
            remaining: f.remaining,
            share: f.share,
        }))
    }
}

fn one() -> usize {
    1
}

/// A media file a `send` step uploads: a path relative to the scenario file, or a file the
/// scenario carries inside itself (its `[media]` table, by name).
#[derive(Debug, Clone, PartialEq)]
pub enum MediaFile {
    Path(PathBuf),
    Embedded { name: String, bytes: Arc<[u8]> },
}

impl MediaFile {
    /// The file's name, as uploaded.
    pub fn name(&self) -> String {
        match self {
            MediaFile::Path(path) => path
                .file_name()
                .map_or("file".into(), |n| n.to_string_lossy().into_owned()),
            MediaFile::Embedded { name, .. } => name.clone(),
        }
    }

    /// Its extension, if its name has one.
    fn extension(&self) -> Option<String> {
        Path::new(&self.name())
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
    }
}

impl<'de> Deserialize<'de> for MediaFile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        PathBuf::deserialize(d).map(MediaFile::Path)
    }
}

/// A message to send; media are files relative to the scenario file, or carried inside it.
#[derive(Debug, Clone, PartialEq)]
pub enum Outgoing {
    Text(String),
    Image(MediaFile),
    Voice {
        file: MediaFile,
        recognition: String,
        format: String,
    },
    Video {
        file: MediaFile,
        thumb: MediaFile,
    },
    Link(LinkContent),
    Location(LocationContent),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VoiceFile {
    file: MediaFile,
    #[serde(default)]
    recognition: String,
    #[serde(default)]
    format: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VideoFile {
    file: MediaFile,
    thumb: MediaFile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SendFields {
    text: Option<String>,
    image: Option<MediaFile>,
    voice: Option<VoiceFile>,
    video: Option<VideoFile>,
    link: Option<LinkContent>,
    location: Option<LocationContent>,
}

/// Exactly one of the options, or a message naming them.
fn exactly_one<T>(options: Vec<Option<T>>, what: &str) -> Result<T, String> {
    let count = options.iter().filter(|o| o.is_some()).count();
    match count {
        1 => Ok(options.into_iter().flatten().next().expect("one is set")),
        _ => Err(format!("{what} (found {count})")),
    }
}

impl<'de> Deserialize<'de> for Outgoing {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = SendFields::deserialize(d)?;
        exactly_one(
            vec![
                f.text.map(Outgoing::Text),
                f.image.map(Outgoing::Image),
                f.voice.map(|v| Outgoing::Voice {
                    format: v
                        .format
                        .or_else(|| v.file.extension())
                        .unwrap_or_else(|| "amr".into()),
                    file: v.file,
                    recognition: v.recognition,
                }),
                f.video.map(|v| Outgoing::Video {
                    file: v.file,
                    thumb: v.thumb,
                }),
                f.link.map(Outgoing::Link),
                f.location.map(Outgoing::Location),
            ],
            "a send step takes exactly one of text, image, voice, video, link, location",
        )
        .map_err(serde::de::Error::custom)
    }
}

impl Outgoing {
    /// The media files this message needs.
    pub fn files_mut(&mut self) -> Vec<&mut MediaFile> {
        match self {
            Outgoing::Image(f) | Outgoing::Voice { file: f, .. } => vec![f],
            Outgoing::Video { file, thumb } => vec![file, thumb],
            _ => vec![],
        }
    }
}

/// How an agent message must look: any message at all, or its plain text is exactly a
/// string, or its plain text or sanitized HTML contains a string or matches a regular
/// expression.
#[derive(Debug)]
pub enum TextMatch {
    Any,
    Exact(String),
    Contains(String),
    Regex(regex::Regex),
}

impl TextMatch {
    /// Whether an agent message with this plain `text` and sanitized `html` fits.
    pub fn matches(&self, text: &str, html: Option<&str>) -> bool {
        let either = |fits: &dyn Fn(&str) -> bool| fits(text) || html.is_some_and(fits);
        match self {
            TextMatch::Any => true,
            TextMatch::Exact(s) => text == s,
            TextMatch::Contains(s) => either(&|t| t.contains(s.as_str())),
            TextMatch::Regex(r) => either(&|t| r.is_match(t)),
        }
    }
}

impl std::fmt::Display for TextMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextMatch::Any => write!(f, "(any reply)"),
            TextMatch::Exact(s) => write!(f, "saying exactly {s:?}"),
            TextMatch::Contains(s) => write!(f, "containing {s:?}"),
            TextMatch::Regex(r) => write!(f, "matching /{r}/"),
        }
    }
}

#[derive(Debug)]
pub struct AgentExpectation {
    pub text: TextMatch,
    pub within_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentFields {
    exact: Option<String>,
    contains: Option<String>,
    regex: Option<String>,
    within_ms: Option<u64>,
}

impl<'de> Deserialize<'de> for AgentExpectation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = AgentFields::deserialize(d)?;
        let regex = f
            .regex
            .map(|r| regex::Regex::new(&r).map(TextMatch::Regex))
            .transpose()
            .map_err(|e| serde::de::Error::custom(format!("bad regex: {e}")))?;
        let given = [
            f.exact.map(TextMatch::Exact),
            f.contains.map(TextMatch::Contains),
            regex,
        ];
        if given.iter().filter(|g| g.is_some()).count() > 1 {
            return Err(serde::de::Error::custom(
                "expect_agent takes at most one of exact, contains, regex (none: any message)",
            ));
        }
        Ok(AgentExpectation {
            text: given.into_iter().flatten().next().unwrap_or(TextMatch::Any),
            within_ms: f.within_ms,
        })
    }
}

/// How the next step must fail.
#[derive(Debug, Clone, PartialEq)]
pub enum ExpectedError {
    /// webchat answers with this result code.
    Code(ResultCode),
    /// The engine refuses with this error kind (`wrong_state`, `invalid`, …).
    Kind(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedFields {
    code: Option<ResultCode>,
    kind: Option<String>,
}

impl<'de> Deserialize<'de> for ExpectedError {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = ExpectedFields::deserialize(d)?;
        exactly_one(
            vec![
                f.code.map(ExpectedError::Code),
                f.kind.map(ExpectedError::Kind),
            ],
            "expect_error takes exactly one of code (e.g. -4), kind (e.g. \"wrong_state\")",
        )
        .map_err(serde::de::Error::custom)
    }
}

impl std::fmt::Display for ExpectedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpectedError::Code(c) => write!(f, "result {c}"),
            ExpectedError::Kind(k) => write!(f, "error kind {k}"),
        }
    }
}

/// What a `sim` step does to the embedded simulator.
#[derive(Debug)]
pub enum SimAction {
    Fault(FaultSpec),
    NextRequestStatus(NextRequestStatus),
    AgentSay(String),
    AgentClose,
    PushRating,
    Agents(Vec<AgentRef>),
    /// An agent goes online or offline, changes capacity or groups (or is added).
    SetAgent(AgentPatch),
    /// A skill group changes hours, queue timeout, refusals (or is added).
    SetGroup(GroupPatch),
    /// The simulator's clock moves.
    Clock(ClockPatch),
    /// The next requests end with a failing `/ari/create`.
    RoutingFailure(RoutingFailure),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SimFields {
    fault: Option<FaultSpec>,
    next_request_status: Option<RequestStatus>,
    agent_say: Option<String>,
    #[serde(default)]
    agent_close: bool,
    #[serde(default)]
    push_rating: bool,
    agents: Option<Vec<AgentRef>>,
    set_agent: Option<AgentPatch>,
    set_group: Option<GroupPatch>,
    clock: Option<ClockPatch>,
    routing_failure: Option<RoutingFailure>,
}

impl<'de> Deserialize<'de> for SimAction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = SimFields::deserialize(d)?;
        exactly_one(
            vec![
                f.fault.map(SimAction::Fault),
                f.next_request_status.map(|status| {
                    SimAction::NextRequestStatus(NextRequestStatus {
                        status,
                        skill_group: None,
                    })
                }),
                f.agent_say.map(SimAction::AgentSay),
                f.agent_close.then_some(SimAction::AgentClose),
                f.push_rating.then_some(SimAction::PushRating),
                f.agents.map(SimAction::Agents),
                f.set_agent.map(SimAction::SetAgent),
                f.set_group.map(SimAction::SetGroup),
                f.clock.map(SimAction::Clock),
                f.routing_failure.map(SimAction::RoutingFailure),
            ],
            "a sim step takes exactly one of fault, next_request_status, agent_say, agent_close, push_rating, agents, set_agent, set_group, clock, routing_failure",
        )
        .map_err(serde::de::Error::custom)
    }
}

//! Save as scenario: a conversation of the history written as a `wxsim run` scenario file
//! (the format is `crates/scenario`'s, documented in `scenarios/README.md`). The steps are
//! read from the wire log in the order things happened: the customer's calls (request,
//! every message with its media files, transfer, cancel, close, rating) become steps, a
//! call webchat refused becomes `expect_error` before it, the agent taking the chat (again,
//! after a transfer) and closing it become waits for those states, and each agent message
//! becomes an `expect_agent`: any reply, its exact words, or a regex made from them.
//!
//! Media files go beside the scenario file, or inside it in base64 (`[media]`) when the
//! scenario must be one file (a browser download).

use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;
use std::str::FromStr;

use base64::Engine as _;
use serde::Serialize;
use wxsim_protocol::parse::parse_value;
use wxsim_protocol::{
    CallbackKind, CreateCallback, Endpoint, GetMsgRequest, MessageContent, MsgCallback,
    RateSessionRequest, TransferConRequest,
};

use crate::config::Profile;
use crate::error::Result;
use crate::media::MediaFolder;
use crate::model::{
    Conversation, ConversationState, Customer, Exchange, ExchangeDirection, ExchangeFilter,
    ExchangeOutcome, Media,
};
use crate::sanitize::AgentHtml;
use crate::store::Store;

/// How long a waiting step waits when it names no deadline (the scenario format's default).
pub const DEFAULT_WITHIN_MS: u64 = 10_000;

/// A waiting step's deadline is this many times what the wait took in the recording, when
/// that is beyond the default: a replay as slow as the recording still passes.
const SLACK: u64 = 3;

/// How a saved scenario expects the agent's replies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Expect {
    /// A reply, whatever it says.
    #[default]
    Any,
    /// Exactly the words the agent wrote.
    Exact,
    /// A regex made from those words, numbers loosened to `\d+`.
    Regex,
}

impl Expect {
    pub const ALL: [Expect; 3] = [Expect::Any, Expect::Exact, Expect::Regex];

    /// The name used on the command line and in the API (`any`, `exact`, `regex`).
    pub fn as_str(self) -> &'static str {
        match self {
            Expect::Any => "any",
            Expect::Exact => "exact",
            Expect::Regex => "regex",
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("unknown expectation `{0}`; use one of any, exact, regex")]
pub struct UnknownExpect(pub String);

impl FromStr for Expect {
    type Err = UnknownExpect;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Expect::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| UnknownExpect(s.to_owned()))
    }
}

/// Where the media files of a saved scenario go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Files of their own, in the scenario file's folder.
    Beside,
    /// Inside the scenario file, in base64 (`[media]`).
    Inside,
}

/// What a saved scenario is made of, read from the history.
pub struct Recording {
    conversation: Conversation,
    customer: Customer,
    /// The profile the conversation ran under, while it is still stored.
    profile: Option<Profile>,
    /// The conversation's exchanges, in the order they began.
    exchanges: Vec<Exchange>,
    /// The customer's media files by media id (those still in the media folder).
    media: HashMap<String, (Media, Vec<u8>)>,
}

impl Recording {
    /// Reads conversation `id`, its exchanges and its customer's media files.
    pub async fn gather(store: &Store, media_dir: &Path, id: i64) -> Result<Recording> {
        let conversation = store.conversation(id).await?;
        let customer = store.customer(conversation.customer_id).await?;
        let profile = store
            .profiles()
            .await?
            .into_iter()
            .find(|p| p.name == conversation.profile);
        let mut exchanges = store
            .exchanges(&ExchangeFilter {
                conversation_id: Some(id),
                limit: Some(i64::MAX),
                ..Default::default()
            })
            .await?;
        exchanges.sort_by_key(|e| (e.started_at, e.id));
        let folder = MediaFolder::open(media_dir)?;
        let mut media = HashMap::new();
        for content in exchanges.iter().filter_map(sent_content) {
            for media_id in content.media_ids() {
                if media.contains_key(media_id) {
                    continue;
                }
                if let Some(row) = store.media(media_id).await? {
                    if let Ok(bytes) = folder.read(&row.file_name).await {
                        media.insert(media_id.to_owned(), (row, bytes));
                    }
                }
            }
        }
        Ok(Recording {
            conversation,
            customer,
            profile,
            exchanges,
            media,
        })
    }
}

/// A scenario file's text, and the media files to write beside it.
pub struct SavedScenario {
    pub text: String,
    /// `(file name, bytes)`, for [`Placement::Beside`]; none otherwise.
    pub files: Vec<(String, Vec<u8>)>,
}

/// What a `getmsg.do` exchange sent, if it is one.
fn sent_content(e: &Exchange) -> Option<MessageContent> {
    if e.direction != ExchangeDirection::Out
        || e.operation.as_deref() != Some(Endpoint::GetMsg.path())
    {
        return None;
    }
    let request: GetMsgRequest = parse_value(serde_json::from_str(&e.request_body).ok()?).ok()?;
    request.message().ok()
}

/// A TOML basic string: quotes, backslashes and control characters escaped, so that any
/// text (an agent's, a customer's) stays one value on one line.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A serde enum's wire name (`robot_session`, `PC`, …).
fn name_of(v: &impl Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A regex matching `text` with each run of digits loosened to `\d+`.
fn regex_of(text: &str) -> String {
    let mut out = String::from("^");
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out += &regex::escape(&rest[..start]);
        out += r"\d+";
        rest = rest[start..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out += &regex::escape(rest);
    out.push('$');
    out
}

/// The deadline (ms, whole seconds) of a wait that took `took_ms` in the recording, when the
/// default is too short for it.
fn deadline(took_ms: i64) -> Option<u64> {
    let ms = u64::try_from(took_ms).unwrap_or(0).saturating_mul(SLACK);
    (ms > DEFAULT_WITHIN_MS).then(|| ms.div_ceil(1000) * 1000)
}

/// The first characters of a text, for a comment.
fn brief(text: &str) -> String {
    let mut short: String = text.chars().take(80).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    quoted(&short)
}

/// A file name safe on every platform, from a customer's original one.
fn safe_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    safe.trim_start_matches('.').to_owned()
}

/// The scenario being written: its steps, and the media files they use.
struct Writer<'a> {
    recording: &'a Recording,
    expect: Expect,
    stem: String,
    steps: String,
    last_wait: Option<ConversationState>,
    /// When the exchange behind the last step began (epoch ms).
    last_at: Option<i64>,
    /// media id → file name, in the order first used.
    files: Vec<(String, String)>,
    creates: usize,
    words: AgentHtml,
}

impl Writer<'_> {
    /// One `[[customer.step]]`: `do`, a comment, then its fields (already TOML values).
    fn step(&mut self, action: &str, comment: Option<String>, fields: &[(&str, String)]) {
        self.steps += "\n[[customer.step]]\n";
        let _ = write!(self.steps, "do = {}", quoted(action));
        if let Some(comment) = comment {
            let _ = write!(self.steps, "  # {comment}");
        }
        self.steps.push('\n');
        for (key, v) in fields {
            let _ = writeln!(self.steps, "{key} = {v}");
        }
        self.last_wait = None;
    }

    fn wait_state(&mut self, state: ConversationState, within: Vec<(&str, String)>) {
        if self.last_wait != Some(state) {
            let mut fields = vec![("state", quoted(state.as_str()))];
            fields.extend(within);
            self.step("wait_state", None, &fields);
            self.last_wait = Some(state);
        }
    }

    /// The deadline of a wait for what `e` brought, if the default is too short for it; and
    /// `e` becomes the point the next wait is measured from.
    fn within(&mut self, e: &Exchange) -> Vec<(&'static str, String)> {
        let took = self
            .last_at
            .replace(e.started_at)
            .map_or(0, |before| e.started_at.saturating_sub(before));
        deadline(took)
            .map(|ms| ("within_ms", ms.to_string()))
            .into_iter()
            .collect()
    }

    /// The file name of a media id's file, or `None` when its file is gone.
    fn file(&mut self, media_id: &str) -> Option<String> {
        if let Some((_, name)) = self.files.iter().find(|(id, _)| id == media_id) {
            return Some(quoted(name));
        }
        let (media, _) = self.recording.media.get(media_id)?;
        let name = format!(
            "{}-{}-{}",
            self.stem,
            self.files.len() + 1,
            safe_name(&media.original_name)
        );
        self.files.push((media_id.to_owned(), name.clone()));
        Some(quoted(&name))
    }

    /// A `send` step's field for this content, or why it cannot be sent again.
    fn send_field(
        &mut self,
        content: &MessageContent,
    ) -> std::result::Result<(&'static str, String), String> {
        let missing =
            |id: &str| format!("its file (media id {id}) is no longer in the media folder");
        Ok(match content {
            MessageContent::Text(text) => ("text", quoted(text)),
            MessageContent::Image(image) => (
                "image",
                self.file(&image.media_id)
                    .ok_or_else(|| missing(&image.media_id))?,
            ),
            MessageContent::Voice(voice) => {
                let file = self
                    .file(&voice.media_id)
                    .ok_or_else(|| missing(&voice.media_id))?;
                (
                    "voice",
                    format!(
                        "{{ file = {file}, recognition = {}, format = {} }}",
                        quoted(&voice.recognition),
                        quoted(&voice.format)
                    ),
                )
            }
            MessageContent::Video(video) => {
                let file = self
                    .file(&video.media_id)
                    .ok_or_else(|| missing(&video.media_id))?;
                let thumb = self
                    .file(&video.thumb_media_id)
                    .ok_or_else(|| missing(&video.thumb_media_id))?;
                ("video", format!("{{ file = {file}, thumb = {thumb} }}"))
            }
            MessageContent::Link(link) => (
                "link",
                format!(
                    "{{ url = {}, title = {}, description = {} }}",
                    quoted(&link.url),
                    quoted(&link.title),
                    quoted(&link.description)
                ),
            ),
            MessageContent::Location(place) => (
                "location",
                format!(
                    "{{ x = {:?}, y = {:?}, scale = {:?}, label = {} }}",
                    place.x,
                    place.y,
                    place.scale,
                    quoted(&place.label)
                ),
            ),
        })
    }

    /// A customer's call: its step, after `expect_error` when webchat refused it.
    fn customer_call(&mut self, e: &Exchange, endpoint: Endpoint) {
        let body: serde_json::Value = serde_json::from_str(&e.request_body).unwrap_or_default();
        let (action, fields) = match endpoint {
            Endpoint::CreateCon => ("request_chat", vec![]),
            Endpoint::CloseCon => ("close", vec![]),
            Endpoint::CancelRequest => ("cancel", vec![]),
            Endpoint::TransferCon => {
                let info = parse_value::<TransferConRequest>(body)
                    .map(|r| r.transfer_info)
                    .unwrap_or_default();
                ("transfer", vec![("info", quoted(&info))])
            }
            Endpoint::RateSession => match parse_value::<RateSessionRequest>(body) {
                Ok(r) => (
                    "rate",
                    vec![
                        ("rating", quoted(&r.rating_id.key())),
                        ("comment", quoted(&r.rating_comment)),
                    ],
                ),
                Err(_) => ("rate", vec![]),
            },
            Endpoint::GetMsg => match sent_content(e).map(|c| self.send_field(&c)) {
                Some(Ok(field)) => ("send", vec![field]),
                Some(Err(why)) => {
                    let _ = writeln!(self.steps, "\n# A message was sent here, but {why}.");
                    return;
                }
                None => return,
            },
            // Timers, not the customer: the engine calls them by itself.
            Endpoint::Pulse | Endpoint::GetQueueLength => return,
        };
        match (e.outcome, e.result_code) {
            (ExchangeOutcome::Rejected, Some(code)) => {
                let comment = Some(format!("webchat answered {code} in the recording"));
                self.step("expect_error", comment, &[("code", code.to_string())]);
            }
            (ExchangeOutcome::Failed, _) => {
                let why = e.error.as_deref().unwrap_or("no usable answer");
                let _ = writeln!(
                    self.steps,
                    "\n# In the recording this call failed: {}",
                    brief(why)
                );
            }
            _ => {}
        }
        self.last_at = Some(e.started_at);
        self.step(action, None, &fields);
    }

    /// A callback webchat made: a wait, or an expectation of what the agent said.
    fn callback(&mut self, e: &Exchange, kind: CallbackKind) {
        if e.outcome != ExchangeOutcome::Ok || e.findings.iter().any(|f| f.rule == "repeat") {
            return;
        }
        let body: serde_json::Value = serde_json::from_str(&e.request_body).unwrap_or_default();
        match kind {
            CallbackKind::Create => match parse_value::<CreateCallback>(body) {
                Ok(cb) if cb.result.code() == 1 => {
                    let within = self.within(e);
                    self.creates += 1;
                    if self.creates > 1 {
                        let comment = Some("another agent takes the chat".to_owned());
                        let mut fields = vec![
                            ("operation", quoted(kind.path())),
                            ("count", self.creates.to_string()),
                        ];
                        fields.extend(within.clone());
                        self.step("wait_callback", comment, &fields);
                    }
                    self.wait_state(ConversationState::Chatting, within);
                }
                Ok(_) => {
                    let within = self.within(e);
                    self.wait_state(ConversationState::Failed, within);
                }
                Err(_) => {}
            },
            CallbackKind::Close => {
                let within = self.within(e);
                self.wait_state(ConversationState::Closed, within);
            }
            CallbackKind::Msg => {
                let Ok(cb) = parse_value::<MsgCallback>(body) else {
                    return;
                };
                let text = self.words.text(&cb.content);
                let (comment, mut fields) = match self.expect {
                    Expect::Any => (Some(format!("the agent said {}", brief(&text))), vec![]),
                    Expect::Exact => (None, vec![("exact", quoted(&text))]),
                    Expect::Regex => (None, vec![("regex", quoted(&regex_of(&text)))]),
                };
                fields.extend(self.within(e));
                self.step("expect_agent", comment, &fields);
            }
            _ => {}
        }
    }
}

/// Writes `recording` as a scenario file named `{stem}.toml`; its media files are named
/// `{stem}-N-{original name}`.
pub fn render(
    recording: &Recording,
    expect: Expect,
    placement: Placement,
    stem: &str,
) -> SavedScenario {
    let mut writer = Writer {
        recording,
        expect,
        stem: safe_name(stem),
        steps: String::new(),
        last_wait: None,
        last_at: None,
        files: vec![],
        creates: 0,
        words: AgentHtml::new(""),
    };
    for e in &recording.exchanges {
        let Some(operation) = e.operation.as_deref() else {
            continue;
        };
        match (
            e.direction,
            Endpoint::from_path(operation),
            CallbackKind::from_path(operation),
        ) {
            (ExchangeDirection::Out, Some(endpoint), _) => writer.customer_call(e, endpoint),
            (ExchangeDirection::In, _, Some(kind)) => writer.callback(e, kind),
            _ => {}
        }
    }
    let c = &recording.conversation;
    if !c.state.is_active() && c.state != ConversationState::Lost {
        writer.wait_state(c.state, vec![]);
    }

    let mut text = String::new();
    let _ = writeln!(
        text,
        "# Saved from wxsim's history: conversation {} of {} (openId {}), started {}.",
        c.id,
        brief(&c.nickname),
        brief(&c.open_id),
        crate::export::local_time(c.created_at)
    );
    let _ = writeln!(
        text,
        "# The agent's replies are expected {}. Replay: wxsim run {stem}.toml",
        match expect {
            Expect::Any => "as any reply (what they said is in the comments)",
            Expect::Exact => "word for word",
            Expect::Regex => "as regexes made from what they said",
        }
    );
    let _ = writeln!(
        text,
        "\nname = {}",
        quoted(&format!("conversation {} of {}", c.id, c.nickname))
    );
    if let Some(p) = &recording.profile {
        let _ = writeln!(
            text,
            "\n[settings]  # as the profile {} had them\ncontent_encoding = {}\ncreate_time_format = {}\ntransfer_reading = {}",
            brief(&p.name),
            quoted(&name_of(&p.content_encoding)),
            quoted(&name_of(&p.create_time_format)),
            quoted(&name_of(&p.transfer_reading)),
        );
    }
    let who = &recording.customer;
    let _ = writeln!(
        text,
        "\n[[customer]]  # a fresh openId is generated\nnickname = {}\nskill_group = {}",
        quoted(&who.nickname),
        who.skill_group
    );
    let optional = [
        ("agent_id", who.agent_id.clone()),
        ("source", who.source.map(|s| name_of(&s))),
        ("brand", who.brand.clone()),
        ("tracks", who.tracks.clone()),
        ("head_img_url", who.head_img_url.clone()),
    ];
    for (key, v) in optional {
        if let Some(v) = v {
            let _ = writeln!(text, "{key} = {}", quoted(&v));
        }
    }
    text += &writer.steps;

    let files: Vec<(String, Vec<u8>)> = writer
        .files
        .iter()
        .filter_map(|(id, name)| {
            let (_, bytes) = recording.media.get(id)?;
            Some((name.clone(), bytes.clone()))
        })
        .collect();
    match placement {
        Placement::Beside => SavedScenario { text, files },
        Placement::Inside => {
            if !files.is_empty() {
                text += "\n[media]  # the files the steps send, in base64\n";
                for (name, bytes) in &files {
                    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
                    let _ = writeln!(text, "{} = {}", quoted(name), quoted(&data));
                }
            }
            SavedScenario {
                text,
                files: vec![],
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_stays_one_toml_string() {
        assert_eq!(quoted("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\u0001""#);
        assert_eq!(quoted("你好 😀"), "\"你好 😀\"");
    }

    #[test]
    fn regexes_loosen_numbers_and_escape_the_rest() {
        let r = regex_of("Order 123456 (arrives in 2–3 days)?");
        assert_eq!(r, r"^Order \d+ \(arrives in \d+–\d+ days\)\?$");
        let re = regex::Regex::new(&r).unwrap();
        assert!(re.is_match("Order 42 (arrives in 4–5 days)?"));
        assert!(!re.is_match("Order 42 (arrives soon)?"));
    }

    #[test]
    fn slow_waits_get_a_deadline_of_their_own() {
        assert_eq!(deadline(800), None, "the default suffices");
        assert_eq!(deadline(-5), None, "clocks may disagree");
        assert_eq!(deadline(3_400), Some(11_000));
        assert_eq!(deadline(40_000), Some(120_000));
    }

    #[test]
    fn expectations_and_file_names_parse() {
        for e in Expect::ALL {
            assert_eq!(e.as_str().parse::<Expect>(), Ok(e));
        }
        assert!("fuzzy".parse::<Expect>().is_err());
        assert_eq!(safe_name("../my photo.png"), "_my_photo.png");
    }
}

//! The integration, drawn: one conversation's HTTP exchanges as a sequence diagram in SVG,
//! with lanes for the WeChat user, wxsim (the hosting service), webchat and the agent. A
//! pure function of the conversation, its transcript and its exchanges, shared by
//! `wxsim history export --format svg`, the API's export route and the UI's Diagram view,
//! which finds each exchange's arrow by its `data-exchange-id`.
//!
//! It draws only what the stored data says. Every exchange is one arrow, with its result,
//! its duration and its contract findings. A customer's action is an arrow from the user
//! only where a stored message or system line records it, placed before the call it caused;
//! an agent's message is an arrow from the agent only where it was stored, placed before
//! the `/ari/msg` that brought it. Every text is escaped for XML (and stripped of what XML
//! cannot hold); colours are presentation attributes (a page's strict CSP allows no inline
//! style), named by class so that a page may restyle them.

use std::collections::HashSet;
use std::fmt::Write;

use wxsim_protocol::{CallbackKind, Endpoint, Lang, ResultCode, Severity};

use crate::model::{
    Conversation, ConversationState, Direction, Exchange, ExchangeDirection, ExchangeFilter,
    ExchangeOutcome, Message,
};
use crate::system_line::SystemLine;

/// The newest exchanges a diagram shows; it says so when older ones are left out.
pub const SHOWN: usize = 1000;

/// What to read for a conversation's diagram: its newest exchanges, one more than shown,
/// so that the diagram knows whether some were left out.
pub fn exchange_filter(conversation_id: i64) -> ExchangeFilter {
    ExchangeFilter {
        conversation_id: Some(conversation_id),
        limit: Some(SHOWN as i64 + 1),
        ..ExchangeFilter::default()
    }
}

const WIDTH: f32 = 900.0;
const TITLE_HEIGHT: f32 = 64.0;
const LANE_TOP: f32 = 80.0;
const LANE_BOX_WIDTH: f32 = 136.0;
const LANE_BOX_HEIGHT: f32 = 46.0;
/// The bottom of the lane boxes' band: a page may keep a copy of the band (the `sd-head`
/// group, whose `sd-bg` rect says where it is) in view over the arrows.
const HEAD_HEIGHT: f32 = LANE_TOP + LANE_BOX_HEIGHT + 8.0;
const FIRST_ROW: f32 = HEAD_HEIGHT + 6.0;
/// Right edge of the time column.
const TIME_RIGHT: f32 = 84.0;
const EXCHANGE_ROW: f32 = 50.0;
/// A line under an exchange's result: the first's baseline is `NOTES_TOP` into the row.
const NOTE_LINE: f32 = 15.0;
const NOTES_TOP: f32 = 61.0;
const ACTION_ROW: f32 = 42.0;
/// Findings (and an error) shown under an exchange's arrow; the rest are counted.
const NOTES_SHOWN: usize = 3;

const SANS: &str = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'DejaVu Sans', 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif";
const MONO: &str = "ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace";

const TEXT: &str = "#1d2129";
const MUTED: &str = "#6b7280";
const BORDER: &str = "#e3e6ea";

/// Who takes part, left to right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lane {
    User,
    Wxsim,
    Webchat,
    Agent,
}

impl Lane {
    const ALL: [Lane; 4] = [Lane::User, Lane::Wxsim, Lane::Webchat, Lane::Agent];

    fn x(self) -> f32 {
        match self {
            Lane::User => 160.0,
            Lane::Wxsim => 332.0,
            Lane::Webchat => 612.0,
            Lane::Agent => 806.0,
        }
    }

    fn colour(self) -> &'static str {
        match self {
            Lane::User => "#07c160",
            Lane::Wxsim => "#2563eb",
            Lane::Webchat => "#7c3aed",
            Lane::Agent => "#ea580c",
        }
    }

    fn class(self) -> &'static str {
        match self {
            Lane::User => "user",
            Lane::Wxsim => "wxsim",
            Lane::Webchat => "webchat",
            Lane::Agent => "agent",
        }
    }

    fn title(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Lane::User, Lang::En) => "WeChat user",
            (Lane::User, Lang::Zh) => "微信用户",
            (Lane::Wxsim, _) => "wxsim",
            (Lane::Webchat, _) => "webchat",
            (Lane::Agent, Lang::En) => "Agent",
            (Lane::Agent, Lang::Zh) => "坐席",
        }
    }
}

/// One row of the diagram.
enum Step<'a> {
    Exchange(&'a Exchange),
    /// The customer did something (`label`); `message` records it.
    Customer {
        message: &'a Message,
        label: String,
    },
    /// The agent wrote `message`.
    Agent(&'a Message),
}

/// Rows sort by this: an exchange by its start, a step it explains just before it. Of two
/// exchanges started in the same millisecond, our call goes first: a callback that came
/// with it was most likely webchat's doing while it answered.
type Key = (i64, u8, i64, u8);

fn key(e: &Exchange, step: u8) -> Key {
    let callback = u8::from(e.direction == ExchangeDirection::In);
    (e.started_at, callback, e.id, step)
}

fn before(e: &Exchange) -> Key {
    key(e, 0)
}

/// Where a step that no exchange explains goes: by its own time.
fn alone(at: i64) -> Key {
    (at, 0, 0, 0)
}

/// The diagram of `conversation`, with `messages` (its transcript, any order) and
/// `exchanges` (any order; read with [`exchange_filter`]). Of the exchanges only the newest
/// [`SHOWN`] are drawn.
pub fn render(
    conversation: &Conversation,
    messages: &[Message],
    exchanges: &[Exchange],
    lang: Lang,
) -> String {
    let mut exchanges: Vec<&Exchange> = exchanges.iter().collect();
    exchanges.sort_by_key(|e| e.id);
    let left_out = exchanges.len() > SHOWN;
    exchanges.drain(..exchanges.len().saturating_sub(SHOWN));
    let mut messages: Vec<&Message> = messages.iter().collect();
    messages.sort_by_key(|m| m.id);
    let steps = steps(&messages, &exchanges, left_out, lang);
    Canvas::draw(conversation, &exchanges, &steps, left_out, lang)
}

/// The rows in order: every exchange, and before each the customer's action or the agent's
/// message that the stored data ties to it.
fn steps<'a>(
    messages: &[&'a Message],
    exchanges: &[&'a Exchange],
    left_out: bool,
    lang: Lang,
) -> Vec<Step<'a>> {
    let mut rows: Vec<(Key, Step<'a>)> = exchanges
        .iter()
        .map(|e| (key(e, 1), Step::Exchange(e)))
        .collect();
    let oldest = exchanges.iter().map(|e| e.started_at).min();
    // Steps older than every exchange shown belong to the part left out.
    let shown = |key: &Key| !left_out || oldest.is_none_or(|t| key.0 >= t);
    for (message, exchange) in agent_messages(messages, exchanges) {
        let key = exchange.map_or(alone(message.created_at), before);
        if shown(&key) {
            rows.push((key, Step::Agent(message)));
        }
    }
    let mut taken = HashSet::new();
    for message in messages {
        let Some((label, cause)) = customer_action(message, lang) else {
            continue;
        };
        let exchange = cause.find(message.created_at, exchanges, &taken);
        if let Some(e) = exchange {
            taken.insert(e.id);
        }
        let key = exchange.map_or(alone(message.created_at), before);
        if shown(&key) {
            rows.push((key, Step::Customer { message, label }));
        }
    }
    rows.sort_by_key(|(key, _)| *key);
    rows.into_iter().map(|(_, step)| step).collect()
}

/// Each agent message with the `/ari/msg` that stored it, if it is among `exchanges`. The
/// writer stores a callback's message and its exchange in one job, one job after another, so
/// the accepted `/ari/msg` exchanges that stored a message (not flagged `repeat`) come in the
/// order of the agent messages; and a message was stored while its exchange was answered.
/// Walking both in that order pairs each message with the first exchange left whose time
/// holds it: an exchange whose message was not read (or a message whose exchange was not)
/// stays alone.
fn agent_messages<'a>(
    messages: &[&'a Message],
    exchanges: &[&'a Exchange],
) -> Vec<(&'a Message, Option<&'a Exchange>)> {
    let mut storing = exchanges
        .iter()
        .filter(|e| {
            e.operation.as_deref() == Some(CallbackKind::Msg.path())
                && e.outcome == ExchangeOutcome::Ok
                && !e.findings.iter().any(|f| f.rule == "repeat")
        })
        .peekable();
    // Both times are whole milliseconds of the one clock: the answer's end rounds up.
    let answered = |e: &Exchange| e.started_at + (e.duration_us + 999) / 1000 + 1;
    messages
        .iter()
        .filter(|m| m.direction == Direction::In)
        .map(|m| {
            while storing.next_if(|e| answered(e) < m.created_at).is_some() {}
            let exchange = storing.next_if(|e| e.started_at <= m.created_at);
            (*m, exchange.copied())
        })
        .collect()
}

/// Which call a customer's action caused: the first of these operations started at or
/// after the action was stored, or the last one started before it (a line stored once the
/// call succeeded).
enum Cause {
    Next(&'static [Endpoint]),
    Previous(Endpoint),
}

impl Cause {
    fn find<'a>(
        &self,
        at: i64,
        exchanges: &[&'a Exchange],
        taken: &HashSet<i64>,
    ) -> Option<&'a Exchange> {
        let of = |e: &&&Exchange, endpoints: &[Endpoint]| {
            !taken.contains(&e.id)
                && e.direction == ExchangeDirection::Out
                && endpoints
                    .iter()
                    .any(|p| e.operation.as_deref() == Some(p.path()))
        };
        let found = match self {
            Cause::Next(endpoints) => exchanges
                .iter()
                .filter(|e| of(e, endpoints) && e.started_at >= at)
                .min_by_key(|e| (e.started_at, e.id)),
            Cause::Previous(endpoint) => exchanges
                .iter()
                .filter(|e| of(e, &[*endpoint]) && e.started_at <= at)
                .max_by_key(|e| (e.started_at, e.id)),
        };
        found.copied()
    }
}

/// What the customer did, if `message` records an action of theirs, and the call it caused.
fn customer_action(message: &Message, lang: Lang) -> Option<(String, Cause)> {
    if message.direction == Direction::Out {
        return Some((message.text.clone(), Cause::Next(&[Endpoint::GetMsg])));
    }
    let zh = lang == Lang::Zh;
    let pick = |en: &str, zh_text: &str| (if zh { zh_text } else { en }).to_owned();
    Some(match message.line.as_ref()? {
        SystemLine::ChatRequested => (
            pick("requests a chat", "请求会话"),
            Cause::Next(&[Endpoint::CreateCon]),
        ),
        SystemLine::HandOverRequested => (
            pick("asks for a human agent", "请求转人工"),
            Cause::Next(&[Endpoint::TransferCon, Endpoint::CreateCon]),
        ),
        SystemLine::TransferRequested => (
            pick("asks for a human agent", "请求转人工"),
            Cause::Next(&[Endpoint::TransferCon]),
        ),
        SystemLine::RequestCancelled => (
            pick("cancels the request", "取消请求"),
            Cause::Previous(Endpoint::CancelRequest),
        ),
        SystemLine::ClosedByCustomer => (
            pick("closes the chat", "结束会话"),
            Cause::Previous(Endpoint::CloseCon),
        ),
        SystemLine::Rated { rating_id, .. } => (
            if zh {
                format!("评价 {rating_id}")
            } else {
                format!("rates {rating_id}")
            },
            Cause::Previous(Endpoint::RateSession),
        ),
        _ => return None,
    })
}

/// Text as XML character data or an attribute value: the five special characters escaped,
/// characters XML cannot hold (most controls) dropped, line breaks and tabs as spaces.
fn xml(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => None,
            c => Some(c),
        })
        .collect();
    wxsim_protocol::html::escape(&clean)
}

/// Characters drawn a full em wide: CJK, Hangul, full-width forms, emoji.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115f | 0x2e80..=0xa4cf | 0xac00..=0xd7a3 | 0xf900..=0xfaff
        | 0xfe30..=0xfe4f | 0xff00..=0xff60 | 0xffe0..=0xffe6 | 0x1f300..=0x1faff
        | 0x20000..=0x3fffd)
}

/// About how wide `text` is drawn at `size` px, in whole pixels (so that positions made from
/// it stay short in the file): no font is measured here, so a label is kept within its room
/// by an estimate a little on the wide side.
fn width(text: &str, size: f32, mono: bool) -> f32 {
    let em: f32 = text
        .chars()
        .map(|c| match c {
            c if is_wide(c) => 1.0,
            _ if mono => 0.61,
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' => 0.32,
            'm' | 'w' | 'M' | 'W' | '@' => 0.9,
            c if c.is_ascii_uppercase() => 0.7,
            _ => 0.6,
        })
        .sum();
    (em * size).ceil()
}

/// `text` on one line, cut with an ellipsis to fit `room` px.
fn fit(text: &str, room: f32, size: f32, mono: bool) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if width(&line, size, mono) <= room {
        return line;
    }
    let mut out = String::new();
    for c in line.chars() {
        if width(&out, size, mono) + width(&format!("{c}…"), size, mono) > room {
            break;
        }
        out.push(c);
    }
    out.trim_end().to_owned() + "…"
}

fn clock(epoch_ms: i64) -> String {
    crate::export::local_format(epoch_ms, "%H:%M:%S%.3f")
}

fn day_and_time(epoch_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(epoch_ms)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

fn state_label(state: ConversationState, lang: Lang) -> &'static str {
    use ConversationState as S;
    match (state, lang) {
        (S::Requesting, Lang::En) => "requesting",
        (S::Requesting, Lang::Zh) => "请求中",
        (S::Queued, Lang::En) => "queued",
        (S::Queued, Lang::Zh) => "排队中",
        (S::Chatting, Lang::En) => "chatting",
        (S::Chatting, Lang::Zh) => "会话中",
        (S::Closed, Lang::En) => "closed",
        (S::Closed, Lang::Zh) => "已结束",
        (S::Rated, Lang::En) => "rated",
        (S::Rated, Lang::Zh) => "已评价",
        (S::Failed, Lang::En) => "failed",
        (S::Failed, Lang::Zh) => "失败",
        (S::Canceled, Lang::En) => "canceled",
        (S::Canceled, Lang::Zh) => "已取消",
        (S::Lost, Lang::En) => "lost",
        (S::Lost, Lang::Zh) => "已失效",
    }
}

fn outcome_label(outcome: ExchangeOutcome, lang: Lang) -> &'static str {
    match (outcome, lang) {
        (ExchangeOutcome::Ok, Lang::En) => "ok",
        (ExchangeOutcome::Ok, Lang::Zh) => "成功",
        (ExchangeOutcome::Rejected, Lang::En) => "rejected",
        (ExchangeOutcome::Rejected, Lang::Zh) => "被拒绝",
        (ExchangeOutcome::Failed, Lang::En) => "failed",
        (ExchangeOutcome::Failed, Lang::Zh) => "失败",
    }
}

/// The outcome's colours: the arrow, the result pill's fill and its text.
fn outcome_colours(outcome: ExchangeOutcome) -> (&'static str, &'static str, &'static str) {
    match outcome {
        ExchangeOutcome::Ok => ("#94a3b8", "#e7f8ee", "#047857"),
        ExchangeOutcome::Rejected => ("#d97706", "#fef3c7", "#92400e"),
        ExchangeOutcome::Failed => ("#e5484d", "#fdecec", "#b91c1c"),
    }
}

fn severity_colour(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "#e5484d",
        Severity::Warning => "#f5a524",
        Severity::Info => "#3b82f6",
    }
}

/// What an exchange's answer said, for its pill: the result code and its name, else the
/// HTTP status, else that none came.
fn result_text(e: &Exchange, lang: Lang) -> String {
    match (e.result_code, e.status) {
        (Some(code), _) => match ResultCode::from(code) {
            known if known.is_known() => format!("{code} {}", known.name()),
            _ => code.to_string(),
        },
        (None, Some(status)) => format!("HTTP {status}"),
        (None, None) => match lang {
            Lang::En => "no answer".into(),
            Lang::Zh => "无应答".into(),
        },
    }
}

fn duration_text(e: &Exchange) -> String {
    format!("{:.1} ms", e.duration_us as f64 / 1000.0)
}

/// An exchange's name on its arrow: the operation, else the path (with the method when not
/// the interface's POST).
fn exchange_label(e: &Exchange) -> String {
    match (&e.operation, e.method.as_str()) {
        (Some(op), "POST") => op.clone(),
        (_, method) if method != "POST" => format!("{method} {}", e.path),
        _ => e.path.clone(),
    }
}

/// The lines under an exchange's arrow: its error, then its findings, worst first.
fn notes(e: &Exchange, lang: Lang) -> Vec<(Severity, String, String)> {
    let mut notes = Vec::new();
    if let Some(error) = &e.error {
        let word = if lang == Lang::Zh { "错误" } else { "error" };
        notes.push((Severity::Error, word.to_owned(), error.clone()));
    }
    let mut findings: Vec<_> = e.findings.iter().collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in findings {
        let said = match &f.field {
            Some(field) => format!("{field}: {}", f.message),
            None => f.message.clone(),
        };
        notes.push((f.severity, f.rule.clone(), said));
    }
    notes
}

/// An exchange's tooltip: everything its arrow shows, in full.
fn exchange_title(e: &Exchange, lang: Lang) -> String {
    let mut title = format!("{} {}", e.method, e.path);
    let _ = write!(
        title,
        " → {} · {} · {}",
        e.status.map_or("—".to_owned(), |s| format!("HTTP {s}")),
        result_text(e, lang),
        duration_text(e)
    );
    for (_, rule, said) in notes(e, lang) {
        let _ = write!(title, "\n{rule}: {said}");
    }
    title
}

/// The SVG being written, top to bottom.
struct Canvas {
    svg: String,
    y: f32,
    lang: Lang,
}

impl Canvas {
    fn draw(
        conversation: &Conversation,
        exchanges: &[&Exchange],
        steps: &[Step],
        left_out: bool,
        lang: Lang,
    ) -> String {
        let mut body = Canvas {
            svg: String::new(),
            y: FIRST_ROW,
            lang,
        };
        if left_out {
            body.note_row(match lang {
                Lang::En => format!("Older exchanges are left out: the newest {SHOWN} are shown (the wire inspector lists them all)."),
                Lang::Zh => format!("较早的报文未画出：只显示最新的 {SHOWN} 条（报文检查器中可看到全部）。"),
            });
        }
        if steps.is_empty() {
            body.note_row(match lang {
                Lang::En => "No exchanges yet.".to_owned(),
                Lang::Zh => "还没有报文。".to_owned(),
            });
        }
        // The agent's lane names who served: who wrote, then who else was in the chat. Each
        // message names its writer only when several wrote.
        let writers = unique(steps.iter().filter_map(|step| match step {
            Step::Agent(m) => m.agent_name.as_deref(),
            _ => None,
        }));
        let several = writers.len() > 1;
        let others = conversation.agents.iter().map(|a| a.name.as_str());
        let served = unique(
            writers
                .into_iter()
                .chain(others)
                .chain(conversation.agent_name.as_deref()),
        );
        for step in steps {
            match step {
                Step::Exchange(e) => body.exchange(e),
                Step::Customer { message, label } => {
                    body.action(Lane::User, Lane::Wxsim, message, label, label)
                }
                Step::Agent(message) => {
                    let named = match &message.agent_name {
                        Some(name) => format!("{name}: {}", message.text),
                        None => message.text.clone(),
                    };
                    let shown = if several { &named } else { &message.text };
                    body.action(Lane::Agent, Lane::Webchat, message, shown, &named)
                }
            }
        }
        let height = (body.y + 28.0).ceil();
        let mut svg = String::new();
        let _ = write!(
            svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sd\" width=\"{WIDTH}\" height=\"{height}\" \
             viewBox=\"0 0 {WIDTH} {height}\" font-family=\"{SANS}\" font-size=\"12\" \
             data-conversation-id=\"{}\">",
            conversation.id
        );
        let findings: usize = exchanges.iter().map(|e| e.findings.len()).sum();
        let _ = write!(svg, "<title>{}</title>", xml(&title(conversation, lang)));
        let _ = write!(
            svg,
            "<rect class=\"sd-bg\" width=\"{WIDTH}\" height=\"{height}\" fill=\"#ffffff\"/>"
        );
        heading(&mut svg, conversation, exchanges.len(), findings, lang);
        lifelines(&mut svg, HEAD_HEIGHT, height - 14.0);
        let _ = write!(
            svg,
            "<g class=\"sd-head\"><rect class=\"sd-bg\" y=\"{}\" width=\"{WIDTH}\" height=\"{}\" fill=\"#ffffff\"/>",
            TITLE_HEIGHT + 1.0,
            HEAD_HEIGHT - TITLE_HEIGHT - 1.0
        );
        lanes(&mut svg, conversation, &served, lang);
        svg.push_str("</g>");
        svg.push_str(&body.svg);
        svg.push_str("</svg>\n");
        svg
    }

    /// A line of muted text across the middle lanes.
    fn note_row(&mut self, text: String) {
        let x = (Lane::Wxsim.x() + Lane::Webchat.x()) / 2.0;
        let room = Lane::Agent.x() - Lane::User.x();
        let _ = write!(
            self.svg,
            "<text class=\"sd-muted sd-note\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\" fill=\"{MUTED}\" font-style=\"italic\">{}</text>",
            self.y + 20.0,
            xml(&fit(&text, room, 12.0, false))
        );
        self.y += 34.0;
    }

    fn time(&mut self, at: i64, y: f32) {
        let _ = write!(
            self.svg,
            "<text class=\"sd-muted sd-time\" x=\"{TIME_RIGHT}\" y=\"{y}\" text-anchor=\"end\" font-family=\"{MONO}\" font-size=\"10\" fill=\"{MUTED}\">{}</text>",
            xml(&clock(at))
        );
    }

    /// An arrow from `from` to `to` at `y`: a line, a dot where it leaves, a head where it
    /// arrives.
    fn arrow(&mut self, from: Lane, to: Lane, y: f32, colour: &str, dashed: bool) {
        let (x1, x2) = (from.x(), to.x());
        let dir = if x2 > x1 { 1.0 } else { -1.0 };
        let head = x2 - dir * 9.0;
        let dash = if dashed {
            " stroke-dasharray=\"5 4\""
        } else {
            ""
        };
        let _ = write!(
            self.svg,
            "<circle class=\"sd-arrow-tail\" cx=\"{x1}\" cy=\"{y}\" r=\"3\" fill=\"{colour}\"/>\
             <line class=\"sd-arrow-line\" x1=\"{x1}\" y1=\"{y}\" x2=\"{head}\" y2=\"{y}\" stroke=\"{colour}\" stroke-width=\"1.6\"{dash}/>\
             <path class=\"sd-arrow-head\" d=\"M{x2} {y} L{head} {} L{head} {} Z\" fill=\"{colour}\"/>",
            y - 4.5,
            y + 4.5
        );
    }

    fn exchange(&mut self, e: &Exchange) {
        let lang = self.lang;
        let (from, to) = match e.direction {
            ExchangeDirection::Out => (Lane::Wxsim, Lane::Webchat),
            ExchangeDirection::In => (Lane::Webchat, Lane::Wxsim),
        };
        let notes = notes(e, lang);
        let lines = notes.len().min(NOTES_SHOWN) + usize::from(notes.len() > NOTES_SHOWN);
        let height = match lines {
            0 => EXCHANGE_ROW,
            n => NOTES_TOP + NOTE_LINE * (n - 1) as f32 + 10.0,
        };
        let y = self.y;
        let (left, right) = (Lane::Wxsim.x(), Lane::Webchat.x());
        let middle = (left + right) / 2.0;
        let (line, pill_fill, pill_text) = outcome_colours(e.outcome);
        let colour = match e.outcome {
            ExchangeOutcome::Ok => from.colour(),
            _ => line,
        };
        let _ = write!(
            self.svg,
            "<g class=\"sd-exchange sd-{} sd-{}\" data-exchange-id=\"{}\" data-started-at=\"{}\" data-operation=\"{}\" data-outcome=\"{}\">",
            e.outcome.as_str(),
            from.class(),
            e.id,
            e.started_at,
            xml(e.operation.as_deref().unwrap_or(&e.path)),
            e.outcome.as_str()
        );
        let _ = write!(
            self.svg,
            "<title>{}</title><rect class=\"sd-hit\" x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{height}\" rx=\"6\" fill=\"#2563eb\" fill-opacity=\"0\"/>",
            xml(&exchange_title(e, lang)),
            left - 14.0,
            right - left + 28.0
        );
        self.time(e.started_at, y + 27.0);
        let _ = write!(
            self.svg,
            "<text class=\"sd-text sd-label\" x=\"{middle}\" y=\"{}\" text-anchor=\"middle\" font-family=\"{MONO}\" font-size=\"12.5\" font-weight=\"600\" fill=\"{TEXT}\">{}</text>",
            y + 15.0,
            xml(&fit(&exchange_label(e), right - left - 24.0, 12.5, true))
        );
        self.arrow(
            from,
            to,
            y + 23.0,
            colour,
            e.outcome == ExchangeOutcome::Failed,
        );
        // The result in a pill, then the HTTP status when not 200, then the duration.
        let result = result_text(e, lang);
        let pill = width(&result, 11.0, true) + 14.0;
        let mut after = duration_text(e);
        if let Some(status) = e.status.filter(|s| *s != 200) {
            after = format!("HTTP {status} · {after}");
        }
        let total = pill + 8.0 + width(&after, 11.0, false);
        let x = middle - total / 2.0;
        let _ = write!(
            self.svg,
            "<rect class=\"sd-pill sd-pill-{}\" x=\"{x}\" y=\"{}\" width=\"{pill}\" height=\"17\" rx=\"8.5\" fill=\"{pill_fill}\"/>\
             <text class=\"sd-pill-text sd-pill-text-{}\" x=\"{}\" y=\"{}\" font-family=\"{MONO}\" font-size=\"11\" font-weight=\"600\" fill=\"{pill_text}\">{}</text>\
             <text class=\"sd-muted sd-duration\" x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"{MUTED}\">{}</text>",
            e.outcome.as_str(),
            y + 30.0,
            e.outcome.as_str(),
            x + 7.0,
            y + 42.5,
            xml(&result),
            x + pill + 8.0,
            y + 42.5,
            xml(&after)
        );
        let text_x = left + 22.0;
        let room = right - text_x - 12.0;
        for (i, (severity, rule, said)) in notes.iter().take(NOTES_SHOWN).enumerate() {
            let line_y = y + NOTES_TOP + NOTE_LINE * i as f32;
            let head = format!("{rule} ");
            let rest = fit(said, room - width(&head, 11.0, false), 11.0, false);
            let _ = write!(
                self.svg,
                "<circle class=\"sd-severity sd-severity-{sev}\" cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\"/>\
                 <text class=\"sd-text sd-finding\" data-severity=\"{sev}\" x=\"{text_x}\" y=\"{line_y}\" font-size=\"11\" fill=\"{TEXT}\"><tspan font-weight=\"600\">{}</tspan><tspan class=\"sd-muted\" fill=\"{MUTED}\">{}</tspan></text>",
                text_x - 9.0,
                line_y - 4.0,
                severity_colour(*severity),
                xml(&head),
                xml(&rest),
                sev = severity_name(*severity),
            );
        }
        if notes.len() > NOTES_SHOWN {
            let more = notes.len() - NOTES_SHOWN;
            let _ = write!(
                self.svg,
                "<text class=\"sd-muted sd-more\" x=\"{text_x}\" y=\"{}\" font-size=\"11\" fill=\"{MUTED}\">{}</text>",
                y + NOTES_TOP + NOTE_LINE * NOTES_SHOWN as f32,
                match lang {
                    Lang::En => format!("+{more} more (all in the wire inspector)"),
                    Lang::Zh => format!("还有 {more} 条（见报文检查器）"),
                }
            );
        }
        self.svg.push_str("</g>");
        self.y += height;
    }

    /// A customer's action or an agent's message: its words in a chip over an arrow, in full
    /// (`title`) in its tooltip. Its time is not in the time column, which is the wire's.
    fn action(&mut self, from: Lane, to: Lane, message: &Message, said: &str, title: &str) {
        let y = self.y;
        let (left, right) = if from.x() < to.x() {
            (from.x(), to.x())
        } else {
            (to.x(), from.x())
        };
        let middle = (left + right) / 2.0;
        let text = fit(said, right - left - 28.0, 12.0, false);
        let chip = width(&text, 12.0, false) + 18.0;
        let (fill, stroke, ink) = match from {
            Lane::User => ("#e7f8ee", "#b7ebc9", "#14532d"),
            _ => ("#fff4eb", "#fed7aa", "#7c2d12"),
        };
        let class = from.class();
        let _ = write!(
            self.svg,
            "<g class=\"sd-step sd-{class}\" data-message-id=\"{}\"><title>{}</title>",
            message.id,
            xml(title)
        );
        let _ = write!(
            self.svg,
            "<rect class=\"sd-chip sd-chip-{class}\" x=\"{}\" y=\"{}\" width=\"{chip}\" height=\"21\" rx=\"10.5\" fill=\"{fill}\" stroke=\"{stroke}\"/>\
             <text class=\"sd-chip-text sd-chip-text-{class}\" x=\"{middle}\" y=\"{}\" text-anchor=\"middle\" fill=\"{ink}\">{}</text>",
            middle - chip / 2.0,
            y + 4.0,
            y + 18.5,
            xml(&text)
        );
        self.arrow(from, to, y + 30.0, from.colour(), false);
        self.svg.push_str("</g>");
        self.y += ACTION_ROW;
    }
}

/// `names` in their order, each once.
fn unique<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = Vec::new();
    for name in names {
        if !seen.contains(&name) {
            seen.push(name);
        }
    }
    seen
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn title(c: &Conversation, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Conversation {} · {}", c.id, c.nickname),
        Lang::Zh => format!("会话 {} · {}", c.id, c.nickname),
    }
}

/// The band at the top: what this is, the conversation's facts, and a legend.
fn heading(svg: &mut String, c: &Conversation, exchanges: usize, findings: usize, lang: Lang) {
    let _ = write!(
        svg,
        "<rect class=\"sd-band\" width=\"{WIDTH}\" height=\"{TITLE_HEIGHT}\" fill=\"#f9fafb\"/>\
         <line class=\"sd-rule\" x1=\"0\" y1=\"{TITLE_HEIGHT}\" x2=\"{WIDTH}\" y2=\"{TITLE_HEIGHT}\" stroke=\"{BORDER}\"/>"
    );
    let mut facts = vec![format!("openId {}", c.open_id)];
    if let Some(session) = &c.session_id {
        facts.push(format!("sessionId {session}"));
    }
    facts.push(state_label(c.state, lang).to_owned());
    facts.push(day_and_time(c.created_at));
    facts.push(match (lang, exchanges) {
        (Lang::En, 1) => "1 exchange".to_owned(),
        (Lang::En, n) => format!("{n} exchanges"),
        (Lang::Zh, n) => format!("{n} 条报文"),
    });
    facts.push(match (lang, findings) {
        (Lang::En, 1) => "1 finding".to_owned(),
        (Lang::En, n) => format!("{n} findings"),
        (Lang::Zh, n) => format!("{n} 个接口问题"),
    });
    // The legend, right-aligned: one pill per outcome.
    let mut x = WIDTH - 24.0;
    let mut legend = String::new();
    for outcome in [
        ExchangeOutcome::Failed,
        ExchangeOutcome::Rejected,
        ExchangeOutcome::Ok,
    ] {
        let (_, fill, ink) = outcome_colours(outcome);
        let label = outcome_label(outcome, lang);
        let w = width(label, 11.0, false) + 16.0;
        x -= w;
        let _ = write!(
            legend,
            "<rect class=\"sd-pill sd-pill-{o}\" x=\"{x}\" y=\"17\" width=\"{w}\" height=\"18\" rx=\"9\" fill=\"{fill}\"/>\
             <text class=\"sd-pill-text sd-pill-text-{o}\" x=\"{}\" y=\"30\" text-anchor=\"middle\" font-size=\"11\" font-weight=\"600\" fill=\"{ink}\">{}</text>",
            x + w / 2.0,
            xml(label),
            o = outcome.as_str()
        );
        x -= 6.0;
    }
    let room = x - 24.0 - 12.0;
    let _ = write!(
        svg,
        "<text class=\"sd-text sd-title\" x=\"24\" y=\"30\" font-size=\"15\" font-weight=\"700\" fill=\"{TEXT}\">{}</text>\
         <text class=\"sd-muted sd-facts\" x=\"24\" y=\"49\" font-size=\"11.5\" fill=\"{MUTED}\">{}</text>{legend}",
        xml(&fit(&title(c, lang), room, 15.0, false)),
        xml(&fit(&facts.join(" · "), WIDTH - 48.0, 11.5, false)),
    );
}

/// Each lane's dashed line down, from `top` to `bottom`.
fn lifelines(svg: &mut String, top: f32, bottom: f32) {
    for lane in Lane::ALL {
        let x = lane.x();
        let _ = write!(
            svg,
            "<line class=\"sd-lifeline\" data-lane=\"{}\" x1=\"{x}\" y1=\"{top}\" x2=\"{x}\" y2=\"{bottom}\" stroke=\"#cfd4db\" stroke-width=\"1.2\" stroke-dasharray=\"4 5\"/>",
            lane.class()
        );
    }
}

/// The four lanes' boxes, each with its name, over the start of its lifeline.
fn lanes(svg: &mut String, c: &Conversation, served: &[&str], lang: Lang) {
    let agents = if served.is_empty() {
        "—".to_owned()
    } else {
        served.join(", ")
    };
    for lane in Lane::ALL {
        let x = lane.x();
        let subtitle = match (lane, lang) {
            (Lane::User, _) => c.nickname.clone(),
            (Lane::Wxsim, Lang::En) => "hosting service".to_owned(),
            (Lane::Wxsim, Lang::Zh) => "托管服务".to_owned(),
            (Lane::Webchat, Lang::En) => "customer service".to_owned(),
            (Lane::Webchat, Lang::Zh) => "客服系统".to_owned(),
            (Lane::Agent, _) => agents.clone(),
        };
        let left = x - LANE_BOX_WIDTH / 2.0;
        let _ = write!(
            svg,
            "<g class=\"sd-lane sd-lane-{class}\" data-lane=\"{class}\">\
             <line class=\"sd-lifeline\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{HEAD_HEIGHT}\" stroke=\"#cfd4db\" stroke-width=\"1.2\"/>\
             <rect class=\"sd-lane-box\" x=\"{left}\" y=\"{LANE_TOP}\" width=\"{LANE_BOX_WIDTH}\" height=\"{LANE_BOX_HEIGHT}\" rx=\"9\" fill=\"#ffffff\" stroke=\"{BORDER}\"/>\
             <rect class=\"sd-lane-mark\" x=\"{}\" y=\"{LANE_TOP}\" width=\"{}\" height=\"3\" rx=\"1.5\" fill=\"{colour}\"/>\
             <text class=\"sd-text sd-lane-title\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12.5\" font-weight=\"700\" fill=\"{TEXT}\">{}</text>\
             <text class=\"sd-muted sd-lane-subtitle\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{MUTED}\">{}</text></g>",
            LANE_TOP + LANE_BOX_HEIGHT,
            left + 12.0,
            LANE_BOX_WIDTH - 24.0,
            LANE_TOP + 20.0,
            xml(lane.title(lang)),
            LANE_TOP + 36.0,
            xml(&fit(&subtitle, LANE_BOX_WIDTH - 16.0, 11.0, false)),
            class = lane.class(),
            colour = lane.colour(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_stripped_of_what_xml_cannot_hold() {
        assert_eq!(
            xml("</text><script>a\u{0}&\"b'\nc"),
            "&lt;/text&gt;&lt;script&gt;a&amp;&quot;b&#39; c"
        );
    }

    fn callback(id: i64, started_at: i64) -> Exchange {
        Exchange {
            id,
            direction: ExchangeDirection::In,
            method: "POST".into(),
            path: "/ari/msg".into(),
            operation: Some("/ari/msg".into()),
            open_id: None,
            conversation_id: Some(1),
            request_headers: serde_json::Value::Null,
            request_body: String::new(),
            status: Some(200),
            response_body: None,
            result_code: Some(1),
            outcome: ExchangeOutcome::Ok,
            error: None,
            started_at,
            duration_us: 1_500,
            findings: vec![],
        }
    }

    fn said(id: i64, created_at: i64) -> Message {
        Message {
            id,
            conversation_id: 1,
            direction: Direction::In,
            kind: "html".into(),
            content: None,
            html: None,
            text: format!("message {id}"),
            delivery: crate::model::Delivery::Received,
            result_code: None,
            error: None,
            wire_time: None,
            created_at,
            agent_name: None,
            line: None,
        }
    }

    /// Which exchange each agent message was paired with.
    fn pairs(messages: &[Message], exchanges: &[Exchange]) -> Vec<(i64, Option<i64>)> {
        let messages: Vec<&Message> = messages.iter().collect();
        let exchanges: Vec<&Exchange> = exchanges.iter().collect();
        agent_messages(&messages, &exchanges)
            .into_iter()
            .map(|(m, e)| (m.id, e.map(|e| e.id)))
            .collect()
    }

    #[test]
    fn agent_messages_pair_with_the_callback_that_stored_them_whatever_was_read() {
        let exchanges = [callback(1, 100), callback(2, 200), callback(3, 300)];
        let messages = [said(11, 101), said(12, 201), said(13, 302)];
        assert_eq!(
            pairs(&messages, &exchanges),
            [(11, Some(1)), (12, Some(2)), (13, Some(3))]
        );
        // Read while a callback was being stored: its exchange, or its message, not yet.
        assert_eq!(
            pairs(&messages[..2], &exchanges),
            [(11, Some(1)), (12, Some(2))]
        );
        assert_eq!(
            pairs(&messages, &exchanges[..2]),
            [(11, Some(1)), (12, Some(2)), (13, None)]
        );
        // The oldest exchanges left out of the diagram.
        assert_eq!(
            pairs(&messages, &exchanges[1..]),
            [(11, None), (12, Some(2)), (13, Some(3))]
        );
        // A repeat stores nothing: the next message is the next callback's.
        let mut repeat = callback(2, 200);
        repeat.findings.push(wxsim_protocol::Finding::new(
            "repeat",
            Severity::Info,
            None,
            "a repeat",
        ));
        let with_repeat = [callback(1, 100), repeat, callback(3, 300)];
        assert_eq!(
            pairs(&[said(11, 101), said(13, 301)], &with_repeat),
            [(11, Some(1)), (13, Some(3))]
        );
    }

    #[test]
    fn long_text_is_cut_to_its_room() {
        let long = "a message far too long for the room between two lanes";
        let cut = fit(long, 120.0, 12.0, false);
        assert!(
            cut.ends_with('…') && width(&cut, 12.0, false) <= 120.0,
            "{cut}"
        );
        assert_eq!(fit("short", 120.0, 12.0, false), "short");
        assert!(width("会话", 12.0, false) > width("ab", 12.0, false));
    }
}

//! Transcripts for people and tools: a conversation (or a search's hits) rendered as HTML,
//! Markdown, JSON or CSV, and a conversation's exchanges as an SVG sequence diagram
//! (`diagram`). Pure functions over the engine's own types, shared by `wxsim history export`
//! and the API's download routes.
//!
//! HTML escapes every stored string; the only markup it embeds is an agent message's
//! `html`, which was sanitized on arrival, and a hit's `snippet`, which is escaped text
//! with `<mark>` around the matches. An HTML transcript carries its pictures inside itself
//! (`Embedded`), so it reads the same offline and after webchat has gone.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;
use std::str::FromStr;
use wxsim_protocol::html::escape as escape_html;

use serde::Serialize;
use serde_json::json;

use crate::error::Result;
use crate::media::MediaFolder;
use crate::model::{Conversation, Direction, Exchange, Message, SearchHit};
use crate::pictures::picture_urls;
use crate::protocol::{Lang, MessageContent};
use crate::scenario_file::{self, Expect, Placement, Recording};
use crate::store::Store;

/// The file formats a transcript can be exported to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Html,
    Markdown,
    Json,
    Csv,
    /// A conversation's exchanges as a sequence diagram (not a search's hits).
    Svg,
    /// A conversation as a `wxsim run` scenario, its media inside it (`scenario_file`).
    Scenario,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 6] = [
        ExportFormat::Html,
        ExportFormat::Markdown,
        ExportFormat::Json,
        ExportFormat::Csv,
        ExportFormat::Svg,
        ExportFormat::Scenario,
    ];

    /// The name used on the command line and in the API (`html`, `md`, `json`, `csv`, `svg`,
    /// `scenario`).
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Html => "html",
            ExportFormat::Markdown => "md",
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
            ExportFormat::Svg => "svg",
            ExportFormat::Scenario => "scenario",
        }
    }

    /// A file's extension: its name, but a scenario is TOML.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Scenario => "toml",
            other => other.as_str(),
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Html => "text/html; charset=utf-8",
            ExportFormat::Markdown => "text/markdown; charset=utf-8",
            ExportFormat::Json => "application/json",
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Svg => "image/svg+xml; charset=utf-8",
            ExportFormat::Scenario => "application/toml; charset=utf-8",
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("unknown export format `{0}`; use one of html, md, json, csv, svg, scenario")]
pub struct UnknownFormat(pub String);

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("a search's hits export as html, md, json or csv; {0} is for one conversation")]
pub struct NotForSearch(pub &'static str);

impl FromStr for ExportFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = if s == "markdown" { "md" } else { s };
        ExportFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == wanted)
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

/// What an export shows besides the transcript, read only for the formats that show it:
/// the files a transcript shows (the pictures agent HTML points at, kept on arrival, by
/// address; the customer's media, by media id), which an HTML transcript carries inside
/// itself as `data:` URIs and a Markdown or JSON one names in a folder beside it,
/// the exchanges an SVG diagram draws, with the language of its labels, and what a saved
/// scenario is made of, with how it expects the agent's replies.
#[derive(Default)]
pub struct Embedded {
    by_url: HashMap<String, Shown>,
    by_media: HashMap<String, Shown>,
    /// The folder beside the export that Markdown and JSON name the files in.
    beside: Option<String>,
    exchanges: Vec<Exchange>,
    lang: Lang,
    recording: Option<(Recording, Expect)>,
}

/// A file a transcript shows, as kept in the media folder.
struct Shown {
    file_name: String,
    mime: String,
    bytes: Vec<u8>,
}

impl Shown {
    fn data_uri(&self) -> String {
        data_uri(&self.mime, &self.bytes)
    }
}

/// Which of a transcript's files to read: HTML embeds pictures only; the files beside a
/// Markdown or JSON transcript are all of them (voice and video too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Files {
    Pictures,
    All,
}

impl Files {
    /// What an export in `format` shows.
    pub fn for_format(format: ExportFormat) -> Files {
        match format {
            ExportFormat::Markdown | ExportFormat::Json => Files::All,
            _ => Files::Pictures,
        }
    }
}

fn data_uri(mime: &str, bytes: &[u8]) -> String {
    use base64::Engine as _;
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

impl Embedded {
    /// For a diagram: the conversation's exchanges (read with
    /// `diagram::exchange_filter`), labelled in `lang`.
    pub fn diagram(exchanges: Vec<Exchange>, lang: Lang) -> Embedded {
        Embedded {
            exchanges,
            lang,
            ..Embedded::default()
        }
    }

    /// For a scenario: the conversation as recorded, its replies expected so.
    pub fn scenario(recording: Recording, expect: Expect) -> Embedded {
        Embedded {
            recording: Some((recording, expect)),
            ..Embedded::default()
        }
    }

    /// Reads what `messages` show from the store and the media folder at `media_dir`; a
    /// file that is missing is left at its address (or as its words).
    pub async fn gather(
        store: &Store,
        media_dir: &Path,
        messages: &[Message],
        files: Files,
    ) -> Result<Embedded> {
        let folder = MediaFolder::open(media_dir)?;
        let urls: Vec<String> = messages
            .iter()
            .filter_map(|m| m.html.as_deref())
            .flat_map(picture_urls)
            .collect();
        let mut embedded = Embedded::default();
        for picture in store.pictures(urls).await? {
            if let Ok(bytes) = folder.read(&picture.file_name).await {
                let shown = Shown {
                    file_name: picture.file_name,
                    mime: picture.mime,
                    bytes,
                };
                embedded.by_url.insert(picture.url, shown);
            }
        }
        for m in messages {
            let ids = match (&m.content, files) {
                (Some(MessageContent::Image(image)), _) => vec![&image.media_id],
                (Some(MessageContent::Voice(voice)), Files::All) => vec![&voice.media_id],
                (Some(MessageContent::Video(video)), Files::All) => {
                    vec![&video.media_id, &video.thumb_media_id]
                }
                _ => continue,
            };
            for id in ids {
                let Some(media) = store.media(id).await? else {
                    continue;
                };
                if let Ok(bytes) = folder.read(&media.file_name).await {
                    let shown = Shown {
                        file_name: media.file_name,
                        mime: media.mime,
                        bytes,
                    };
                    embedded.by_media.insert(media.media_id, shown);
                }
            }
        }
        Ok(embedded)
    }

    /// Markdown and JSON name the files in folder `dir` beside the export (a relative path);
    /// [`Embedded::files_beside`] says what to write there.
    pub fn beside(mut self, dir: &str) -> Embedded {
        self.beside = Some(dir.to_owned());
        self
    }

    /// The files to write beside a Markdown or JSON export, by their path relative to it.
    pub fn files_beside(&self) -> Vec<(String, &[u8])> {
        let Some(dir) = &self.beside else {
            return vec![];
        };
        let mut files: Vec<(String, &[u8])> = self
            .by_url
            .values()
            .chain(self.by_media.values())
            .map(|f| (format!("{dir}/{}", f.file_name), f.bytes.as_slice()))
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files.dedup_by(|a, b| a.0 == b.0);
        files
    }

    /// Where a Markdown or JSON export names a file, if it is beside it.
    fn path_beside(&self, shown: &Shown) -> Option<String> {
        self.beside
            .as_ref()
            .map(|dir| format!("{dir}/{}", shown.file_name))
    }

    /// The files beside message `m`'s line: its media, or the pictures its HTML shows.
    fn beside_message(&self, m: &Message) -> Vec<(&'static str, String)> {
        if self.beside.is_none() {
            return vec![];
        }
        let named = |kind: &'static str, shown: Option<&Shown>| {
            shown.and_then(|s| self.path_beside(s)).map(|p| (kind, p))
        };
        match (&m.content, &m.html) {
            (Some(MessageContent::Image(i)), _) => named("image", self.by_media.get(&i.media_id))
                .into_iter()
                .collect(),
            (Some(MessageContent::Voice(v)), _) => named("voice", self.by_media.get(&v.media_id))
                .into_iter()
                .collect(),
            (Some(MessageContent::Video(v)), _) => [
                named("video", self.by_media.get(&v.media_id)),
                named("thumb", self.by_media.get(&v.thumb_media_id)),
            ]
            .into_iter()
            .flatten()
            .collect(),
            (_, Some(html)) => picture_urls(html)
                .into_iter()
                .filter_map(|url| named("picture", self.by_url.get(&url)))
                .collect(),
            _ => vec![],
        }
    }

    /// `{url or media id: path beside}` for a JSON export.
    fn json_files(&self) -> Option<serde_json::Value> {
        self.beside.as_ref()?;
        let named = |map: &HashMap<String, Shown>| {
            map.iter()
                .filter_map(|(k, s)| Some((k.clone(), json!(self.path_beside(s)?))))
                .collect::<Vec<_>>()
        };
        let mut all = named(&self.by_media);
        all.extend(named(&self.by_url));
        all.sort_by(|a, b| a.0.cmp(&b.0));
        Some(serde_json::Value::Object(all.into_iter().collect()))
    }

    /// Agent HTML with its kept pictures inside it.
    fn agent_html(&self, html: &str) -> String {
        self.by_url
            .iter()
            .fold(html.to_owned(), |html, (url, shown)| {
                html.replace(
                    &format!("src=\"{}\"", url.replace('&', "&amp;")),
                    &format!("src=\"{}\"", shown.data_uri()),
                )
            })
    }
}

/// One conversation and its transcript; an HTML export carries `embedded` inside itself, an
/// SVG diagram draws its exchanges, a scenario replays its recording (media inside it).
pub fn conversation(
    format: ExportFormat,
    conversation: &Conversation,
    messages: &[Message],
    embedded: &Embedded,
) -> String {
    match format {
        ExportFormat::Html => conversation_html(conversation, messages, embedded),
        ExportFormat::Markdown => conversation_markdown(conversation, messages, embedded),
        ExportFormat::Svg => {
            crate::diagram::render(conversation, messages, &embedded.exchanges, embedded.lang)
        }
        ExportFormat::Scenario => embedded
            .recording
            .as_ref()
            .map(|(recording, expect)| {
                let stem = format!("conversation-{}", conversation.id);
                scenario_file::render(recording, *expect, Placement::Inside, &stem).text
            })
            .unwrap_or_default(),
        ExportFormat::Json => pretty(&TranscriptJson {
            conversation,
            messages,
            files: embedded.json_files(),
        }),
        ExportFormat::Csv => csv(
            &[
                "conversationId",
                "messageId",
                "time",
                "direction",
                "kind",
                "sender",
                "delivery",
                "text",
            ],
            messages.iter().map(|m| {
                vec![
                    m.conversation_id.to_string(),
                    m.id.to_string(),
                    local_time(m.created_at),
                    direction(m.direction).into(),
                    m.kind.clone(),
                    sender(conversation, m),
                    format!("{:?}", m.delivery).to_lowercase(),
                    m.text.clone(),
                ]
            }),
        ),
    }
}

/// The hits of a full-text search.
pub fn search(
    format: ExportFormat,
    query: &str,
    hits: &[SearchHit],
) -> Result<String, NotForSearch> {
    Ok(match format {
        ExportFormat::Html => search_html(query, hits),
        ExportFormat::Markdown => search_markdown(query, hits),
        ExportFormat::Json => pretty(&HitsJson { query, hits }),
        ExportFormat::Csv => csv(
            &[
                "conversationId",
                "messageId",
                "time",
                "nickname",
                "openId",
                "direction",
                "kind",
                "text",
            ],
            hits.iter().map(|h| {
                vec![
                    h.message.conversation_id.to_string(),
                    h.message.id.to_string(),
                    local_time(h.message.created_at),
                    h.nickname.clone(),
                    h.open_id.clone(),
                    direction(h.message.direction).into(),
                    h.message.kind.clone(),
                    h.message.text.clone(),
                ]
            }),
        ),
        ExportFormat::Svg | ExportFormat::Scenario => return Err(NotForSearch(format.as_str())),
    })
}

/// A file name for a download of this export.
pub fn file_name(format: ExportFormat, stem: &str) -> String {
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.{}", format.extension())
}

/// A conversation's JSON export, serialized as it stands: building a `serde_json::Value`
/// of every message first cost as much again.
#[derive(Serialize)]
struct TranscriptJson<'a> {
    conversation: &'a Conversation,
    messages: &'a [Message],
    #[serde(skip_serializing_if = "Option::is_none")]
    files: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct HitsJson<'a> {
    query: &'a str,
    hits: &'a [SearchHit],
}

fn pretty(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).expect("exports serialize")
}

pub(crate) fn local_time(epoch_ms: i64) -> String {
    local_format(epoch_ms, "%Y-%m-%d %H:%M:%S")
}

/// An epoch-ms time in this machine's time zone, in a `chrono` format.
pub(crate) fn local_format(epoch_ms: i64, format: &str) -> String {
    chrono::DateTime::from_timestamp_millis(epoch_ms)
        .map(|t| t.with_timezone(&chrono::Local).format(format).to_string())
        .unwrap_or_default()
}

fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Out => "customer",
        Direction::In => "agent",
        Direction::System => "system",
    }
}

fn sender(c: &Conversation, m: &Message) -> String {
    match m.direction {
        Direction::Out => c.nickname.clone(),
        Direction::In => m
            .agent_name
            .clone()
            .or_else(|| c.agent_name.clone())
            .or_else(|| c.agent_id.clone())
            .unwrap_or_else(|| "agent".into()),
        Direction::System => "system".into(),
    }
}

/// One CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

fn csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let line = |fields: Vec<String>| {
        fields
            .iter()
            .map(|f| csv_field(f))
            .collect::<Vec<_>>()
            .join(",")
            + "\r\n"
    };
    let mut out = line(header.iter().map(|h| (*h).to_owned()).collect());
    for row in rows {
        out.push_str(&line(row));
    }
    out
}

const STYLE: &str = "body{font-family:sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}\
.m{margin:.6rem 0;padding:.5rem .7rem;border-radius:.4rem}.customer{background:#e8f5e9}\
.agent{background:#e3f2fd}.system{color:#666;font-size:.9em}.meta{color:#666;font-size:.8em}\
mark{background:#ffeb3b}";

fn html_page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head>\n<body>\n{body}</body></html>\n",
        escape_html(title)
    )
}

fn conversation_title(c: &Conversation) -> String {
    format!("Conversation {} — {} ({})", c.id, c.nickname, c.open_id)
}

fn conversation_html(c: &Conversation, messages: &[Message], embedded: &Embedded) -> String {
    let mut body = format!(
        "<h1>{}</h1>\n<ul class=\"meta\">\n",
        escape_html(&conversation_title(c))
    );
    for (name, value) in facts(c) {
        let _ = writeln!(
            body,
            "<li>{}: {}</li>",
            escape_html(name),
            escape_html(&value)
        );
    }
    body.push_str("</ul>\n");
    for m in messages {
        let content = match (&m.direction, &m.html, &m.content) {
            (Direction::In, Some(html), _) => embedded.agent_html(html),
            (Direction::Out, _, Some(MessageContent::Image(image))) => {
                match embedded.by_media.get(&image.media_id) {
                    Some(shown) => format!(
                        "<img src=\"{}\" alt=\"{}\">",
                        shown.data_uri(),
                        escape_html(&m.text)
                    ),
                    None => escape_html(&m.text),
                }
            }
            _ => escape_html(&m.text),
        };
        let _ = writeln!(
            body,
            "<div class=\"m {}\"><div class=\"meta\">{} · {} · {}</div>{content}</div>",
            direction(m.direction),
            escape_html(&local_time(m.created_at)),
            escape_html(&sender(c, m)),
            escape_html(&m.kind),
        );
    }
    html_page(&conversation_title(c), &body)
}

fn search_html(query: &str, hits: &[SearchHit]) -> String {
    let title = format!("Search “{query}” — {} hits", hits.len());
    let mut body = format!("<h1>{}</h1>\n", escape_html(&title));
    for h in hits {
        let _ = writeln!(
            body,
            "<div class=\"m {}\"><div class=\"meta\">{} · conversation {} · {} ({})</div>{}</div>",
            direction(h.message.direction),
            escape_html(&local_time(h.message.created_at)),
            h.message.conversation_id,
            escape_html(&h.nickname),
            escape_html(&h.open_id),
            h.snippet,
        );
    }
    html_page(&title, &body)
}

/// The conversation's facts worth a line in a transcript's header.
fn facts(c: &Conversation) -> Vec<(&'static str, String)> {
    let mut facts = vec![
        ("state", c.state.as_str().to_owned()),
        ("started", local_time(c.created_at)),
        ("messages", c.message_count.to_string()),
    ];
    let optional = [
        ("agent", c.agent_name.clone().or_else(|| c.agent_id.clone())),
        ("session", c.session_id.clone()),
        ("request", c.request_id.clone()),
        ("closed", c.closed_at.map(local_time)),
        ("closed by", c.closed_by.clone()),
        ("rating", c.rating_id.clone()),
        (
            "rating comment",
            c.rating_comment.clone().filter(|s| !s.is_empty()),
        ),
        ("status", c.status_message.clone()),
    ];
    facts.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
    facts
}

/// Markdown-safe inline text: backslash-escapes the characters that start markup.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\`*_[]<>#|".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out.replace('\n', "  \n")
}

fn conversation_markdown(c: &Conversation, messages: &[Message], embedded: &Embedded) -> String {
    let mut out = format!("# {}\n\n", md(&conversation_title(c)));
    for (name, value) in facts(c) {
        let _ = writeln!(out, "- **{name}**: {}", md(&value));
    }
    out.push('\n');
    for m in messages {
        let _ = writeln!(
            out,
            "**{}** · {} · _{}_  \n{}\n",
            md(&sender(c, m)),
            local_time(m.created_at),
            md(&m.kind),
            md(&m.text)
        );
        for (kind, path) in embedded.beside_message(m) {
            let target = path.replace(' ', "%20");
            if kind == "voice" || kind == "video" {
                let _ = writeln!(out, "[{kind}]({target})\n");
            } else {
                let _ = writeln!(out, "![{kind}]({target})\n");
            }
        }
    }
    out
}

fn search_markdown(query: &str, hits: &[SearchHit]) -> String {
    let mut out = format!("# Search “{}” — {} hits\n\n", md(query), hits.len());
    for h in hits {
        let _ = writeln!(
            out,
            "- {} · conversation {} · **{}** ({}): {}",
            local_time(h.message.created_at),
            h.message.conversation_id,
            md(&h.nickname),
            md(&h.open_id),
            md(&h.message.text)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\"\nbye"), "\"say \"\"hi\"\"\nbye\"");
    }

    #[test]
    fn formats_parse_by_name() {
        for f in ExportFormat::ALL {
            assert_eq!(f.as_str().parse::<ExportFormat>(), Ok(f));
        }
        assert_eq!("markdown".parse(), Ok(ExportFormat::Markdown));
        assert!("pdf".parse::<ExportFormat>().is_err());
        assert_eq!(file_name(ExportFormat::Csv, "conv 7/x"), "conv_7_x.csv");
    }

    #[test]
    fn html_escapes_text() {
        assert_eq!(
            escape_html("<script>'&\""),
            "&lt;script&gt;&#39;&amp;&quot;"
        );
    }
}

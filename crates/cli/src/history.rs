//! `wxsim history`: the conversations of a data dir, read-only (safe while the app runs):
//! list with filters, show one, search all, export one or a search's hits.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::{Local, NaiveDate, NaiveDateTime, TimeZone};
use clap::{Args, Subcommand};
use serde::Serialize;
use wxsim_engine::export::{self, Embedded, ExportFormat, Files};
use wxsim_engine::protocol::Lang;
use wxsim_engine::scenario_file::{self, Expect, Placement, Recording};
use wxsim_engine::store::Store;
use wxsim_engine::{Conversation, ConversationFilter, ConversationState, Direction, SearchHit};

#[derive(Args)]
pub struct HistoryArgs {
    /// The data dir whose wxsim.db to read (default: the app's, as for `serve`).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: HistoryCommand,
}

#[derive(Args, Clone)]
struct Filters {
    /// Only this customer's (openId or nickname).
    #[arg(long)]
    customer: Option<String>,
    /// Started on or after (YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] local, or RFC 3339).
    #[arg(long, value_parser = parse_since)]
    since: Option<i64>,
    /// Started on or before (a date alone means its end).
    #[arg(long, value_parser = parse_until)]
    until: Option<i64>,
    /// Only conversations in this state (requesting queued chatting closed rated failed canceled).
    #[arg(long, value_parser = parse_state)]
    state: Option<ConversationState>,
    #[arg(long, default_value_t = 200)]
    limit: i64,
}

#[derive(Subcommand)]
enum HistoryCommand {
    /// Conversations, newest first.
    List {
        #[command(flatten)]
        filters: Filters,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// One conversation and its transcript.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Full-text search over every message (Chinese too).
    Search {
        query: String,
        #[command(flatten)]
        filters: Filters,
        #[arg(long)]
        json: bool,
    },
    /// A conversation (ID, or --conversation ID) or a search's hits (--search) as a file.
    Export {
        /// The conversation to export.
        #[arg(conflicts_with_all = ["conversation", "search"], required_unless_present_any = ["conversation", "search"])]
        id: Option<i64>,
        #[arg(long, conflicts_with = "search")]
        conversation: Option<i64>,
        #[arg(long)]
        search: Option<String>,
        /// html, md, json, csv, svg (the conversation's exchanges as a sequence diagram), or
        /// scenario (the conversation as a `wxsim run` scenario).
        #[arg(long, default_value = "html")]
        format: ExportFormat,
        /// The language of a diagram's labels: en or zh.
        #[arg(long, default_value = "en", value_parser = parse_lang)]
        lang: Lang,
        /// How a scenario expects the agent's replies: any (reply), exact (text) or regex.
        #[arg(long, default_value = "any")]
        expect: Expect,
        /// Write here instead of stdout (the media files of an md, json or scenario export
        /// go beside it, in a folder named after it).
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
        #[arg(long, default_value_t = 1000)]
        limit: i64,
    },
}

fn local_ms(t: NaiveDateTime) -> Result<i64, String> {
    Local
        .from_local_datetime(&t)
        .earliest()
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| format!("{t} does not exist in the local time zone"))
}

fn parse_date(s: &str, end_of_day: bool) -> Result<i64, String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return local_ms(t);
        }
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        format!("`{s}` is not a date: use YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or RFC 3339")
    })?;
    let time = if end_of_day {
        day.and_hms_milli_opt(23, 59, 59, 999)
    } else {
        day.and_hms_opt(0, 0, 0)
    };
    local_ms(time.expect("a valid time of day"))
}

pub(crate) fn parse_since(s: &str) -> Result<i64, String> {
    parse_date(s, false)
}

pub(crate) fn parse_until(s: &str) -> Result<i64, String> {
    parse_date(s, true)
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    match s {
        "en" => Ok(Lang::En),
        "zh" => Ok(Lang::Zh),
        _ => Err(format!("`{s}` is not a language: en or zh")),
    }
}

fn parse_state(s: &str) -> Result<ConversationState, String> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| {
        format!(
            "`{s}` is not a state: requesting, queued, chatting, closed, rated, failed, canceled"
        )
    })
}

fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

pub async fn run(args: HistoryArgs) -> anyhow::Result<()> {
    let dir = args.data_dir.unwrap_or_else(crate::default_data_dir);
    let store = Store::open_read_only(&dir.join("wxsim.db"))
        .await
        .with_context(|| format!("cannot read the history in {}", dir.display()))?;
    let done = match args.command {
        HistoryCommand::List { filters, json } => {
            let list = conversations(&store, &filters).await?;
            if json {
                print_json(&list)
            } else {
                print_list(&list);
                Ok(())
            }
        }
        HistoryCommand::Show { id, json } => {
            let conversation = store.conversation(id).await?;
            let messages = store.messages(id).await?;
            if json {
                print_json(
                    &serde_json::json!({ "conversation": conversation, "messages": messages }),
                )
            } else {
                print!(
                    "{}",
                    export::conversation(
                        ExportFormat::Markdown,
                        &conversation,
                        &messages,
                        &Embedded::default()
                    )
                );
                Ok(())
            }
        }
        HistoryCommand::Search {
            query,
            filters,
            json,
        } => {
            let hits = search(&store, &query, &filters).await?;
            if json {
                print_json(&hits)
            } else {
                print_hits(&hits);
                Ok(())
            }
        }
        HistoryCommand::Export {
            id,
            conversation,
            search: query,
            format,
            lang,
            expect,
            output,
            limit,
        } => {
            let text = match (id.or(conversation), query) {
                (Some(id), _) if format == ExportFormat::Scenario && output.is_some() => {
                    let recording = Recording::gather(&store, &dir.join("media"), id).await?;
                    scenario_beside(&recording, expect, output.as_deref().expect("given"))?
                }
                (Some(id), _) => {
                    let c = store.conversation(id).await?;
                    let messages = store.messages(id).await?;
                    let embedded = match format {
                        ExportFormat::Html => {
                            let media = dir.join("media");
                            Embedded::gather(&store, &media, &messages, Files::Pictures).await?
                        }
                        ExportFormat::Markdown | ExportFormat::Json => match &output {
                            Some(path) => {
                                let media = dir.join("media");
                                let gathered =
                                    Embedded::gather(&store, &media, &messages, Files::All).await?;
                                gathered.beside(&format!("{}-media", file_stem(path)))
                            }
                            None => Embedded::default(),
                        },
                        ExportFormat::Svg => {
                            let filter = wxsim_engine::diagram::exchange_filter(id);
                            Embedded::diagram(store.exchanges(&filter).await?, lang)
                        }
                        ExportFormat::Scenario => Embedded::scenario(
                            Recording::gather(&store, &dir.join("media"), id).await?,
                            expect,
                        ),
                        _ => Embedded::default(),
                    };
                    let text = export::conversation(format, &c, &messages, &embedded);
                    if let Some(path) = &output {
                        write_beside(path, &embedded.files_beside())?;
                    }
                    text
                }
                (None, Some(q)) => export::search(format, &q, &store.search(&q, limit).await?)?,
                (None, None) => bail!("name what to export: --conversation ID or --search QUERY"),
            };
            match output {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display())),
                None => Ok(std::io::stdout().write_all(text.as_bytes())?),
            }
        }
    };
    store.close().await;
    done
}

/// The text of a scenario to be written at `path`; its media files are written beside it now.
fn scenario_beside(recording: &Recording, expect: Expect, path: &Path) -> anyhow::Result<String> {
    let saved = scenario_file::render(recording, expect, Placement::Beside, &file_stem(path));
    let files: Vec<(String, &[u8])> = saved
        .files
        .iter()
        .map(|(name, bytes)| (name.clone(), bytes.as_slice()))
        .collect();
    write_beside(path, &files)?;
    Ok(saved.text)
}

/// The name of the export at `path` without its extension.
fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map_or("export".into(), |s| s.to_string_lossy().into_owned())
}

/// Writes `files` (paths relative to the export) beside the export at `path`.
fn write_beside(path: &Path, files: &[(String, &[u8])]) -> anyhow::Result<()> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    for (name, bytes) in files {
        let file = folder.join(name);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&file, bytes).with_context(|| format!("cannot write {}", file.display()))?;
    }
    Ok(())
}

/// Customer ids matching `--customer` by openId or nickname; `None` when not filtering.
async fn customer_ids(store: &Store, filters: &Filters) -> anyhow::Result<Option<Vec<i64>>> {
    let Some(who) = &filters.customer else {
        return Ok(None);
    };
    let ids: Vec<i64> = store
        .customers()
        .await?
        .into_iter()
        .filter(|c| &c.open_id == who || c.nickname.eq_ignore_ascii_case(who))
        .map(|c| c.id)
        .collect();
    if ids.is_empty() {
        bail!("no customer has the openId or nickname `{who}`");
    }
    Ok(Some(ids))
}

async fn conversations(store: &Store, filters: &Filters) -> anyhow::Result<Vec<Conversation>> {
    let filter = |customer_id| ConversationFilter {
        customer_id,
        state: filters.state,
        since: filters.since,
        until: filters.until,
        limit: Some(filters.limit),
    };
    let mut list = match customer_ids(store, filters).await? {
        None => store.conversations(&filter(None)).await?,
        Some(ids) => {
            let mut all = Vec::new();
            for id in ids {
                all.extend(store.conversations(&filter(Some(id))).await?);
            }
            all
        }
    };
    list.sort_by_key(|c| std::cmp::Reverse(c.id));
    list.truncate(usize::try_from(filters.limit).unwrap_or(0));
    Ok(list)
}

async fn search(store: &Store, query: &str, filters: &Filters) -> anyhow::Result<Vec<SearchHit>> {
    let ids = customer_ids(store, filters).await?;
    let mut hits = store.search(query, filters.limit).await?;
    if ids.is_some() || filters.state.is_some() {
        let allowed: Vec<i64> = conversations(
            store,
            &Filters {
                limit: i64::MAX,
                ..filters.clone()
            },
        )
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
        hits.retain(|h| allowed.contains(&h.message.conversation_id));
    }
    hits.retain(|h| {
        filters.since.is_none_or(|s| h.message.created_at >= s)
            && filters.until.is_none_or(|u| h.message.created_at <= u)
    });
    Ok(hits)
}

fn print_list(list: &[Conversation]) {
    println!(
        "{:>6}  {:<9}  {:<19}  {:<28}  {:<12}  {:>4}  rating",
        "id", "state", "started", "customer", "agent", "msgs"
    );
    for c in list {
        println!(
            "{:>6}  {:<9}  {:<19}  {:<28}  {:<12}  {:>4}  {}",
            c.id,
            c.state.as_str(),
            time(c.created_at),
            format!("{} ({})", c.nickname, c.open_id),
            c.agent_name.as_deref().unwrap_or("-"),
            c.message_count,
            c.rating_id.as_deref().unwrap_or("-"),
        );
    }
    println!("{} conversation(s)", list.len());
}

fn print_hits(hits: &[SearchHit]) {
    for h in hits {
        let who = match h.message.direction {
            Direction::Out => h.nickname.as_str(),
            Direction::In => "agent",
            Direction::System => "system",
        };
        println!(
            "{}  conversation {:>5}  {:<12}  {}",
            time(h.message.created_at),
            h.message.conversation_id,
            who,
            h.message.text.replace('\n', " ")
        );
    }
    println!("{} hit(s)", hits.len());
}

//! The callback side of a watched pair: a callback the hosting service took is applied
//! (`callbacks::apply`) and logged in one transaction as the listener does, a media
//! download keeps its file, anything else is logged as it passed.

use serde_json::Value;
use sha2::{Digest, Sha256};
use wxsim_protocol::{CallbackKind, Finding};

use crate::callbacks::{apply, Callback};
use crate::client::CallContext;
use crate::contract::{answer_findings, request_findings};
use crate::engine::Engine;
use crate::error::Result;
use crate::model::{ConversationState, ExchangeDirection, ExchangeOutcome};
use crate::store::{customers, exchanges, media, NewExchange};

use super::adopt::adopt;
use super::{url_path, Answered, Seen};

impl Engine {
    /// A callback or a media download: applied (a callback the hosting service took) and
    /// logged in one transaction, as the listener does.
    pub(super) async fn settle_callback(&self, seen: Seen, answer: Answered) -> Result<()> {
        let path = url_path(&seen.path);
        if path.starts_with("/wechat/") {
            return self.settle_download(seen, answer).await;
        }
        let Some(kind) = CallbackKind::from_path(path) else {
            return self.log_plain(seen, answer, CallContext::default()).await;
        };
        let settings = self.settings();
        let taken = (200..300).contains(&answer.status);
        let callback = serde_json::from_slice::<Value>(&seen.body)
            .ok()
            .filter(|_| taken)
            .and_then(|value| Callback::from_value(kind, value, &settings.sanitizer).ok());
        let Some(callback) = callback else {
            let value = serde_json::from_slice::<Value>(&seen.body).unwrap_or(Value::Null);
            let ctx = self.context_of(value).await?;
            return self.log_plain(seen, answer, ctx).await;
        };
        let log = in_exchange(&seen, Some(kind.path()), &answer);
        let media_file = (kind == CallbackKind::GetMedia)
            .then(|| answered_file(&answer.body))
            .flatten();
        let taken_as_known = log.exchange.result_code == Some(1);
        let body = serde_json::from_slice::<Value>(&seen.body).unwrap_or(Value::Null);
        let (applied, row, customer) = self
            .store()
            .write(move |conn| {
                let mut applied = apply(conn, &callback, &settings)?;
                let refused = applied
                    .answer
                    .get("result")
                    .or_else(|| applied.answer.get("code"));
                if taken_as_known && refused.and_then(Value::as_i64) != Some(1) {
                    // The hosting service knew what we do not: a chat that began before
                    // the proxy started. It is adopted, and the callback applied to it.
                    let state = match kind {
                        CallbackKind::Create | CallbackKind::UpdateRequestStatus => {
                            ConversationState::Queued
                        }
                        _ => ConversationState::Chatting,
                    };
                    if adopt(conn, &body, state, &settings.profile.name)? {
                        applied = apply(conn, &callback, &settings)?;
                    }
                }
                let mut exchange = log.clone().with_history(applied.findings.clone());
                exchange.open_id = applied.open_id.clone();
                exchange.conversation_id = applied.conversation.as_ref().map(|c| c.id);
                if let (Some(file), Callback::GetMedia(cb)) = (&media_file, &callback) {
                    name_media(conn, &cb.media_id.key(), file)?;
                }
                let row = exchanges::insert(conn, &exchange)?;
                let customer = match &applied.conversation {
                    Some(c) => Some(customers::fetch(conn, c.customer_id)?),
                    None => None,
                };
                Ok((applied, row, customer))
            })
            .await?;
        self.announce_applied(row, applied, customer);
        Ok(())
    }

    /// `GET /wechat/…`: the file webchat downloaded is kept, so that the customer's media
    /// shows. Logged like the listener's own downloads: its bytes summarized, no chat.
    async fn settle_download(&self, seen: Seen, answer: Answered) -> Result<()> {
        let query = seen.path.split_once('?').map_or("", |(_, q)| q);
        let file = crate::access::query_value(query, "file")
            .filter(|f| crate::media::is_plain_file_name(f))
            .map(str::to_owned);
        if answer.status != 200 {
            return self.log_plain(seen, answer, CallContext::default()).await;
        }
        let exchange = in_exchange(&seen, Some("/wechat/"), &answer).with_history(vec![]);
        if let Some(file) = file {
            tokio::fs::write(self.inner.media.dir().join(&file), &answer.body).await?;
            let mime = answer
                .content_type
                .clone()
                .unwrap_or_else(|| crate::media::mime_for(&file).into());
            let sha256 = hex::encode(Sha256::digest(&answer.body));
            let size = answer.body.len() as i64;
            self.store()
                .write(move |conn| {
                    if let Some(mut m) = media::by_file(conn, &file)? {
                        m.mime = mime.clone();
                        m.sha256 = sha256.clone();
                        m.size = size;
                        media::update(conn, &m)?;
                    }
                    Ok(())
                })
                .await?;
        }
        self.client().log(exchange).await;
        Ok(())
    }

    /// An exchange that changes nothing, with its body findings.
    pub(super) async fn log_plain(
        &self,
        seen: Seen,
        answer: Answered,
        ctx: CallContext,
    ) -> Result<()> {
        let path = url_path(&seen.path);
        let operation = match seen.direction {
            // Only what is no `*.do` comes here (an agent picture fetched through the proxy).
            ExchangeDirection::Out => None,
            ExchangeDirection::In if path.starts_with("/wechat/") => Some("/wechat/"),
            ExchangeDirection::In => CallbackKind::from_path(path).map(|k| k.path()),
        };
        let mut exchange = in_exchange(&seen, operation, &answer).with_history(vec![]);
        exchange.direction = seen.direction;
        exchange.open_id = ctx.open_id;
        exchange.conversation_id = ctx.conversation_id;
        self.client().log(exchange).await;
        Ok(())
    }
}

/// An exchange of the callback side, judged as the listener judges its own: the request's
/// findings in it, the answer's apart, to come after those the history adds.
#[derive(Clone)]
struct Logged {
    exchange: NewExchange,
    answer_findings: Vec<Finding>,
}

impl Logged {
    /// The exchange with its findings in the listener's order: the body's, the history's
    /// (`callbacks::apply`), the answer's.
    fn with_history(self, history: Vec<Finding>) -> NewExchange {
        let mut exchange = self.exchange;
        exchange.findings.extend(history);
        exchange.findings.extend(self.answer_findings);
        exchange
    }
}

/// An answer's body as the wire log keeps it: text as it came, media bytes summarized as
/// the listener summarizes the files it serves.
fn kept_text(answer: &Answered) -> String {
    match answer.content_type.as_deref() {
        Some(mime)
            if ["image/", "audio/", "video/", "application/octet-stream"]
                .iter()
                .any(|kind| mime.starts_with(kind)) =>
        {
            let sha256 = hex::encode(Sha256::digest(&answer.body));
            crate::media::summary(answer.body.len(), mime, &sha256)
        }
        _ => String::from_utf8_lossy(&answer.body).into_owned(),
    }
}

fn in_exchange(seen: &Seen, operation: Option<&str>, answer: &Answered) -> Logged {
    let request_body = String::from_utf8_lossy(&seen.body).into_owned();
    let response_body = kept_text(answer);
    let value = serde_json::from_slice::<Value>(&answer.body).ok();
    let result_code = value
        .as_ref()
        .and_then(|v| v.get("result").or_else(|| v.get("code")))
        .and_then(Value::as_i64);
    let ok = (200..300).contains(&answer.status);
    let findings = request_findings(operation, &request_body);
    let answer_side = answer_findings(operation, Some(answer.status), Some(&response_body));
    Logged {
        exchange: NewExchange {
            direction: ExchangeDirection::In,
            method: seen.method.clone(),
            path: seen.path.clone(),
            operation: operation.map(str::to_owned),
            open_id: None,
            conversation_id: None,
            request_headers: seen.headers.clone(),
            request_body,
            status: Some(answer.status),
            result_code,
            outcome: ExchangeOutcome::judge(Some(answer.status), result_code, true),
            error: (!ok).then(|| {
                let message = value
                    .as_ref()
                    .and_then(|v| {
                        v.get("message")
                            .or_else(|| v.pointer("/error/message"))
                            .and_then(Value::as_str)
                    })
                    .map_or_else(|| response_body.chars().take(300).collect(), str::to_owned);
                format!("HTTP {}: {message}", answer.status)
            }),
            response_body: Some(response_body),
            started_at: seen.started_at,
            duration_us: answer.duration_us,
            findings,
        },
        answer_findings: answer_side,
    }
}

/// The file name a `/ari/getMedia` answer gives (`code` 1, `message`).
fn answered_file(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    (value.get("code").and_then(Value::as_i64) == Some(1))
        .then(|| value.get("message")?.as_str().map(str::to_owned))
        .flatten()
        .filter(|f| crate::media::is_plain_file_name(f))
}

/// Names an awaited media file as the hosting service does, for its download.
fn name_media(conn: &rusqlite::Connection, media_id: &str, file: &str) -> Result<()> {
    if let Some(mut m) = media::fetch(conn, media_id)? {
        if m.size == 0 && m.file_name != file {
            m.file_name = file.to_owned();
            media::update(conn, &m)?;
        }
    }
    Ok(())
}

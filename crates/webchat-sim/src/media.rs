//! Media the customer sends: for each media id, ask the hosting side for its file name
//! (`/ari/getMedia`), download it from the address the spec builds from that name, and
//! keep its size and sha256 for inspection.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use wxsim_protocol::parse::parse_value;
use wxsim_protocol::{media_download_url, GetMediaAnswer, MessageContent};

use crate::bodies;
use crate::session::Session;
use crate::sim::Sim;

/// One media file the simulator fetched (or failed to).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimMediaRecord"))]
pub struct MediaRecord {
    pub media_id: String,
    /// `image`, `voice`, `video` or `thumb`: the `type` of the download address.
    #[serde(rename = "type")]
    pub media_type: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub session_id: i64,
    /// The file name `getMedia` answered.
    pub file: Option<String>,
    pub url: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub size: Option<u64>,
    pub sha256: Option<String>,
    pub ok: bool,
    pub error: Option<String>,
}

#[derive(Debug, thiserror::Error)]
enum MediaError {
    #[error("getMedia failed: {0}")]
    Callback(String),
    #[error("getMedia answer is malformed: {0}")]
    Answer(#[from] wxsim_protocol::ParseError),
    #[error("download failed: {0}")]
    Download(#[from] reqwest::Error),
}

/// The media ids of a message, each with its download `type`.
pub fn media_parts(message: &MessageContent) -> Vec<(String, &'static str)> {
    match message {
        MessageContent::Image(c) => vec![(c.media_id.clone(), "image")],
        MessageContent::Voice(c) => vec![(c.media_id.clone(), "voice")],
        MessageContent::Video(c) => vec![
            (c.media_id.clone(), "video"),
            (c.thumb_media_id.clone(), "thumb"),
        ],
        MessageContent::Text(_) | MessageContent::Link(_) | MessageContent::Location(_) => {
            Vec::new()
        }
    }
}

/// Fetches one media file and records the result in the state.
pub async fn fetch(
    sim: &Sim,
    session: &Session,
    media_id: String,
    media_type: &str,
) -> MediaRecord {
    let mut record = MediaRecord {
        media_id,
        media_type: media_type.to_owned(),
        session_id: session.session_id,
        file: None,
        url: None,
        size: None,
        sha256: None,
        ok: false,
        error: None,
    };
    if let Err(e) = download(sim, session, &mut record).await {
        tracing::warn!(media_id = record.media_id, error = %e, "media fetch failed");
        record.error = Some(e.to_string());
    }
    let mut state = sim.state();
    state.media.insert(record.media_id.clone(), record.clone());
    // Media of sessions no longer kept goes with them.
    if let Some(oldest) = state.sessions.oldest() {
        state.media.retain(|_, m| m.session_id >= oldest);
    }
    record
}

async fn download(
    sim: &Sim,
    session: &Session,
    record: &mut MediaRecord,
) -> Result<(), MediaError> {
    let outcome = sim
        .callbacks
        .call(
            &session.open_id,
            bodies::get_media(session, &record.media_id),
        )
        .await;
    if let Some(error) = outcome.error {
        return Err(MediaError::Callback(error));
    }
    let answer: GetMediaAnswer = parse_value(outcome.answer.unwrap_or_default())?;
    let url = media_download_url(
        &sim.callbacks.ari_base(),
        session.service_account(),
        &record.media_type,
        &answer.message,
    );
    record.file = Some(answer.message);
    record.url = Some(url.clone());
    let bytes = sim
        .http
        .get(&url)
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    record.size = Some(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
    record.sha256 = Some(hex::encode(Sha256::digest(&bytes)));
    record.ok = true;
    Ok(())
}

//! Pictures a person at the agent desk sends: kept in memory (the newest, within a budget)
//! and served under `/webchat/uploads/{name}`, where the customer's side fetches them as it
//! fetches webchat's own pictures. A picture is named by its content, so sending the same
//! one twice stores it once.

use std::collections::VecDeque;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, Method, Uri};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::SimError;
use crate::html;
use crate::sim::Sim;

/// The largest picture taken: what the hosting side keeps of an agent's picture (2 MiB).
pub const MAX_PICTURE_BYTES: usize = 2 * 1024 * 1024;

/// How much the kept pictures may weigh together; the oldest go first.
const KEPT_BYTES: usize = 64 * 1024 * 1024;

/// A stored picture, as the desk puts it into a message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimPicture"))]
pub struct PictureView {
    /// Its address, relative to webchat's origin (`/webchat/uploads/…`).
    pub src: String,
    /// As agent HTML carries it.
    pub html: String,
    pub mime: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
    pub sha256: String,
}

struct Upload {
    name: String,
    mime: &'static str,
    bytes: Bytes,
}

#[derive(Default)]
pub struct Uploads {
    kept: VecDeque<Upload>,
    weight: usize,
}

impl Uploads {
    /// Keeps a picture (PNG, JPEG, GIF or WebP, up to [`MAX_PICTURE_BYTES`]).
    pub fn add(&mut self, bytes: Bytes) -> Result<PictureView, SimError> {
        if bytes.len() > MAX_PICTURE_BYTES {
            return Err(SimError::NotAPicture(format!(
                "the picture is {} bytes; send one of at most {MAX_PICTURE_BYTES} (2 MiB)",
                bytes.len()
            )));
        }
        let (mime, ext) = sniff(&bytes).ok_or_else(|| {
            SimError::NotAPicture(
                "the file is not a PNG, JPEG, GIF or WebP picture; pick one of those".into(),
            )
        })?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let name = format!("{}.{ext}", &sha256[..24]);
        let view = PictureView {
            src: format!("/webchat/uploads/{name}"),
            html: html::picture(&format!("/webchat/uploads/{name}")),
            mime: mime.to_owned(),
            size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            sha256,
        };
        if self.get(&name).is_none() {
            self.weight += bytes.len();
            self.kept.push_back(Upload { name, mime, bytes });
            while self.weight > KEPT_BYTES {
                let Some(oldest) = self.kept.pop_front() else {
                    break;
                };
                self.weight -= oldest.bytes.len();
            }
        }
        Ok(view)
    }

    fn get(&self, name: &str) -> Option<&Upload> {
        self.kept.iter().find(|u| u.name == name)
    }
}

/// The picture type of `bytes` by their first bytes: its MIME type and file extension.
fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    match bytes {
        [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', ..] => Some(("image/png", "png")),
        [0xff, 0xd8, 0xff, ..] => Some(("image/jpeg", "jpg")),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some(("image/gif", "gif")),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => {
            Some(("image/webp", "webp"))
        }
        _ => None,
    }
}

async fn serve(
    State(sim): State<Arc<Sim>>,
    Path(name): Path<String>,
    uri: Uri,
) -> Result<impl IntoResponse, SimError> {
    let state = sim.state();
    let upload = state
        .uploads
        .get(&name)
        .ok_or_else(|| SimError::UnknownPath {
            method: Method::GET.to_string(),
            path: uri.path().to_owned(),
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, upload.mime),
            // Named by its content: it never changes.
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        upload.bytes.clone(),
    ))
}

pub fn routes() -> Router<Arc<Sim>> {
    Router::new().route("/webchat/uploads/{name}", get(serve))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_told_by_their_bytes_and_named_by_them() {
        let mut uploads = Uploads::default();
        let png = Bytes::from_static(b"\x89PNG\r\n\x1a\n rest of a picture");
        let view = uploads.add(png.clone()).unwrap();
        assert_eq!(view.mime, "image/png");
        assert!(view.src.starts_with("/webchat/uploads/") && view.src.ends_with(".png"));
        assert_eq!(
            view.html,
            format!(r#"<img src="{}" alt="picture">"#, view.src)
        );
        assert_eq!(uploads.add(png).unwrap(), view, "the same picture twice");
        assert_eq!(uploads.kept.len(), 1);
        assert!(uploads.add(Bytes::from_static(b"<svg onload=x>")).is_err());
        let big = Bytes::from(vec![0xff; MAX_PICTURE_BYTES + 1]);
        assert!(matches!(uploads.add(big), Err(SimError::NotAPicture(m)) if m.contains("2 MiB")));
        assert_eq!(sniff(b"GIF89a..."), Some(("image/gif", "gif")));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(("image/webp", "webp")));
    }
}

//! The media folder: files a tester gives (images, voice, video and thumbnails), stored
//! under a generated name, found again by media id or by `?file=` name.

use std::path::{Path, PathBuf};

use rand::Rng;
use sha2::{Digest, Sha256};

use crate::error::{EngineError, Result};
use crate::model::{Media, MediaKind};
use crate::store::now_ms;

#[derive(Clone)]
pub struct MediaFolder {
    dir: PathBuf,
}

/// Content type from a file name's extension; what the `/wechat/` route serves it as.
pub fn mime_for(name: &str) -> &'static str {
    let ext = name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "amr" => "audio/amr",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "ogg" | "opus" => "audio/ogg",
        "m4a" => "audio/mp4",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mov" => "video/quicktime",
        _ => "application/octet-stream",
    }
}

/// What the wire log keeps of a media file's bytes on the wire.
pub fn summary(size: usize, mime: &str, sha256: &str) -> String {
    format!("({size} bytes of {mime}, sha256 {sha256})")
}

/// A `?file=` value we could have produced: a plain name, nothing that walks directories.
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

impl MediaFolder {
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(MediaFolder {
            dir: dir.to_path_buf(),
        })
    }

    /// Writes the bytes under a fresh media id; the row is the caller's to store.
    pub async fn save(
        &self,
        kind: MediaKind,
        original_name: &str,
        service_account: &str,
        bytes: &[u8],
    ) -> Result<Media> {
        if bytes.is_empty() {
            return Err(EngineError::Invalid(format!(
                "the {} file `{original_name}` is empty",
                kind.as_str()
            )));
        }
        let media_id = format!("m{}", hex::encode(rand::thread_rng().gen::<[u8; 12]>()));
        let ext: String = Path::new(original_name)
            .extension()
            .and_then(|e| e.to_str())
            .filter(|e| e.len() <= 8 && e.chars().all(|c| c.is_ascii_alphanumeric()))
            .unwrap_or("bin")
            .to_ascii_lowercase();
        let file_name = format!("{media_id}.{ext}");
        let tmp = self.dir.join(format!(".{file_name}.part"));
        tokio::fs::write(&tmp, bytes).await?;
        tokio::fs::rename(&tmp, self.dir.join(&file_name)).await?;
        Ok(Media {
            mime: mime_for(&file_name).into(),
            media_id,
            kind,
            file_name,
            original_name: original_name.into(),
            size: bytes.len() as i64,
            sha256: hex::encode(Sha256::digest(bytes)),
            service_account: service_account.into(),
            created_at: now_ms(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes a picture an agent message points at, under a fresh name with `ext`; its name
    /// and sha256.
    pub async fn save_picture(&self, ext: &str, bytes: &[u8]) -> Result<(String, String)> {
        let file_name = format!(
            "p{}.{ext}",
            hex::encode(rand::thread_rng().gen::<[u8; 12]>())
        );
        let tmp = self.dir.join(format!(".{file_name}.part"));
        tokio::fs::write(&tmp, bytes).await?;
        tokio::fs::rename(&tmp, self.dir.join(&file_name)).await?;
        Ok((file_name, hex::encode(Sha256::digest(bytes))))
    }

    /// The bytes of a stored file; `file_name` must be plain (checked again here).
    pub async fn read(&self, file_name: &str) -> Result<Vec<u8>> {
        if !is_plain_file_name(file_name) {
            return Err(EngineError::Invalid(format!(
                "`{file_name}` is not a media file name"
            )));
        }
        Ok(tokio::fs::read(self.dir.join(file_name)).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_pass() {
        assert!(is_plain_file_name("m0a1b2.png"));
        for bad in [
            "../../etc/passwd",
            "..",
            ".hidden",
            "a/b.png",
            "a\\b",
            "",
            "%2e%2e",
        ] {
            assert!(!is_plain_file_name(bad), "{bad}");
        }
    }
}

//! Transcripts as they were: the pictures and emoji that agent HTML points at are fetched
//! once, when the message arrives, and kept in the media folder with the address the HTML
//! keeps. Exports embed them, so a transcript shows what it showed then, whatever webchat
//! serves (or no longer serves) later.

use crate::engine::Engine;
use crate::media::mime_for;
use crate::store::pictures::{self, Picture};

/// A picture larger than this is left at its address.
const MAX_PICTURE_BYTES: usize = 2 * 1024 * 1024;

/// The addresses of the pictures in sanitized agent HTML (ammonia writes `src="…"`).
pub fn picture_urls(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for tag in html.split("<img").skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        if let Some(rest) = tag.split(" src=\"").nth(1) {
            let url = rest
                .split('"')
                .next()
                .unwrap_or_default()
                .replace("&amp;", "&");
            if (url.starts_with("http://") || url.starts_with("https://")) && !urls.contains(&url) {
                urls.push(url);
            }
        }
    }
    urls
}

impl Engine {
    /// Keeps the pictures of an agent message just stored, off the callback's answer: each
    /// address once, however many messages show it.
    pub(crate) fn keep_pictures(&self, html: &str) {
        for url in picture_urls(html) {
            let first = self
                .inner
                .pictures_seen
                .lock()
                .expect("pictures lock")
                .insert(url.clone());
            if first {
                let engine = self.clone();
                tokio::spawn(async move {
                    if let Err(e) = engine.keep_picture(&url).await {
                        tracing::info!(%url, error = %e, "a picture of an agent message was not kept; it stays at its address");
                    }
                });
            }
        }
    }

    async fn keep_picture(&self, url: &str) -> crate::error::Result<()> {
        if !self
            .store()
            .pictures(vec![url.to_owned()])
            .await?
            .is_empty()
        {
            return Ok(());
        }
        let Some(bytes) = self.client().fetch_picture(url, MAX_PICTURE_BYTES).await else {
            return Ok(());
        };
        let ext = url
            .rsplit('/')
            .next()
            .and_then(|name| name.split(['?', '#']).next())
            .and_then(|name| {
                name.rsplit_once('.')
                    .map(|(_, ext)| ext.to_ascii_lowercase())
            })
            .filter(|ext| mime_for(&format!("x.{ext}")).starts_with("image/"))
            .unwrap_or_else(|| "png".into());
        let (file_name, sha256) = self.inner.media.save_picture(&ext, &bytes).await?;
        let picture = Picture {
            url: url.to_owned(),
            mime: mime_for(&file_name).into(),
            size: bytes.len() as i64,
            file_name,
            sha256,
        };
        self.store()
            .write(move |conn| pictures::insert(conn, &picture))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picture_addresses_are_read_from_sanitized_html() {
        let html = r#"<p>hi <img src="http://w/webchat/emoji/1.png" alt="[smile]"> and <img src="http://w/p.png?a=1&amp;b=2"><img src="http://w/webchat/emoji/1.png"></p><a href="http://x">x</a>"#;
        assert_eq!(
            picture_urls(html),
            ["http://w/webchat/emoji/1.png", "http://w/p.png?a=1&b=2"]
        );
        assert!(picture_urls("<p>no pictures</p>").is_empty());
    }
}

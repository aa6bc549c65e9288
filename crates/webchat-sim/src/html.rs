//! What the ScriptedAgent writes: rich HTML fragments with emoji and pictures whose
//! relative addresses resolve against the webchat base URL (and are served by `assets`).

use wxsim_protocol::html::escape;
use wxsim_protocol::MessageContent;

use crate::media::MediaRecord;

const SMILE: &str = r#"<img src="/webchat/emoji/smile.png" alt="[smile]">"#;
const HEART: &str = r#"<img src="/webchat/emoji/heart.png" alt="[heart]">"#;
const PICTURE: &str = r#"<img src="/webchat/pictures/sample.png" alt="picture">"#;

/// Every how many replies one carries a picture.
const PICTURE_EVERY: u32 = 3;

pub fn greeting(agent_name: &str) -> String {
    format!(
        "<p>Hello, I'm <b>{}</b> {SMILE} How can I help you today?</p>",
        escape(agent_name)
    )
}

/// The scripted answer to a customer's message; `nth` counts the session's replies from 1.
pub fn reply(message: &MessageContent, media: &[MediaRecord], nth: u32) -> String {
    let body = match message {
        MessageContent::Text(text) => format!("Got your text: <b>{}</b> {SMILE}", escape(text)),
        MessageContent::Voice(voice) => format!(
            "Got your voice message, you said <i>{}</i>: {}",
            escape(&voice.recognition),
            media_summary(media)
        ),
        MessageContent::Image(_) | MessageContent::Video(_) => format!(
            "Got your {}: {}",
            message.msg_type().as_str(),
            media_summary(media)
        ),
        MessageContent::Link(link) => {
            let title = if link.title.is_empty() {
                &link.url
            } else {
                &link.title
            };
            format!(
                "Thanks for the link <a href=\"{}\">{}</a> {HEART}",
                escape(&link.url),
                escape(title)
            )
        }
        MessageContent::Location(place) => format!(
            "You are at <b>{}</b> ({}, {})",
            escape(&place.label),
            place.y,
            place.x
        ),
    };
    let picture = match nth % PICTURE_EVERY {
        0 => format!("<br>{PICTURE}"),
        _ => String::new(),
    };
    format!("<p>{body}{picture}</p>")
}

fn media_summary(media: &[MediaRecord]) -> String {
    let parts: Vec<String> = media
        .iter()
        .map(|m| match (&m.sha256, m.size) {
            (Some(sha), Some(size)) if m.ok => format!(
                "{} {size} bytes received (sha256 {}…)",
                m.media_type,
                sha.get(..12).unwrap_or(sha)
            ),
            _ => format!(
                "could not fetch {} <i>{}</i>: {}",
                m.media_type,
                escape(&m.media_id),
                escape(m.error.as_deref().unwrap_or("unknown error"))
            ),
        })
        .collect();
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_text_is_escaped_and_pictures_come_every_third_reply() {
        let m = MessageContent::Text("<script>x</script> & co".into());
        let first = reply(&m, &[], 1);
        assert!(
            first.contains("&lt;script&gt;x&lt;/script&gt; &amp; co"),
            "{first}"
        );
        assert!(first.contains("/webchat/emoji/smile.png"));
        assert!(!first.contains("pictures"));
        assert!(reply(&m, &[], 3).contains("/webchat/pictures/sample.png"));
    }
}

//! Agent HTML from `/ari/msg` is untrusted: keep formatting, emoji and pictures, drop
//! scripts, handlers, `javascript:` URLs and loads from anywhere but webchat itself.

use std::collections::HashSet;

use ammonia::{Builder, Url, UrlRelative};

/// Sanitizes agent HTML; relative image paths resolve against `webchat_base`. Built once per
/// webchat address: setting up ammonia's rules costs more than cleaning a short message.
pub struct AgentHtml {
    rules: Builder<'static>,
    words: Builder<'static>,
}

impl AgentHtml {
    pub fn new(webchat_base: &str) -> Self {
        let mut rules = Builder::default();
        rules
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some("noopener noreferrer nofollow"))
            .add_tag_attributes("img", &["width", "height"])
            .set_tag_attribute_value("a", "target", "_blank");
        // A base without its trailing slash would resolve `emoji/x.png` beside it, not in it.
        match Url::parse(&format!("{}/", webchat_base.trim_end_matches('/'))) {
            Ok(base) => {
                rules.url_relative(UrlRelative::RewriteWithBase(base.clone()));
                // Runs before relative URLs are rewritten, so resolve them here to judge them.
                rules.attribute_filter(move |element, attribute, value| {
                    if element == "img" && attribute == "src" {
                        match base.join(value) {
                            Ok(url) if url.origin() == base.origin() => Some(value.into()),
                            _ => None,
                        }
                    } else {
                        Some(value.into())
                    }
                });
            }
            Err(_) => {
                rules.url_relative(UrlRelative::Deny);
            }
        }
        AgentHtml {
            rules,
            words: Builder::empty(),
        }
    }

    pub fn clean(&self, html: &str) -> String {
        self.rules.clean(html).to_string()
    }

    /// The words of an agent message, for search and plain transcripts.
    pub fn text(&self, html: &str) -> String {
        let stripped = self.words.clean(html).to_string();
        let text = stripped
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&nbsp;", " ")
            .replace("&amp;", "&");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_html_is_made_inert() {
        let s = AgentHtml::new("http://127.0.0.1:9/webchat/");
        let out = s.clean(
            r#"<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a>
               <iframe src="http://evil"></iframe><svg onload="alert(4)"></svg>
               <p style="position:fixed">y</p><img src="http://evil.example/track.png">"#,
        );
        for bad in [
            "script",
            "onerror",
            "javascript:",
            "iframe",
            "onload",
            "style=",
            "evil",
        ] {
            assert!(!out.contains(bad), "{bad} survived: {out}");
        }
    }

    #[test]
    fn emoji_paths_resolve_against_webchat() {
        let s = AgentHtml::new("http://127.0.0.1:9/webchat/");
        let out = s.clean(r#"<p>hi <img src="emoji/smile.png" alt="[smile]"></p>"#);
        assert!(
            out.contains(r#"src="http://127.0.0.1:9/webchat/emoji/smile.png""#),
            "{out}"
        );
        let out = s.clean(r#"<img src="/webchat/pictures/a.png">"#);
        assert!(
            out.contains("http://127.0.0.1:9/webchat/pictures/a.png"),
            "{out}"
        );
    }

    #[test]
    fn text_drops_tags() {
        assert_eq!(
            AgentHtml::new("http://127.0.0.1:9/webchat/").text("<p>a &amp; <b>b</b></p>\n<i>c</i>"),
            "a & b c"
        );
    }
}

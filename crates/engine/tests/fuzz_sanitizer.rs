//! Hostile agent HTML, found by machine: whatever the mix of tags, attributes and text,
//! the sanitized output has no script, no handler, no `javascript:` URL, no frame, no
//! style and no image from outside webchat. Longer run: `PROPTEST_CASES=100000 cargo test
//! -p wxsim-engine --release --test fuzz_sanitizer`.

use proptest::prelude::*;
use regex::Regex;
use wxsim_engine::sanitize::AgentHtml;

const BASE: &str = "http://127.0.0.1:9/webchat/";
const BANNED_TAGS: &[&str] = &[
    "script", "iframe", "svg", "object", "embed", "style", "form", "frame", "base", "link", "meta",
    "template", "noscript", "textarea",
];

fn tag() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "script", "img", "a", "iframe", "svg", "style", "p", "b", "object", "embed", "form",
        "math", "details", "video", "audio", "source", "link", "meta", "base", "frame", "template",
        "noscript", "textarea", "div", "span", "table",
    ])
}

fn attribute() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("onerror=alert(1)".to_owned()),
        Just("onload=\"x()\"".to_owned()),
        Just("OnMouseOver='y()'".to_owned()),
        Just("href=\"javascript:alert(1)\"".to_owned()),
        Just("href=\"JaVaScRiPt:alert(1)\"".to_owned()),
        Just("href=\"java&#x09;script:alert(1)\"".to_owned()),
        Just("src=\"http://evil.example/x.png\"".to_owned()),
        Just("src=\"//evil.example/x.png\"".to_owned()),
        Just("src=\"emoji/smile.png\"".to_owned()),
        Just("src=\"data:text/html,<script>alert(1)</script>\"".to_owned()),
        Just("style=\"position:fixed;inset:0\"".to_owned()),
        Just("srcdoc=\"<script>alert(1)</script>\"".to_owned()),
        Just("formaction=javascript:alert(1)".to_owned()),
        "[a-z]{1,6}=\"[a-z:/.()]{0,12}\"",
    ]
}

fn fragment() -> impl Strategy<Value = String> {
    let element = (
        tag(),
        prop::collection::vec(attribute(), 0..4),
        "[a-z <>&\"']{0,10}",
    )
        .prop_map(|(t, attrs, text)| format!("<{t} {}>{text}</{t}>", attrs.join(" ")));
    prop_oneof![element, any::<String>(), "[<>/a-z=\"' ]{0,40}"]
}

proptest! {
    #[test]
    fn no_hostile_html_survives(parts in prop::collection::vec(fragment(), 1..6)) {
        let html = parts.concat();
        let out = AgentHtml::new(BASE).clean(&html);
        // Text may say anything (it is escaped); what matters is every tag that remains.
        let tags = Regex::new(r"<[a-zA-Z][^>]*>").unwrap();
        let src = Regex::new(r#"\s(?:src|href)="([^"]*)""#).unwrap();
        let handler = Regex::new(r"\son[a-z]+\s*=").unwrap();
        for tag in tags.find_iter(&out) {
            let lower = tag.as_str().to_lowercase();
            let name: String = lower[1..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            prop_assert!(!BANNED_TAGS.contains(&name.as_str()), "<{name}> survived: {out}");
            for banned in ["javascript:", "style=", "srcdoc", "formaction"] {
                prop_assert!(!lower.contains(banned), "{banned} survived: {out}");
            }
            prop_assert!(!handler.is_match(&lower), "a handler survived: {out}");
            if name == "img" {
                for m in src.captures_iter(tag.as_str()) {
                    prop_assert!(m[1].starts_with("http://127.0.0.1:9/"), "an image from elsewhere: {}", &m[1]);
                }
            }
        }
        let _ = AgentHtml::new(BASE).text(&html);
    }
}

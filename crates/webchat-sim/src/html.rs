//! What the ScriptedAgent writes: a customer-service script in English and Chinese, as rich
//! HTML fragments with emoji and pictures whose relative addresses resolve against the
//! webchat base URL (and are served by `assets`).
//!
//! The agent answers in the customer's language (Chinese when they write Han characters,
//! English when they write Latin letters; their nickname decides the greeting) and by
//! topic: orders and delivery, returns and refunds, prices and offers, a problem with an
//! item, thanks, goodbyes, greetings, and anything else (quoted, then followed up). Media is
//! acknowledged; what was fetched (size, sha256) is in `/sim/state`'s `media` and in the
//! hosting side's wire log, not in the chat.

use serde::{Deserialize, Serialize};
use wxsim_protocol::html::escape;
use wxsim_protocol::MessageContent;

use crate::emoji::Emoji;
use crate::media::MediaRecord;

/// The picture every third reply carries.
const SAMPLE_PICTURE: &str = "/webchat/pictures/sample.png";

/// Every how many replies one carries a picture.
const PICTURE_EVERY: u32 = 3;

/// How much of the customer's words a reply quotes.
const QUOTED_CHARS: usize = 40;

/// The language the agent writes in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimLanguage"))]
pub enum Language {
    #[default]
    En,
    Zh,
}

impl Language {
    /// The language a text is written in, if it tells: Chinese with any Han character,
    /// English with Latin letters and none.
    pub fn of(text: &str) -> Option<Language> {
        if text.chars().any(is_han) {
            Some(Language::Zh)
        } else if text.chars().any(|c| c.is_ascii_alphabetic()) {
            Some(Language::En)
        } else {
            None
        }
    }

    fn pick(self, en: &'static str, zh: &'static str) -> &'static str {
        match self {
            Language::En => en,
            Language::Zh => zh,
        }
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// A picture in agent HTML, as webchat writes it (`src` relative to webchat's origin).
pub fn picture(src: &str) -> String {
    format!(r#"<img src="{}" alt="picture">"#, escape(src))
}

/// The agent's first message of a session; a robot introduces itself as one.
pub fn greeting(agent_name: &str, robot: bool, lang: Language) -> String {
    let name = escape(agent_name);
    let smile = Emoji::Smile.html();
    let text = match (lang, robot) {
        (Language::En, false) => {
            format!("Hello, this is <b>{name}</b> {smile} How can I help you today?")
        }
        (Language::Zh, false) => {
            format!("您好，我是客服<b>{name}</b> {smile} 很高兴为您服务，请问有什么可以帮您？")
        }
        (Language::En, true) => format!(
            "Hi, I'm <b>{name}</b>, the virtual assistant {smile} Ask me about orders, delivery, returns or offers — or ask for a human agent at any time."
        ),
        (Language::Zh, true) => format!(
            "您好，我是智能助手<b>{name}</b> {smile} 订单、物流、退换货、优惠活动都可以问我，也可以随时转人工客服。"
        ),
    };
    format!("<p>{text}</p>")
}

/// What a customer's words are about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Topic {
    Thanks,
    Goodbye,
    Refund,
    Problem,
    Order,
    Price,
    Greeting,
    Other,
}

const TOPICS: &[(Topic, &[&str])] = &[
    (Topic::Thanks, &["thank", "thx", "谢谢", "感谢", "多谢"]),
    (Topic::Goodbye, &["bye", "再见", "拜拜"]),
    (
        Topic::Refund,
        &[
            "refund",
            "return",
            "money back",
            "退款",
            "退货",
            "换货",
            "退钱",
        ],
    ),
    (
        Topic::Problem,
        &[
            "broken",
            "damaged",
            "faulty",
            "wrong",
            "complain",
            "坏了",
            "破损",
            "质量",
            "投诉",
            "不满意",
            "发错",
        ],
    ),
    (
        Topic::Order,
        &[
            "order", "parcel", "package", "ship", "deliver", "tracking", "arrive", "快递", "物流",
            "发货", "订单", "包裹", "到货", "配送", "送到",
        ],
    ),
    (
        Topic::Price,
        &[
            "price",
            "discount",
            "coupon",
            "cost",
            "cheap",
            "offer",
            "价格",
            "优惠",
            "多少钱",
            "便宜",
            "打折",
            "折扣",
        ],
    ),
    (
        Topic::Greeting,
        &[
            "hello",
            "hi ",
            "hey",
            "good morning",
            "你好",
            "您好",
            "在吗",
            "在不在",
        ],
    ),
];

fn topic_of(text: &str) -> Topic {
    let padded = format!("{} ", text.to_lowercase());
    TOPICS
        .iter()
        .find(|(_, words)| words.iter().any(|w| padded.contains(w)))
        .map_or(Topic::Other, |(topic, _)| *topic)
}

/// An order number the customer gave: the first run of six or more digits.
fn order_number(text: &str) -> Option<&str> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() >= 6)
}

/// The customer's words, shortened and escaped, to quote.
fn quote(text: &str) -> String {
    let text = text.trim();
    let mut short: String = text.chars().take(QUOTED_CHARS).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    escape(&short)
}

/// The answer to what a customer wrote (or said); `nth` counts the session's replies from 1.
fn answer_text(text: &str, lang: Language, nth: u32) -> String {
    let l = lang;
    let (smile, heart) = (Emoji::Smile.html(), Emoji::Heart.html());
    match topic_of(text) {
        Topic::Thanks => match l {
            Language::En => {
                format!("You're welcome! {smile} Is there anything else I can help you with?")
            }
            Language::Zh => format!("不客气！{smile} 请问还有其他可以帮您的吗？"),
        },
        Topic::Goodbye => match l {
            Language::En => format!("Thank you for contacting us. Have a nice day! {heart}"),
            Language::Zh => format!("感谢您的咨询，祝您生活愉快！{heart}"),
        },
        Topic::Refund => l
            .pick(
                "Sorry for the trouble. You can return an item within 7 days of delivery: open <b>My Orders</b>, choose <b>Return / Refund</b>, and once the item reaches us the refund goes back to your original payment method within 3–5 working days.",
                "给您带来不便非常抱歉。签收后7天内可以申请退货：在<b>我的订单</b>中选择<b>退货/退款</b>，我们收到商品后3–5个工作日内原路退款。",
            )
            .to_owned(),
        Topic::Problem => l
            .pick(
                "I'm really sorry about that. Could you send me a photo of the problem? I'll arrange a replacement or a refund for you right away.",
                "非常抱歉给您带来不好的体验！麻烦您拍张照片发给我，我马上为您安排换货或退款。",
            )
            .to_owned(),
        Topic::Order => match (order_number(text), l) {
            (Some(n), Language::En) => format!(
                "Thank you! Order <b>{n}</b> left our warehouse yesterday and should arrive within 2–3 working days. You can follow it under <b>My Orders › Tracking</b>."
            ),
            (Some(n), Language::Zh) => format!(
                "感谢您的耐心等待！订单<b>{n}</b>已于昨天从仓库发出，预计2–3个工作日送达，您可以在<b>我的订单 › 物流详情</b>中查看进度。"
            ),
            (None, _) => l
                .pick(
                    "I can check that for you. Could you send me your order number? You'll find it under <b>My Orders</b>.",
                    "好的，我帮您查一下。麻烦提供一下订单号，可以在<b>我的订单</b>里找到。",
                )
                .to_owned(),
        },
        Topic::Price => l
            .pick(
                "Right now orders over ¥199 get ¥20 off, and new members get a ¥10 coupon on their first order.",
                "目前满199元立减20元，新会员首单还可领取10元优惠券。",
            )
            .to_owned(),
        Topic::Greeting => l
            .pick(
                "Hello! What can I do for you?",
                "您好！请问有什么可以帮您？",
            )
            .to_owned(),
        Topic::Other => {
            let q = quote(text);
            match (nth % 3, l) {
                (1, Language::En) => {
                    format!("About “{q}”: let me check that for you — one moment, please.")
                }
                (1, Language::Zh) => format!("关于“{q}”，我这边帮您查询一下，请稍等。"),
                (2, Language::En) => format!(
                    "Thanks for telling me “{q}”. Could you give me a few more details, so I can help you better?"
                ),
                (2, Language::Zh) => {
                    format!("收到：“{q}”。能再详细描述一下吗？这样我能更好地帮您。")
                }
                (_, Language::En) => format!(
                    "Noted: “{q}”. I've passed it on to the team concerned, and we'll get back to you within 24 hours."
                ),
                (_, Language::Zh) => format!(
                    "好的，已为您记录：“{q}”，并反馈给相关部门，我们会在24小时内回复您。"
                ),
            }
        }
    }
}

/// The media a message carried, as the customer would call it.
fn media_name(message: &MessageContent, lang: Language) -> &'static str {
    match message {
        MessageContent::Voice(_) => lang.pick("voice message", "语音"),
        MessageContent::Video(_) => lang.pick("video", "视频"),
        _ => lang.pick("picture", "图片"),
    }
}

/// The scripted answer to a customer's message; `nth` counts the session's replies from 1.
pub fn reply(message: &MessageContent, media: &[MediaRecord], nth: u32, lang: Language) -> String {
    let lost = media.iter().any(|m| !m.ok);
    let body = match message {
        _ if lost => match lang {
            Language::En => format!(
                "Sorry, your {} didn't come through on my side. Could you send it again?",
                media_name(message, lang)
            ),
            Language::Zh => format!(
                "抱歉，您发的{}我这边没有收到，麻烦您再发一次。",
                media_name(message, lang)
            ),
        },
        MessageContent::Text(text) => answer_text(text, lang, nth),
        MessageContent::Voice(voice) if voice.recognition.trim().is_empty() => lang
            .pick(
                "I've listened to your voice message. Could you tell me a little more about it in writing?",
                "您的语音我听到了，方便再用文字描述一下吗？",
            )
            .to_owned(),
        MessageContent::Voice(voice) => {
            let heard = match lang {
                Language::En => format!("I've got your voice message: “{}”.", quote(&voice.recognition)),
                Language::Zh => format!("收到您的语音：“{}”。", quote(&voice.recognition)),
            };
            format!("{heard} {}", answer_text(&voice.recognition, lang, nth))
        }
        MessageContent::Image(_) => lang
            .pick(
                "Thanks, I've received your picture — I'm taking a look now.",
                "图片已收到，我这边看一下。",
            )
            .to_owned(),
        MessageContent::Video(_) => lang
            .pick(
                "Thanks, I've received your video and passed it on to our after-sales team.",
                "视频已收到，我转给售后同事看一下。",
            )
            .to_owned(),
        MessageContent::Link(link) => {
            let title = if link.title.is_empty() {
                &link.url
            } else {
                &link.title
            };
            let a = format!("<a href=\"{}\">{}</a>", escape(&link.url), escape(title));
            match lang {
                Language::En => format!("Thanks for the link — I've opened {a} and I'm looking at it now."),
                Language::Zh => format!("收到您发的链接{a}，我打开看一下。"),
            }
        }
        MessageContent::Location(place) => match lang {
            Language::En => format!(
                "Thanks, I've got your location: <b>{}</b>. We'll use it for your delivery address.",
                escape(&place.label)
            ),
            Language::Zh => format!(
                "收到您的位置：<b>{}</b>，我们会按这个地址为您安排配送。",
                escape(&place.label)
            ),
        },
    };
    let shown = match nth % PICTURE_EVERY {
        0 => format!("<br>{}", picture(SAMPLE_PICTURE)),
        _ => String::new(),
    };
    format!("<p>{body}{shown}</p>")
}

/// The language a message tells, if it does (its text, or a voice message's recognition).
pub fn language_of(message: &MessageContent) -> Option<Language> {
    match message {
        MessageContent::Text(text) => Language::of(text),
        MessageContent::Voice(voice) => Language::of(&voice.recognition),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> MessageContent {
        MessageContent::Text(s.into())
    }

    #[test]
    fn customer_text_is_escaped_and_pictures_come_every_third_reply() {
        let m = text("<script>x</script> & co");
        let first = reply(&m, &[], 1, Language::En);
        assert!(
            first.contains("&lt;script&gt;x&lt;/script&gt; &amp; co"),
            "{first}"
        );
        assert!(!first.contains("pictures"));
        assert!(reply(&m, &[], 3, Language::En).contains("/webchat/pictures/sample.png"));
    }

    #[test]
    fn the_agent_answers_by_topic_in_the_customers_language() {
        let en = |s: &str| reply(&text(s), &[], 1, Language::En);
        let zh = |s: &str| reply(&text(s), &[], 1, Language::Zh);
        assert!(en("Where is my parcel?").contains("order number"));
        assert!(
            en("My order 20250106123 has not arrived").contains("Order <b>20250106123</b> left")
        );
        assert!(zh("我的快递到哪了").contains("订单号"));
        assert!(en("I want a refund").contains("Return / Refund"));
        assert!(zh("我要退货").contains("原路退款"));
        assert!(en("Any discount today?").contains("coupon"));
        assert!(en("Thanks a lot").contains("You're welcome"));
        assert!(zh("谢谢").contains("不客气"));
        assert!(en("ok bye").contains("Have a nice day"));
        assert!(en("hi there").contains("What can I do for you"));
        assert!(en("The size chart").contains("About “The size chart”"));
        let long = "x".repeat(100);
        assert!(en(&long).contains(&format!("{}…", "x".repeat(QUOTED_CHARS))));
        assert_eq!(Language::of("Hello 你好"), Some(Language::Zh));
        assert_eq!(Language::of("Hello"), Some(Language::En));
        assert_eq!(Language::of("123 ?"), None);
    }

    #[test]
    fn media_is_acknowledged_and_a_lost_file_asked_again() {
        let image = MessageContent::Image(wxsim_protocol::content::ImageContent {
            media_id: "m".into(),
        });
        let ok = MediaRecord {
            media_id: "m".into(),
            media_type: "image".into(),
            session_id: 1,
            file: Some("f.png".into()),
            url: None,
            size: Some(804),
            sha256: Some("ab".repeat(32)),
            ok: true,
            error: None,
        };
        let got = reply(&image, std::slice::from_ref(&ok), 1, Language::En);
        assert!(got.contains("received your picture"), "{got}");
        assert!(!got.contains("804") && !got.contains("sha256"), "{got}");
        let lost = MediaRecord {
            ok: false,
            error: Some("download failed".into()),
            ..ok
        };
        assert!(reply(&image, &[lost], 1, Language::Zh).contains("麻烦您再发一次"));
        assert!(greeting("Alice", false, Language::En).contains("How can I help you today?"));
        assert!(greeting("小美", false, Language::Zh).contains("客服<b>小美</b>"));
        assert!(greeting("Robot", true, Language::En).contains("virtual assistant"));
    }
}

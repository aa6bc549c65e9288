//! webchat's emoji set: each one a small picture drawn in code, served at
//! `/webchat/emoji/{name}.png` (by `assets`), and written into agent HTML as
//! `<img src="/webchat/emoji/{name}.png" alt="[{name}]">`, the one way the scripted agents
//! and the desk's picker write it.

use serde::{Deserialize, Serialize};

/// A colour.
pub type Pixel = [u8; 3];

const WHITE: Pixel = [255, 255, 255];
const FACE: Pixel = [255, 204, 51];
const INK: Pixel = [90, 60, 20];

/// One emoji of the set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emoji {
    Smile,
    Laugh,
    Wink,
    Surprised,
    Sad,
    Heart,
    Star,
    Ok,
}

impl Emoji {
    /// The set, in the picker's order.
    pub const ALL: [Emoji; 8] = [
        Emoji::Smile,
        Emoji::Laugh,
        Emoji::Wink,
        Emoji::Surprised,
        Emoji::Sad,
        Emoji::Heart,
        Emoji::Star,
        Emoji::Ok,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Emoji::Smile => "smile",
            Emoji::Laugh => "laugh",
            Emoji::Wink => "wink",
            Emoji::Surprised => "surprised",
            Emoji::Sad => "sad",
            Emoji::Heart => "heart",
            Emoji::Star => "star",
            Emoji::Ok => "ok",
        }
    }

    /// Its picture's file name under `/webchat/emoji/`.
    pub fn file(self) -> String {
        format!("{}.png", self.name())
    }

    /// As agent HTML carries it.
    pub fn html(self) -> String {
        format!(
            r#"<img src="/webchat/emoji/{}" alt="[{}]">"#,
            self.file(),
            self.name()
        )
    }

    /// The colour at a point; points are in [-1, 1] on both axes, y pointing up.
    pub fn paint(self, x: f32, y: f32) -> Pixel {
        match self {
            Emoji::Smile => face(x, y, |x, y| eyes(x, y) || smile_mouth(x, y)),
            Emoji::Laugh => face(x, y, |x, y| {
                eyes(x, y) || (y < -0.05 && (x * x + (y + 0.05) * (y + 0.05)).sqrt() < 0.55)
            }),
            Emoji::Wink => face(x, y, |x, y| {
                let closed = (y - 0.3).abs() < 0.06 && (x + 0.35).abs() < 0.18;
                let open = ((x - 0.35).powi(2) + (y - 0.3).powi(2)).sqrt() < 0.15;
                closed || open || smile_mouth(x, y)
            }),
            Emoji::Surprised => face(x, y, |x, y| {
                let r = (x * x + (y + 0.4).powi(2)).sqrt();
                eyes(x, y) || (0.1..0.22).contains(&r)
            }),
            Emoji::Sad => face(x, y, |x, y| {
                let r = (x * x + (y + 1.0).powi(2)).sqrt();
                eyes(x, y) || (y > -0.75 && (r - 0.5).abs() < 0.08)
            }),
            Emoji::Heart => heart(x, y),
            Emoji::Star => star(x, y),
            Emoji::Ok => ok(x, y),
        }
    }
}

/// An emoji as the desk's picker offers it: exactly the HTML the scripted agents send.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimEmoji"))]
pub struct EmojiView {
    pub name: String,
    /// Its picture, relative to webchat's origin (`/webchat/emoji/smile.png`).
    pub src: String,
    pub html: String,
}

/// The set, for the desk.
pub fn views() -> Vec<EmojiView> {
    Emoji::ALL
        .iter()
        .map(|e| EmojiView {
            name: e.name().to_owned(),
            src: format!("/webchat/emoji/{}", e.file()),
            html: e.html(),
        })
        .collect()
}

/// A round yellow face with `features` drawn in ink.
fn face(x: f32, y: f32, features: impl Fn(f32, f32) -> bool) -> Pixel {
    match (x * x + y * y).sqrt() {
        r if r > 0.95 => WHITE,
        _ if features(x, y) => INK,
        _ => FACE,
    }
}

fn eyes(x: f32, y: f32) -> bool {
    let eye = |ex: f32| ((x - ex).powi(2) + (y - 0.3).powi(2)).sqrt() < 0.15;
    eye(-0.35) || eye(0.35)
}

fn smile_mouth(x: f32, y: f32) -> bool {
    y < -0.1 && ((x * x + y * y).sqrt() - 0.55).abs() < 0.08
}

fn heart(x: f32, y: f32) -> Pixel {
    let (x, y) = (x * 1.3, y * 1.3 + 0.2);
    let shape = (x * x + y * y - 1.0).powi(3) - x * x * y.powi(3);
    if shape <= 0.0 {
        [220, 30, 60]
    } else {
        WHITE
    }
}

/// A five-pointed star: inside when the point is within the star's radius at its angle.
fn star(x: f32, y: f32) -> Pixel {
    let r = (x * x + y * y).sqrt();
    let angle = y.atan2(x) - std::f32::consts::FRAC_PI_2;
    let sector = std::f32::consts::TAU / 5.0;
    let t = (angle.rem_euclid(sector) / sector - 0.5).abs() * 2.0;
    let edge = 0.4 + 0.55 * t;
    if r <= edge {
        [250, 190, 20]
    } else {
        WHITE
    }
}

/// A green disc with a white tick.
fn ok(x: f32, y: f32) -> Pixel {
    let near = |(ax, ay): (f32, f32), (bx, by): (f32, f32)| {
        let (dx, dy) = (bx - ax, by - ay);
        let t = (((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
        ((x - ax - t * dx).powi(2) + (y - ay - t * dy).powi(2)).sqrt() < 0.11
    };
    match (x * x + y * y).sqrt() {
        r if r > 0.95 => WHITE,
        _ if near((-0.45, 0.0), (-0.1, -0.35)) || near((-0.1, -0.35), (0.5, 0.35)) => WHITE,
        _ => [40, 170, 90],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_emoji_is_written_as_webchat_writes_it() {
        assert_eq!(
            Emoji::Smile.html(),
            r#"<img src="/webchat/emoji/smile.png" alt="[smile]">"#
        );
        let views = views();
        assert_eq!(views.len(), Emoji::ALL.len());
        for (view, emoji) in views.iter().zip(Emoji::ALL) {
            assert_eq!(view.html, emoji.html());
            assert!(view.html.contains(&view.src), "{view:?}");
        }
        // Each draws something of its own colour at its centre or on its outline.
        assert_eq!(Emoji::Heart.paint(0.0, 0.0), [220, 30, 60]);
        assert_eq!(Emoji::Smile.paint(0.0, 0.0), FACE);
        assert_eq!(Emoji::Star.paint(0.0, 0.0), [250, 190, 20]);
        assert_eq!(Emoji::Ok.paint(0.0, 0.9), [40, 170, 90]);
    }
}

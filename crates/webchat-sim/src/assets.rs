//! The images the scripted agents' HTML points at (`/webchat/emoji/{name}`,
//! `/webchat/pictures/{name}`): small valid PNGs drawn in code (the emoji by `emoji`).

use axum::extract::Path;
use axum::http::{header, Method, Uri};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::emoji::{Emoji, Pixel};
use crate::error::SimError;

/// A picture the simulator can draw: its name, size, and colour at each point.
struct Picture {
    name: &'static str,
    width: u32,
    height: u32,
    paint: fn(f32, f32) -> Pixel,
}

const PICTURES: &[Picture] = &[Picture {
    name: "sample.png",
    width: 96,
    height: 64,
    paint: landscape,
}];

/// The size of an emoji.
const EMOJI_SIDE: u32 = 24;

/// Points are in [-1, 1] on both axes, y pointing up.
fn landscape(x: f32, y: f32) -> Pixel {
    let hill = -0.2 + 0.25 * (x * 3.0).sin();
    let sun = ((x - 0.5).powi(2) + (y - 0.5).powi(2)).sqrt() < 0.2;
    let channel = |v: f32| (v.clamp(0.0, 1.0) * 255.0) as u8;
    match () {
        () if sun => [255, 220, 80],
        () if y < hill => [40, channel(0.4 + 0.3 * (y + 1.0)), 60],
        () => [channel(0.5 + 0.3 * y), channel(0.7 + 0.2 * y), 240],
    }
}

/// A `w`×`h` PNG of what `paint` draws.
fn png(w: u32, h: u32, paint: impl Fn(f32, f32) -> Pixel) -> Vec<u8> {
    let mut raw = Vec::new();
    for row in 0..h {
        raw.push(0); // filter type: none
        for col in 0..w {
            let x = (col as f32 + 0.5) / w as f32 * 2.0 - 1.0;
            let y = 1.0 - (row as f32 + 0.5) / h as f32 * 2.0;
            raw.extend_from_slice(&paint(x, y));
        }
    }
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&w.to_be_bytes());
    header.extend_from_slice(&h.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, no interlace
    let mut png = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    push_chunk(&mut png, b"IHDR", &header);
    push_chunk(&mut png, b"IDAT", &zlib_stored(&raw));
    push_chunk(&mut png, b"IEND", &[]);
    png
}

fn push_chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    png.extend_from_slice(&len.to_be_bytes());
    let start = png.len();
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let crc = crc32(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream of uncompressed (stored) deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(0xffff).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = u16::try_from(block.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The PNG of a picture, or of an emoji, by its file name.
fn drawn(name: &str, emoji: bool) -> Option<Vec<u8>> {
    if emoji {
        let emoji = Emoji::ALL.into_iter().find(|e| e.file() == name)?;
        Some(png(EMOJI_SIDE, EMOJI_SIDE, |x, y| emoji.paint(x, y)))
    } else {
        let picture = PICTURES.iter().find(|p| p.name == name)?;
        Some(png(picture.width, picture.height, picture.paint))
    }
}

fn serve(emoji: bool, name: &str, uri: &Uri) -> Result<impl IntoResponse, SimError> {
    let png = drawn(name, emoji).ok_or_else(|| SimError::UnknownPath {
        method: Method::GET.to_string(),
        path: uri.path().to_owned(),
    })?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png))
}

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/webchat/emoji/{name}",
            get(|Path(name): Path<String>, uri: Uri| async move { serve(true, &name, &uri) }),
        )
        .route(
            "/webchat/pictures/{name}",
            get(|Path(name): Path<String>, uri: Uri| async move { serve(false, &name, &uri) }),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pngs_are_well_formed() {
        let names = Emoji::ALL.map(|e| (e.file(), true));
        for (name, emoji) in names.into_iter().chain([("sample.png".to_owned(), false)]) {
            let png = drawn(&name, emoji).expect("a picture of the set");
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
            assert_eq!(&png[12..16], b"IHDR");
            // The IEND chunk's CRC is a constant of the format.
            assert_eq!(&png[png.len() - 4..], &[0xae, 0x42, 0x60, 0x82]);
        }
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }
}

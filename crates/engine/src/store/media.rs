//! Rows of the media table: which file stands behind a media id, for which account.

use rusqlite::{params, Connection, OptionalExtension};

use super::Store;
use crate::error::Result;
use crate::model::{Media, MediaKind};

row_struct! {
    struct MediaRow {
        media_id: String,
        kind: String,
        file_name: String,
        original_name: String,
        mime: String,
        size: i64,
        sha256: String,
        service_account: String,
        created_at: i64,
    }
}

impl From<MediaRow> for Media {
    fn from(r: MediaRow) -> Self {
        Media {
            media_id: r.media_id,
            kind: MediaKind::parse(&r.kind).unwrap_or(MediaKind::Image),
            file_name: r.file_name,
            original_name: r.original_name,
            mime: r.mime,
            size: r.size,
            sha256: r.sha256,
            service_account: r.service_account,
            created_at: r.created_at,
        }
    }
}

const SELECT: &str = "SELECT media_id, kind, file_name, original_name, mime, size, sha256, service_account, created_at FROM media";

pub fn insert(conn: &Connection, m: &Media) -> Result<()> {
    put(conn, "INSERT", m).map(|_| ())
}

/// Stores `m` unless its media id (or file name) is known; true when it was stored.
pub fn insert_new(conn: &Connection, m: &Media) -> Result<bool> {
    Ok(put(conn, "INSERT OR IGNORE", m)? == 1)
}

/// Rewrites every column of the row with `m`'s media id.
pub fn update(conn: &Connection, m: &Media) -> Result<()> {
    put(conn, "REPLACE", m).map(|_| ())
}

fn put(conn: &Connection, verb: &str, m: &Media) -> Result<usize> {
    Ok(conn
        .prepare_cached(&format!(
            "{verb} INTO media (media_id, kind, file_name, original_name, mime, size, sha256, service_account, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))?
        .execute(params![
            m.media_id,
            m.kind.as_str(),
            m.file_name,
            m.original_name,
            m.mime,
            m.size,
            m.sha256,
            m.service_account,
            m.created_at,
        ])?)
}

/// The media stored under a file name.
pub fn by_file(conn: &Connection, file_name: &str) -> Result<Option<Media>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE file_name = ?"))?
        .query_row([file_name], MediaRow::from_row)
        .optional()?
        .map(Media::from))
}

pub fn fetch(conn: &Connection, media_id: &str) -> Result<Option<Media>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE media_id = ?"))?
        .query_row([media_id], MediaRow::from_row)
        .optional()?
        .map(Media::from))
}

impl Store {
    pub async fn media(&self, media_id: &str) -> Result<Option<Media>> {
        let media_id = media_id.to_owned();
        self.read(move |conn| fetch(conn, &media_id)).await
    }

    /// The media stored under a file name.
    pub async fn media_file(&self, file_name: &str) -> Result<Option<Media>> {
        let file = file_name.to_owned();
        self.read(move |conn| by_file(conn, &file)).await
    }
}

/// Whether the customer sent `media_id` in one of their chats: webchat may fetch only what
/// the customer of the session it asks for sent.
pub fn sent_by_customer(conn: &Connection, customer_id: i64, media_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE c.customer_id = ? AND m.direction = 'out' AND instr(m.body, ?) > 0 LIMIT 1",
        )?
        .query_row(params![customer_id, media_id], |_| Ok(()))
        .optional()?
        .is_some())
}

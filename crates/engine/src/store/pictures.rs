//! Rows of the pictures table: which file of the media folder holds the picture an agent
//! message's HTML points at.

use rusqlite::{params, Connection, OptionalExtension};

use super::Store;
use crate::error::Result;

/// A picture kept for the address agent HTML gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    pub url: String,
    pub file_name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
}

/// Keeps the first copy of a picture: a second fetch of the same address changes nothing.
pub fn insert(conn: &Connection, p: &Picture) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO pictures (url, file_name, mime, size, sha256, fetched_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        p.url,
        p.file_name,
        p.mime,
        p.size,
        p.sha256,
        super::now_ms()
    ])?;
    Ok(())
}

fn fetch(conn: &Connection, url: &str) -> Result<Option<Picture>> {
    Ok(conn
        .prepare_cached("SELECT url, file_name, mime, size, sha256 FROM pictures WHERE url = ?")?
        .query_row([url], |r| {
            Ok(Picture {
                url: r.get(0)?,
                file_name: r.get(1)?,
                mime: r.get(2)?,
                size: r.get(3)?,
                sha256: r.get(4)?,
            })
        })
        .optional()?)
}

impl Store {
    /// The pictures kept for these addresses (those not kept are left out).
    pub async fn pictures(&self, urls: Vec<String>) -> Result<Vec<Picture>> {
        self.read(move |conn| {
            let mut found = Vec::new();
            for url in &urls {
                found.extend(fetch(conn, url)?);
            }
            Ok(found)
        })
        .await
    }
}

//! Rows of the media table: which file stands behind a media id, for which account.

use sqlx::{FromRow, SqliteConnection};

use super::Store;
use crate::error::Result;
use crate::model::{Media, MediaKind};

#[derive(FromRow)]
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

pub async fn insert(conn: &mut SqliteConnection, m: &Media) -> Result<()> {
    sqlx::query(
        "INSERT INTO media (media_id, kind, file_name, original_name, mime, size, sha256, service_account, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&m.media_id)
    .bind(m.kind.as_str())
    .bind(&m.file_name)
    .bind(&m.original_name)
    .bind(&m.mime)
    .bind(m.size)
    .bind(&m.sha256)
    .bind(&m.service_account)
    .bind(m.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    pub async fn media(&self, media_id: &str) -> Result<Option<Media>> {
        Ok(
            sqlx::query_as::<_, MediaRow>(&format!("{SELECT} WHERE media_id = ?"))
                .bind(media_id)
                .fetch_optional(self.reader())
                .await?
                .map(Media::from),
        )
    }

    /// The media stored under `file_name` for `service_account`, if any.
    pub async fn media_file(
        &self,
        service_account: &str,
        file_name: &str,
    ) -> Result<Option<Media>> {
        Ok(sqlx::query_as::<_, MediaRow>(&format!(
            "{SELECT} WHERE file_name = ? AND service_account = ?"
        ))
        .bind(file_name)
        .bind(service_account)
        .fetch_optional(self.reader())
        .await?
        .map(Media::from))
    }
}

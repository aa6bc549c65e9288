//! Stored profiles; exactly one is active.

use rusqlite::{params, OptionalExtension};

use super::{now_ms, Store};
use crate::config::Profile;
use crate::error::Result;

impl Store {
    pub async fn active_profile(&self) -> Result<Option<Profile>> {
        let body: Option<String> = self
            .read(|conn| {
                Ok(conn
                    .query_row("SELECT body FROM profiles WHERE active = 1", [], |r| {
                        r.get(0)
                    })
                    .optional()?)
            })
            .await?;
        Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
    }

    pub async fn profiles(&self) -> Result<Vec<Profile>> {
        let bodies: Vec<String> = self
            .read(|conn| {
                let mut select = conn.prepare("SELECT body FROM profiles ORDER BY name")?;
                let bodies = select.query_map([], |r| r.get(0))?;
                Ok(bodies.collect::<rusqlite::Result<_>>()?)
            })
            .await?;
        Ok(bodies
            .iter()
            .filter_map(|b| serde_json::from_str(b).ok())
            .collect())
    }

    /// Stores `profile` and makes it the active one (one commit: never none active).
    pub async fn activate_profile(&self, profile: &Profile) -> Result<()> {
        let (name, body) = (
            profile.name.clone(),
            serde_json::to_string(profile).expect("profile serializes"),
        );
        self.write(move |conn| {
            conn.execute("UPDATE profiles SET active = 0", [])?;
            conn.execute(
                "INSERT INTO profiles (name, body, active, updated_at) VALUES (?, ?, 1, ?)
                 ON CONFLICT(name) DO UPDATE SET body = excluded.body, active = 1, updated_at = excluded.updated_at",
                params![name, body, now_ms()],
            )?;
            Ok(())
        })
        .await
    }

    /// Removes a stored profile that is not the active one; `false` when there was none.
    pub async fn delete_profile(&self, name: &str) -> Result<bool> {
        let name = name.to_owned();
        self.write(move |conn| {
            Ok(conn.execute(
                "DELETE FROM profiles WHERE name = ? AND active = 0",
                [&name],
            )? == 1)
        })
        .await
    }
}

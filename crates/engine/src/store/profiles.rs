//! Stored profiles; exactly one is active.

use super::{now_ms, Store};
use crate::config::Profile;
use crate::error::Result;

impl Store {
    pub async fn active_profile(&self) -> Result<Option<Profile>> {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM profiles WHERE active = 1")
            .fetch_optional(self.reader())
            .await?;
        Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
    }

    pub async fn profiles(&self) -> Result<Vec<Profile>> {
        let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM profiles ORDER BY name")
            .fetch_all(self.reader())
            .await?;
        Ok(bodies
            .iter()
            .filter_map(|b| serde_json::from_str(b).ok())
            .collect())
    }

    /// Stores `profile` and makes it the active one.
    pub async fn activate_profile(&self, profile: &Profile) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE profiles SET active = 0")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO profiles (name, body, active, updated_at) VALUES (?, ?, 1, ?)
             ON CONFLICT(name) DO UPDATE SET body = excluded.body, active = 1, updated_at = excluded.updated_at",
        )
        .bind(&profile.name)
        .bind(serde_json::to_string(profile).expect("profile serializes"))
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a stored profile that is not the active one; `false` when there was none.
    pub async fn delete_profile(&self, name: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("DELETE FROM profiles WHERE name = ? AND active = 0")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}

//! The schema's migrations, applied in order at open; `PRAGMA user_version` records the
//! last one applied. Files made before wxsim kept its own count recorded theirs in
//! `_sqlx_migrations`, which is read once and left as it is.

use rusqlite::{Connection, OptionalExtension};

use crate::error::{EngineError, Result};

/// Every migration, numbered from 1, in order. Never edit one that has shipped: add one.
const MIGRATIONS: [&str; 10] = [
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_findings.sql"),
    include_str!("../../migrations/0003_twin_index.sql"),
    include_str!("../../migrations/0004_counters.sql"),
    include_str!("../../migrations/0005_bulk_search_index.sql"),
    include_str!("../../migrations/0006_conversation_version.sql"),
    include_str!("../../migrations/0007_agent_wire.sql"),
    include_str!("../../migrations/0008_pictures.sql"),
    include_str!("../../migrations/0009_message_agent.sql"),
    include_str!("../../migrations/0010_handed_over.sql"),
];

/// The schema this build reads and writes.
pub(crate) const LATEST: i64 = MIGRATIONS.len() as i64;

/// Fails, saying what to do, when `conn`'s file lacks migrations (a read-only reader
/// cannot apply them).
pub(crate) fn require_latest(conn: &Connection) -> Result<()> {
    let version = applied(conn)?;
    if version < LATEST {
        return Err(EngineError::Invalid(format!(
            "this database is from an older wxsim (schema {version}, this build reads {LATEST}); open it once with `wxsim serve` or the app, which brings it up to date"
        )));
    }
    Ok(())
}

/// Applies the migrations `conn`'s file lacks, each in a transaction of its own.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let mut applied = applied(conn)?;
    for (version, sql) in (1..).zip(MIGRATIONS) {
        if version <= applied {
            continue;
        }
        let step = |conn: &mut Connection| -> rusqlite::Result<()> {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", version)?;
            tx.commit()
        };
        step(conn).map_err(|source| EngineError::Migrate { version, source })?;
        applied = version;
    }
    Ok(())
}

/// The last migration the file has.
fn applied(conn: &Connection) -> Result<i64> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > 0 {
        return Ok(version);
    }
    let legacy = conn
        .query_row(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name = '_sqlx_migrations'",
            [],
            |_| Ok(()),
        )
        .optional()?;
    if legacy.is_none() {
        return Ok(0);
    }
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success = 1",
        [],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_gets_every_migration_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(applied(&conn).unwrap(), LATEST);
        require_latest(&conn).unwrap();
    }

    #[test]
    fn a_reader_of_an_older_file_is_told_to_bring_it_up_to_date() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        let refused = require_latest(&conn).unwrap_err().to_string();
        assert!(
            refused.contains("schema 1") && refused.contains("wxsim serve"),
            "{refused}"
        );
    }

    #[test]
    fn a_file_migrated_by_the_old_runner_continues_where_it_stopped() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute_batch(
            "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, success BOOLEAN NOT NULL);
             INSERT INTO _sqlx_migrations VALUES (1, 1);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(applied(&conn).unwrap(), MIGRATIONS.len() as i64);
        conn.prepare("SELECT finding_count FROM conversations")
            .expect("migration 4 ran: the counter column exists");
    }
}

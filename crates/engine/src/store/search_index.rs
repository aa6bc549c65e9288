//! The full-text index of messages, kept in bulk. A message is indexed by a later group
//! commit together with the others that came since, not by a trigger on its own insert:
//! FTS5 writes (and later merges) a segment for every transaction that indexes anything,
//! and per-commit segments cost more than the rest of storing a callback. Messages above
//! `fts_progress.indexed_upto` (the tail) are not indexed yet; search reads them directly,
//! so a message is found as soon as it is stored.

use rusqlite::Connection;

use crate::error::Result;

/// A group commit indexes the tail once it is this long.
const TAIL: i64 = 256;

/// Indexes the tail if it holds at least `at_least` messages; answers how many it indexed.
pub(crate) fn catch_up(conn: &Connection, at_least: i64) -> Result<usize> {
    let (upto, newest): (i64, i64) = conn
        .prepare_cached(
            "SELECT indexed_upto, (SELECT COALESCE(MAX(id), 0) FROM messages) FROM fts_progress",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if newest - upto < at_least.max(1) {
        return Ok(0);
    }
    let indexed = conn
        .prepare_cached(
            "INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages WHERE id > ?1 AND id <= ?2",
        )?
        .execute([upto, newest])?;
    conn.prepare_cached("UPDATE fts_progress SET indexed_upto = ?1")?
        .execute([newest])?;
    Ok(indexed)
}

/// What every group commit ends with: the tail indexed once it is [`TAIL`] long.
pub(crate) fn upkeep(conn: &Connection) -> Result<()> {
    catch_up(conn, TAIL).map(drop)
}

/// Ids of the newest messages whose text holds `needle`: the index's, and the tail's read
/// directly. `?1` is the FTS phrase, `?2` the limit, `?3` the plain text. The tail is
/// matched without case for ASCII only, where the index folds all of Unicode; it is short.
pub(crate) const MATCHING_IDS: &str = "
    SELECT rowid FROM (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1
        ORDER BY rowid DESC LIMIT ?2)
    UNION ALL
    SELECT id FROM messages WHERE id > (SELECT indexed_upto FROM fts_progress)
        AND instr(lower(text), lower(?3)) > 0";

#[cfg(test)]
mod tests {
    use crate::model::ConversationState;
    use crate::store::{SeedPlan, Store};

    async fn say(store: &Store, conversation: i64, text: &str) {
        let text = text.to_owned();
        store
            .write(move |conn| {
                Ok(conn.execute(
                    "INSERT INTO messages (conversation_id, direction, kind, body, text, delivery, created_at, updated_at)
                     VALUES (?1, 'in', 'html', ?2, ?2, 'received', 0, 0)",
                    rusqlite::params![conversation, text],
                )?)
            })
            .await
            .unwrap();
    }

    async fn indexed_upto(store: &Store) -> i64 {
        store
            .read(|conn| {
                Ok(conn.query_row("SELECT indexed_upto FROM fts_progress", [], |r| r.get(0))?)
            })
            .await
            .unwrap()
    }

    async fn found(store: &Store, query: &str) -> Vec<i64> {
        let hits = store.search(query, 200).await.unwrap();
        hits.iter().map(|h| h.message.id).collect()
    }

    #[tokio::test]
    async fn a_message_is_found_before_it_is_indexed_and_once_after() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.db")).await.unwrap();
        let plan = SeedPlan {
            conversations: 1,
            messages_per_conversation: 50,
            state: ConversationState::Chatting,
            prefix: "s-".into(),
        };
        let conversation = store.seed(&plan).await.unwrap()[0].id;
        assert_eq!(
            indexed_upto(&store).await,
            50,
            "seeding indexes what it wrote"
        );

        say(&store, conversation, "the Zinc Teapot arrived dented").await;
        assert_eq!(
            indexed_upto(&store).await,
            50,
            "one message is left in the tail"
        );
        let early = found(&store, "zinc teapot").await;
        assert_eq!(early.len(), 1, "found in the tail: {early:?}");

        for n in 0..300 {
            say(&store, conversation, &format!("filler {n}")).await;
        }
        assert!(indexed_upto(&store).await > 51, "a long tail gets indexed");
        assert_eq!(
            found(&store, "zinc teapot").await,
            early,
            "found in the index, once"
        );
        assert_eq!(
            found(&store, "filler 29").await.len(),
            1 + 10,
            "filler 29 and 290..299"
        );
        store.close().await;
    }
}

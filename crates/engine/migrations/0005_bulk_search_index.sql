-- Messages are indexed in bulk by the group commits (store/search_index.rs), not one by one
-- by a trigger: FTS5 writes a segment per transaction that indexes anything. Messages above
-- `indexed_upto` are not indexed yet; search reads them directly.
DROP TRIGGER messages_ai;
CREATE TABLE fts_progress (
    only            INTEGER PRIMARY KEY CHECK (only = 1),
    indexed_upto    INTEGER NOT NULL
);
INSERT INTO fts_progress (only, indexed_upto) SELECT 1, COALESCE(MAX(id), 0) FROM messages;

-- Only an indexed message has index entries to take back.
DROP TRIGGER messages_ad;
CREATE TRIGGER messages_ad AFTER DELETE ON messages
WHEN old.id <= (SELECT indexed_upto FROM fts_progress) BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
DROP TRIGGER messages_au;
CREATE TRIGGER messages_au AFTER UPDATE OF text ON messages
WHEN old.id <= (SELECT indexed_upto FROM fts_progress) BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
END;

-- The pictures and emoji that agent messages point at, fetched once when the message arrives
-- and kept in the media folder under `file_name`: a transcript shows, and exports, what it
-- showed then, whatever webchat serves (or no longer serves) later. `url` is the address the
-- message's HTML keeps.
CREATE TABLE pictures (
    url        TEXT PRIMARY KEY,
    file_name  TEXT NOT NULL,
    mime       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    fetched_at INTEGER NOT NULL
);

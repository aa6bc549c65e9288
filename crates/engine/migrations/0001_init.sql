-- wxsim history: one database per data dir.
CREATE TABLE profiles (
    name        TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE customers (
    id           INTEGER PRIMARY KEY,
    open_id      TEXT NOT NULL UNIQUE,
    nickname     TEXT NOT NULL,
    head_img_url TEXT,
    source       TEXT,
    brand        TEXT,
    skill_group  INTEGER NOT NULL,
    agent_id     TEXT,
    tracks       TEXT,
    last_read_message_id INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);

CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers(id),
    profile         TEXT NOT NULL,
    state           TEXT NOT NULL,
    request_key     TEXT,
    request_wire    TEXT,
    session_key     TEXT,
    session_wire    TEXT,
    agent_id        TEXT,
    agent_name      TEXT,
    agents          TEXT NOT NULL DEFAULT '[]',
    queue_position  INTEGER,
    request_status  INTEGER,
    result_code     INTEGER,
    status_message  TEXT,
    rating_options  TEXT,
    rating_id       TEXT,
    rating_comment  TEXT,
    closed_by       TEXT,
    created_at      INTEGER NOT NULL,
    accepted_at     INTEGER,
    closed_at       INTEGER,
    rated_at        INTEGER,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX conversations_session ON conversations(session_key);
CREATE INDEX conversations_request ON conversations(request_key);
CREATE INDEX conversations_customer ON conversations(customer_id, id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    direction       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    body            TEXT NOT NULL,
    html            TEXT,
    text            TEXT NOT NULL,
    delivery        TEXT NOT NULL,
    result_code     INTEGER,
    error           TEXT,
    wire_time       INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX messages_conversation ON messages(conversation_id, id);

-- Trigram tokens: substring search that works for Chinese as well as English.
CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='id', tokenize='trigram');
CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER messages_au AFTER UPDATE OF text ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
END;

CREATE TABLE media (
    media_id        TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    file_name       TEXT NOT NULL UNIQUE,
    original_name   TEXT NOT NULL,
    mime            TEXT NOT NULL,
    size            INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    service_account TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);

CREATE TABLE exchanges (
    id              INTEGER PRIMARY KEY,
    direction       TEXT NOT NULL,
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    operation       TEXT,
    open_id         TEXT,
    conversation_id INTEGER,
    request_headers TEXT NOT NULL DEFAULT '{}',
    request_body    TEXT NOT NULL DEFAULT '',
    status          INTEGER,
    response_body   TEXT,
    result_code     INTEGER,
    outcome         TEXT NOT NULL,
    error           TEXT,
    started_at      INTEGER NOT NULL,
    duration_us     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX exchanges_conversation ON exchanges(conversation_id, id);

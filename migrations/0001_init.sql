-- 0001: the whole first schema. Profiles and their signals; conversations and messages with
-- full-text search; generations with their candidates and the candidate x signal reflection
-- cells; evaluation sessions with items, outputs and judgments; registered local models.
-- Times are ISO-8601 UTC text. Each table a later issue needs is here from the start.

CREATE TABLE profiles (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE signals (
    id          INTEGER PRIMARY KEY,
    profile_id  INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    text        TEXT NOT NULL CHECK (length(trim(text)) > 0),
    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    weight      REAL,
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX signals_profile ON signals(profile_id, position);

CREATE TABLE conversations (
    id          INTEGER PRIMARY KEY,
    profile_id  INTEGER REFERENCES profiles(id) ON DELETE SET NULL,
    title       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX conversations_profile ON conversations(profile_id, updated_at);

-- One row per PersonaCo or baseline run: the settings it ran with and how long it took.
CREATE TABLE generations (
    id              INTEGER PRIMARY KEY,
    profile_id      INTEGER REFERENCES profiles(id) ON DELETE SET NULL,
    method          TEXT NOT NULL CHECK (method IN ('baseline', 'personaco')),
    model           TEXT NOT NULL,
    k               INTEGER NOT NULL CHECK (k >= 1),
    temperature     REAL NOT NULL,
    seed            INTEGER,
    max_tokens      INTEGER NOT NULL,
    reflector       TEXT,
    query           TEXT NOT NULL,
    signals_json    TEXT NOT NULL DEFAULT '[]',   -- the signal texts as used, in matrix column order
    prompt          TEXT,                         -- the personalization prompt sent to the model
    chosen_index    INTEGER,
    user_choice     INTEGER,                      -- the candidate the user picked instead, if any
    early_stopped   INTEGER NOT NULL DEFAULT 0 CHECK (early_stopped IN (0, 1)),
    status          TEXT NOT NULL DEFAULT 'done' CHECK (status IN ('done', 'cancelled', 'failed')),
    prompt_tokens   INTEGER,
    sample_s        REAL,
    reflect_s       REAL,
    total_s         REAL,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE candidates (
    id              INTEGER PRIMARY KEY,
    generation_id   INTEGER NOT NULL REFERENCES generations(id) ON DELETE CASCADE,
    idx             INTEGER NOT NULL CHECK (idx >= 0),
    text            TEXT NOT NULL,
    n_tokens        INTEGER,
    finish_reason   TEXT,
    score           REAL,
    UNIQUE (generation_id, idx)
);

-- Candidate x signal: P(yes) (or 0/1 from rules), which reflector scored it, and its raw output.
CREATE TABLE reflection_cells (
    id              INTEGER PRIMARY KEY,
    generation_id   INTEGER NOT NULL,
    candidate_idx   INTEGER NOT NULL,
    signal_idx      INTEGER NOT NULL CHECK (signal_idx >= 0),
    score           REAL CHECK (score IS NULL OR (score >= 0.0 AND score <= 1.0)),
    reflector       TEXT NOT NULL,
    raw             TEXT,
    UNIQUE (generation_id, candidate_idx, signal_idx),
    FOREIGN KEY (generation_id, candidate_idx)
        REFERENCES candidates(generation_id, idx) ON DELETE CASCADE
);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content         TEXT NOT NULL,
    generation_id   INTEGER REFERENCES generations(id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX messages_conversation ON messages(conversation_id, id);

CREATE VIRTUAL TABLE messages_fts USING fts5(
    content, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER messages_au AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;

CREATE TABLE eval_sessions (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    config_a    TEXT NOT NULL,   -- JSON: method, k, model, reflector, temperature, seed, max_tokens
    config_b    TEXT NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE eval_items (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES eval_sessions(id) ON DELETE CASCADE,
    item_key    TEXT NOT NULL,
    query       TEXT NOT NULL,
    signals_json TEXT NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (session_id, item_key)
);

-- The answer each side (A or B) produced for an item.
CREATE TABLE eval_outputs (
    id              INTEGER PRIMARY KEY,
    item_id         INTEGER NOT NULL REFERENCES eval_items(id) ON DELETE CASCADE,
    side            TEXT NOT NULL CHECK (side IN ('A', 'B')),
    generation_id   INTEGER REFERENCES generations(id) ON DELETE SET NULL,
    response        TEXT NOT NULL,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (item_id, side)
);

CREATE TABLE judgments (
    id              INTEGER PRIMARY KEY,
    item_id         INTEGER NOT NULL REFERENCES eval_items(id) ON DELETE CASCADE,
    signal_idx      INTEGER NOT NULL,
    judge_kind      TEXT NOT NULL CHECK (judge_kind IN ('external', 'human', 'verifiable')),
    judge_model     TEXT NOT NULL DEFAULT '',
    pass            INTEGER NOT NULL DEFAULT 1,        -- 2 = the order-swapped pass
    order_shown     TEXT NOT NULL CHECK (order_shown IN ('AB', 'BA')),
    verdict         TEXT NOT NULL CHECK (verdict IN ('A', 'B', 'SAME', 'N/A', 'INVALID')),
    raw             TEXT,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (item_id, signal_idx, judge_kind, judge_model, pass)
);

-- Local GGUF files a user registered with `personaco models add`.
CREATE TABLE registered_models (
    name        TEXT PRIMARY KEY,
    path        TEXT NOT NULL,
    added_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Small app state: the active profile, the open conversation.
CREATE TABLE app_state (
    key     TEXT PRIMARY KEY,
    value   TEXT
);

-- 0004: signals the app proposes and the user accepts or dismisses. A suggestion comes from
-- the user's own chat messages ("I'm vegetarian." said in a question) or from their behaviour
-- (picks and ratings); nothing is added to a profile until the user accepts it. `norm` is the
-- text folded for comparison (case, spacing, final punctuation): a text dismissed or accepted
-- once is never proposed again for that profile, so (profile_id, norm) is unique.

CREATE TABLE signal_suggestions (
    id          INTEGER PRIMARY KEY,
    profile_id  INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    text        TEXT NOT NULL CHECK (length(trim(text)) > 0),
    norm        TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('message', 'behaviour')),
    evidence    TEXT NOT NULL DEFAULT '',     -- the words it came from, or the counts behind it
    message_id  INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'dismissed')),
    signal_id   INTEGER REFERENCES signals(id) ON DELETE SET NULL,  -- the signal accepting made
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    decided_at  TEXT,
    UNIQUE (profile_id, norm)
);
CREATE INDEX signal_suggestions_open ON signal_suggestions(profile_id, status, id);

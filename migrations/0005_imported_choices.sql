-- 0005: choices brought in with a profile (`personaco profile import`, issue 14). A pick lives
-- on a generation and a rating on a judgment, and an exported profile carries neither; what
-- the learner reads of a choice is its choice set (the answers' texts, whether each finished,
-- the signals and their cells) and the index chosen, so that is kept here and learned from
-- with the profile's own choices: the model goes on learning where the other machine left
-- it. They are copies from a file, not history: a reset of what was learned deletes them.

CREATE TABLE imported_choices (
    id          INTEGER PRIMARY KEY,
    profile_id  INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    source      TEXT NOT NULL CHECK (source IN ('pick', 'rating')),
    set_json    TEXT NOT NULL CHECK (json_valid(set_json)),  -- core/learning ChoiceSet.to_json
    chosen      INTEGER NOT NULL CHECK (chosen >= 0),
    shown       INTEGER CHECK (shown IS NULL OR shown >= 0),  -- the app's pick, for a pick
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX imported_choices_profile ON imported_choices(profile_id, id);

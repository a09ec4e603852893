-- 0003: learning the user from their choices (issue 14). The choices themselves mostly live
-- where they were made: a "pick another" in the why view is generations.user_choice (on a
-- generation with its profile_id). A blind A/B rating is a human judgment of an eval session,
-- which belongs to no profile, so preference_ratings says which profile a rating teaches.
-- learned_preferences holds each profile's fitted model (JSON, see core/learning/model.py)
-- and where learning starts: a reset forgets the choices made before it (it deletes none).
-- generations.learning_json records what the learned model did in that turn's pick.

CREATE TABLE learned_preferences (
    profile_id          INTEGER PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
    model_json          TEXT CHECK (model_json IS NULL OR json_valid(model_json)),
    n_choices           INTEGER NOT NULL DEFAULT 0 CHECK (n_choices >= 0),
    since_generation_id INTEGER NOT NULL DEFAULT 0,  -- picks on generations <= this are forgotten
    since_rating_id     INTEGER NOT NULL DEFAULT 0,  -- ratings with an id <= this are forgotten
    fitted_at           TEXT,
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE preference_ratings (
    id          INTEGER PRIMARY KEY,
    profile_id  INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    judgment_id INTEGER NOT NULL REFERENCES judgments(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (profile_id, judgment_id)
);
CREATE INDEX preference_ratings_profile ON preference_ratings(profile_id, id);

ALTER TABLE generations ADD COLUMN learning_json TEXT
    CHECK (learning_json IS NULL OR json_valid(learning_json));

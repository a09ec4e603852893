-- 0002: the user's correction of how a signal is read. The automatic reading (rules parser and
-- classifier) can miss or misread a signal; the user may pick a check and its parameters, or
-- mark the signal "judged by the model". That structured form is kept beside the text so the
-- pick, steering and the verifiable judge all use it. NULL means "read it automatically".
-- The JSON is {"kind": "<check kind>", "params": {...}}, or {"kind": "model"}.

ALTER TABLE signals ADD COLUMN reading_json TEXT
    CHECK (reading_json IS NULL OR json_valid(reading_json));

-- 0006: the sampling a generation used beside its temperature (core/sampling.py): top-p,
-- min-p and top-k, now per model (the manifest's [sampling] table) or the paper's, and
-- settable. NULL: a generation stored before they were recorded (it sampled with top-p 0.95,
-- min-p 0.05, top-k 40, the engine's fixed chain then).

ALTER TABLE generations ADD COLUMN top_p REAL CHECK (top_p IS NULL OR (top_p > 0 AND top_p <= 1));
ALTER TABLE generations ADD COLUMN min_p REAL CHECK (min_p IS NULL OR (min_p >= 0 AND min_p <= 1));
ALTER TABLE generations ADD COLUMN top_k INTEGER CHECK (top_k IS NULL OR top_k >= 0);

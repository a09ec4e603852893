"""What a profile's choices teach (issue 14): the choices, read from where they were made,
and the learned model per profile (migration 0003).

- picks: generations of the profile whose user_choice is set ("pick another" in the why
  view, or `personaco ask`-style picks through conversations.pick_candidate);
- ratings: human A/B judgments (eval sessions) that preference_ratings ties to the profile;
- imported_choices: choices that came with an imported profile (migration 0005), each as
  the choice set the learner reads (its JSON belongs to core/learning/features.py);
- learned_preferences: the fitted model's JSON and where learning starts. A reset moves that
  start past every choice made so far and drops the model; no pick or rating is deleted
  (imported choices, copies from a file, are).

The model JSON is stored as given: its shape belongs to core/learning/model.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..errors import NotFoundError
from .db import InvalidInputError, Store, guarded, utc_now

MAX_CHOICES = 500  # the newest choices a fit reads: older habits fade, and fits stay fast


@dataclass(frozen=True)
class Pick:
    generation_id: int
    chosen: int  # the candidate the user preferred
    shown: int  # the candidate the app had picked


@dataclass(frozen=True)
class Rating:
    judgment_id: int
    chosen_text: str
    other_text: str
    signal: str  # the signal the pair was rated on


@dataclass(frozen=True)
class ImportedChoice:
    source: str  # "pick" | "rating": what it was where it was made
    choice_set: dict[str, Any]  # ChoiceSet.to_json(): texts, finished, signals, cells
    chosen: int
    shown: int | None = None  # the answer the app had picked (a pick only)


@dataclass(frozen=True)
class Learned:
    profile_id: int
    model: dict[str, Any] | None
    n_choices: int
    since_generation_id: int
    since_rating_id: int
    fitted_at: str | None


def _profile_exists(store: Store, profile_id: int) -> None:
    row = store.db.execute("SELECT 1 FROM profiles WHERE id = ?", [profile_id]).fetchone()
    if row is None:
        raise NotFoundError(f"Unknown profile #{profile_id}.", "See `personaco profile list`.")


def _starts(store: Store, profile_id: int) -> tuple[int, int]:
    row = store.db.execute(
        "SELECT since_generation_id, since_rating_id FROM learned_preferences WHERE profile_id = ?",
        [profile_id],
    ).fetchone()
    return (0, 0) if row is None else (int(row[0]), int(row[1]))


@guarded
def list_picks(store: Store, profile_id: int, limit: int = MAX_CHOICES) -> list[Pick]:
    """The profile's picks since the last reset, oldest first (at most the newest `limit`)."""
    since, _ = _starts(store, profile_id)
    rows = store.db.execute(
        "SELECT id, user_choice, coalesce(chosen_index, 0) FROM generations "
        "WHERE profile_id = ? AND user_choice IS NOT NULL AND id > ? AND status = 'done' "
        "ORDER BY id DESC LIMIT ?",
        [profile_id, since, limit],
    ).fetchall()
    return [Pick(int(g), int(c), int(s)) for g, c, s in reversed(rows)]


@guarded
def record_rating(store: Store, profile_id: int, judgment_id: int) -> None:
    """Say that a human A/B judgment teaches `profile_id` (a repeat is ignored)."""
    _profile_exists(store, profile_id)
    row = store.db.execute(
        "SELECT judge_kind FROM judgments WHERE id = ?", [judgment_id]
    ).fetchone()
    if row is None:
        raise NotFoundError(f"Unknown judgment #{judgment_id}.", "It may have been deleted.")
    if row[0] != "human":
        raise InvalidInputError(
            f"Judgment #{judgment_id} was made by a {row[0]} judge, not a person.",
            "Only your own ratings teach your profile.",
        )
    with store.transaction() as db:
        db.execute(
            "INSERT OR IGNORE INTO preference_ratings (profile_id, judgment_id) VALUES (?, ?)",
            [profile_id, judgment_id],
        )


@guarded
def link_rating(
    store: Store, profile_id: int, item_id: int, signal_idx: int, rater: str, pass_no: int = 1
) -> bool:
    """Tie the rater's human verdict on (item, signal, pass) to `profile_id`; False when
    there is no such verdict."""
    row = store.db.execute(
        "SELECT id FROM judgments WHERE item_id = ? AND signal_idx = ? AND judge_kind = "
        "'human' AND judge_model = ? AND pass = ?",
        [item_id, signal_idx, rater, pass_no],
    ).fetchone()
    if row is None:
        return False
    record_rating(store, profile_id, int(row[0]))
    return True


@guarded
def list_ratings(store: Store, profile_id: int, limit: int = MAX_CHOICES) -> list[Rating]:
    """The profile's decided ratings (A or B, not SAME/N/A) since the last reset, oldest
    first, as the chosen and the other answer."""
    _, since = _starts(store, profile_id)
    rows = store.db.execute(
        "SELECT j.id, j.verdict, a.response, b.response, i.signals_json, j.signal_idx "
        "FROM preference_ratings r JOIN judgments j ON j.id = r.judgment_id "
        "JOIN eval_items i ON i.id = j.item_id "
        "JOIN eval_outputs a ON a.item_id = j.item_id AND a.side = 'A' "
        "JOIN eval_outputs b ON b.item_id = j.item_id AND b.side = 'B' "
        "WHERE r.profile_id = ? AND r.id > ? AND j.verdict IN ('A', 'B') "
        "ORDER BY r.id DESC LIMIT ?",
        [profile_id, since, limit],
    ).fetchall()
    out = []
    for jid, verdict, a, b, signals_json, idx in reversed(rows):
        signals = json.loads(signals_json)
        signal = signals[idx] if 0 <= idx < len(signals) else ""
        chosen, other = (a, b) if verdict == "A" else (b, a)
        out.append(Rating(int(jid), chosen, other, str(signal)))
    return out


@guarded
def add_imported_choices(store: Store, profile_id: int, choices: list[ImportedChoice]) -> int:
    """Keep choices that came with an imported profile, in the order given (oldest first);
    returns how many were stored."""
    _profile_exists(store, profile_id)
    for c in choices:
        if c.source not in ("pick", "rating") or c.chosen < 0 or (c.shown or 0) < 0:
            raise InvalidInputError(f"Not a choice to import: {c.source!r} #{c.chosen}.")
    with store.transaction() as db:
        db.conn.executemany(
            "INSERT INTO imported_choices (profile_id, source, set_json, chosen, shown) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (
                    profile_id,
                    c.source,
                    json.dumps(c.choice_set, ensure_ascii=False),
                    c.chosen,
                    c.shown,
                )
                for c in choices
            ],
        )
    return len(choices)


@guarded
def list_imported(store: Store, profile_id: int, limit: int = MAX_CHOICES) -> list[ImportedChoice]:
    """The profile's imported choices, oldest first (at most the newest `limit`)."""
    rows = store.db.execute(
        "SELECT source, set_json, chosen, shown FROM imported_choices WHERE profile_id = ? "
        "ORDER BY id DESC LIMIT ?",
        [profile_id, limit],
    ).fetchall()
    return [
        ImportedChoice(src, json.loads(raw), int(chosen), None if shown is None else int(shown))
        for src, raw, chosen, shown in reversed(rows)
    ]


@guarded
def get_learned(store: Store, profile_id: int) -> Learned:
    """The profile's learned state (an empty one if nothing was ever learned)."""
    _profile_exists(store, profile_id)
    row = store.db.execute(
        "SELECT model_json, n_choices, since_generation_id, since_rating_id, fitted_at "
        "FROM learned_preferences WHERE profile_id = ?",
        [profile_id],
    ).fetchone()
    if row is None:
        return Learned(profile_id, None, 0, 0, 0, None)
    model = json.loads(row[0]) if row[0] is not None else None
    return Learned(profile_id, model, int(row[1]), int(row[2]), int(row[3]), row[4])


@guarded
def save_model(store: Store, profile_id: int, model: dict[str, Any], n_choices: int) -> None:
    """Keep the model fitted from `n_choices` choices (replacing the last one)."""
    _profile_exists(store, profile_id)
    now = utc_now()
    with store.transaction() as db:
        db.execute(
            "INSERT INTO learned_preferences (profile_id, model_json, n_choices, fitted_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (profile_id) DO UPDATE SET "
            "model_json = excluded.model_json, n_choices = excluded.n_choices, "
            "fitted_at = excluded.fitted_at, updated_at = excluded.updated_at",
            [profile_id, json.dumps(model, sort_keys=True), n_choices, now, now],
        )


@guarded
def reset(store: Store, profile_id: int) -> int:
    """Forget what was learned: drop the model and start learning after the picks and ratings
    made so far (they stay stored); imported choices are deleted. Returns how many choices
    are no longer learned from."""
    _profile_exists(store, profile_id)
    forgotten = len(list_picks(store, profile_id)) + len(list_ratings(store, profile_id))
    with store.transaction() as db:
        gone = db.execute("DELETE FROM imported_choices WHERE profile_id = ?", [profile_id])
        forgotten += int(gone.rowcount)
        last_gen = db.execute("SELECT coalesce(max(id), 0) FROM generations").fetchone()[0]
        last_rating = db.execute("SELECT coalesce(max(id), 0) FROM preference_ratings").fetchone()[
            0
        ]
        db.execute(
            "INSERT INTO learned_preferences (profile_id, model_json, n_choices, "
            "since_generation_id, since_rating_id, fitted_at, updated_at) "
            "VALUES (?, NULL, 0, ?, ?, NULL, ?) ON CONFLICT (profile_id) DO UPDATE SET "
            "model_json = NULL, n_choices = 0, fitted_at = NULL, "
            "since_generation_id = excluded.since_generation_id, "
            "since_rating_id = excluded.since_rating_id, updated_at = excluded.updated_at",
            [profile_id, last_gen, last_rating, utc_now()],
        )
    return forgotten

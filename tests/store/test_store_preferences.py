"""What a profile's choices teach (store/preferences.py and personaco_tui/learning.py): picks
read from generations.user_choice, ratings tied to a profile, the stored model, reset, and
the v0002 schema migrating to them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from personaco_tui import learning
from personaco_tui.core.types import Candidate, Generation, GenerationSettingsUsed
from personaco_tui.errors import NotFoundError, PersonacoError
from personaco_tui.evaluation import sessions as S
from personaco_tui.store import generations as G
from personaco_tui.store import preferences as PR
from personaco_tui.store import profiles as P
from personaco_tui.store.db import Store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "schemas" / "v0002.sql"
SHORT, LONG = "A short answer.", "A much longer answer that goes on and on about it. " * 4


def _turn(store: Store, profile_id: int, chosen: int | None, texts=(LONG, SHORT, LONG)) -> int:
    gen = Generation(
        settings=GenerationSettingsUsed("personaco", "m", len(texts), 1.0, 1, 64),
        query="Explain it.",
        signals=[],
        prompt="Explain it.",
        candidates=[Candidate(i, t, 5, "stop") for i, t in enumerate(texts)],
    )
    gid = G.save_generation(store, gen, profile_id=profile_id)
    if chosen is not None:
        G.set_user_choice(store, gid, chosen)
    return gid


def test_picks_are_read_from_the_generations_of_the_profile(store: Store) -> None:
    work, home = P.create_profile(store, "work"), P.create_profile(store, "home")
    a = _turn(store, work.id, 1)
    _turn(store, work.id, None)  # no pick: nothing learned from it
    _turn(store, home.id, 0)  # another profile's
    b = _turn(store, work.id, 1)
    assert PR.list_picks(store, work.id) == [PR.Pick(a, 1, 0), PR.Pick(b, 1, 0)]
    assert len(PR.list_picks(store, home.id)) == 1


def test_the_model_is_fitted_kept_and_refitted_when_choices_change(store: Store) -> None:
    p = P.create_profile(store, "work")
    assert learning.current(store, p.id) is None
    for _ in range(4):
        _turn(store, p.id, 1)
    assert learning.for_turn(store, p.id, "learned") is None  # 4 < MIN_CHOICES
    _turn(store, p.id, 1)
    model = learning.for_turn(store, p.id, "learned")
    assert model is not None and model.n_choices == learning.MIN_CHOICES
    assert model.standardised()["log_words"] < 0
    assert "shorter answers" in model.describe()
    stored = PR.get_learned(store, p.id)
    assert stored.n_choices == 5 and stored.model == model.to_json()
    assert learning.for_turn(store, p.id, "off") is None
    _turn(store, p.id, 1)
    assert learning.current(store, p.id).n_choices == 6  # type: ignore[union-attr]


def test_reset_forgets_without_deleting(store: Store) -> None:
    p = P.create_profile(store, "work")
    gids = [_turn(store, p.id, 1) for _ in range(5)]
    assert learning.current(store, p.id) is not None
    assert PR.reset(store, p.id) == 5
    assert learning.current(store, p.id) is None and PR.get_learned(store, p.id).model is None
    assert [G.get_user_choice(store, g) for g in gids] == [1] * 5  # the choices stay
    _turn(store, p.id, 1)
    assert [x.generation_id for x in PR.list_picks(store, p.id)] == [gids[-1] + 1]


def test_ratings_teach_only_the_profile_they_are_tied_to(store: Store) -> None:
    p = P.create_profile(store, "work")
    items = [S.EvalItem("q1", "Explain it.", ["Be brief."])]
    sid = S.create_session(store, "cmp", items, {"method": "baseline"}, {"method": "baseline"})
    item = S.get_session(store, sid).items[0]
    S.add_output(store, item.id, "A", LONG, None)
    S.add_output(store, item.id, "B", SHORT, None)
    S.add_judgment(store, item.id, 0, judge_kind="human", verdict="B", order_shown="AB")
    S.add_judgment(store, item.id, 0, judge_kind="external", judge_model="x", verdict="A",
                   order_shown="AB")  # fmt: skip
    human, external = (r[0] for r in store.db.execute("SELECT id FROM judgments ORDER BY id"))
    with pytest.raises(PersonacoError, match="not a person"):
        PR.record_rating(store, p.id, external)
    with pytest.raises(NotFoundError):
        PR.record_rating(store, p.id, 999)
    assert PR.link_rating(store, p.id, item.id, 0, "") is True  # the rating screen's way
    PR.record_rating(store, p.id, human)  # a repeat is ignored
    assert PR.link_rating(store, p.id, item.id, 0, "someone else") is False
    (r,) = PR.list_ratings(store, p.id)
    assert (r.chosen_text, r.other_text, r.signal) == (SHORT, LONG, "Be brief.")
    seen = learning.observed(store, p.id)
    assert [c.source for c in seen.choices] == ["rating"]


def test_proposals_come_from_the_picks_and_skip_what_the_profile_has(store: Store) -> None:
    p = P.create_profile(store, "work")
    for _ in range(4):
        _turn(store, p.id, 1)
    (prop,) = learning.proposals(store, p.id)
    assert prop.behaviour == "shorter" and prop.n_consistent == 4
    P.add_signal(store, p.id, "Keep answers under 40 words.")
    assert learning.proposals(store, p.id) == []


def test_unknown_profile_is_a_clear_error(store: Store) -> None:
    with pytest.raises(NotFoundError, match="Unknown profile #42"):
        PR.get_learned(store, 42)


def test_the_v0002_schema_migrates_to_the_learning_tables(tmp_path: Path) -> None:
    db = tmp_path / "personaco.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.executescript("BEGIN;\n" + FIXTURE.read_text(encoding="utf-8") + "\nCOMMIT;")
    conn.close()
    with Store(db, tmp_path / "backups") as s:
        assert s.schema_version >= 3
        assert PR.get_learned(s, 1).model is None
        assert [x.generation_id for x in PR.list_picks(s, 1)] == [1]  # its user_choice 0
        assert G.load_generation(s, 1).learning is None
        assert learning.observed(s, 1).choices[0].chosen == 0


def test_imported_choices_teach_with_the_profiles_own_and_a_reset_deletes_them(
    store: Store,
) -> None:
    p = P.create_profile(store, "work")
    pick = {"texts": [LONG, SHORT], "finished": [True, False], "signals": ["Be brief."],
            "cells": [[0.25], [None]]}  # fmt: skip
    with pytest.raises(PersonacoError, match="Not a choice to import"):
        PR.add_imported_choices(store, p.id, [PR.ImportedChoice("guess", pick, 0)])
    assert PR.add_imported_choices(store, p.id, [PR.ImportedChoice("pick", pick, 1, 0)] * 4) == 4
    _turn(store, p.id, 1)  # one of its own, after them
    assert [(c.source, c.chosen, c.shown) for c in learning.stored_choices(store, p.id)] == [
        ("pick", 1, 0), ("pick", 1, 0), ("pick", 1, 0), ("pick", 1, 0), ("pick", 1, 0)
    ]  # fmt: skip
    model = learning.for_turn(store, p.id, "learned")
    assert model is not None and model.n_choices == 5 and "shorter answers" in model.describe()
    assert PR.reset(store, p.id) == 5
    assert PR.list_imported(store, p.id) == [] and learning.current(store, p.id) is None

"""Real choices for learning tests: picks stored on real generations of a profile, and a
blind A/B rating tied to it, the way the why view and the rating screen store them."""

from __future__ import annotations

from personaco_tui.core.types import Candidate, Generation, GenerationSettingsUsed, ReflectionCell
from personaco_tui.evaluation import sessions as E
from personaco_tui.store import generations as G
from personaco_tui.store import preferences as PR
from personaco_tui.store.db import Store

SHORT, LONG = "Blue.", "Blue is the colour of the clear sky and the deep sea, calm and cool. " * 3


def store_picks(store: Store, profile_id: int, n: int, signals: tuple[str, ...] = ()) -> None:
    """`n` turns of three answers where the user picked the short one over the app's first;
    with `signals`, every cell scored (0, 0.25, 0.5 down the answers)."""
    texts = (LONG, SHORT, LONG + " Yes.")
    for _ in range(n):
        gen = Generation(
            GenerationSettingsUsed("personaco", "m", 3, 1.0, 1, 64), "Name a colour.",
            list(signals), "", [Candidate(i, t, 4, "stop") for i, t in enumerate(texts)],
            cells=[ReflectionCell(i, j, 0.25 * i, "self") for i in range(3)
                   for j in range(len(signals))],
        )  # fmt: skip
        G.set_user_choice(store, G.save_generation(store, gen, profile_id=profile_id), 1)


def store_rating(store: Store, profile_id: int) -> None:
    """One blind rating of the profile: the short answer (B) over the long one (A)."""
    items = [E.EvalItem("q1", "Explain it.", ["Be brief."])]
    sid = E.create_session(store, "cmp", items, {"method": "baseline"}, {"method": "baseline"})
    item = E.get_session(store, sid).items[0]
    E.add_output(store, item.id, "A", LONG, None)
    E.add_output(store, item.id, "B", SHORT, None)
    E.add_judgment(store, item.id, 0, judge_kind="human", verdict="B", order_shown="AB")
    assert PR.link_rating(store, profile_id, item.id, 0, "")

"""The "why this answer" screen: the candidates x signals matrix of the last PersonaCo answer,
and picking another candidate (stored, and shown in the chat)."""

from __future__ import annotations

import pytest
from rich.text import Text
from support.pilot import wait_for
from textual.widgets import DataTable

from personaco_tui.core.types import ReflectionCell
from personaco_tui.store import conversations as C
from personaco_tui.store import generations as G
from personaco_tui.store import profiles as P
from personaco_tui.tui.app import make_app
from personaco_tui.tui.screens.why import WhyScreen, format_cell
from personaco_tui.tui.widgets.chat_view import ChatMessage


@pytest.fixture
def tiny_personaco(monkeypatch):
    monkeypatch.setenv("PERSONACO_GENERATION_METHOD", "personaco")
    monkeypatch.setenv("PERSONACO_GENERATION_K", "3")
    monkeypatch.setenv("PERSONACO_GENERATION_MAX_TOKENS", "6")


def _two_answers(query, signals, texts, cells=(), steering=None):
    """A stored turn of two candidates, as the why screen reads it."""
    from personaco_tui.core.types import Candidate, Generation, GenerationSettingsUsed

    return Generation(
        settings=GenerationSettingsUsed("personaco", "m", 2, 1.0, 0, 8, "auto"),
        query=query,
        signals=signals,
        prompt="",
        candidates=[Candidate(i, t) for i, t in enumerate(texts)],
        cells=list(cells),
        steering=steering,
    )


def _answers(app) -> list[ChatMessage]:
    return list(app.query(ChatMessage).filter(".assistant"))


async def _ask(app, pilot, text: str) -> None:
    await wait_for(pilot, lambda: app.rt.engine is not None)
    app.query_one("#prompt").focus()
    n = len(_answers(app))
    await pilot.press(*text, "enter")
    await wait_for(pilot, lambda: len(_answers(app)) == n + 1, tries=1200)


async def test_why_shows_the_matrix_and_picking_replaces_the_answer(engine, tiny_personaco):
    app = make_app(engine=engine)
    store = app.rt.store
    P.add_signal(store, app.chat.profile.id, "Keep it under 20 words.")
    off = P.add_signal(store, app.chat.profile.id, "No commas.")
    P.add_signal(store, app.chat.profile.id, "Answer in English.")
    P.toggle_signal(store, off.id)  # disabled: not a column
    async with app.run_test(size=(120, 40)) as pilot:
        await _ask(app, pilot, "Name a fruit")
        answer = _answers(app)[-1]
        gen = G.load_generation(store, answer.generation_id)
        assert gen.signals == ["Keep it under 20 words.", "Answer in English."]

        await pilot.press("f2")  # works with the prompt focused
        await wait_for(pilot, lambda: isinstance(app.screen, WhyScreen))
        table = app.screen.query_one(DataTable)
        assert table.row_count == 3
        labels = [str(c.label) for c in table.columns.values()]
        assert [lab for lab in labels if lab.startswith("S")] == ["S1", "S2"]
        assert "total" in labels
        assert table.cursor_row == gen.chosen_index
        assert "★" in str(table.get_row_at(gen.chosen_index)[0])

        def texts() -> str:
            return str(app.screen.query_one("#why-texts").render())

        assert texts().startswith(f"▶ {gen.chosen_index + 1} · ")  # the pick's text on top
        other = gen.chosen_index + 1 if gen.chosen_index < 2 else gen.chosen_index - 1
        await pilot.press("down" if other > gen.chosen_index else "up")
        await wait_for(pilot, lambda: texts().startswith(f"▶ {other + 1} · "))
        assert "The other candidates" in texts()
        assert gen.candidates[gen.chosen_index].text.strip()[:20] in texts()
        table.move_cursor(row=other)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, WhyScreen))
        assert G.get_user_choice(store, gen.id) == other
        stored = C.list_messages(store, app.chat.conversation_id)[-1]
        assert stored.content == gen.candidates[other].text
        assert answer.content == (gen.candidates[other].text or "*(empty answer)*")
        # reopening marks the user's pick; Esc leaves everything as it is
        app.query_one("#chat").focus()
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WhyScreen))
        table = app.screen.query_one(DataTable)
        assert table.cursor_row == other
        assert "✔" in str(table.get_row_at(other)[0])
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, WhyScreen))
        assert G.get_user_choice(store, gen.id) == other
    app.rt.close()


async def test_why_for_a_baseline_answer_says_there_was_no_choice(engine, monkeypatch):
    monkeypatch.setenv("PERSONACO_GENERATION_METHOD", "baseline")
    monkeypatch.setenv("PERSONACO_GENERATION_MAX_TOKENS", "6")
    app = make_app(engine=engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ask(app, pilot, "Say hi")
        await pilot.click(ChatMessage, offset=(2, 0))  # a click on the answer opens it too
        await pilot.pause()
        if not isinstance(app.screen, WhyScreen):  # the click may land on the user message
            await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, WhyScreen))
        assert not app.screen.query(DataTable)
        assert "nothing to choose from" in str(app.screen.query_one("#why-baseline").render())
        await pilot.press("enter")  # nothing to pick
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, WhyScreen))
    app.rt.close()


def test_cells_read_as_heat_values():
    assert format_cell(None).plain == "–"
    assert format_cell(ReflectionCell(0, 0, None, "self")).plain == "–"
    assert format_cell(ReflectionCell(0, 0, 1.0, "rules")).plain == "✓ r"
    assert format_cell(ReflectionCell(0, 0, 0.0, "rules")).plain == "✗ r"
    hot = format_cell(ReflectionCell(0, 0, 0.93, "self"))
    cold = format_cell(ReflectionCell(0, 0, 0.05, "model"))
    assert isinstance(hot, Text) and hot.plain == "0.93 s" and cold.plain == "0.05 m"
    assert hot.style != cold.style and "rgb" in str(hot.style)


def test_why_says_what_a_persona_cell_rests_on():
    evidence = "the reply “Thanks, that suits me perfectly because I'm vegetarian.” is 2.7× ..."
    gen = _two_answers(
        "Dinner?",
        ["Keep it short.", "I'm vegetarian."],
        ["Beans.", "Steak."],
        cells=[
            ReflectionCell(0, 0, 1.0, "rules", "12 words"),
            ReflectionCell(0, 1, 0.73, "persona", evidence),
            ReflectionCell(1, 1, 0.27, "persona", "other"),
        ],
    )
    screen = WhyScreen(gen)
    shown = screen._evidence(0).plain
    assert shown == f"S2 {evidence}\n\n"  # the persona cell of this candidate only
    assert screen._evidence(1).plain == "S2 other\n\n"
    assert "p persona" in screen._legend().plain


def test_why_says_how_each_signal_was_steered():
    from personaco_tui.tui.screens.why import steering_by_signal, steering_summary

    steering = {
        "enabled": True,
        "engine": "token masks, forced text, SMC",
        "signals": [
            {"signal": "No commas.", "kind": "no_commas", "how": "mask", "note": "never drawn"},
            {"signal": "I'm vegan.", "kind": "", "how": "not steered", "note": "no check"},
        ],
        "conflicts": ["“A” and “B” cannot both hold"],
        "resamples": 2,
        "note": "",
    }
    by = steering_by_signal(steering)
    assert by["No commas."] == [("mask", "never drawn")]
    assert by["I'm vegan."] == [("not steered", "no check")]
    summary = steering_summary(steering)
    assert "token masks" in summary and "2 SMC resampling rounds" in summary
    assert "Conflict: “A” and “B” cannot both hold" in summary
    assert steering_summary({"enabled": False}).startswith("Steering: off")
    assert steering_by_signal({"enabled": False}) == {} and steering_summary(None) == ""


def test_why_says_in_one_line_whether_persona_contrast_applied():
    from personaco_tui.tui.screens.why import steering_summary

    applied = {"mode": "contrast", "alpha": 0.5, "facts": ["I'm vegan."], "applied": True}
    summary = steering_summary({"enabled": False, "persona": applied})
    assert summary.startswith("Steering: off")
    assert summary.endswith("Persona contrast α=0.5: each answer drawn against a twin "
                            "without “I'm vegan.”\n")  # fmt: skip
    remote = {"mode": "contrast", "applied": False, "note": "not applied: no logits"}
    assert "Persona contrast: not applied: no logits" in steering_summary(
        {"enabled": True, "engine": "grammar", "persona": remote}
    )
    assert "Persona" not in steering_summary({"enabled": True, "engine": "x"})


def test_why_says_which_answer_started_from_a_plain_answer():
    body = "the capital of spain is madrid. it is a large city with many parks and museums."
    gen = _two_answers(
        "Capital of Spain?",
        ["All lowercase."],
        [body, "madrid."],
        steering={"enabled": True, "guided": 0, "forced": [[body], []]},
    )
    screen = WhyScreen(gen)
    shown = screen._evidence(0).plain
    assert shown.startswith("Started from a plain answer to the question")
    assert "Steering wrote 'the capital of spain is madrid. it is a…'" in shown  # cut short
    assert screen._evidence(1).plain == ""


def test_why_says_how_well_each_answer_addresses_the_question():
    gen = _two_answers(
        "Dinner?",
        ["I'm vegetarian."],
        ["Pasta with cheese.", "Beans and rice."],
        cells=[
            ReflectionCell(0, 0, 0.8, "persona", "a"),
            ReflectionCell(1, 0, 0.5, "persona", "b"),
        ],
        steering={"enabled": True, "addresses": [0.0, 1.0], "pmi": [-0.2, 0.4]},
    )
    screen = WhyScreen(gen)
    assert screen._evidence(0).plain.startswith("Addresses the question: 0.00 of 1")
    assert screen._evidence(1).plain.startswith("Addresses the question: 1.00 of 1")
    assert "total = the cells + how well the answer addresses the question" in (
        screen._legend().plain
    )
    assert "by how much the question raises its likelihood" in screen._evidence(0).plain
    gen.steering["addresses_after_wishes"] = "Use a cooking analogy."
    assert "the question read after your wishes raises" in WhyScreen(gen)._evidence(0).plain
    gen.steering = {"enabled": True}  # a turn without the term says nothing of it
    assert "Addresses" not in WhyScreen(gen)._evidence(1).plain


@pytest.mark.parametrize(
    ("query", "echo"),
    [
        ("Why do cats purr?", "Cats purr."),  # restates the question
        ("Suggest a quick dinner I can cook tonight.", "I'm a vegetarian."),  # the signal back
    ],
)
def test_why_says_when_an_answer_only_restates_the_question_or_the_signals(query, echo):
    from personaco_tui.core.types import Candidate

    gen = _two_answers(
        query, ["I'm vegetarian."], [echo, "To calm themselves."], steering={"enabled": True}
    )
    screen = WhyScreen(gen)
    assert screen._evidence(0).plain.startswith(
        "Adds no word of its own to the question's and your signals'"
    )
    assert screen._evidence(1).plain == ""
    assert "echo: adds no word of its own to the question's" in screen._legend().plain
    # where every answer is an echo, the rule decides nothing, so the view says nothing of it
    gen.candidates[1] = Candidate(1, query)
    assert screen._evidence(0).plain == ""
    assert "echo" not in screen._legend().plain


def test_why_says_when_an_answer_is_stuck_in_a_loop():
    from personaco_tui.core.types import Candidate

    query = "Suggest a quick dinner I can cook tonight."
    stuck = "I'm a helpful AI named SmolLM. You can ask about what I can eat tonight. " * 8
    gen = _two_answers(
        query, ["I'm vegetarian."], [stuck, "Fry some tofu with rice."], steering={"enabled": True}
    )
    screen = WhyScreen(gen)
    assert screen._evidence(0).plain.startswith("Repeats itself (half its runs of 4 words")
    assert screen._evidence(1).plain == ""
    assert "loop: repeats itself" in screen._legend().plain
    assert "echo:" not in screen._legend().plain
    gen.candidates[1] = Candidate(1, stuck)  # every answer loops: the rule decides nothing
    assert "loop" not in screen._legend().plain


def test_why_says_when_an_answer_speaks_of_itself_as_an_ai():
    query = "Suggest a quick dinner I can cook tonight."
    itself = "I'm a helpful AI named SmolLM, trained to find quick dinner suggestions."
    gen = _two_answers(
        query, ["I'm vegetarian."], [itself, "Fry some tofu with rice."], steering={"enabled": True}
    )
    screen = WhyScreen(gen)
    assert screen._evidence(0).plain.startswith("Speaks of itself as an AI")
    assert screen._evidence(1).plain == ""
    assert "itself: speaks of itself as an AI" in screen._legend().plain
    assert "loop:" not in screen._legend().plain


async def test_the_answer_and_its_evidence_come_before_the_legend_on_a_small_terminal(
    tmp_path, monkeypatch
):
    from support.fake_engine import FakeEngine

    from personaco_tui.core.types import Candidate, Generation, GenerationSettingsUsed

    monkeypatch.setenv("PERSONACO_HOME", str(tmp_path))
    signals = ["Keep it under 50 words.", "I'm vegetarian.", "Explain like I'm new to this."]
    k = 8
    gen = Generation(
        settings=GenerationSettingsUsed("personaco", "m", k, 0.7, 0, 64, "auto"),
        query="Suggest a quick dinner I can cook tonight.",
        signals=signals,
        prompt="",
        candidates=[
            Candidate(i, f"Answer number {i + 1}: beans and rice.", 9, "stop") for i in range(k)
        ],
        cells=[ReflectionCell(i, 0, 1.0, "rules") for i in range(k)]
        + [
            ReflectionCell(i, j, 0.5, "persona", f"as the user, evidence {i + 1}.{j + 1}")
            for i in range(k)
            for j in (1, 2)
        ],
        chosen_index=4,
        steering={"enabled": True, "addresses": [i / (k - 1) for i in range(k)]},
    )
    app = make_app(engine=FakeEngine(["Fine."], name="smollm2-135m"))
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(WhyScreen(gen))
        await wait_for(pilot, lambda: isinstance(app.screen, WhyScreen))
        await pilot.pause()
        texts = str(app.screen.query_one("#why-texts").render())
        order = [
            texts.index("▶ 5 · "),
            texts.index("Addresses the question: 0.57"),
            texts.index("evidence 5.2"),
            texts.index("S1 Keep it under 50 words."),
            texts.index("The other candidates"),
        ]
        assert order == sorted(order)
        # with the legend in the scroll, the answer and its evidence have room under the table
        assert app.screen.query_one("#why-scroll").size.height >= 12
    app.rt.close()

"""The first minutes in the app: the welcome and its example signals, the bundled-model note,
the keys that reach the signals panel, Tab's order, the multi-line prompt and its recall, and
a footer with nothing left over after focus changes.

The deterministic fake engine answers (named as the bundled model, so the app uses it instead
of loading the real one); the real model's paths are covered in test_app_minimal.py."""

from __future__ import annotations

from support.fake_engine import FakeEngine
from support.pilot import wait_for
from textual import events
from textual.widgets import Footer

from personaco_tui.catalog import registry
from personaco_tui.core.signals import understand
from personaco_tui.core.signals.mood import is_wish
from personaco_tui.runtime import Runtime
from personaco_tui.store import conversations as C
from personaco_tui.store import profiles as P
from personaco_tui.tui.app import make_app
from personaco_tui.tui.screens.signal_dialog import SignalDialog
from personaco_tui.tui.widgets.chat_view import ChatMessage, ChatView, as_typed
from personaco_tui.tui.widgets.prompt import PromptInput
from personaco_tui.tui.widgets.sidebar import ConversationList, ProfileList
from personaco_tui.tui.widgets.signals_panel import SignalsPanel
from personaco_tui.tui.widgets.welcome import EXAMPLE_SIGNALS, EXAMPLES, WELCOME, ModelNote

BUNDLED = "smollm2-135m"


def _app(name: str = BUNDLED, answers: list[str] | None = None):
    return make_app(engine=FakeEngine(answers or ["Noted."], name=name))


def _lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def _stored(app) -> list[str]:
    return [s.text for s in P.list_signals(app.rt.store, app.chat.profile.id)]


async def test_the_footer_keeps_no_stray_characters_after_focus_changes():
    app = _app()
    # 120 columns: the signals panel's keys make the footer longer than the screen, so the
    # keys run on beneath the palette key docked at the right
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        seen = set()
        for _ in range(6):
            await pilot.press("tab")
            await pilot.pause(0.3)  # the footer recomposes after the focus change
            footer = app.screen.query_one(Footer)
            palette = footer.query_one(".-command-palette")
            line = _lines(app)[-1]
            seen.add(type(app.focused).__name__)
            # the palette key and a blank edge: no cell of the keys under it shows through
            assert line[palette.region.x :] == "▏^p palette ", (app.focused, line)
            # left of it, exactly the keys now bound, in order (cut where the palette starts)
            keys = [k for k in footer.query("FooterKey") if not k.has_class("-command-palette")]
            assert keys, "footer not drawn"
            first = keys[0]
            shown = line[first.region.x : palette.region.x]
            first_key = {}  # the footer shows one key per action, the first bound
            for _, b, _, _ in app.screen.active_bindings.values():
                if b.show and b.key != "ctrl+p":
                    first_key.setdefault(b.action, f"{app.get_key_display(b)} {b.description}")
            expected = " ".join(first_key.values())
            assert expected.startswith(shown.rstrip()), (shown, expected)
        assert "SignalsPanel" in seen  # the longest footer was among them
    app.rt.close()


async def test_tab_visits_the_panels_in_screen_order():
    app = _app()
    async with app.run_test(size=(130, 36)) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        assert isinstance(app.focused, PromptInput)
        order = []
        for _ in range(5):
            await pilot.press("tab")
            order.append(type(app.focused))
        # from the prompt: the signals on the right, then round from the left
        assert order == [SignalsPanel, ProfileList, ConversationList, ChatView, PromptInput]
        await pilot.press("shift+tab")
        assert isinstance(app.focused, ChatView)
    app.rt.close()


async def test_one_key_reaches_the_signals_and_one_adds_a_signal_from_anywhere():
    app = _app()
    async with app.run_test(size=(130, 36)) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        await pilot.press("f6")  # from the prompt
        assert isinstance(app.focused, SignalsPanel)
        app.query_one(ChatView).focus()
        await pilot.press("ctrl+g")  # the same, for terminals that keep F6
        assert isinstance(app.focused, SignalsPanel)

        app.query_one(PromptInput).focus()
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, SignalDialog))
        await pilot.press(*"No commas.", "enter")
        await wait_for(pilot, lambda: _stored(app) == ["No commas."])
        assert app.query_one(PromptInput).value == ""  # F7 typed nothing into the prompt

        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Go to the signals panel", "Add signal", "Add the example signals"} <= titles
    app.rt.close()


def test_the_welcome_says_how_the_app_reads_each_example():
    # the labels are the app's own readings: a rule's check, a fact, a wish (the words the
    # signals panel uses), each on its example's line
    (rule, rule_label), (fact, fact_label), (wish, wish_label) = EXAMPLES
    assert understand(rule).parts and "rule" in rule_label
    assert not understand(fact).parts and not is_wish(fact) and "fact" in fact_label
    assert not understand(wish).parts and is_wish(wish) and "wish" in wish_label
    for signal, label in EXAMPLES:
        line = next(x for x in WELCOME.splitlines() if signal in x)
        assert line.endswith(label)


async def test_the_welcome_offers_three_example_signals_and_one_key_adds_them():
    app = _app()
    async with app.run_test(size=(130, 36)) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        welcome = "\n".join(_lines(app))
        assert "Signals are notes about you" in welcome
        for text in EXAMPLE_SIGNALS:
            assert text in welcome
        assert "No signals yet" in welcome  # the empty panel says what a signal is
        await pilot.press("f8")
        await wait_for(pilot, lambda: len(app.query_one(SignalsPanel).signals()) == 3)
        assert _stored(app) == list(EXAMPLE_SIGNALS)
        await pilot.press("f8")  # twice adds nothing twice
        await pilot.pause(0.2)
        assert _stored(app) == list(EXAMPLE_SIGNALS)
    app.rt.close()

    again = _app()  # with signals, the next start is not a first run
    async with again.run_test(size=(130, 36)) as pilot:
        await wait_for(pilot, lambda: again.rt.engine is not None)
        assert "Welcome" not in "\n".join(_lines(again))
    again.rt.close()


async def test_the_bundled_model_is_named_a_demo_with_the_way_to_a_better_one(
    tmp_path, bundled_gguf
):
    app = _app()
    async with app.run_test(size=(130, 36)) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        await pilot.pause(0.2)
        note = app.query_one(ModelNote)
        assert note.display
        screen = "\n".join(_lines(app))
        assert "tiny demo model" in screen
        assert "personaco models pull llama-3.2-1b" in screen  # online
        assert "personaco models add PATH.gguf" in screen  # offline, any local file
        await pilot.click("#model-note")
        assert not note.display
        app.chat.update_status()  # a later status line does not bring it back
        assert not note.display
    app.rt.close()

    # Any other model: no note. It must be the configured model, or the app's own load would
    # replace the fake with the bundled one (a race this test once lost on a busy machine).
    own = tmp_path / "my-own-model.gguf"
    own.symlink_to(bundled_gguf)
    setup = Runtime.open()
    registry.add_model(setup.store.db, setup.loc, own)
    registry.use_model(setup.store.db, setup.loc, "my-own-model")
    setup.close()
    other = _app(name="my-own-model")
    async with other.run_test(size=(130, 36)) as pilot:
        await wait_for(pilot, lambda: not other.chat.model_status.startswith("load"))
        await pilot.pause(0.2)
        assert other.rt.engine is not None and other.rt.engine.name == "my-own-model"
        assert not other.query_one(ModelNote).display
        assert "demo" not in "\n".join(_lines(other))
    other.rt.close()


async def test_the_prompt_takes_lines_sends_on_enter_and_recalls_earlier_questions():
    app = _app(answers=["Fine."])
    async with app.run_test(size=(130, 36)) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        prompt = app.query_one(PromptInput)
        await pilot.press(*"Why?", "ctrl+j", *"line two", "alt+enter", *"three")
        assert prompt.value == "Why?\nline two\nthree"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.query(ChatMessage).filter(".assistant")) == 1)
        assert prompt.value == ""
        stored = C.list_messages(app.rt.store, app.chat.conversation_id)
        assert stored[0].content == "Why?\nline two\nthree"  # stored as typed

        question = "Fix this:\n```py\ndef f():\n    return 1\n```"
        prompt.post_message(events.Paste(question))
        await pilot.pause()
        assert prompt.value == question  # a paste keeps its lines
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.query(ChatMessage).filter(".assistant")) == 2)
        shown = "\n".join(_lines(app))
        assert "    return 1" in shown  # the code block shows with its indent

        await pilot.press(*"draft")
        await pilot.press("up")  # one line: the cursor is on the first line
        assert prompt.value == question
        prompt.move_cursor((0, 0))
        await pilot.press("up")
        assert prompt.value == "Why?\nline two\nthree"
        await pilot.press("up")  # nothing earlier: stays
        assert prompt.value == "Why?\nline two\nthree"
        await pilot.press("down")  # on the first of three lines: the cursor moves
        assert prompt.value == "Why?\nline two\nthree"
        assert prompt.cursor_location[0] == 1
        await pilot.press("down", "down")  # past the last line: the next question
        assert prompt.value == question
        prompt.move_cursor(prompt.document.end)
        await pilot.press("down")  # past the newest: the draft comes back
        assert prompt.value == "draft"
    app.rt.close()


def test_a_question_shows_as_typed():
    question = "Why?\n  File x.py, line 3\nValueError\n\n```py\ndef f():\n    return 1\n```"
    shown = as_typed(question)
    assert shown.split("\n")[:3] == ["Why?\\", "\u00a0\u00a0File x.py, line 3\\", "ValueError"]
    assert shown.endswith("```py\ndef f():\n    return 1\n```")  # the block untouched

"""The app's everyday flows, driven with Pilot against the real store (and the bundled model
where a turn is generated): conversations, profiles, history search, settings that persist,
help and the command palette, copying an answer."""

from __future__ import annotations

import tomllib

import pytest
from support.pilot import wait_for
from textual.widgets import DataTable, Input, OptionList, Select, SelectionList

from personaco_tui import config as CFG
from personaco_tui.locations import resolve
from personaco_tui.runtime import Runtime
from personaco_tui.store import conversations as C
from personaco_tui.store import profiles as P
from personaco_tui.tui.app import make_app
from personaco_tui.tui.screens.dialogs import ConfirmScreen, TextPromptScreen
from personaco_tui.tui.screens.help import HelpScreen
from personaco_tui.tui.screens.history import HistoryScreen, snippet_text
from personaco_tui.tui.screens.settings import SettingsScreen
from personaco_tui.tui.screens.suggest import SuggestSignalsScreen
from personaco_tui.tui.widgets.chat_view import ChatMessage, code_blocks
from personaco_tui.tui.widgets.prompt import PromptInput
from personaco_tui.tui.widgets.sidebar import ConversationList, ProfileList

SIZE = (140, 40)


def _seed(store, profile_name: str, chats: list[tuple[str, list[tuple[str, str]]]]) -> list[int]:
    """Conversations stored as a finished app would have stored them (no model needed)."""
    try:
        profile = P.get_profile(store, profile_name)
    except Exception:
        profile = P.create_profile(store, profile_name)
    ids = []
    for title, messages in chats:
        conv = C.create_conversation(store, profile.id, title=title)
        for role, content in messages:
            C.add_message(store, conv.id, role, content)
        ids.append(conv.id)
    return ids


def _rows(list_view) -> list[str]:
    # a row being mounted may not have its label yet: it is not drawn either
    labels = [item.query("Label") for item in list_view.children]
    return [str(found.first().render()) for found in labels if found]


def _chat_texts(app) -> list[str]:
    return [m.content for m in app.query(ChatMessage)]


@pytest.fixture
def baseline_turns(monkeypatch):
    monkeypatch.setenv("PERSONACO_GENERATION_METHOD", "baseline")
    monkeypatch.setenv("PERSONACO_GENERATION_MAX_TOKENS", "6")


async def test_conversations_open_rename_delete_and_new(engine):
    rt = Runtime.open()
    default = P.ensure_default_profile(rt.store)
    _seed(
        rt.store,
        default.name,
        [
            (
                "Volcanoes",
                [("user", "What is a volcano?"), ("assistant", "A mountain that erupts.")],
            ),  # noqa: E501
            ("Tea", [("user", "How to brew tea?"), ("assistant", "Steep it for three minutes.")]),
        ],
    )
    rt.close()
    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        convs = app.query_one(ConversationList)
        await wait_for(pilot, lambda: len(_rows(convs)) == 2)
        assert _rows(convs) == ["Tea", "Volcanoes"]  # newest first
        convs.focus()
        await pilot.press("down", "enter")  # open "Volcanoes"
        await wait_for(pilot, lambda: "A mountain that erupts." in _chat_texts(app))
        assert app.focused is app.query_one("#prompt")
        volcano_id = app.chat.conversation_id
        assert C.get_conversation(app.rt.store, volcano_id).title == "Volcanoes"

        convs.focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPromptScreen))
        field = app.screen.query_one(Input)
        field.value = ""
        await pilot.press(*"Mountains of fire", "enter")
        await wait_for(pilot, lambda: "Mountains of fire" in _rows(convs))
        assert C.get_conversation(app.rt.store, volcano_id).title == "Mountains of fire"

        # delete asks first; "n" keeps it, "y" deletes it and clears the open chat
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert len(C.list_conversations(app.rt.store)) == 2
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: len(_rows(convs)) == 1)
        assert [c.title for c in C.list_conversations(app.rt.store)] == ["Tea"]
        assert app.chat.conversation_id is None
        assert "A mountain that erupts." not in _chat_texts(app)

        await pilot.press("enter")  # open "Tea", then ctrl+n starts a new, empty chat
        await wait_for(pilot, lambda: app.chat.conversation_id is not None)
        await pilot.press("ctrl+n")
        assert app.chat.conversation_id is None and not list(app.query(ChatMessage))
    app.rt.close()


async def test_a_turn_adds_its_conversation_to_the_sidebar(engine, baseline_turns):
    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        convs = app.query_one(ConversationList)
        app.query_one("#prompt").focus()
        await pilot.press(*"Name a color", "enter")
        await wait_for(pilot, lambda: len(_rows(convs)) == 1 and "Name a color" in _rows(convs))
        assert convs.open_id == app.chat.conversation_id is not None
    app.rt.close()


async def test_profiles_create_switch_and_signals_follow(engine):
    rt = Runtime.open()
    P.ensure_default_profile(rt.store)
    work = P.create_profile(rt.store, "work")
    P.add_signal(rt.store, work.id, "Use formal language.")
    _seed(rt.store, "work", [("Budget", [("user", "Q3 budget?")])])
    rt.close()
    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        profiles = app.query_one(ProfileList)
        await wait_for(pilot, lambda: len(_rows(profiles)) == 2)
        assert app.query_one(ConversationList).children[0].disabled  # "No conversations yet"
        profiles.focus()
        profiles.index = [i for i, r in enumerate(_rows(profiles)) if "work" in r][0]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.chat.profile.name == "work")
        assert P.get_active_profile(app.rt.store).name == "work"
        labels = [str(label.render()) for label in app.query("#signals Label")]
        assert any("Use formal language." in t for t in labels)
        await wait_for(pilot, lambda: _rows(app.query_one(ConversationList)) == ["Budget"])
        assert "work" in str(app.query_one("#signals-title").render())

        # a new profile becomes active at once, with no signals yet
        profiles.focus()
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPromptScreen))
        await pilot.press(*"home", "enter")
        await wait_for(pilot, lambda: app.chat.profile.name == "home")
        assert P.get_active_profile(app.rt.store).name == "home"
        assert P.list_signals(app.rt.store, app.chat.profile.id) == []
        # the active profile cannot be deleted
        profiles.index = [i for i, r in enumerate(_rows(profiles)) if "home" in r][0]
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert {p.name for p in P.list_profiles(app.rt.store)} == {"default", "work", "home"}
    app.rt.close()


async def test_history_search_finds_and_opens_a_conversation_of_another_profile(engine):
    rt = Runtime.open()
    P.ensure_default_profile(rt.store)
    _seed(
        rt.store,
        "travel",
        [("Iceland", [("user", "Where to see a volcano?"), ("assistant", "Try Iceland.")])],
    )
    _seed(rt.store, "default", [("Cooking", [("user", "Best pasta shape?")])])
    rt.close()
    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        # FTS syntax typed by a person is searched as words, never an error
        count = app.screen.query_one("#history-count")
        await pilot.press(*'NEAR( "volcano OR')
        await wait_for(pilot, lambda: "0 messages" in str(count.render()))
        results = app.screen.query_one(OptionList)
        app.screen.query_one(Input).value = '"volcano*'
        await wait_for(pilot, lambda: results.option_count == 1)
        assert "volcano" in str(results.get_option_at_index(0).prompt)
        await pilot.press("enter")  # to the results
        await pilot.press("enter")  # open it
        await wait_for(pilot, lambda: not isinstance(app.screen, HistoryScreen))
        await wait_for(pilot, lambda: "Try Iceland." in _chat_texts(app))
        assert app.chat.profile.name == "travel"

        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.press(*"nothingmatchesthis")
        count = app.screen.query_one("#history-count")
        await wait_for(pilot, lambda: "0 messages" in str(count.render()))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HistoryScreen))
    app.rt.close()


async def test_settings_are_saved_and_survive_a_restart(engine):
    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
        screen = app.screen
        screen.query_one("#set-generation-k", Input).value = "99"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)  # refused, still open, nothing written
        assert not CFG.config_path(resolve()).exists()

        screen.query_one("#set-generation-k", Input).value = "5"
        screen.query_one("#set-generation-temperature", Input).value = "0.7"
        screen.query_one("#set-generation-reflector", Select).value = "rules"
        screen.query_one("#set-judge-base-url", Input).value = "http://127.0.0.1:9/v1"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, SettingsScreen))
        status = str(app.query_one("#status").render())
        assert "k=5" in status and "reflector: rules" in status
        assert app.rt.engine is engine  # the model did not change: nothing reloaded
    app.rt.close()

    saved = tomllib.loads(CFG.config_path(resolve()).read_text(encoding="utf-8"))
    assert saved["generation"]["k"] == 5 and saved["generation"]["temperature"] == 0.7
    assert saved["judge"]["base_url"] == "http://127.0.0.1:9/v1"
    again = make_app(engine=engine)
    async with again.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "k=5" in str(again.query_one("#status").render()))
        assert again.rt.settings.generation.reflector == "rules"
    again.rt.close()


async def test_help_lists_the_keys_and_the_palette_has_every_action(engine):
    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one(DataTable)
        does = {str(table.get_row_at(i)[2]) for i in range(table.row_count)}
        for action in ("Search history", "Settings", "Suggest signals", "Copy answer", "On/off"):
            assert action in does
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))

        titles = {c.title for c in app.get_system_commands(app.screen)}
        for binding in app.BINDINGS:
            if binding.action not in ("cancel", "quit"):
                assert binding.tooltip in titles or binding.description in titles, binding
        sidebar = app.query_one("#left")
        shown = sidebar.display
        toggle = next(c for c in app.get_system_commands(app.screen) if c.title == "Toggle sidebar")
        toggle.callback()
        assert sidebar.display is not shown
    app.rt.close()


async def test_copy_the_answer_and_its_code_blocks(engine):
    rt = Runtime.open()
    P.ensure_default_profile(rt.store)
    answer = "Use this:\n\n```python\nprint('hi')\n```\n\nand then\n\n```sh\nls -la\n```"
    [conv] = _seed(rt.store, "default", [("Code", [("user", "code?"), ("assistant", answer)])])
    rt.close()
    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        assert app.clipboard == ""  # nothing to copy yet
        app.chat.load_conversation(conv)
        await pilot.pause()
        await pilot.press("ctrl+y")
        assert app.clipboard == answer
        app.chat.action_copy_code()
        assert app.clipboard == "print('hi')\n\nls -la"
    app.rt.close()


def test_code_blocks_are_found_fenced_or_indented_and_nothing_else():
    assert code_blocks("no code here, just `inline`") == []
    assert code_blocks("~~~\na\n  b\n~~~") == ["a\n  b"]
    assert code_blocks("text\n\n    indented\n") == ["indented"]
    assert code_blocks("```\nunclosed") == ["unclosed"]


def test_snippet_matches_are_highlighted():
    text = snippet_text("user", "Trip", "where to see a [volcano] in …")
    assert text.plain == "Trip  user: where to see a volcano in …"
    bold = [text.plain[s.start : s.end] for s in text.spans if "reverse" in str(s.style)]
    assert bold == ["volcano"]


async def test_suggested_signals_can_be_ticked_and_added(engine):
    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        app.query_one("#prompt", PromptInput).value = "How can I learn to cook healthy meals?"
        # A 135M model sometimes writes nothing usable (then the screen says so and closes);
        # a few fixed seeds make it certain that one of them proposes something.
        proposed: list[str] = []
        for seed in (7, 11, 23, 42):
            app.rt.settings.generation.seed = seed
            await pilot.press("f4")
            await wait_for(pilot, lambda: isinstance(app.screen, SuggestSignalsScreen))
            screen = app.screen
            options = screen.query_one(SelectionList)
            await wait_for(
                pilot,
                lambda s=screen, o=options: not s.is_attached or (o.display and o.option_count),
                tries=2400,
            )
            if screen.is_attached:
                proposed = [
                    str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
                ]
                break
        assert proposed, "no seed gave a usable suggestion"
        assert all(p.strip() and len(p) <= 300 for p in proposed)
        await pilot.press("space")  # tick the first
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, SuggestSignalsScreen))
        stored = [s.text for s in P.list_signals(app.rt.store, app.chat.profile.id)]
        assert stored == [proposed[0]]
        await wait_for(
            pilot,
            lambda: any(proposed[0] in str(lbl.render()) for lbl in app.query("#signals Label")),
        )
        # the typed question is still there, untouched
        assert (
            app.query_one("#prompt", PromptInput).value == "How can I learn to cook healthy meals?"
        )
    app.rt.close()


async def test_suggest_can_be_cancelled_and_the_model_is_free_again(engine, baseline_turns):
    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        app.query_one("#prompt", PromptInput).value = "Plan a trip to Rome"
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, SuggestSignalsScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SuggestSignalsScreen))
        assert P.list_signals(app.rt.store, app.chat.profile.id) == []
        app.query_one("#prompt").focus()
        await pilot.press("enter")  # a turn right after still runs (the model was released)
        await wait_for(pilot, lambda: app.chat.conversation_id is not None, tries=1200)
    app.rt.close()


async def test_a_missing_model_is_a_notification_and_the_typed_text_stays(monkeypatch):
    monkeypatch.setenv("PERSONACO_MODEL_DEFAULT", "no-such-model")
    app = make_app()  # loads for real: the model named does not exist
    async with app.run_test(size=SIZE) as pilot:
        status = app.query_one("#status")
        await wait_for(pilot, lambda: "not loaded" in str(status.render()))
        notes = [n.message for n in app._notifications]
        assert any("no-such-model" in m for m in notes), notes
        app.query_one("#prompt").focus()
        await pilot.press(*"still here", "enter")
        assert app.query_one("#prompt", PromptInput).value == "still here"
        assert C.list_conversations(app.rt.store) == []
    app.rt.close()


async def test_a_turn_the_context_cannot_hold_is_refused_with_the_numbers(engine, monkeypatch):
    monkeypatch.setenv("PERSONACO_GENERATION_K", "32")
    monkeypatch.setenv("PERSONACO_GENERATION_MAX_TOKENS", "4000")
    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        app.query_one("#prompt").focus()
        await pilot.press(*"Tell me everything", "enter")
        await wait_for(pilot, lambda: not app.chat.answering and app._notifications)
        note = " ".join(n.message for n in app._notifications)
        assert "context" in note.lower() and any(ch.isdigit() for ch in note)
        assert app.query_one("#prompt", PromptInput).value == "Tell me everything"
        assert not list(app.query(ChatMessage))  # the question went back to the input
        assert C.list_conversations(app.rt.store) == []
    app.rt.close()


async def test_a_10mb_paste_is_refused_and_a_multiline_paste_keeps_every_line(engine):
    from textual import events

    from personaco_tui.tui.widgets.prompt import MAX_PROMPT_CHARS

    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        prompt = app.query_one("#prompt", PromptInput)
        prompt.focus()
        await pilot.press(*"keep me")
        huge = ("🦊 fox جملة " * 1_000_000)[:10_000_000]
        prompt.post_message(events.Paste(huge))
        await pilot.pause()
        assert prompt.value == "keep me"  # nothing replaced, nothing lost
        assert any(n.title == "Paste refused" for n in app._notifications)
        await pilot.press("!")  # still responsive: the key lands at once
        assert prompt.value == "keep me!"

        prompt.value = ""
        prompt.post_message(events.Paste("first line\n  second line\r\n\nthird 👩‍👩‍👧"))
        await pilot.pause()
        assert prompt.value == "first line\n  second line\n\nthird 👩‍👩‍👧"  # lines as pasted

        prompt.value = ""
        prompt.post_message(events.Paste("x" * MAX_PROMPT_CHARS))
        await pilot.pause()
        assert len(prompt.value) == MAX_PROMPT_CHARS  # the limit itself fits
    app.rt.close()

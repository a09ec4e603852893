"""Control sequences from models, servers and users never reach the terminal raw: a remote
judge must not retitle the terminal or write to the clipboard (OSC 52) through PersonaCo."""

from __future__ import annotations

import asyncio
import json

import pytest
from textual.app import App, ComposeResult

from personaco_tui.cli import main
from personaco_tui.terminal_text import json_for_terminal, neutralise
from personaco_tui.tui.widgets.chat_view import ChatMessage
from personaco_tui.tui.widgets.signals_panel import SignalItem
from tests.cli.test_eval_cli import ITEMS6, create_with_outputs
from tests.evaluation.test_judge import error_reply
from tests.support.servers import scripted_server

OSC_TITLE = "\x1b]0;PWNED\x07"
OSC_CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x1b\\"
CSI_CLEAR = "\x1b[2J\x1b[H"
C1_CSI = "\x9b31m"
DCS = "\x1bPq#0;2;0;0;0\x1b\\"
HOSTILE = f"ok{OSC_TITLE}{OSC_CLIPBOARD}{CSI_CLEAR}{C1_CSI}{DCS}\rover\bwrite\x07end"
RAW = ("\x1b", "\x9b", "\x9d", "\x90", "\x07", "\r", "\x08")


def assert_clean(text: str, *, progress_bars: bool = False) -> None:
    """No raw control in `text`; tqdm's own carriage returns are allowed where it drew."""
    found = [c for c in RAW if c in text and not (progress_bars and c == "\r")]
    assert not found, f"raw controls {found!r} in {text!r}"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (HOSTILE, "okoverwriteend"),
        ("a\tb\nc\r\nd", "a\tb\nc\nd"),  # tab and newlines stay; CRLF is a newline
        ("\x1b]8;;https://x.test\x1b\\link\x1b]8;;\x1b\\", "link"),  # hyperlink: the text stays
        ("unterminated \x1b]0;title never ends", "unterminated "),
        ("esc at the end \x1b", "esc at the end "),
        ("\x1b(Bcharset \x1b7saved\x1b8", "charset saved"),
        ("café ✓ 日本 😀", "café ✓ 日本 😀"),
        # bidi overrides and isolates reorder the line; right-to-left text itself stays
        ("report\u202etxt.exe", "reporttxt.exe"),
        ("\u2067isolated\u2069 \u202aembedded\u202c", "isolated embedded"),
        ("שלום עולם \u200f!", "שלום עולם \u200f!"),
    ],
)
def test_neutralise_removes_whole_sequences_and_keeps_text(text: str, shown: str) -> None:
    assert neutralise(text) == shown


def test_json_keeps_the_value_and_escapes_what_json_dumps_leaves_raw() -> None:
    value = {"r": "a\x9b2Jb\x7fc\x1b]0;t\x07"}
    text = json_for_terminal(json.dumps(value, ensure_ascii=False))
    assert_clean(text)
    assert "\x7f" not in text and json.loads(text) == value


def test_signal_text_is_printed_neutralised(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "profile", "create", "esc")[0] == 0
    rc, out, err = run(capsys, "profile", "add-signal", "esc", f"Be brief{OSC_CLIPBOARD}.")
    assert rc == 0, err
    rc, out, err = run(capsys, "profile", "show", "esc")
    assert rc == 0, err
    assert "Be brief." in out
    assert_clean(out + err)


def test_a_judge_error_with_escape_sequences_is_printed_neutralised(
    capsys: pytest.CaptureFixture[str], tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-terminal")
    create_with_outputs(capsys, tmp_path, "esc", ITEMS6[:1])
    with scripted_server(lambda p, b: error_reply(400, HOSTILE)) as (url, _):
        args = ("eval", "run", "esc", "--judge-base-url", url, "--judge-model", "m")
        rc, out, err = run(capsys, *args, "--concurrency", "1")
    assert "okoverwrite" in err.replace(" ", "")  # the server's words are shown, made harmless
    assert_clean(out + err, progress_bars=True)


class _Shows(App[None]):
    def compose(self) -> ComposeResult:
        from personaco_tui.core.types import Signal

        yield ChatMessage("assistant", f"# Answer\n\n{HOSTILE}", generation_id=None)
        yield SignalItem(Signal(id=1, profile_id=1, text=f"Be brief{OSC_TITLE}"))


def test_the_tui_passes_no_escape_sequence_to_the_terminal() -> None:
    """Textual strips BEL and CR but passes ESC and C1 through to the terminal as they
    are; what the screen would write must hold none of them."""

    async def screen_text() -> str:
        app = _Shows()
        async with app.run_test(size=(100, 20)) as pilot:
            await pilot.pause(0.2)
            update = app.screen._compositor.render_full_update()
            return "".join(seg.text for strip in update.strips for seg in strip)

    text = asyncio.run(screen_text())
    assert "okoverwriteend" in text.replace(" ", "") and "Be brief" in text
    assert_clean(text)

"""`personaco profile suggestions`: what `ask` proposes from the user's words, listed,
accepted into the profile or dismissed for good; one-line errors."""

from __future__ import annotations

import json

from personaco_tui.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_ask_proposes_then_accept_and_dismiss(capsys) -> None:
    assert run(capsys, "profile", "create", "me", "--use")[0] == 0
    rc, out, err = run(
        capsys,
        "ask",
        "I'm vegetarian and I live in Germany. Name a vegetable.",
        "--method",
        "baseline",
        "--max-tokens",
        "4",
        "--seed",
        "1",
        "--json",
    )
    assert rc == 0, err
    proposed = json.loads(out)["suggestions"]
    assert [s["text"] for s in proposed] == ["I'm vegetarian.", "I live in Germany."]
    rc, out, _ = run(capsys, "profile", "suggestions", "--json")
    listed = json.loads(out)
    assert rc == 0 and listed["profile"] == "me"
    assert [s["source"] for s in listed["suggestions"]] == ["message", "message"]
    assert listed["suggestions"][0]["evidence"].startswith("I'm vegetarian")
    first, second = (str(s["id"]) for s in proposed)
    rc, out, _ = run(capsys, "profile", "suggestions", "accept", first)
    assert rc == 0 and "Added signal" in out
    rc, out, _ = run(capsys, "profile", "suggestions", "dismiss", second)
    assert rc == 0 and "not be suggested again" in out
    _, out, _ = run(capsys, "profile", "show", "me")
    assert "I'm vegetarian." in out and "Germany" not in out
    _, out, _ = run(capsys, "profile", "suggestions", "me")
    assert "No open suggestions" in out
    _, out, _ = run(capsys, "profile", "suggestions", "me", "--all")
    assert "[accepted]" in out and "[dismissed]" in out
    # said again: neither is proposed a second time
    rc, out, err = run(
        capsys, "ask", "I'm vegetarian. Hi", "--method", "baseline", "--max-tokens", "2"
    )
    assert rc == 0 and "suggested signal" not in err


def test_errors_are_one_line(capsys) -> None:
    run(capsys, "profile", "create", "me", "--use")
    rc, _, err = run(capsys, "profile", "suggestions", "accept", "77")
    assert rc != 0 and "Unknown suggestion #77" in err and len(err.strip().splitlines()) <= 2
    rc, _, err = run(capsys, "profile", "suggestions", "accept")
    assert rc != 0 and "takes one ID" in err
    rc, _, err = run(capsys, "profile", "suggestions", "dismiss", "x")
    assert rc != 0 and "not a whole number" in err
    rc, _, err = run(capsys, "profile", "suggestions", "nobody")
    assert rc != 0 and "Unknown profile" in err
    rc, out, _ = run(capsys, "profile", "suggestions", "reset", "me")
    assert rc == 0 and "Forgot 0" in out

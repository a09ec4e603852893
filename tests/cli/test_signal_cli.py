"""`personaco signal explain`: JSON shape, words for people, one-line errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from personaco_tui.cli import cli, main


def run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(cli, ["signal", "explain", *args])
    return r.exit_code, r.output


def test_json_for_a_checkable_signal() -> None:
    code, out = run("Keep replies under 60 words and avoid commas.", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["checkable"] is True and 0.0 <= data["confidence"] <= 1.0
    by_kind = {c["kind"]: c for c in data["checks"]}
    assert by_kind["word_count"]["params"] == {"relation": "<", "n": 60}
    assert by_kind["word_count"]["ifeval"] == ["length_constraints:number_words"]
    assert by_kind["no_commas"]["ifeval"] == ["punctuation:no_comma"]
    assert data["verifiable"] is True


def test_json_for_a_persona_fact() -> None:
    code, out = run("I'm a teacher who uses bullet points in class.", "--json")
    data = json.loads(out)
    assert code == 0 and data["checkable"] is False and data["checks"] == []
    assert data["judged_by"] == "judged by the model" and data["confidence"] >= 0.8
    assert data["read_as"] == "fact"
    wish = json.loads(run("Use a cooking analogy.", "--json")[1])
    assert wish["checkable"] is False and wish["read_as"] == "wish"
    assert "read_as" not in json.loads(run("Never use commas.", "--json")[1])


def test_json_lists_words_and_checks_without_an_ifeval_checker() -> None:
    data = json.loads(run("Make sure the words banana and rocket both show up.", "--json")[1])
    assert data["checks"][0]["params"] == {"words": ["banana", "rocket"], "mode": "all"}
    assert data["checks"][0]["ifeval"] == ["keywords:existence"]
    # a rule with no IFEval checker still shows, with an empty list
    data = json.loads(run("Use bullet points.", "--json")[1])
    assert data["checkable"] and data["checks"][0]["ifeval"] == []
    assert data["verifiable"] is False


def test_human_output_in_words() -> None:
    code, out = run("End every answer with 'Catch you later'.")
    assert code == 0
    assert out.splitlines()[0].startswith("Checked by rules (confidence")
    assert "startend:end_checker" in out and "Catch you later" in out
    code, out = run("I live in Germany.")
    assert code == 0 and out.startswith("Judged by the model (confidence")
    assert out.splitlines()[1].startswith("Read as a fact about you:")
    out = run("Talk to me like a pirate.")[1]
    assert out.splitlines()[1].startswith("Read as a wish about the answers:")


def test_empty_signal_is_a_one_line_error(capsys) -> None:
    assert main(["signal", "explain", "   "]) == 1
    err = capsys.readouterr().err
    assert err.startswith("personaco: The signal is empty.") and err.count("\n") == 1, err


def test_a_signal_too_long_for_the_rules_is_explained_not_refused() -> None:
    code, out = run("Keep it short. " * 200)
    assert code == 0 and out.startswith("Judged by the model")
    assert "at most 2,000 characters; this one has 3,000" in out


def test_model_says_how_the_bundled_model_reads_a_fact() -> None:
    """--model loads the configured model (the bundled one here) and reads the fact as the
    persona reflector will: the same reading as tests/core/reflectors/test_polarity.py."""
    code, out = run("I can't swim.", "--model", "--json")
    assert code == 0, out
    reading = json.loads(out)["model_reading"]
    assert reading["model"] == "smollm2-135m" and reading["rules_out"] is True
    assert 0.5 < reading["p_rules_out"] <= 1.0
    code, out = run("I live in Japan.", "--model")
    assert code == 0, out
    assert "smollm2-135m reads it as a fact that shapes the answer (P 0." in out


def test_model_is_not_loaded_for_a_rule_or_a_wish() -> None:
    for text in ("No commas.", "Use a cooking analogy."):
        code, out = run(text, "--model", "--json")
        assert code == 0, out
        assert "model_reading" not in json.loads(out)

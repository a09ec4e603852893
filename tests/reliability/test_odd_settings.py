"""Settings, names and turns that cannot work are refused in one line, before anything is
written: a home that is a file, server URLs that are no URL, a run name that is a path, a
folder as the model, empty signals and NUL; and a negative setting is a value, not an
option."""

from __future__ import annotations

from pathlib import Path

import pytest

from personaco_tui.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def one_line(err: str) -> bool:
    return err.count("\n") == 1 and err.startswith("personaco: ") and "Traceback" not in err


@pytest.mark.parametrize("home", ["/dev/null", "a-file", "a-file/below"])
def test_a_home_that_is_no_folder_is_one_line(capsys, tmp_path: Path, monkeypatch, home) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    monkeypatch.setenv("PERSONACO_HOME", str(tmp_path / home) if home != "/dev/null" else home)
    rc, _, err = run(capsys, "profile", "list")
    assert rc == 1 and one_line(err) and "PERSONACO_HOME" in err, err
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "x"


BAD_URLS = ["http://[::1", "notaurl", "ftp://x", "http://h:99999/v1", "http://"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_server_url_that_is_no_url_is_refused_everywhere(capsys, monkeypatch, url) -> None:
    rc, _, err = run(capsys, "config", "set", "remote.base_url", url)
    assert rc == 1 and one_line(err) and "http:// or https://" in err, err
    monkeypatch.setenv("PERSONACO_REMOTE_BASE_URL", url)
    rc, _, err = run(capsys, "ask", "hi", "--k", "2", "--max-tokens", "4")
    assert rc == 1 and one_line(err) and "PERSONACO_REMOTE_BASE_URL" in err, err
    monkeypatch.delenv("PERSONACO_REMOTE_BASE_URL")
    rc, _, err = run(capsys, "models", "pull", "llama-3.2-1b", "--endpoint", url)
    assert rc == 1 and one_line(err) and "--endpoint" in err, err


def test_a_judge_url_that_is_no_url_is_refused_before_any_work(capsys, tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text('{"id": "1", "query": "Say hi", "signals": ["Be brief."]}\n')
    configs = ("--a", "baseline:max_tokens=4", "--b", "personaco:k=2,max_tokens=4")
    rc, _, err = run(capsys, "eval", "create", "s", "--items", str(items), *configs)
    assert rc == 0, err
    rc, _, err = run(
        capsys, "eval", "run", "s", "--judge-base-url", "http://[::1", "--judge-model", "m"
    )
    assert rc == 1 and one_line(err) and "--judge-base-url" in err, err


def test_good_urls_are_kept(capsys) -> None:
    for url in ["http://127.0.0.1:8080/v1", "https://api.example.com/v1", "http://[::1]:8000", ""]:
        rc, out, err = run(capsys, "config", "set", "remote.base_url", url)
        assert rc == 0 and repr(url) in out, err


def test_a_negative_value_is_a_value(capsys) -> None:
    rc, out, err = run(capsys, "config", "set", "generation.seed", "-1")
    assert rc == 0 and "generation.seed = -1" in out, err
    rc, _, err = run(capsys, "config", "set", "model.n_threads", "-1")
    assert rc == 1 and one_line(err) and "between 0 and" in err, err  # a value, out of range


@pytest.mark.parametrize("name", ["../../escape", "a/b", "", ".", ".hidden", "a\u202eb"])
def test_a_simulation_run_name_is_one_folder(capsys, name, isolated_home: Path) -> None:
    argv = ["simulate", "--name", name, "--cached-only", "--users", "1", "--limit", "1"]
    rc, _, err = run(capsys, *argv, "--hidden-users", "0")
    assert rc == 1 and one_line(err) and "name" in err, err
    assert (
        not (isolated_home / "escape").exists() and not (isolated_home / "data/simulate").exists()
    )


def test_a_folder_given_as_the_model_is_named_a_folder(capsys, tmp_path: Path) -> None:
    rc, _, err = run(capsys, "ask", "hi", "--model", str(tmp_path))
    assert rc == 1 and one_line(err) and "is a folder, not a model file" in err, err


@pytest.mark.parametrize(
    "argv, words",
    [
        (["ask", "hi", "--signal", ""], "Signal 1 is empty"),
        (["ask", "hi", "--signal", "Be brief.", "--signal", "  "], "Signal 2 is empty"),
        (["ask", "hi\x00there"], "NUL"),
        (["ask", "hi", "--signal", "Be\x00brief."], "NUL"),
    ],
)
def test_a_turn_that_could_not_be_kept_is_refused_before_the_model_loads(
    capsys, argv, words
) -> None:
    rc, _, err = run(capsys, *argv, "--k", "2", "--max-tokens", "4")
    assert rc == 1 and one_line(err) and words in err, err


def test_a_signal_of_another_profile_is_one_line_with_a_quoted_hint(capsys) -> None:
    assert run(capsys, "profile", "create", "a")[0] == 0
    assert run(capsys, "profile", "create", "my work")[0] == 0
    assert run(capsys, "profile", "add-signal", "a", "Be brief.")[0] == 0
    for command in ("toggle-signal", "remove-signal"):
        rc, _, err = run(capsys, "profile", command, "my work", "1")
        assert rc == 1 and one_line(err) and "belongs to another profile" in err, err
        assert "personaco profile show 'my work'" in err
    rc, out, _ = run(capsys, "profile", "show", "a")
    assert "Be brief." in out  # nothing removed


def test_an_unknown_default_model_is_refused_when_set(capsys, isolated_home: Path) -> None:
    for name in ("nonexistent", str(isolated_home / "gone.gguf")):
        rc, _, err = run(capsys, "config", "set", "model.default", name)
        assert rc == 1 and one_line(err), err
    assert not (isolated_home / "config" / "config.toml").exists()
    # a catalog model not downloaded yet is kept, with a note on how to get it
    rc, out, err = run(capsys, "config", "set", "model.default", "llama-3.2-1b")
    assert rc == 0 and "llama-3.2-1b" in out and "models pull llama-3.2-1b" in err, err


def test_doctor_warns_when_the_weights_copy_cannot_be_written(capsys, monkeypatch) -> None:
    monkeypatch.setenv("PERSONACO_CACHE_DIR", "/dev/null")
    _, out, _ = run(capsys, "doctor")
    line = next(ln for ln in out.splitlines() if " weights " in f" {ln} ")
    if line.split()[1:3] == ["weights", "native:"]:
        pytest.skip("this machine loads the file as it is: no copy to write")
    assert line.startswith("warn") and "/dev/null/weights cannot be created" in line, line


def test_a_simulation_with_too_few_queries_leaves_no_folder(capsys, isolated_home: Path) -> None:
    argv = ["simulate", "--name", "ok", "--users", "1", "--hidden-users", "0", "--limit", "1"]
    rc, _, err = run(capsys, *argv)
    assert rc == 1 and one_line(err) and "too few for a test set" in err, err
    assert not (isolated_home / "data" / "simulate").exists()

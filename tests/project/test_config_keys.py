"""The two config keys the project index reads: ``src`` and ``extra-paths``."""

from __future__ import annotations

import pytest

from lrlint.config import ConfigError, load_config

CODES = {"LR001": "optimizer-lr-attribute"}


def test_src_and_extra_paths_are_read(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.lrlint]\nsrc = ["src", "."]\nextra-paths = ["../vendor"]\n')
    config = load_config(path, CODES)
    assert config.src == ("src", ".") and config.extra_paths == ("../vendor",)


def test_they_default_to_nothing(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.lrlint]\n")
    config = load_config(path, CODES)
    assert config.src == () and config.extra_paths == ()


@pytest.mark.parametrize("text", ['src = "src"', "extra-paths = [1]"])
def test_a_wrong_type_names_the_key(tmp_path, text):
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[tool.lrlint]\n{text}\n")
    with pytest.raises(ConfigError, match=text.split(" ")[0]):
        load_config(path, CODES)

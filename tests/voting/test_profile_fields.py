"""Every setting row of voting/profile_fields.py finds its value and its source in every shipped profile."""

from __future__ import annotations

import tomllib

import pytest

from voting.profile_fields import SETTINGS, value_at
from voting.profiles import PROFILE_DIR

PROFILES = sorted(PROFILE_DIR.glob("*.toml"))


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_every_setting_has_a_value_and_a_cited_source(path):
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for setting in SETTINGS:
        value_at(data, setting.path)
        source = value_at(data, setting.source_path)
        assert isinstance(source, str) and source.strip(), setting.path


def test_a_missing_path_is_named():
    with pytest.raises(KeyError, match="quorum.nowhere"):
        value_at({"quorum": {}}, "quorum.nowhere")

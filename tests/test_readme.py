"""The README as a newcomer reads it: its pictures exist, and `python3 dev.py pictures` is what makes each of them."""

import re
from pathlib import Path

import dev

ROOT = Path(__file__).resolve().parents[1]


def test_every_picture_the_readme_shows_exists_and_is_made_by_dev_pictures():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"\]\((docs/img/[^)]+)\)", readme))
    assert shown, "the README shows no picture"
    for path in shown:
        assert (ROOT / path).is_file(), f"the README shows {path}, which does not exist"
    assert {f"docs/img/{name}" for name in dev.PICTURES} == shown
    assert "python3 dev.py pictures" in readme
    # each source is a screenshot the live-room test takes (its name: <test>-<view>-<mode>-<W>x<H>.png)
    test = (ROOT / "tests" / "e2e" / "test_browser_room.py").read_text(encoding="utf-8")
    for shot in dev.PICTURES.values():
        view = re.fullmatch(r"test_live_room-(\w+-\w+)-eventlet-\d+x\d+\.png", shot).group(1)
        assert f'"{view}"' in test, f"test_live_room takes no screenshot named {view}"

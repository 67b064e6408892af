"""The tablet's quick reasons fit the item's category: none about 资金监管 on a personnel item, none about 考察 on a
funds item; every category has reasons for every stance, in both locales (meeting/js_strings.py
tablet.phrases.<category>.<stance>, read by static/js/tablet-opinion.js phrasesFor)."""

from __future__ import annotations

from pathlib import Path

import pytest

from meeting.js_strings import js_strings
from voting.vocabulary import ItemCategory, Stance

# per category: words one of its reasons says, and words none of them may say
FITS = {
    ItemCategory.PERSONNEL: ({"任免", "考察", "任职"}, {"资金", "项目", "预算"}),
    ItemCategory.LARGE_FUNDS: ({"资金", "预算"}, {"考察", "任免", "任职", "项目"}),
    ItemCategory.MAJOR_PROJECT: ({"项目", "论证"}, {"考察", "任免", "任职"}),
    ItemCategory.MAJOR_DECISION: ({"方案", "风险"}, {"考察", "任免", "任职", "资金"}),
    ItemCategory.OTHER: ({"方案"}, {"考察", "任免", "任职", "资金"}),
}


def phrases(app, lang="zh"):
    with app.test_request_context(f"/?lang={lang}"):
        return js_strings("tablet")["tablet"]["phrases"]


def test_every_category_is_in_the_table(app):
    assert set(phrases(app)) == {c.value for c in ItemCategory} == {c.value for c in FITS}


@pytest.mark.parametrize("category", list(ItemCategory), ids=[c.value for c in ItemCategory])
def test_the_reasons_fit_the_category(app, category):
    table = phrases(app)[category.value]
    assert set(table) == {s.value for s in Stance}
    said = [text for stance in Stance for text in table[stance.value]]
    assert all(table[s.value] for s in Stance) and len(said) == len(set(said))
    fits, never = FITS[category]
    assert any(word in text for text in said for word in fits), said
    wrong = [text for text in said if any(word in text for word in never)]
    assert not wrong, f"{category.value}: {wrong}"
    english = phrases(app, "en")[category.value]
    assert [len(english[s.value]) for s in Stance] == [len(table[s.value]) for s in Stance]
    assert all(text.isascii() for s in Stance for text in english[s.value])


def test_the_tablet_picks_the_reasons_by_the_items_category():
    script = (Path(__file__).resolve().parents[2] / "static/js/tablet-opinion.js").read_text(encoding="utf-8")
    assert "T.phrases[category] || T.phrases.other" in script
    assert "phrasesFor(cur.category, st)" in script and "phrasesFor(it.category, 'defer')" in script
    assert "T.phrases.agree" not in script and "T.phrases.defer" not in script

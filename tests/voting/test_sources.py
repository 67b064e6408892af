"""The sources by title and number (voting/sources.py): the office form of a citation, and every title the product
shows spelled as the table spells it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from voting.profiles import available_profiles, relation_types
from voting.sources import (
    CITATION,
    CITATIONS,
    SOURCES,
    chinese_number,
    cite,
    cites,
    gloss,
    office_form,
    restated,
    short,
    source,
)

ROOT = Path(__file__).resolve().parent.parent.parent
TAOBEI = "《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）"


@pytest.mark.parametrize(
    ("key", "clause", "want"),
    [
        pytest.param("taobei", "四（二）3", TAOBEI + "四（二）3", id="taobei-the-brief-s-example"),
        pytest.param("taobei", "", TAOBEI, id="taobei-no-clause"),
        pytest.param(
            "rugao",
            "二3",
            "《如皋市政府关于落实市人大决议决定、审议意见的实施意见》（皋政发〔2022〕20号）二3",
            id="rugao-interviews",
        ),
        pytest.param(
            "neimenggu", "", "《内蒙古自治区重大行政决策执行责任制规定》（内政发〔2020〕20号）", id="neimenggu"
        ),
        pytest.param(
            "huhhot", "第二十六条", "《呼和浩特市重大行政决策执行责任制规定》第二十六条", id="huhhot-no-number"
        ),
        pytest.param("yanshou", "三", "《延寿县人民政府关于进一步提升政府执行力的意见》三", id="yanshou-no-number"),
        pytest.param(
            "civil_servant_law", "第七十六条", "《中华人民共和国公务员法》第七十六条", id="recusal-is-article-76"
        ),
        pytest.param(
            "civil_code", "第一千二百五十九条", "《中华人民共和国民法典》第一千二百五十九条", id="civil-code-以上"
        ),
        pytest.param(
            "decision_procedure",
            "第三十条",
            "《重大行政决策程序暂行条例》（国务院令第713号）第三十条",
            id="decree-713-chair-last",
        ),
        pytest.param("cadre_selection", "", "《党政领导干部选拔任用工作条例》", id="cadre-selection"),
    ],
)
def test_cite_in_the_office_form(key, clause, want):
    assert cite(key, clause) == want
    assert CITATION.fullmatch(want)


def test_several_joined_and_a_note_kept():
    got = cites(("taobei", "四（二）2"), ("decision_procedure", "第三十条"), "阈值为本地设置")
    assert got == TAOBEI + "四（二）2；《重大行政决策程序暂行条例》（国务院令第713号）第三十条；阈值为本地设置"
    assert CITATIONS.match(got).group(0) == got.removesuffix("；阈值为本地设置")


def test_short_form_and_gloss():
    assert short("taobei", "四（二）3") == "白洮政发〔2023〕14号 四（二）3"
    assert short("huhhot", "第九条") == "《呼和浩特市重大行政决策执行责任制规定》 第九条"
    assert all(gloss(k) and not re.search(r"[\u4e00-\u9fff]", gloss(k)) for k in SOURCES)


def test_an_unknown_source_is_refused_by_name():
    with pytest.raises(KeyError, match="no source 'seed003'"):
        source("seed003")


def test_the_table_matches_the_sources_list_of_the_domain_guide():
    assert {s.title: s.number for s in SOURCES.values()} == {
        "《呼和浩特市重大行政决策执行责任制规定》": "",
        "《内蒙古自治区重大行政决策执行责任制规定》": "内政发〔2020〕20号",
        "《延寿县人民政府关于进一步提升政府执行力的意见》": "",
        "《洮北区人民政府“三重一大”事项决策实施办法（试行）》": "白洮政发〔2023〕14号",
        "《如皋市政府关于落实市人大决议决定、审议意见的实施意见》": "皋政发〔2022〕20号",
        "《中华人民共和国民法典》": "",
        "《中华人民共和国公务员法》": "",
        "《重大行政决策程序暂行条例》": "国务院令第713号",
        "《党政领导干部选拔任用工作条例》": "",
    }


def _shown_text() -> list[tuple[str, str]]:
    """Templates, the English catalogue, the rule profiles and relation types: where a title could be misspelt."""
    out = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in (ROOT / "templates").rglob("*.html")]
    out.append(("messages.po", (ROOT / "translations/en/LC_MESSAGES/messages.po").read_text(encoding="utf-8")))
    for p in available_profiles():
        out.append((p.name, repr(p)))
    out.append(("relations.toml", repr(relation_types())))
    for path in (ROOT / "voting").rglob("*.toml"):
        out.append((path.name, repr(tomllib.loads(path.read_text(encoding="utf-8")))))
    return out


def test_every_title_shown_is_spelt_as_the_table_spells_it():
    titles = {s.title for s in SOURCES.values()}
    numbers = {s.title: s.number for s in SOURCES.values()}
    wrong = []
    for where, text in _shown_text():
        for m in re.finditer(r"《[^《》]+》(（[^（）]+号）)?", text):
            title, number = m.group(0).split("》")[0] + "》", (m.group(1) or "").strip("（）")
            if title not in titles and "%(" not in title and "{" not in title:  # a placeholder, not a title
                wrong.append(f"{where}: unknown title {title}")
            elif number and number != numbers[title]:
                wrong.append(f"{where}: {title} numbered {number}")
    assert wrong == []


@pytest.mark.parametrize(
    ("n", "want"),
    [
        (1, "一"),
        (10, "十"),
        (15, "十五"),
        (21, "二十一"),
        (76, "七十六"),
        (101, "一百零一"),
        (110, "一百一十"),
        (1111, "一千一百一十一"),
        (1259, "一千二百五十九"),
        (1005, "一千零五"),
        (2000, "二千"),
    ],
)
def test_article_numbers_in_chinese_numerals(n, want):
    assert chinese_number(n) == want


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        pytest.param(
            "seed 003 §四(二)1；民法典 第1259条",
            TAOBEI + "四（二）1；《中华人民共和国民法典》第一千二百五十九条",
            id="quorum",
        ),
        pytest.param(
            "seed 003 §四(二)3；党政领导干部选拔任用工作条例",
            TAOBEI + "四（二）3；《党政领导干部选拔任用工作条例》",
            id="pass",
        ),
        pytest.param(
            "seed 003 §四(二)5；公务员法 第74、76条",
            TAOBEI + "四（二）5；《中华人民共和国公务员法》第七十六条",
            id="recusal-is-76",
        ),
        pytest.param("公务员法 第74条", "《中华人民共和国公务员法》第七十六条（二）、第七十四条第一款", id="kin-basis"),
        pytest.param("公务员法 第76条(三)", "《中华人民共和国公务员法》第七十六条（三）", id="other-basis"),
        pytest.param("seed 000 第10、13条", "《呼和浩特市重大行政决策执行责任制规定》第十条、第十三条", id="huhhot"),
        pytest.param(
            "国务院令第713号 第30条", "《重大行政决策程序暂行条例》（国务院令第713号）第三十条", id="decree-713"
        ),
        pytest.param(TAOBEI + "四（二）2", TAOBEI + "四（二）2", id="already-in-office-form"),
        pytest.param("", "", id="empty"),
    ],
)
def test_what_an_earlier_release_stored_is_shown_by_title(stored, shown):
    assert office_form(stored) == shown
    assert office_form(shown) == shown
    tally = {"agree": 5, "source": stored, "quorum": {"source": stored, "needed": 4}}
    assert restated(tally) == {"agree": 5, "source": shown, "quorum": {"source": shown, "needed": 4}}


def test_every_profile_source_is_already_in_office_form():
    for p in available_profiles():
        for value in re.findall(r"source='([^']*)'", repr(p)):
            assert office_form(value) == value, value

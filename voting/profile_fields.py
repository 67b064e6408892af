"""The settings a rule profile states, as an office reads them: one row per setting, with where its value and its
source sit in the profile's data (the TOML of ``voting/profiles/*.toml``, parsed by ``voting.profiles``).

This table is what a profile editor shows and validates, what ``docs/rules.md``'s table of profiles × settings ×
sources is made from, and what the console, tablets and documents use to say the active rule in plain words. A
setting added to ``voting.profiles.parse_profile`` gets its row here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# kinds of value: a fraction table {num, den, inclusive, label, source}; a true/false; one of ``choices``; a whole
# number; a list of preparation steps or item categories
KINDS = ("fraction", "bool", "choice", "int", "list")


@dataclass(frozen=True)
class Setting:
    path: str  # dotted path of the value in the profile's data ("quorum.plenary", "passing.recused_in_n")
    label: str  # what an office calls it
    kind: str  # one of KINDS
    source_path: str  # dotted path of the text that cites its source ("quorum.plenary.source")
    choices: tuple[tuple[str, str], ...] = ()  # (stored value, label) for kind "choice"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}")


SETTINGS: tuple[Setting, ...] = (
    Setting("quorum.plenary", "全体会议到会人数", "fraction", "quorum.plenary.source"),
    Setting("quorum.executive", "常务会议到会人数", "fraction", "quorum.executive.source"),
    Setting("quorum.party_group", "党组会议到会人数", "fraction", "quorum.party_group.source"),
    Setting("quorum.special", "专题会议到会人数", "fraction", "quorum.special.source"),
    Setting("personnel_quorum", "干部任免事项到会人数", "fraction", "personnel_quorum.source"),
    Setting("passing", "通过所需赞成数", "fraction", "passing.source"),
    Setting("passing.count_written_opinions", "书面意见是否计入表决", "bool", "passing.source"),
    Setting("passing.recused_in_n", "回避成员是否计入应到会人数", "bool", "passing.source"),
    Setting("reconsideration", "复议所需同意数", "fraction", "reconsideration.source"),
    Setting("recusal.categories", "须回避的议题类别", "list", "recusal.source"),
    Setting(
        "presiding.rule",
        "主持人回避时由谁主持本议题",
        "choice",
        "presiding.source",
        (("next_in_seniority", "排序在前的副职"), ("most_senior", "排序最前的成员")),
    ),
    Setting("presiding.recused_reads_item", "回避成员会后能否查阅该议题意见", "bool", "presiding.recused_reads_source"),
    Setting("large_funds.threshold_yuan", "大额资金标准（元）", "int", "large_funds.source"),
)


def value_at(data: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of a profile's data; ``KeyError`` naming the path when it is absent."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(path)
        node = node[part]
    return node

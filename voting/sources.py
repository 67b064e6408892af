"""The sources the rules implement, each title written once, and how a page, a refusal or a document cites them.

An office cites a document by its title in 《》 and its number, then the clause as the document numbers it:
``cite("taobei", "四（二）3")`` →
"《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）3". A document without a number
(呼和浩特市, 延寿县) is cited by its title alone. Article numbers in Chinese numerals (第七十六条), as the laws write them.

Checked against the texts: 呼和浩特市 第九、十、十三、十五、十九、二十一、二十三、二十四、二十六、二十七条; 洮北区 三（四）
(1000万元), 四（一）1, 四（二）1–6, 四（三）1–3, 五（二）; 如皋市 二1 第一至第五, 二2 第一至第六, 二3 三是 (一年内被约谈两次以上),
三1 (督查台帐), 三2 (清单式、滚动式、销号式); 公务员法 第七十四条 (relations, posts), 第七十六条 (recusal in official
business); 民法典 第一千二百五十九条 ("以上" includes the number); 国务院令第713号 第二十六、二十八、三十、三十三、三十八条.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Source:
    key: str
    title: str  # in 《》, as issued
    number: str = ""  # 发文字号 / 令号; empty when the document has none
    issued: str = ""  # issuer and date, for a document without a number
    gloss: str = ""  # an English gloss of the title (the title itself stays Chinese: it is a proper name)

    @property
    def full(self) -> str:
        """The title with its number: 《…》（白洮政发〔2023〕14号）."""
        return f"{self.title}（{self.number}）" if self.number else self.title


SOURCES = MappingProxyType(
    {
        s.key: s
        for s in (
            Source(
                "huhhot",
                "《呼和浩特市重大行政决策执行责任制规定》",
                issued="呼和浩特市人民政府 2020年12月29日",
                gloss="Hohhot rules on responsibility for implementing major administrative decisions",
            ),
            Source(
                "neimenggu",
                "《内蒙古自治区重大行政决策执行责任制规定》",
                "内政发〔2020〕20号",
                gloss="Inner Mongolia rules on responsibility for implementing major administrative decisions",
            ),
            Source(
                "yanshou",
                "《延寿县人民政府关于进一步提升政府执行力的意见》",
                issued="延寿县人民政府 2018年",
                gloss="Yanshou County opinions on improving the government's execution",
            ),
            Source(
                "taobei",
                "《洮北区人民政府“三重一大”事项决策实施办法（试行）》",
                "白洮政发〔2023〕14号",
                gloss="Taobei District measures for collective decisions on “three majors and one large” matters (trial)",
            ),
            Source(
                "rugao",
                "《如皋市政府关于落实市人大决议决定、审议意见的实施意见》",
                "皋政发〔2022〕20号",
                gloss="Rugao opinions on implementing the resolutions and review opinions of the people’s congress",
            ),
            Source("civil_code", "《中华人民共和国民法典》", gloss="Civil Code of the People’s Republic of China"),
            Source(
                "civil_servant_law",
                "《中华人民共和国公务员法》",
                gloss="Civil Servant Law of the People’s Republic of China",
            ),
            Source(
                "decision_procedure",
                "《重大行政决策程序暂行条例》",
                "国务院令第713号",
                gloss="Interim Regulations on Major Administrative Decision-making Procedures",
            ),
            Source(
                "cadre_selection",
                "《党政领导干部选拔任用工作条例》",
                gloss="Regulations on the Selection and Appointment of Party and Government Leading Cadres",
            ),
        )
    }
)


# a citation as an office writes it: the title, its number, the clause (第二十六条 / 四（二）3、4 / 二2 第四、第六)
CITATION = re.compile(
    r"《[^《》]+》(?:（[^（）]+号）)?(?:[第一二三四五六七八九十百千零条、至\d]|（[一二三四五六七八九十]+）| (?=第))*"
)
# several, as :func:`cites` joins them
CITATIONS = re.compile(rf"{CITATION.pattern}(?:；{CITATION.pattern})*")


def source(key: str) -> Source:
    try:
        return SOURCES[key]
    except KeyError:
        raise KeyError(f"no source {key!r}; known: {', '.join(SOURCES)}") from None


def cite(key: str, clause: str = "") -> str:
    """One citation in the office form: the title, its number, the clause (``cite("civil_servant_law", "第七十六条")``
    → "《中华人民共和国公务员法》第七十六条")."""
    return source(key).full + clause


def cites(*parts: tuple[str, str] | str) -> str:
    """Several citations joined by "；"; a part is ``(key, clause)``, a key alone, or a plain note in words."""
    out = []
    for part in parts:
        if isinstance(part, tuple):
            out.append(cite(*part))
        elif part in SOURCES:
            out.append(cite(part))
        else:
            out.append(part)
    return "；".join(out)


def short(key: str, clause: str = "") -> str:
    """The tight form for a button or a refusal's tail, the number and the clause ("白洮政发〔2023〕14号 四（二）3");
    the title alone when the document has no number. Show the full :func:`cite` one hover away."""
    s = source(key)
    return f"{s.number or s.title} {clause}".strip()


def gloss(key: str) -> str:
    return source(key).gloss


# ---------------------------------------------------------------- what earlier releases stored

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1259 → 一千二百五十九, 76 → 七十六, 10 → 十, 15 → 十五 (as article numbers are written), for 1–9999."""
    if not 0 < n < 10000:
        raise ValueError(n)
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            out += ("零" if zero and out else "") + ("" if d == 1 and unit == "十" and not out else _DIGITS[d]) + unit
            zero = False
        elif out:
            zero = True
    return out


def _articles(numbers: str) -> str:
    return "、".join(f"第{chinese_number(int(n))}条" for n in re.findall(r"\d+", numbers))


def _clause(text: str) -> str:
    return text.replace("(", "（").replace(")", "）")


_LEGACY = [
    (re.compile(r"seed 003 §([^\s；;，,]+)"), lambda m: cite("taobei", _clause(m.group(1)))),
    (re.compile(r"seed 004 §([^\s；;，,]+)"), lambda m: cite("rugao", _clause(m.group(1)))),
    (re.compile(r"seed 000 第([\d、]+)条"), lambda m: cite("huhhot", _articles(m.group(1)))),
    (re.compile(r"seed 002 §([^\s；;，,]+)"), lambda m: cite("yanshou", _clause(m.group(1)))),
    (re.compile(r"seed 003"), lambda m: cite("taobei")),
    (re.compile(r"seed 004"), lambda m: cite("rugao")),
    (re.compile(r"seed 000"), lambda m: cite("huhhot")),
    (re.compile(r"seed 001"), lambda m: cite("neimenggu")),
    (re.compile(r"seed 002"), lambda m: cite("yanshou")),
    (re.compile(r"(?<!》)民法典 ?第([\d、]+)条"), lambda m: cite("civil_code", _articles(m.group(1)))),
    (re.compile(r"(?<!》)公务员法 ?第74、76条"), lambda m: cite("civil_servant_law", "第七十六条")),
    (re.compile(r"(?<!》)公务员法 ?第74条"), lambda m: cite("civil_servant_law", "第七十六条（二）、第七十四条第一款")),
    (re.compile(r"(?<!》)公务员法 ?第([\d、]+)条"), lambda m: cite("civil_servant_law", _articles(m.group(1)))),
    (re.compile(r"(?<!（)国务院令第713号 ?第([\d、]+)条"), lambda m: cite("decision_procedure", _articles(m.group(1)))),
    (re.compile(r"(?<!《)党政领导干部选拔任用工作条例(?!》)"), lambda m: cite("cadre_selection")),
    (re.compile(r"条\(([一二三四五六七八九十]+)\)"), lambda m: f"条（{m.group(1)}）"),
]


def office_form(text: str) -> str:
    """A source as an earlier release stored it in a round's tally or a recusal's basis ("seed 003 §四(二)1；民法典
    第1259条", the developers' shorthand), cited by title and number; a citation already in that form unchanged.
    Stored records stay as they were sealed (the event chain); this is how they are shown."""
    for pattern, repl in _LEGACY:
        text = pattern.sub(repl, text)
    return text


def restated(value):
    """A stored tally (a dict of dicts) with every ``source`` in :func:`office_form`."""
    if isinstance(value, dict):
        return {k: office_form(v) if k == "source" and isinstance(v, str) else restated(v) for k, v in value.items()}
    if isinstance(value, list):
        return [restated(v) for v in value]
    return value

"""Pure: the text of the 会议纪要 and of its 公开版, paragraph by paragraph, each with its role in the layout.

The docx (:mod:`minutes.docx`) gives each role its GB/T 9704-2012 font and size; the tablet's reading page
(templates/minutes_read.html) shows the same paragraphs, so what the chair reads before approving is what is archived.

会议纪要 (GB/T 9704-2012 §10.3; the opening and the "一、关于……" sections as in ``shared/domain.md``). The 公开版 holds
the decisions and their basis only: no individual opinions, no discussion, no personnel deliberations, no items
marked confidential, no attendance blocks (seed 003: deliberations and votes are not disclosed; 国务院令第713号
第32条: decisions are published unless lawfully withheld).
"""

from __future__ import annotations

from dataclasses import dataclass

from .record import ItemOut, StructuredMinutes, cn_number, stated_decision

# roles: title | issue | blank | opening | heading | body | block (label + text) | date | mark (内部资料 注意保存 or the
# 密级, top left) | draft_mark (草稿 / 送审稿, top right)
TITLE, ISSUE, BLANK, OPENING, HEADING, BODY, BLOCK, DATE, MARK, DRAFT_MARK = (
    "title",
    "issue",
    "blank",
    "opening",
    "heading",
    "body",
    "block",
    "date",
    "mark",
    "draft_mark",
)
REQUIREMENT_LEADS = ("会议要求", "会议强调", "会议指出")


@dataclass(frozen=True)
class Para:
    role: str
    text: str
    label: str = ""  # for blocks: 出席：/ 请假：/ 列席：

    @property
    def full(self) -> str:
        return self.label + self.text


def document_title(m: StructuredMinutes, *, public: bool = False) -> str:
    return f"{m.body}{m.kind_label}纪要" + ("（公开版）" if public else "")


def public_items(m: StructuredMinutes) -> list[ItemOut]:
    """The items the 公开版 shows: neither confidential nor personnel."""
    return [it for it in m.items if not (it.confidential or it.personnel)]


def heard(it: ItemOut, *, public: bool = False) -> str:
    """会议听取了××关于……有关情况的汇报。 — then, in the internal 纪要 only, the secretary's discussion summary."""
    about = it.heading.split("、", 1)[1]
    who = it.submitting_unit or it.presenter
    text = f"会议听取了{who}关于{about.removeprefix('关于')}有关情况的汇报。" if who else f"会议研究了{about}。"
    if not public and it.texts["discussion"]:
        text += it.texts["discussion"].strip()
    return text


def considered(it: ItemOut) -> str:
    said = it.texts["considered"].strip().removeprefix("会议认为").lstrip("，,")
    if not said:
        return ""
    return "会议认为，" + said + ("" if said.endswith(("。", "！", "；")) else "。")


def decision(it: ItemOut, *, public: bool = False) -> str:
    """会议议定：……由××牵头、××配合，×年×月×日前完成。 — the result stated whatever is typed (a deferred item's
    paragraph says it was deferred), the default sentence for the result when the secretary wrote none
    (:func:`minutes.record.stated_decision`). A sentence that names the meeting itself (会议未通过……) stands
    without the "会议议定：" lead (never 会议议定：会议……)."""
    if it.set_aside and not it.decision_text:  # deferred or withdrawn before it was opened, with the reason
        return "会议议定：" + it.set_aside
    text = stated_decision(it, public=public)
    return text if text.startswith("会议") else "会议议定：" + text


def requirements(m: StructuredMinutes) -> list[str]:
    """会议要求/会议强调: the secretary's text for the meeting, paragraph by paragraph; the first begins 会议要求，
    unless it already begins so (会议强调/会议指出 …). Empty when none was written."""
    paras = [p.strip() for p in m.requirements.splitlines() if p.strip()]
    if paras and not paras[0].startswith(REQUIREMENT_LEADS):
        paras[0] = "会议要求，" + paras[0]
    return [p if p.endswith(("。", "！", "；", "：")) else p + "。" for p in paras]


def paragraphs(m: StructuredMinutes, *, public: bool = False) -> list[Para]:
    """The 会议纪要 (or, with ``public``, its 公开版) as a list of paragraphs in reading order."""
    out = []
    if m.marking and not public:
        out.append(Para(MARK, m.marking))
    if m.draft_mark:
        out.append(Para(DRAFT_MARK, m.draft_mark))
    out += [
        Para(TITLE, document_title(m, public=public)),
        Para(ISSUE, m.issue_label or f"〔{m.year}〕第{m.issue_number}期"),
        Para(BLANK, ""),
        Para(OPENING, m.public_opening if public else m.opening),
    ]
    items = public_items(m) if public else m.items
    for n, it in enumerate(items, 1):
        out.append(Para(HEADING, f"{cn_number(n)}、{it.heading.split('、', 1)[1]}"))
        if it.presiding and not public:  # the opening names the chair: say who presided over this item instead
            out.append(Para(BODY, it.presiding + "。"))
        out.append(Para(BODY, heard(it, public=public)))
        if considered(it):
            out.append(Para(BODY, considered(it)))
        out.append(Para(BODY, decision(it, public=public)))
    if not public:  # the 公开版 holds the decisions and their basis only
        out += [Para(BODY, p) for p in requirements(m)]
    if not public:
        out.append(Para(BLANK, ""))
        out.append(Para(BLOCK, "、".join(a.name for a in m.present), "出席："))
        if m.absent:
            out.append(Para(BLOCK, "、".join(a.name + (f"（{a.note}）" if a.note else "") for a in m.absent), "请假："))
        if m.observers:
            out.append(
                Para(
                    BLOCK,
                    "、".join(f"{o['unit']}{o['name']}" if o["unit"] else o["name"] for o in m.observers),
                    "列席：",
                )
            )
    out.append(Para(BLANK, ""))
    out.append(Para(DATE, m.date))
    return out

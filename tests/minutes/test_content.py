"""What the 会议纪要 and 会议记录 say, on the meeting with every kind of item (tests/minutes/every_kind.py), read back
with python-docx (and once through LibreOffice and pdftotext): 议定 text against the vote, the default sentences,
the recusal sentence, dissent relative to the result, the lead-unit sentence not doubled, times, the opening, 会议要求,
the marks."""

import io
import shutil

import docx
import pytest

from meeting.db import read_only, unit_of_work
from minutes import docx as render
from minutes import service
from minutes.errors import DecisionContradictsResult, MinutesNotDraft
from tests.factories import STAFF
from tests.minutes.every_kind import PASSED_TEXT, build_every_kind
from tests.pdf import convert


@pytest.fixture
def ek(factory):
    return build_every_kind(factory)


def _structured(app, meeting_id):
    with app.app_context(), read_only() as s:
        return service.structured(s, meeting_id)


def _paras(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def _docs(app, meeting_id) -> tuple[list[str], list[str], list[str]]:
    m = _structured(app, meeting_id)
    return _paras(render.record(m)), _paras(render.summary(m)), _paras(render.summary(m, public=True))


def _edit(app, meeting_id, item_id, **texts):
    with app.app_context(), unit_of_work() as s:
        service.edit_texts(s, STAFF, meeting_id, item_id, service.MinutesItemIn(**texts))


def _after(paras: list[str], heading_start: str) -> list[str]:
    """The paragraphs of one item's section: from its heading to the next heading (一、 二、 …)."""
    i = next(n for n, p in enumerate(paras) if p.startswith(heading_start))
    out = []
    for p in paras[i + 1 :]:
        if p[:2] in {f"{c}、" for c in "一二三四五六七八九"} or p.startswith(("出席：", "记录人：")):
            break
        out.append(p)
    return out


# ---------------------------------------------------------------- 1. 议定 text may not contradict the vote


def test_contradicting_text_is_kept_as_a_draft_but_approval_is_refused_naming_the_item(app, ek, staff_http):
    _edit(app, ek.meeting_id, ek.items["funds"], decided="暂缓决策")  # the item passed
    _edit(app, ek.meeting_id, ek.items["deferred"], decided="原则同意《城区停车管理办法》，由区城管局牵头")
    with app.app_context(), read_only() as s:
        found = service.contradictions(s, ek.meeting_id)
    assert [(c["title"], c["message"]) for c in found] == [
        ("关于制定《城区停车管理办法》的议题", "该议题暂缓决策，议定内容却写为同意"),
        ("关于2024年区级财政预算调整的议题", "该议题已通过，议定内容却写为暂缓"),
    ]
    with app.app_context(), unit_of_work() as s, pytest.raises(DecisionContradictsResult) as err:
        service.approve(s, STAFF, ek.meeting_id)
    assert "关于2024年区级财政预算调整的议题（该议题已通过，议定内容却写为暂缓）" in err.value.message
    assert "白洮政发〔2023〕14号" in err.value.source and "seed" not in err.value.source
    with app.app_context(), read_only() as s:
        assert service.ensure_read(s, ek.meeting_id).status == "draft"  # nothing changed

    # the editor page shows each contradiction at its item
    page = staff_http.get(f"/minutes/meetings/{ek.meeting_id}").get_data(as_text=True)
    assert page.count('data-testid="contradiction"') == 2 and "该议题已通过，议定内容却写为暂缓" in page

    # corrected: approval goes through
    _edit(app, ek.meeting_id, ek.items["funds"], decided="原则同意2024年区级财政预算调整方案")
    _edit(app, ek.meeting_id, ek.items["deferred"], decided="该事项暂缓决策，请区城管局进一步征求意见")
    with app.app_context(), unit_of_work() as s:
        assert service.approve(s, STAFF, ek.meeting_id).status == "approved"


def test_the_result_is_stated_whatever_is_typed(app, ek):
    _edit(app, ek.meeting_id, ek.items["deferred"], decided="请区城管局进一步征求商户意见")
    _edit(app, ek.meeting_id, ek.items["not_passed"], decided="请区体育局优化方案")
    _, summary, _ = _docs(app, ek.meeting_id)
    assert "会议议定：该事项暂缓决策。请区城管局进一步征求商户意见。" in _after(summary, "四、")
    assert "会议未通过该事项。请区体育局优化方案。" in _after(summary, "三、")  # not 会议议定：会议……


def test_default_sentences_by_result(app, ek):
    with app.app_context(), read_only() as s:
        defaults = service.default_decisions(s, ek.meeting_id)
    assert defaults[ek.items["deferred"]] == (
        "该事项暂缓决策。主持人李明同志决定暂缓，理由：尚需进一步征求意见（2名成员发表缓议意见）。"
        "待进一步调查研究后再提请会议研究。"
    )
    assert defaults[ek.items["not_passed"]] == "会议未通过该事项（赞成2票，未超过应到会成员9人的半数）。"
    assert defaults[ek.items["personnel"]] == "同意王磊同志任职。"
    assert defaults[ek.items["funds"]] == "原则同意2024年区级财政预算调整。"
    _, summary, _ = _docs(app, ek.meeting_id)
    assert "会议议定：" + defaults[ek.items["deferred"]] in _after(summary, "四、")
    assert defaults[ek.items["not_passed"]] in _after(summary, "三、")
    assert not any(p.startswith("会议议定：会议") for p in summary)


def test_the_public_version_states_results_without_votes_or_names(app, ek):
    _, _, public = _docs(app, ek.meeting_id)
    assert "会议议定：该事项暂缓决策。待进一步调查研究后再提请会议研究。" in public
    assert "会议未通过该事项。" in public
    assert not any("票" in p or "李明同志" in p or "缓议" in p for p in public)  # the opening names the chair only


def test_no_assignment_is_proposed_from_a_deferred_or_not_passed_item(app, ek):
    from execution.assignments import candidates

    _edit(app, ek.meeting_id, ek.items["deferred"], decided="该事项暂缓决策，由区城管局牵头补充听证材料")
    with app.app_context(), unit_of_work() as s:
        service.approve(s, STAFF, ek.meeting_id)
    with app.app_context(), read_only() as s:
        _, found = candidates(s, ek.meeting_id, "Asia/Shanghai")
    decided = {c.item_id: c.decided for c in found}
    assert decided[ek.items["deferred"]] is False and decided[ek.items["not_passed"]] is False
    assert decided[ek.items["passed"]] is True


# ---------------------------------------------------------------- 3.–5. recusal, dissent, the lead unit


def test_recusal_sentence_in_the_record(app, ek):
    record, _, _ = _docs(app, ek.meeting_id)
    assert "回避：王志强同志因与王磊系父子关系（直系血亲），依照《中华人民共和国公务员法》第七十六条回避。" in record
    assert not any("关系关系" in p or "第74条" in p for p in record)


def test_dissent_is_relative_to_the_result(app, ek):
    record, _, _ = _docs(app, ek.meeting_id)
    passed = _after(record, "一、")
    assert [p for p in passed if "【不同意见】" in p] == ["4. 陈晓东：不同意。理由：资金来源尚不明确【不同意见】"]
    not_passed = _after(record, "三、")
    assert [p.split("：")[0] for p in not_passed if "【不同意见】" in p] == ["1. 王志强", "5. 吴国平"]
    deferred = _after(record, "四、")
    assert not any("【不同意见】" in p for p in deferred)  # nobody's 同意 or 缓议 is dissent on a deferred item
    assert "暂缓决策：主持人李明同志决定暂缓，理由：尚需进一步征求意见（2名成员发表缓议意见）。" in deferred


def test_lead_unit_sentence_not_doubled_and_never_on_a_personnel_item(app, ek):
    _edit(app, ek.meeting_id, ek.items["personnel"], decided="同意王磊同志任区发展和改革局局长", lead_unit="区委组织部")
    _, summary, _ = _docs(app, ek.meeting_id)
    decided = next(p for p in _after(summary, "一、") if p.startswith("会议议定："))
    assert decided == f"会议议定：{PASSED_TEXT}。"  # units and deadline typed: nothing appended
    assert decided.count("牵头") == 1 and decided.count("2024年6月30日前完成") == 1
    personnel = next(p for p in _after(summary, "二、") if p.startswith("会议议定："))
    assert personnel == "会议议定：同意王磊同志任区发展和改革局局长。"


# ---------------------------------------------------------------- 6.–7. times, the opening


def test_the_record_shows_actual_times_arrivals_and_departures(app, ek):
    record, _, _ = _docs(app, ek.meeting_id)
    assert "时间：2023年12月9日 09:02—11:30" in record
    assert "迟到：吴国平（09:07到会）" in record
    assert "中途离席：刘海军（10:05因接待上级检查组离席，10:40返回）" in record
    assert "审议时间：09:10—09:35" in _after(record, "一、")
    assert "审议时间：10:28—10:36" in _after(record, "四、")
    assert "审议时间：11:00—11:25" in _after(record, "六、")


def test_opening_names_the_delegation_and_counts_many_items(app, ek):
    _, summary, public = _docs(app, ek.meeting_id)
    assert (
        "2023年12月9日，受区长张建国委托，常务副区长李明主持召开洮北区政府第12次常务会议，"
        "研究了关于城南片区老旧小区改造方案等6项议题。现纪要如下："
    ) in summary
    # the 公开版 shows four items (not the personnel or the confidential one): listed
    assert any("研究了关于城南片区老旧小区改造方案、关于区体育中心改扩建项目、" in p for p in public)
    record, _, _ = _docs(app, ek.meeting_id)
    assert "主持人：常务副区长李明（受区长张建国委托主持）" in record


# ---------------------------------------------------------------- 8. 会议要求, marks


def test_requirements_follow_the_items_in_the_internal_summary_only(app, ek):
    with app.app_context(), unit_of_work() as s:
        service.set_meeting_texts(
            s,
            STAFF,
            ek.meeting_id,
            service.MeetingTextsIn(requirements="各部门要强化责任担当，确保各项决策落地见效\n会议强调，要严守保密纪律"),
        )
    record, summary, public = _docs(app, ek.meeting_id)
    at = summary.index("会议要求，各部门要强化责任担当，确保各项决策落地见效。")
    assert summary[at + 1] == "会议强调，要严守保密纪律。"
    assert (
        summary[at - 1].startswith("会议议定：")
        and summary.index(next(p for p in summary if p.startswith("六、"))) < at
    )
    assert summary[at + 2 :].index(next(p for p in summary if p.startswith("出席："))) >= 0
    assert not any("强化责任担当" in p for p in public)
    assert "会议要求，各部门要强化责任担当，确保各项决策落地见效。" in record


def test_marks_internal_and_draft_then_approved_then_archived(app, ek):
    record, summary, public = _docs(app, ek.meeting_id)
    assert record[:2] == ["内部资料 注意保存", "草稿"] and summary[:2] == ["内部资料 注意保存", "草稿"]
    assert public[0] == "草稿" and not any("内部资料" in p for p in public)

    with app.app_context(), unit_of_work() as s:
        service.set_meeting_texts(s, STAFF, ek.meeting_id, service.MeetingTextsIn(classification="秘密"))
    record, summary, _ = _docs(app, ek.meeting_id)
    assert record[0] == "秘密" and summary[0] == "秘密" and not any("内部资料" in p for p in record)

    with app.app_context(), unit_of_work() as s:
        service.approve(s, STAFF, ek.meeting_id)
    record, summary, _ = _docs(app, ek.meeting_id)
    assert record[:2] == ["秘密", "送审稿"] and summary[:2] == ["秘密", "送审稿"]
    with app.app_context(), unit_of_work() as s, pytest.raises(MinutesNotDraft):
        service.set_meeting_texts(s, STAFF, ek.meeting_id, service.MeetingTextsIn(requirements="改"))

    folder = service.archive_dir(app.instance_path)
    with app.app_context():
        docs = service.archive(STAFF, ek.meeting_id, folder)
    for d in docs:
        paras = _paras((folder / d.stored_name).read_bytes())
        assert not any(p in ("草稿", "送审稿") for p in paras), d.kind
        if d.kind != "public":
            assert paras[0] == "秘密"


# ---------------------------------------------------------------- through LibreOffice


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")), reason="LibreOffice not installed")
def test_through_libreoffice_and_pdftotext(tmp_path, app, ek):
    m = _structured(app, ek.meeting_id)
    texts = {}
    for kind in ("record", "summary"):
        _, _, out = convert(tmp_path, kind, render.render(m, kind), layout=False)
        texts[kind] = "".join(out.split())  # lines wrap anywhere in Chinese text
    record, summary = texts["record"], texts["summary"]
    assert record.startswith("内部资料注意保存草稿")
    assert "王志强同志因与王磊系父子关系（直系血亲），依照《中华人民共和国公务员法》第七十六条回避。" in record
    assert "时间：2023年12月9日09:02—11:30" in record and "刘海军（10:05因接待上级检查组离席，10:40返回）" in record
    assert "受区长张建国委托，常务副区长李明主持召开" in summary and "等6项议题" in summary
    assert "会议议定：该事项暂缓决策。主持人李明同志决定暂缓" in summary
    assert "会议未通过该事项（赞成2票，未超过应到会成员9人的半数）。" in summary


def test_an_amendment_may_not_make_the_text_contradict_the_result(app, ek):
    with app.app_context(), unit_of_work() as s:
        service.approve(s, STAFF, ek.meeting_id)
    folder = service.archive_dir(app.instance_path)
    bad = service.AmendmentIn(item_id=ek.items["passed"], field="decided", value="暂缓决策", reason="改错")
    with app.app_context(), pytest.raises(DecisionContradictsResult) as err:
        service.amend(STAFF, ek.meeting_id, bad, folder)
    assert "关于城南片区老旧小区改造方案的议题" in err.value.message
    good = service.AmendmentIn(item_id=ek.items["passed"], field="decided", value="原则同意改造方案", reason="文字")
    with app.app_context():
        assert service.amend(STAFF, ek.meeting_id, good, folder).new_value == "原则同意改造方案"


def test_the_secretary_sets_the_meeting_texts_from_the_editor(app, ek, staff_http):
    page = staff_http.get(f"/minutes/meetings/{ek.meeting_id}").get_data(as_text=True)
    assert 'data-testid="meeting-texts"' in page
    from tests.factories import form_csrf

    resp = staff_http.post(
        f"/minutes/meetings/{ek.meeting_id}/meeting-texts",
        data={"csrf_token": form_csrf(page), "requirements": "要严守保密纪律", "classification": ""},
    )
    assert resp.status_code in (302, 303)
    _, summary, _ = _docs(app, ek.meeting_id)
    assert "会议要求，要严守保密纪律。" in summary
    refused = staff_http.post(f"/minutes/meetings/{ek.meeting_id}/meeting-texts", data={"requirements": "无令牌"})
    assert refused.status_code in (400, 403)
    _, summary, _ = _docs(app, ek.meeting_id)
    assert not any("无令牌" in p for p in summary)  # refused: nothing changed

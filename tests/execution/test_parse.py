"""execution.parse: the decided text of a minutes item → lead, supporting units, leaders, deadline, milestones."""

from datetime import date

import pytest

from execution.parse import cn_int, parse_decision

D = date(2023, 12, 9)  # the day of the decision


@pytest.mark.parametrize(
    "text, lead, supporting",
    [
        ("由区住建局牵头，区财政局、区自然资源局配合，2024年3月31日前完成", "区住建局", ["区财政局", "区自然资源局"]),
        ("会议议定：同意该方案。由区住建局牵头、区财政局配合，2024年3月31日前完成。", "区住建局", ["区财政局"]),
        ("由区教育局负责，区财政局等部门配合", "区教育局", ["区财政局"]),
        ("由区发改局承办，区财政局和区审计局协助", "区发改局", ["区财政局", "区审计局"]),
        ("区卫健委牵头，各乡镇积极配合，年底前完成", "区卫健委", ["各乡镇"]),
        ("牵头单位：区水利局；配合单位：区农业农村局、区林草局", "区水利局", ["区农业农村局", "区林草局"]),
        ("由区交通局主办，年底前建成通车", "区交通局", []),
        ("同意该方案，抓紧组织实施。", "", []),
    ],
)
def test_units(text, lead, supporting):
    p = parse_decision(text, D)
    assert (p.lead_unit, p.supporting_units) == (lead, supporting)


@pytest.mark.parametrize(
    "text, responsible, coordinating, person",
    [
        ("分管副区长张三负责督促落实，由区住建局牵头", "张三", "", ""),
        ("由区住建局牵头，分管领导：李四", "李四", "", ""),
        ("分管副区长张三、常务副区长王五统筹协调", "张三", "王五", ""),
        ("协调领导：赵六；责任人：钱七", "", "赵六", "钱七"),
        ("由常务副区长孙八牵头协调，区财政局负责", "", "孙八", ""),
        ("由区住建局牵头", "", "", ""),
    ],
)
def test_leaders(text, responsible, coordinating, person):
    p = parse_decision(text, D)
    assert (p.responsible_leader, p.coordinating_leader, p.person_responsible) == (responsible, coordinating, person)
    assert p.lead_unit in ("", "区住建局", "区财政局")  # a leader's title is never read as a unit


@pytest.mark.parametrize(
    "text, deadline, said",
    [
        ("2024年3月31日前完成", date(2024, 3, 31), "2024年3月31日前"),
        ("3月31日前完成", date(2024, 3, 31), "3月31日前"),  # next 31 March after 9 December 2023
        ("12月20日前完成", date(2023, 12, 20), "12月20日前"),  # still this year
        ("12月9日前完成", date(2023, 12, 9), "12月9日前"),  # the decision day itself
        ("12月1日前完成", date(2024, 12, 1), "12月1日前"),  # already past this year: next year
        ("2月29日前完成", date(2024, 2, 29), "2月29日前"),  # 2024 is a leap year
        ("三月三十一日之前完成", date(2024, 3, 31), "三月三十一日之前"),
        ("年底前完成", date(2023, 12, 31), "年底前"),
        ("2024年底前完成", date(2024, 12, 31), "2024年底前"),
        ("年内完成", date(2023, 12, 31), "年内"),
        ("6月底前完成", date(2024, 6, 30), "6月底前"),
        ("12月底前完成", date(2023, 12, 31), "12月底前"),
        ("2月底前完成", date(2024, 2, 29), "2月底前"),
        ("30日内完成", date(2024, 1, 8), "30日内"),
        ("30天内报送", date(2024, 1, 8), "30天内"),
        ("两周内报送", date(2023, 12, 23), "两周内"),
        ("三个月内完成", date(2024, 3, 9), "三个月内"),
        ("一个月内完成", date(2024, 1, 9), "一个月内"),
        ("半年内完成", date(2024, 6, 9), "半年内"),
        ("2024年上半年完成", date(2024, 6, 30), "2024年上半年"),
        ("2024年第三季度末完成", date(2024, 9, 30), "2024年第三季度末"),
        ("同意该方案。", None, ""),
    ],
)
def test_deadlines(text, deadline, said):
    p = parse_decision(text, D)
    assert (p.deadline, p.deadline_text) == (deadline, said)


def test_working_days_skip_the_new_year_holiday_and_weekends():
    # decided Friday 29 December 2023: 30–31 Dec a weekend, 1 Jan the New Year holiday; 2, 3, 4, 5, 8 January
    p = parse_decision("5个工作日内报送方案", date(2023, 12, 29))
    assert p.deadline == date(2024, 1, 8)


def test_working_days_use_the_office_overrides():
    p = parse_decision("5个工作日内报送方案", date(2023, 12, 29), {date(2024, 1, 2): False})
    assert p.deadline == date(2024, 1, 9)


def test_several_dates_latest_is_the_deadline_the_others_milestones():
    p = parse_decision("由区住建局牵头，3月31日前完成初步设计，6月底前开工，年底前全面完成", date(2024, 1, 15))
    assert p.deadline == date(2024, 12, 31) and p.deadline_text == "年底前"
    assert p.milestones == [("完成初步设计", date(2024, 3, 31)), ("开工", date(2024, 6, 30))]


def test_the_example_of_the_brief():
    p = parse_decision("由区住建局牵头，区财政局、区自然资源局配合，2024年3月31日前完成", D)
    assert p.lead_unit == "区住建局" and p.supporting_units == ["区财政局", "区自然资源局"]
    assert p.deadline == date(2024, 3, 31) and p.milestones == []


@pytest.mark.parametrize(
    "text, n",
    [
        ("30", 30),
        ("三十", 30),
        ("十五", 15),
        ("二十一", 21),
        ("两", 2),
        ("一百", 100),
        ("十", 10),
        ("abc", None),
        ("", None),
    ],
)
def test_cn_int(text, n):
    assert cn_int(text) == n

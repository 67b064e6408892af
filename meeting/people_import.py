"""People and a body's members from a spreadsheet (xlsx or CSV) or a list pasted from Excel/WPS; duplicates found
and merged; a person without a record deleted.

Reading (:func:`rows_from_file`, :func:`rows_from_paste`, :func:`check_rows`) is pure: cells → rows, and every
problem said by its row ("第4行：缺少姓名"). :func:`import_people` stores the rows in the caller's unit of work only
when there is no problem at all: a file is taken whole or not at all.

The columns are 姓名、单位、职务、角色 (in that order when there is no heading row). 角色 is 成员 (or empty) or
主要负责人; with a body chosen every row joins its members in the file's order, 主要负责人 first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import func as sa_func
from sqlmodel import Session, SQLModel, col, select

from . import audit, setup
from .actors import Actor
from .errors import InvalidPayload, InvalidState
from .models import Body, Membership, Person, Relation
from .schemas import MembersIn, PersonIn, unsafe_char

COLUMNS = {"姓名": "name", "单位": "unit", "职务": "title", "角色": "role"}
ORDER = ("name", "unit", "title", "role")
ALIASES = {"名字": "name", "工作单位": "unit", "单位名称": "unit", "职位": "title", "身份": "role", "角色": "role"}
ROLES = {"": "member", "成员": "member", "班子成员": "member", "主要负责人": "head"}
LIMITS = {"name": 64, "unit": 100, "title": 100}
LABELS = {"name": "姓名", "unit": "单位", "title": "职务"}
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
TEMPLATE_COLUMNS = ("姓名", "单位", "职务", "角色")


@dataclass
class Row:
    line: int  # as the secretary sees it: the spreadsheet's row number, or the pasted line
    name: str = ""
    unit: str = ""
    title: str = ""
    role: str = ""


@dataclass
class Imported:
    created: list[Person] = field(default_factory=list)
    existing: list[Person] = field(default_factory=list)  # the same name and title were already in the directory
    members: int = 0  # how many joined the body


class ImportRefused(InvalidPayload):
    """The file has problems: every one of them, by row; nothing was stored."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(detail="；".join(problems[:1]) + (f"等{len(problems)}处问题" if len(problems) > 1 else ""))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").strip()


def _table(cells: Sequence[Sequence[object]], first_line: int = 1) -> list[Row]:
    """Cells → rows: the heading row (one with 姓名) names the columns; without one they are 姓名、单位、职务、角色."""
    lines = [(n, [_cell(c) for c in r]) for n, r in enumerate(cells, start=first_line)]
    lines = [(n, r) for n, r in lines if any(r)]
    if not lines:
        return []
    n0, head = lines[0]
    order: list[str | None] = list(ORDER)
    if "姓名" in head or "名字" in head:
        order = [COLUMNS.get(h) or ALIASES.get(h) for h in head]
        unknown = [h for h, o in zip(head, order, strict=True) if h and o is None]
        if unknown:
            raise ImportRefused(
                [gettext("第%(n)d行：不认识的列“%(col)s”（可用的列：姓名、单位、职务、角色）", n=n0, col=unknown[0])]
            )
        lines = lines[1:]
    rows = []
    for n, r in lines:
        row = Row(line=n)
        for key, value in zip(order, r, strict=False):
            if key:
                setattr(row, key, value)
        rows.append(row)
    return rows


def rows_from_paste(text: str) -> list[Row]:
    """One person a line, as copied from Excel/WPS (tab separated) or typed (comma or 、 separated)."""
    cells = []
    for line in (text or "").splitlines():
        if "\t" in line:
            cells.append(line.split("\t"))
        else:
            cells.append(line.replace("，", ",").split(","))
    return _table(cells)


def rows_from_file(filename: str, data: bytes) -> list[Row]:
    """An .xlsx (first sheet) or a .csv (UTF-8 or GBK, as Excel and WPS save it)."""
    if not data:
        raise ImportRefused([gettext("文件为空")])
    if len(data) > MAX_BYTES:
        raise ImportRefused([gettext("文件超过 5 MB")])
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            cells = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
            book.close()
        except Exception:  # a damaged or renamed file: openpyxl raises many kinds
            raise ImportRefused([gettext("无法读取该文件，请上传 Excel（.xlsx）或 CSV 文件")]) from None
        return _table(cells)
    if name.endswith((".xls", ".et", ".wps")):
        raise ImportRefused([gettext("请将文件另存为 Excel（.xlsx）或 CSV 后再上传")])
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost any bytes
        raise ImportRefused([gettext("无法读取该文件，请上传 Excel（.xlsx）或 CSV 文件")])
    if "\x00" in text:
        raise ImportRefused([gettext("无法读取该文件，请上传 Excel（.xlsx）或 CSV 文件")])
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first else ","
    return _table(
        list(csv.reader(io.StringIO(text.replace("，", ",") if delimiter == "," else text), delimiter=delimiter))
    )


def check_rows(rows: list[Row], with_body: bool) -> list[str]:
    """Every problem of the rows, by row, in plain Chinese; [] when they may be stored."""
    problems = []
    if not rows:
        return [gettext("没有可导入的人员：请每行填写一人（姓名、单位、职务、角色）")]
    if len(rows) > MAX_ROWS:
        return [gettext("一次最多导入%(n)d人，请分批导入", n=MAX_ROWS)]
    seen: dict[tuple[str, str], int] = {}
    head_line = None
    for r in rows:
        if not r.name:
            problems.append(gettext("第%(n)d行：缺少姓名", n=r.line))
        for key, limit in LIMITS.items():
            value = getattr(r, key)
            if len(value) > limit:
                problems.append(
                    gettext("第%(n)d行：%(what)s过长（最多%(max)d字）", n=r.line, what=LABELS[key], max=limit)
                )
            if unsafe_char(value):
                problems.append(gettext("第%(n)d行：%(what)s含有不允许的控制字符", n=r.line, what=LABELS[key]))
        if r.role not in ROLES:
            problems.append(
                gettext(
                    "第%(n)d行：角色“%(role)s”无法识别（可填：成员、主要负责人，或不填）", n=r.line, role=r.role[:20]
                )
            )
        elif ROLES[r.role] == "head":
            if not with_body:
                problems.append(gettext("第%(n)d行：填写了主要负责人，请先选择要列入的领导班子", n=r.line))
            elif head_line is not None:
                problems.append(
                    gettext("第%(n)d行：主要负责人只能有一位（第%(first)d行已填）", n=r.line, first=head_line)
                )
            else:
                head_line = r.line
        if r.name:
            key = (r.name, r.title)
            if key in seen:
                problems.append(gettext("第%(n)d行：与第%(first)d行重复（姓名、职务相同）", n=r.line, first=seen[key]))
            else:
                seen[key] = r.line
    return problems


def import_people(s: Session, actor: Actor, rows: list[Row], body_id: int | None = None) -> Imported:
    """Store the rows (all or nothing): a person already in the directory with the same name and title is used,
    not doubled; with a body, every row joins its members in order (主要负责人 first, as the head)."""
    body = setup.get(s, Body, body_id, "领导班子") if body_id else None
    problems = check_rows(rows, with_body=body is not None)
    if problems:
        raise ImportRefused(problems)
    result = Imported()
    people: list[tuple[Row, Person]] = []
    for r in rows:
        found = s.exec(
            select(Person).where(Person.name == r.name, Person.title == r.title).order_by(col(Person.id))
        ).first()
        if found is None:
            found = setup.create_person(s, actor, PersonIn(name=r.name, unit=r.unit, title=r.title))
            result.created.append(found)
        else:
            result.existing.append(found)
        people.append((r, found))
    if body is not None:
        current = [m.person_id for m, _ in setup.members_of(s, body.id)]
        heads = [p.id for r, p in people if ROLES[r.role] == "head"]
        rest = [p.id for r, p in people if ROLES[r.role] != "head"]
        order = (
            heads + [i for i in current if i not in heads] + [i for i in rest if i not in current and i not in heads]
        )
        result.members = len([i for i in order if i not in current])
        setup.set_members(s, actor, body.id, MembersIn(person_ids=order))
    audit.record(
        s,
        actor,
        "people.imported",
        body_id=body.id if body else None,
        created=[p.id for p in result.created],
        existing=[p.id for p in result.existing],
    )
    return result


# ---------------------------------------------------------------- duplicates, merging, deleting

SETUP_ONLY = {"membership", "relation"}  # rows that are the directory's own, not a record of a meeting


def _person_columns():
    """Every column of another table that refers to a person, but for the directory's own memberships and relations."""
    for table in SQLModel.metadata.sorted_tables:
        if table.name in SETUP_ONLY or table.name == "person":
            continue
        for column in table.columns:
            if any(fk.column.table.name == "person" for fk in column.foreign_keys):
                yield table, column


def people_with_records(s: Session) -> set[int]:
    """The ids of everyone some record refers to (the people page offers 删除 to the others only)."""
    ids: set[int] = set()
    for table, column in _person_columns():
        ids |= {i for i in s.exec(select(column).select_from(table).distinct()).all() if i is not None}
    return ids


def _references(s: Session, person_id: int) -> dict[str, int]:
    """How many rows of each table (other than memberships and relations) refer to the person: a seat at a meeting
    (attendance), an opinion, a written opinion, a recusal, a subject of an item, an assignment of the ledger …
    Read from the schema's foreign keys, so a table of a later part counts without this module knowing it."""
    counts: dict[str, int] = {}
    for table, column in _person_columns():
        n = s.exec(select(sa_func.count()).select_from(table).where(column == person_id)).one()
        n = n[0] if isinstance(n, tuple) else n
        if n:
            counts[table.name] = counts.get(table.name, 0) + n
    return counts


def has_record(s: Session, person_id: int) -> bool:
    return bool(_references(s, person_id))


def duplicates(s: Session) -> list[list[Person]]:
    """Groups of people with the same name and title (lowest id first)."""
    keys = s.exec(
        select(Person.name, Person.title).group_by(Person.name, Person.title).having(sa_func.count() > 1)
    ).all()
    groups = []
    for name, title in keys:
        groups.append(
            list(s.exec(select(Person).where(Person.name == name, Person.title == title).order_by(col(Person.id))))
        )
    return groups


def merge_people(s: Session, actor: Actor, a_id: int, b_id: int) -> Person:
    """Two entries of one person become one: the one with a record is kept (the older when neither has one); the
    other's memberships and relations move to it, and it is deleted. Two with records are not merged."""
    a = setup.get(s, Person, a_id, gettext("人员"))
    b = setup.get(s, Person, b_id, gettext("人员"))
    if a.id == b.id:
        raise InvalidPayload(detail=gettext("请选择两位不同的人员合并"))
    if (a.name, a.title) != (b.name, b.title):
        raise InvalidPayload(detail=gettext("只能合并姓名和职务相同的人员"))
    ra, rb = has_record(s, a.id), has_record(s, b.id)
    if ra and rb:
        raise InvalidState(detail=gettext("两人都已有会议记录（出席、意见等），不能合并。"))
    keep, drop = (b, a) if rb or (not ra and b.id < a.id) else (a, b)
    kept_bodies = set(s.exec(select(Membership.body_id).where(Membership.person_id == keep.id)))
    for m in s.exec(select(Membership).where(Membership.person_id == drop.id)).all():
        if m.body_id in kept_bodies:
            s.delete(m)
        else:
            m.person_id = keep.id
            s.add(m)
    for rel in s.exec(
        select(Relation).where((Relation.person_a_id == drop.id) | (Relation.person_b_id == drop.id))
    ).all():
        a2 = keep.id if rel.person_a_id == drop.id else rel.person_a_id
        b2 = keep.id if rel.person_b_id == drop.id else rel.person_b_id
        twin = s.exec(
            select(Relation.id).where(
                Relation.type == rel.type,
                col(Relation.id) != rel.id,
                ((Relation.person_a_id == a2) & (Relation.person_b_id == b2))
                | ((Relation.person_a_id == b2) & (Relation.person_b_id == a2)),
            )
        ).first()
        if a2 == b2 or twin is not None:
            s.delete(rel)
        else:
            rel.person_a_id, rel.person_b_id = a2, b2
            s.add(rel)
    if not keep.unit and drop.unit:
        keep.unit = drop.unit
        s.add(keep)
    s.flush()
    audit.record(s, actor, "person.merged", person_id=keep.id, merged_person_id=drop.id, name=keep.name)
    s.delete(drop)
    return keep


def delete_person(s: Session, actor: Actor, person_id: int) -> None:
    """A person entered by mistake goes, with their memberships and relations, while they have no record of any
    meeting; once they have one (a seat, an opinion, a recusal, an item about them …) the record keeps them."""
    person = setup.get(s, Person, person_id, gettext("人员"))
    if has_record(s, person_id):
        raise InvalidState(
            detail=gettext(
                "“%(name)s”已有会议记录（出席、意见或议题等），不能删除；可修改其职务或单位。", name=person.name
            )
        )
    for m in s.exec(select(Membership).where(Membership.person_id == person_id)).all():
        s.delete(m)
    for rel in s.exec(
        select(Relation).where((Relation.person_a_id == person_id) | (Relation.person_b_id == person_id))
    ).all():
        s.delete(rel)
    s.flush()
    audit.record(s, actor, "person.deleted", person_id=person.id, name=person.name, title=person.title)
    s.delete(person)


def template_xlsx() -> bytes:
    """The sheet to fill in: the four columns, and a second sheet saying how."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "人员名单"
    sheet.append(list(TEMPLATE_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (12, 28, 24, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    notes = book.create_sheet("填写说明")
    for line in (
        "每行填写一人；第一行是列名，请勿修改。",
        "姓名必填；单位、职务可不填。",
        "角色：导入时选择了领导班子的，每人都列入其成员名单（按行的先后排序）；主要负责人填“主要负责人”（只能一位），其他人填“成员”或不填。",
        "姓名和职务都与人员名录中已有人员相同的，不重复添加。",
        "有错误的行会逐行列出，全部改正前不会保存任何一人。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

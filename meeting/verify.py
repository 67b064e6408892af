"""核验: does the record of a meeting prove itself?

Two checks, each naming what it finds (which event by its number in the chain, which row, which file):

* **the chain** (:mod:`meeting.chain`): every event's hash recomputed from its stored fields, every ``prev_hash``
  equal to the hash of the event before it, sequence numbers 1…N without a gap or a repeat, and the chain's head
  row at the last event. An edited event breaks its own hash; one rewritten with a fresh hash breaks the link of
  the next; a deleted one leaves a gap (or, at the tail, a head beyond the last event); an inserted one has no
  number or a repeated one.
* **the rows against the events that produced them** (replay): every opinion and each of its versions
  (``opinion.given`` / ``opinion.corrected``), every seat's attendance (``attendance.set`` / ``attendance.check_in``;
  a seat starts as expected), and every round's result (``item.closed`` / ``item.head_decided`` /
  ``item.deferred``, with the tally, the head's decision and the reason for deferral). A row edited in the
  database, or written without its event, no longer matches.

The archived files are checked by :mod:`minutes.verify`, which builds on this report. Messages are Chinese.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from sqlmodel import Session, col, select

from voting.vocabulary import ATTENDANCE_LABELS, ITEM_RESULT_LABELS, STANCE_LABELS

from .chain import EXECUTION, GENESIS, NO_MEETING, event_digest, execution_digest, ledger_event_model
from .models import AgendaItem, ChainHead, Event, Opinion, OpinionRevision, Person, Round, Seat

OPINION_EVENTS = ("opinion.given", "opinion.corrected")
ATTENDANCE_EVENTS = ("attendance.set", "attendance.check_in")
RESULT_EVENTS = ("item.closed", "item.head_decided", "item.deferred", "item.withdrawn")


@dataclass
class Problem:
    """One finding: what kind of thing (event | opinion | revision | attendance | round | file | head), the
    message, and what it names."""

    what: str
    message: str
    seq: int | None = None  # the event's number in the chain
    row: str | None = None  # e.g. "opinion#12"
    file: str | None = None  # an archived file's stored name


@dataclass
class Report:
    meeting_id: int | None
    scope: str = ""  # what was checked, when not a meeting's record
    events: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    checked: dict[str, int] = field(default_factory=dict)  # rows compared per kind
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, what: str, message: str, **names) -> None:
        self.problems.append(Problem(what, message, **names))

    def summary(self) -> str:
        where = self.scope or (
            f"会议 {self.meeting_id}" if self.meeting_id else "不属于会议的事件（领导班子、人员设置）"
        )
        if not self.ok:
            return f"核验未通过（{where}）：发现 {len(self.problems)} 处问题。"
        c = self.checked
        parts = [f"核验通过（{where}）：事件 {self.events} 条，链完整"]
        if self.events:
            parts.append(f"链头第{self.head_seq}条 {self.head_hash[:16]}…")
        rows = [
            f"{label} {c[k]} 条"
            for k, label in (
                ("opinions", "意见"),
                ("revisions", "意见版本"),
                ("seats", "出席记录"),
                ("rounds", "表决结果"),
            )
            if c.get(k)
        ]
        if rows:
            parts.append("、".join(rows) + "与事件一致")
        if "files" in c:
            parts.append(f"归档文件 {c['files']} 份完好")
        return "；".join(parts) + "。"

    def lines(self) -> list[str]:
        return [self.summary(), *(p.message for p in self.problems)]

    def as_dict(self) -> dict:
        return {
            "meeting_id": self.meeting_id,
            "scope": self.scope,
            "ok": self.ok,
            "summary": self.summary(),
            "events": self.events,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "checked": dict(self.checked),
            "problems": [asdict(p) for p in self.problems],
        }


def _payload(ev: Event) -> dict:
    try:
        data = json.loads(ev.payload)
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _span(a: int, b: int) -> str:
    return f"第{a}条" if a == b else f"第{a}至{b}条"


# ---------------------------------------------------------------- the chain


def check_chain(s: Session, meeting_id: int | None, report: Report) -> list[Event]:
    """Check the chain of one meeting (None: the events of no meeting); return its events in chain order."""
    where = Event.meeting_id == meeting_id if meeting_id else col(Event.meeting_id).is_(None)
    rows = list(s.exec(select(Event).where(where).order_by(col(Event.seq), col(Event.id))))
    return _links(report, rows, s.get(ChainHead, meeting_id or NO_MEETING), event_digest, "event")


def _links(report: Report, rows: list, head, digest_of, table: str) -> list:
    """The chain checks on rows with ``seq``, ``prev_hash``, ``hash`` (``digest_of(row)`` recomputes one); ``head``
    is the chain's :class:`ChainHead` row. Returns the sealed rows in chain order."""
    sealed = sorted((ev for ev in rows if ev.seq is not None), key=lambda ev: (ev.seq, ev.id))
    for ev in rows:
        if ev.seq is None:
            report.add(
                "event", f"事件记录 #{ev.id}（{ev.kind}）没有链序号：不在链中，是链外写入的。", row=f"{table}#{ev.id}"
            )
    expected, prev_hash = 1, GENESIS
    for ev in sealed:
        if ev.seq < expected:
            report.add(
                "event",
                f"第{ev.seq}条事件重复出现（事件记录 #{ev.id}，{ev.kind}）：链上多了一条。",
                seq=ev.seq,
                row=f"{table}#{ev.id}",
            )
            continue
        gap = ev.seq > expected
        if gap:
            report.add("event", f"{_span(expected, ev.seq - 1)}事件缺失：已被删除。", seq=expected)
        elif ev.prev_hash != prev_hash:
            report.add(
                "event",
                f"第{ev.seq}条事件所记前一事件的哈希与第{ev.seq - 1}条不符：第{ev.seq - 1}条被改写（连同其哈希）。",
                seq=ev.seq - 1,
                row=f"{table}#{ev.id}",
            )
        if digest_of(ev) != ev.hash:
            report.add(
                "event",
                f"第{ev.seq}条事件被改动（{ev.kind}，事件记录 #{ev.id}）：内容与其哈希不符。",
                seq=ev.seq,
                row=f"{table}#{ev.id}",
            )
        prev_hash, expected = ev.hash, ev.seq + 1
    last = expected - 1
    report.events = len(rows)
    report.head_seq, report.head_hash = last, prev_hash
    if head is None:
        if sealed:
            report.add("head", "链头记录缺失。")
    elif head.seq > last:
        report.add(
            "event", f"{_span(last + 1, head.seq)}事件缺失：链尾被删除（链头记为第{head.seq}条）。", seq=last + 1
        )
    elif head.seq < last:
        report.add("head", f"链头记为第{head.seq}条，而链上有{last}条事件。", seq=head.seq)
    elif head.hash != prev_hash:
        report.add("head", f"第{last}条事件的哈希与链头所记不符：链尾被改写。", seq=last)
    return sealed


def verify_execution(s: Session) -> Report:
    """The execution ledger's one chain (execution/audit.py)."""
    ledger = ledger_event_model()  # execution/'s ExecutionEvent: a part above this package
    report = Report(None, scope="督查督办台账的事件")
    rows = [] if ledger is None else list(s.exec(select(ledger)))
    _links(report, rows, s.get(ChainHead, EXECUTION), execution_digest, "executionevent")
    return report


# ---------------------------------------------------------------- the rows against their events


def _stance(v) -> str:
    return STANCE_LABELS.get(v, str(v))


def check_rows(s: Session, meeting_id: int, events: list[Event], report: Report) -> None:
    items = {i.id: i for i in s.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id))}
    seats = list(s.exec(select(Seat).where(Seat.meeting_id == meeting_id)))
    opinions = list(s.exec(select(Opinion).where(col(Opinion.item_id).in_(list(items))))) if items else []
    by_id = {o.id: o for o in opinions}
    revisions = (
        list(s.exec(select(OpinionRevision).where(col(OpinionRevision.opinion_id).in_(list(by_id))))) if by_id else []
    )
    rounds = list(s.exec(select(Round).where(col(Round.item_id).in_(list(items))))) if items else []
    people_ids = {x.person_id for x in seats} | {o.person_id for o in opinions}
    names = (
        {p.id: p.name for p in s.exec(select(Person).where(col(Person.id).in_(list(people_ids))))} if people_ids else {}
    )

    def title(item_id) -> str:
        item = items.get(item_id)
        return f"议题「{item.title}」" if item is not None else f"议题 {item_id}"

    def who(person_id) -> str:
        return names.get(person_id, f"成员 {person_id}")

    # the replay: the last event of each opinion, each version's event, each seat's last, each round's result
    last_opinion: dict[tuple, tuple[Event, dict]] = {}
    version_events: dict[str, tuple[Event, dict]] = {}
    attendance: dict[int, tuple[Event, dict]] = {}
    results: dict[tuple, tuple[Event, dict]] = {}
    for ev in events:
        if ev.kind in OPINION_EVENTS:
            p = _payload(ev)
            last_opinion[(p.get("item_id"), p.get("round"), p.get("person_id"))] = (ev, p)
            version_events[str(p.get("client_id"))] = (ev, p)
        elif ev.kind in ATTENDANCE_EVENTS:
            p = _payload(ev)
            attendance[p.get("person_id")] = (ev, p)
        elif ev.kind in RESULT_EVENTS:
            p = _payload(ev)
            results[(p.get("item_id"), p.get("round"))] = (ev, p)

    # opinions
    for o in opinions:
        where = f"意见记录 #{o.id}（{title(o.item_id)}第{o.round_number}轮，{who(o.person_id)}）"
        found = last_opinion.pop((o.item_id, o.round_number, o.person_id), None)
        if found is None:
            report.add("opinion", f"{where}没有产生它的事件：是链外写入的。", row=f"opinion#{o.id}")
            continue
        ev, p = found
        diffs = []
        if p.get("stance") != o.stance:
            diffs.append(f"立场记录为「{_stance(o.stance)}」，事件为「{_stance(p.get('stance'))}」")
        if p.get("reason") != o.reason:
            diffs.append("理由与事件不同")
        if p.get("version") != o.version:
            diffs.append(f"版本记录为{o.version}，事件为{p.get('version')}")
        if bool(p.get("is_chair")) != bool(o.is_chair):
            diffs.append("主持人标记与事件不同")
        if diffs:
            report.add(
                "opinion",
                f"{where}与第{ev.seq}条事件不符：{'；'.join(diffs)}。被改动。",
                seq=ev.seq,
                row=f"opinion#{o.id}",
            )
    for (item_id, rnd, person_id), (ev, _) in last_opinion.items():
        report.add(
            "opinion",
            f"第{ev.seq}条事件记录的意见（{title(item_id)}第{rnd}轮，{who(person_id)}）没有对应的意见记录：被删除。",
            seq=ev.seq,
        )
    report.checked["opinions"] = len(opinions)

    # each version of each opinion
    for r in revisions:
        o = by_id[r.opinion_id]
        where = f"意见版本记录 #{r.id}（{title(o.item_id)}第{o.round_number}轮，{who(o.person_id)}，第{r.version}版）"
        found = version_events.pop(r.client_id, None)
        if found is None:
            report.add("revision", f"{where}没有产生它的事件：是链外写入的。", row=f"opinionrevision#{r.id}")
            continue
        ev, p = found
        if (
            p.get("item_id"),
            p.get("round"),
            p.get("person_id"),
            p.get("version"),
            p.get("stance"),
            p.get("reason"),
        ) != (o.item_id, o.round_number, o.person_id, r.version, r.stance, r.reason):
            report.add(
                "revision", f"{where}与第{ev.seq}条事件不符：被改动。", seq=ev.seq, row=f"opinionrevision#{r.id}"
            )
    for _, (ev, p) in version_events.items():
        report.add(
            "revision",
            f"第{ev.seq}条事件记录的意见版本（{title(p.get('item_id'))}第{p.get('round')}轮，"
            f"{who(p.get('person_id'))}，第{p.get('version')}版）没有对应的版本记录：被删除。",
            seq=ev.seq,
        )
    report.checked["revisions"] = len(revisions)

    # attendance
    for seat in seats:
        found = attendance.pop(seat.person_id, None)
        label = ATTENDANCE_LABELS.get(seat.attendance, seat.attendance)
        if found is None:
            if seat.attendance != "expected":
                report.add(
                    "attendance",
                    f"出席记录（{who(seat.person_id)}，座位 #{seat.id}）为「{label}」，但没有记录它的事件：被改动。",
                    row=f"seat#{seat.id}",
                )
            continue
        ev, p = found
        if p.get("attendance") != seat.attendance:
            said = ATTENDANCE_LABELS.get(p.get("attendance"), p.get("attendance"))
            report.add(
                "attendance",
                f"出席记录（{who(seat.person_id)}，座位 #{seat.id}）为「{label}」，"
                f"而第{ev.seq}条事件记为「{said}」：被改动。",
                seq=ev.seq,
                row=f"seat#{seat.id}",
            )
    for person_id, (ev, _) in attendance.items():
        report.add("attendance", f"第{ev.seq}条事件记录的出席（{who(person_id)}）没有对应的座位。", seq=ev.seq)
    report.checked["seats"] = len(seats)

    # round results
    decided = 0
    for rnd in rounds:
        where = f"表决结果（{title(rnd.item_id)}第{rnd.number}轮，记录 #{rnd.id}）"
        found = results.pop((rnd.item_id, rnd.number), None)
        if found is None:
            if rnd.result is not None:
                report.add(
                    "round",
                    f"{where}为「{ITEM_RESULT_LABELS.get(rnd.result, rnd.result)}」，但没有宣布它的事件：被改动。",
                    row=f"round#{rnd.id}",
                )
            continue
        decided += 1
        ev, p = found
        expected = {"item.deferred": "deferred", "item.withdrawn": "withdrawn"}.get(ev.kind, p.get("result"))
        diffs = []
        if rnd.result != expected:
            diffs.append(
                f"结果记录为「{ITEM_RESULT_LABELS.get(rnd.result, rnd.result)}」，"
                f"事件为「{ITEM_RESULT_LABELS.get(expected, expected)}」"
            )
        if "tally" in p:
            try:
                stored = json.loads(rnd.tally_json or "{}")
            except ValueError:
                stored = {}
            if any(stored.get(k) != v for k, v in p["tally"].items()):
                diffs.append("计票与事件不同")
        if ev.kind == "item.head_decided" and (rnd.head_adopt, rnd.head_reason) != (p.get("adopt"), p.get("reason")):
            diffs.append("主持人决定与事件不同")
        if ev.kind in ("item.deferred", "item.withdrawn") and rnd.defer_reason != p.get("reason"):
            diffs.append("暂缓理由与事件不同")
        if diffs:
            report.add(
                "round",
                f"{where}与第{ev.seq}条事件不符：{'；'.join(diffs)}。被改动。",
                seq=ev.seq,
                row=f"round#{rnd.id}",
            )
    for (item_id, number), (ev, _) in results.items():
        report.add(
            "round", f"第{ev.seq}条事件宣布的结果（{title(item_id)}第{number}轮）没有对应的表决记录。", seq=ev.seq
        )
    report.checked["rounds"] = decided


def verify_meeting(s: Session, meeting_id: int | None) -> Report:
    """The chain, and (for a meeting) its rows against its events. Files: :func:`minutes.verify.verify`."""
    report = Report(meeting_id)
    events = check_chain(s, meeting_id, report)
    if meeting_id:
        check_rows(s, meeting_id, events, report)
    return report

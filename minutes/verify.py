"""核验 of a meeting's record: the event chain and the rows (:mod:`meeting.verify`), and every archived file.

Each archived file is checked three ways:

* against its row's SHA-256 (the file alone changed);
* against the SHA-256 recorded in the archive event (``minutes.archived``), which is chained: a file changed
  together with its row's hash no longer matches the event, and changing the event breaks the chain;
* against the chain head it was built from: the row's and the event's head agree, and the chain still has that
  hash at that number (the chain rewritten after archiving is caught); for the 会议记录, the 校验码 printed in its
  last line is that head too (a paper copy can be checked against the database by eye).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

from sqlmodel import Session, col, select

from meeting.models import Event, Meeting
from meeting.verify import Report, check_chain, check_rows, verify_execution

from .docx import KIND_NAMES
from .models import ArchivedDocument, base_kind

ARCHIVE_EVENTS = ("minutes.archived",)
_CHECK = re.compile(r"校验码：([0-9a-f]{16})…（事件第(\d+)条）")


def printed_check(data: bytes) -> tuple[str, int] | None:
    """The 校验码 in a 会议记录's last line: (16 hex digits, event number), or None."""
    from docx import Document

    try:
        paragraphs = Document(io.BytesIO(data)).paragraphs
    except Exception:  # noqa: BLE001 - not a readable docx: reported by the hash checks
        return None
    for p in reversed(paragraphs):
        if p.text.strip():
            m = _CHECK.search(p.text)
            return (m.group(1), int(m.group(2))) if m else None
    return None


def kind_name(kind) -> str:
    """会议纪要, or 会议纪要（PDF副本） for its PDF copy."""
    kind = str(kind)
    base = base_kind(kind)
    return KIND_NAMES.get(base, base) + ("（PDF副本）" if kind != base else "")


def check_files(s: Session, meeting_id: int, folder: Path, events: list[Event], report: Report) -> None:
    docs = list(
        s.exec(
            select(ArchivedDocument)
            .where(ArchivedDocument.meeting_id == meeting_id)
            .order_by(col(ArchivedDocument.kind), col(ArchivedDocument.version))
        )
    )
    by_seq = {ev.seq: ev for ev in events}
    recorded: dict[tuple[str, int], tuple[Event, dict, dict]] = {}  # (kind, version) → event, payload, entry
    for ev in events:
        if ev.kind in ARCHIVE_EVENTS:
            try:
                p = json.loads(ev.payload)
            except ValueError:
                continue
            for entry in p.get("documents") or []:
                if isinstance(entry, dict):
                    recorded[(entry.get("kind"), entry.get("version"))] = (ev, p, entry)
    for doc in docs:
        name = f"{kind_name(doc.kind)}第{doc.version}版（{doc.stored_name}）"
        ref = {"file": doc.stored_name, "row": f"archiveddocument#{doc.id}"}
        path = folder / doc.stored_name
        data = path.read_bytes() if path.is_file() else None
        digest = hashlib.sha256(data).hexdigest() if data is not None else None
        if data is None:
            report.add("file", f"归档文件 {name} 缺失。", **ref)
        elif digest != doc.sha256:
            report.add("file", f"归档文件 {name} 与其哈希记录不符：文件被改动。", **ref)
        found = recorded.pop((doc.kind, doc.version), None)
        if found is None:
            report.add("file", f"归档文件 {name} 没有记录它的归档事件：是链外写入的。", **ref)
            continue
        ev, p, entry = found
        if entry.get("sha256") != doc.sha256:
            what = "文件连同其哈希记录被改动" if digest == doc.sha256 else "哈希记录被改动"
            report.add(
                "file", f"归档文件 {name} 的哈希记录与第{ev.seq}条事件（归档）所记不符：{what}。", seq=ev.seq, **ref
            )
        head = (p.get("chain_seq"), p.get("chain_hash"))
        if head[1] is None:
            continue  # archived before the chain recorded heads
        if (doc.chain_seq, doc.chain_hash) != head:
            report.add(
                "file",
                f"归档文件 {name} 所记链头与第{ev.seq}条事件（归档）所记不符：链头记录被改动。",
                seq=ev.seq,
                **ref,
            )
        base = by_seq.get(head[0])
        if head[0] and (base is None or base.hash != head[1]):
            report.add(
                "file",
                f"归档文件 {name} 依据的第{head[0]}条事件已不是归档时的样子：链在归档后被改写。",
                seq=head[0],
                **ref,
            )
        if doc.kind == "record" and data is not None and digest == doc.sha256:
            printed = printed_check(data)
            if printed != (str(head[1])[:16], head[0]):
                report.add("file", f"归档文件 {name} 末行的校验码与所记链头不符。", **ref)
    for (kind, version), (ev, _, _) in recorded.items():
        report.add(
            "file",
            f"第{ev.seq}条事件（归档）记录的{kind_name(kind)}第{version}版没有归档记录：被删除。",
            seq=ev.seq,
        )
    report.checked["files"] = len(docs)


def verify(s: Session, meeting_id: int | None, folder: Path) -> Report:
    """The whole check of one meeting (None: the chain of the events of no meeting)."""
    report = Report(meeting_id)
    events = check_chain(s, meeting_id, report)
    if meeting_id:
        check_rows(s, meeting_id, events, report)
        check_files(s, meeting_id, folder, events, report)
    return report


def verify_all(s: Session, folder: Path) -> list[Report]:
    """Every meeting, the chain of the events of no meeting, and the execution ledger's chain."""
    ids = list(s.exec(select(Meeting.id).order_by(col(Meeting.id))))
    return [verify(s, None, folder), *(verify(s, mid, folder) for mid in ids), verify_execution(s)]

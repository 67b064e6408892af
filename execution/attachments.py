"""Evidence files (progress reports, sign-offs, evaluations, plans) under ``EXECUTION_DIR``: stored once by their
SHA-256, read-only, never overwritten — as the minutes archive is (seed 000 第23条: the whole process is kept)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePath

from sqlmodel import Session, col, select

from meeting.actors import Actor
from meeting.schemas import clean_text, unsafe_char

from .errors import BadAttachment
from .models import Attachment, Evaluation, ExecutionPlan, ProgressReport, SignOff

ALLOWED = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".txt": "text/plain; charset=utf-8",
    ".ofd": "application/ofd",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".wps": "application/vnd.ms-works",
    ".zip": "application/zip",
}
MAX_BYTES = 50 * 1024 * 1024
OWNERS = {"progress": ProgressReport, "signoff": SignOff, "evaluation": Evaluation, "plan": ExecutionPlan}


@dataclass
class Upload:
    """A file as received (name, declared type, bytes): the views turn werkzeug's FileStorage into this."""

    filename: str
    data: bytes
    content_type: str = ""


def check(up: Upload) -> str:
    """The file's extension when acceptable; BadAttachment (nothing stored) otherwise."""
    name = PurePath(up.filename or "").name
    ext = PurePath(name).suffix.lower()
    if not name:
        raise BadAttachment(name="", why="没有文件名")
    if unsafe_char(name) is not None:
        raise BadAttachment(name=clean_text(name), why="的文件名含有不允许的控制字符或文字方向控制字符")
    if ext not in ALLOWED:
        raise BadAttachment(name=name, why="的格式不受支持（可上传 PDF、图片、Word、Excel、OFD、文本或 zip）")
    if not up.data:
        raise BadAttachment(name=name, why="是空文件")
    if len(up.data) > MAX_BYTES:
        raise BadAttachment(name=name, why=f"超过 {MAX_BYTES // (1024 * 1024)} MB")
    return ext


def _write_once(path: Path, data: bytes) -> None:
    if path.exists():
        return  # same name = same SHA-256 = same bytes; never overwrite
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def store(s: Session, actor: Actor, owner: str, owner_id: int, up: Upload, folder: Path) -> Attachment:
    if owner not in OWNERS:
        raise ValueError(owner)
    ext = check(up)
    digest = hashlib.sha256(up.data).hexdigest()
    stored = f"{digest}{ext}"
    _write_once(Path(folder) / stored, up.data)
    att = Attachment(
        owner=owner,
        owner_id=owner_id,
        filename=PurePath(up.filename).name[:200],
        stored_name=stored,
        content_type=ALLOWED[ext],
        size=len(up.data),
        sha256=digest,
        uploaded_by=actor.name[:64],
    )
    s.add(att)
    s.flush()
    return att


def store_all(
    s: Session, actor: Actor, owner: str, owner_id: int, uploads: list[Upload], folder: Path
) -> list[Attachment]:
    for up in uploads:
        check(up)  # every file is checked before any is kept
    return [store(s, actor, owner, owner_id, up, folder) for up in uploads]


def of(s: Session, owner: str, ids: list[int]) -> dict[int, list[Attachment]]:
    out: dict[int, list[Attachment]] = {}
    if not ids:
        return out
    for att in s.exec(
        select(Attachment)
        .where(Attachment.owner == owner, col(Attachment.owner_id).in_(ids))
        .order_by(col(Attachment.id))
    ):
        out.setdefault(att.owner_id, []).append(att)
    return out


def owner_row(s: Session, att: Attachment):
    """The progress report / sign-off / evaluation / plan the file belongs to (None for other owners)."""
    model = OWNERS.get(att.owner)
    return s.get(model, att.owner_id) if model else None


def intact(att: Attachment, folder: Path) -> bool:
    path = Path(folder) / att.stored_name
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == att.sha256

"""The minutes' own tables: the secretary's texts per item, approval, amendments and the archive.

Structured facts (attendance, opinions, tallies, recusals) are never copied here: they are read from the record of
the room each time. What lives here is what only a person can write, and what happened to the documents.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from meeting.clock import utcnow
from meeting.columns import UTCDateTime


class MinutesStatus(StrEnum):
    """The minutes' course: draft → approved → archived (stored as these strings)."""

    DRAFT = "draft"
    APPROVED = "approved"
    ARCHIVED = "archived"


DRAFT, APPROVED, ARCHIVED = MinutesStatus  # the names the services use
KINDS = ("record", "summary", "public")  # 会议记录 | 会议纪要 | 公开版
PDF_SUFFIX = "-pdf"  # the kind of a document's PDF copy: record-pdf | summary-pdf | public-pdf (minutes.pdf)


def base_kind(kind: str) -> str:
    """The document a file is of: summary-pdf → summary (who may read it is decided by this kind)."""
    return kind.removesuffix(PDF_SUFFIX)


class Minutes(SQLModel, table=True):
    """One per meeting: draft → approved (by the chair, or the secretary on the chair's word) → archived."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", unique=True, index=True)
    status: str = Field(default=MinutesStatus.DRAFT, max_length=16)  # MinutesStatus
    issue_number: int | None = None  # 〔2023〕第×期; defaults to the session number
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_by: str = Field(default="", max_length=64)
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # 会议要求/会议强调: what the secretary writes for the whole meeting (optional), shown after the items
    requirements: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    classification: str = Field(default="", max_length=16)  # 密级 (秘密 …), when one is set: marked on the documents
    # 版头 and 版记 of the 纪要 (GB/T 9704-2012 §10.3, §7.4); None = the default (minutes.record.build)
    issue_label: str | None = Field(default=None, max_length=40)  # 期号 as printed: 第5期, 〔2026〕5号
    issuing_office: str | None = Field(default=None, max_length=100)  # 编发单位 / 印发机关
    distribution: str | None = Field(default=None, max_length=500)  # 分送
    copy_to: str | None = Field(default=None, max_length=500)  # 抄送


class MinutesItem(SQLModel, table=True):
    """The secretary's texts for one item: editable while the minutes are a draft; amended afterwards."""

    __table_args__ = (UniqueConstraint("minutes_id", "item_id"),)
    id: int | None = Field(default=None, primary_key=True)
    minutes_id: int = Field(foreign_key="minutes.id", index=True)
    item_id: int = Field(foreign_key="agendaitem.id", index=True)
    discussion: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # 会议听取了……
    considered: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # 会议认为……
    decided: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # 会议议定：……
    lead_unit: str = Field(default="", max_length=100)
    supporting_units: str = Field(default="", max_length=500)  # 、-separated
    deadline: date | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: str = Field(default="", max_length=64)


class MinutesAmendment(SQLModel, table=True):
    """A correction after approval: the field, the old and new text, the reason and the author. Never deleted."""

    id: int | None = Field(default=None, primary_key=True)
    minutes_id: int = Field(foreign_key="minutes.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="agendaitem.id")
    field: str = Field(max_length=32)
    old_value: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    new_value: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    author: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ArchivedDocument(SQLModel, table=True):
    """One archived file — a docx, or its PDF copy (kind …-pdf, the same version) — never overwritten; a
    correction adds the next version."""

    __table_args__ = (UniqueConstraint("meeting_id", "kind", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    kind: str = Field(max_length=16)  # record | summary | public, or record-pdf | summary-pdf | public-pdf
    version: int
    sha256: str = Field(max_length=64)
    size: int = 0
    stored_name: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    author: str = Field(max_length=64)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # the head of the meeting's event chain the document was built from (meeting.chain; 校验码 in the record)
    chain_seq: int | None = None
    chain_hash: str | None = Field(default=None, max_length=64)

    @property
    def document(self) -> str:
        """record | summary | public, for a PDF copy too."""
        return base_kind(self.kind)

    @property
    def is_pdf(self) -> bool:
        return self.kind.endswith(PDF_SUFFIX)

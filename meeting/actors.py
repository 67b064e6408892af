"""Who is acting: a signed-in secretary, an API client, a member's tablet, the chair, an observer, the projector."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    kind: str  # user | api | account | member | chair | observer | projector | system
    name: str = ""
    user_id: int | None = None
    person_id: int | None = None
    seat_id: int | None = None
    observer_id: int | None = None
    meeting_id: int | None = None  # a token binds a tablet to one meeting
    device: str = ""
    role: str = ""  # the signed-in account's role (admin | secretary | supervisor | unit | leader)

    @property
    def is_staff(self) -> bool:
        """The secretary, by session or API token."""
        return self.kind in ("user", "api")

    @property
    def is_seat(self) -> bool:
        return self.kind in ("member", "chair")

    @property
    def view(self) -> str:
        """Which room state this actor is sent: full (secretary, chair), member, or public."""
        if self.kind in ("user", "api", "chair"):
            return "full"
        if self.kind == "member":
            return "member"
        return "public"

    @property
    def audit_id(self) -> int | None:
        return self.user_id if self.is_staff else (self.person_id or self.observer_id)


SYSTEM = Actor(kind="system", name="系统")

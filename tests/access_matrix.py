"""Who may do what: the role × action matrix the security tests check and docs/security.md prints.

The expectations are written here by hand, as the specification; ``tests/meeting/test_access_matrix.py`` tries
every cell from outside (a real Socket.IO client per role, a real HTTP client per account) and fails on any cell
that differs, and on any action or route that has no row. ``python -m tests.access_matrix`` rewrites the tables
in docs/security.md from these rows (a test checks they are in step).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# ---------------------------------------------------------------- the live room (one action registry)

ROOM_ROLES = (
    "anonymous",
    "secretary",
    "chair",
    "recused_chair",
    "acting_chair",
    "member",
    "recused_member",
    "absent_member",
    "observer",
    "projector",
)
ROOM_ROLE_LABELS = {
    "anonymous": "未登录",
    "secretary": "会议秘书",
    "chair": "主持人",
    "recused_chair": "回避的主持人",
    "acting_chair": "代为主持的成员",
    "member": "成员",
    "recused_member": "回避的成员",
    "absent_member": "缺席成员",
    "observer": "列席人员",
    "projector": "投影",
}

SEAT = {"chair", "recused_chair", "acting_chair", "member", "recused_member", "absent_member"}

# action → the roles that may perform it (every other role is refused and nothing changes)
ROOM_ACTIONS: dict[str, set[str]] = {
    "roll_call": {"secretary"},
    "check_in": SEAT,
    "open_meeting": {"secretary"},
    "close_meeting": {"secretary"},
    "open_item": {"secretary"},
    "call_opinions": {"secretary"},
    "give_opinion": {"chair", "acting_chair", "member"},
    "written_opinion": {"secretary", "absent_member"},
    "add_recusal": {"secretary"},
    "remove_recusal": {"secretary"},
    "close_item": {"secretary"},
    # whoever presides over the item: the chair, or — where he is recused — the member the profile names
    "head_decide": {"secretary", "chair", "acting_chair"},
    "defer_item": {"secretary", "chair", "acting_chair"},
    "reconsider": {"secretary"},
    "set_notes": {"secretary"},
    # 发言申请: a member in the room and not recused asks; the secretary gives the floor and ends it
    "request_floor": {"chair", "acting_chair", "member"},
    "withdraw_floor": {"chair", "acting_chair", "member"},
    "give_floor": {"secretary"},
    "end_floor": {"secretary"},
    # deadends: 代录 — the secretary records a present member's spoken opinion when his tablet cannot
    "record_opinion": {"secretary"},
    # deadends: an item not yet opened withdrawn (撤回议题) — whoever presides over it, as defer_item
    "withdraw_item": {"secretary", "chair", "acting_chair"},
    "turn_page": {"secretary"},  # or the member the secretary names presenter (none in this world: refused)
    "set_presenter": {"secretary"},  # 跟随翻页: the presenter on the console (h18-lanpdf)
}

# A refusal with one of these codes means "this role may not" (authorisation); any other answer means the role
# got past the door (the action may still be refused for the state of the room, e.g. 主持人须最后发表意见).
DENIAL_CODES = frozenset(
    {
        "permission_denied",
        "not_signed_in",
        "invalid_token",
        "observer_cannot_vote",
        "recused",
        "absent_cannot_vote",
        "present_member_written",
        "not_connected",
        "floor_not_present",
    }
)


def room_table() -> str:
    head = "| 操作 | " + " | ".join(ROOM_ROLE_LABELS[r] for r in ROOM_ROLES) + " |"
    rule = "|---|" + "---|" * len(ROOM_ROLES)
    rows = [
        f"| `{name}` | " + " | ".join("✓" if r in allowed else "—" for r in ROOM_ROLES) + " |"
        for name, allowed in ROOM_ACTIONS.items()
    ]
    return "\n".join([head, rule, *rows])


# ---------------------------------------------------------------- documentation

DOC = Path(__file__).resolve().parent.parent / "docs" / "security.md"
MARK = re.compile(r"(<!-- matrix:(?P<name>\w+) -->\n)(.*?)(<!-- /matrix -->)", re.S)


def app_endpoints() -> list[tuple[str, str, str]]:
    """(method, rule, endpoint) of every route of a freshly made app, in the order of the rules."""
    import tempfile

    from meeting.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "matrix", "DATABASE_URL": f"sqlite:///{tmp}/m.db", "INSTANCE_PATH": tmp}
        )
        rows = [
            (",".join(sorted(r.methods - {"HEAD", "OPTIONS"})), r.rule, r.endpoint)
            for r in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, sorted(r.methods)))
            if r.endpoint != "static"
        ]
        app.extensions["yishi.engine"].dispose()
    return rows


def tables() -> dict[str, str]:
    from tests.route_matrix import http_table

    return {"room": room_table(), "http": http_table(app_endpoints())}


def render(text: str) -> str:
    t = tables()
    return MARK.sub(lambda m: m.group(1) + t[m.group("name")] + "\n" + m.group(4), text)


if __name__ == "__main__":
    DOC.write_text(render(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)

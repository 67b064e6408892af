"""The live room: roll call, opening, one item at a time, opinions (chair last), recusal, written opinions,
deferral, the result, reconsideration. Load → ask voting/ → save, inside the caller's transaction.

Every service raises a typed :mod:`meeting.errors` refusal before it changes anything, and appends an event to
the log together with the change. The package's parts, each on what the one below it gives:

- ``facts``: the loaded room and item (:class:`Room`, :class:`ItemFacts`), reading only;
- ``guards``: the refusals every service checks first, and an opinion's refusal (voting/speaking.py) as its error;
- ``attendance``, ``recusals``, ``agenda``, ``opinions``, ``results``: the services.

Every name is importable from ``meeting.room`` as before the split.
"""

from .agenda import call_opinions, close_meeting, open_item, open_meeting, set_notes
from .attendance import _set_attendance, check_in, roll_call
from .facts import (
    LIVE,
    ItemFacts,
    Outcome,
    Room,
    chair_recused,
    current_round,
    item_facts,
    live_item,
    load_room,
    meeting_quorum,
    presiding_of,
    recused_ids,
)
from .floor import end_floor, give_floor, request_floor, withdraw_floor
from .guards import (
    _item_of,
    _require_in_session,
    _require_item_quorum,
    _require_meeting_in_session,
    _require_meeting_quorum,
    _require_presiding,
    _require_staff,
    refuse_opinion,
)
from .opinions import _opinion_ack, attach_written_scan, give_opinion, record_opinion, written_opinion
from .recusals import _recusal_grounds_now, add_recusal, compute_recusals, remove_recusal
from .results import _close_round, _require_all_spoken, close_item, defer_item, head_decide, reconsider, withdraw_item

__all__ = [
    "end_floor",
    "give_floor",
    "request_floor",
    "withdraw_floor",
    "LIVE",
    "ItemFacts",
    "Outcome",
    "Room",
    "_close_round",
    "_item_of",
    "_opinion_ack",
    "_recusal_grounds_now",
    "_require_all_spoken",
    "_require_in_session",
    "_require_item_quorum",
    "_require_meeting_in_session",
    "_require_meeting_quorum",
    "_require_presiding",
    "_require_staff",
    "_set_attendance",
    "add_recusal",
    "attach_written_scan",
    "call_opinions",
    "chair_recused",
    "check_in",
    "close_item",
    "close_meeting",
    "compute_recusals",
    "current_round",
    "defer_item",
    "give_opinion",
    "head_decide",
    "item_facts",
    "live_item",
    "load_room",
    "meeting_quorum",
    "open_item",
    "open_meeting",
    "presiding_of",
    "record_opinion",
    "recused_ids",
    "reconsider",
    "refuse_opinion",
    "remove_recusal",
    "roll_call",
    "set_notes",
    "withdraw_item",
    "written_opinion",
]

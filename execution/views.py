"""The ledger's pages for the office, the secretary, units and leaders (thin: validate, call a service, respond).

A refused form shows its one-sentence reason on the page it came from and changes nothing; another unit's
assignment is "not found" (404), never "forbidden", so that its existence is not disclosed.

The ``execution`` blueprint and what its pages share are in pages.py; the routes, by seam, in ledger_views.py,
report_views.py and unit_views.py. Importing this module registers them all (and the /api/v1/execution routes,
before the API blueprint is registered).
"""

from __future__ import annotations

from . import ledger_views, report_views, unit_views  # noqa: F401  (each registers its routes on bp)
from .pages import LABELS, actor_now, bp, folder, posted, uploads, zone

__all__ = ["LABELS", "actor_now", "bp", "folder", "posted", "uploads", "zone"]

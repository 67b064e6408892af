"""The supervision office's pages: reminders, accountability, people's-congress cases, exports, complaints."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("supervision", __name__)

"""Public pages (no sign-in): decisions marked public with their execution status, and complaints."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("disclosure", __name__)

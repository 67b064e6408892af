"""The ledger's pages and API for the office, the secretary, units and leaders (thin: validate, call a service)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("execution", __name__)

"""The JSON API under /api/v1 (placeholder blueprint; the full API is built in meeting/api.py)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

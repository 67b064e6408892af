"""Setting-up pages (bodies, people, relations, meetings, agenda) — built in its own change."""

from flask import Blueprint

bp = Blueprint("setup_views", __name__)

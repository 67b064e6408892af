"""Yishi (议事), the host of its parts: the application is the parts it lists, each installing itself.

Arrows point only downward: yishi (the host) → execution → minutes → meeting → voting (tests/test_structure.py).
"""

from .host import PARTS, create_app

__all__ = ["PARTS", "create_app"]

"""Yishi (议事), the host of its parts: the application is the parts it lists, each installing itself
(:mod:`yishi.host`); :mod:`yishi.cli` runs their commands.

Arrows point only downward: yishi (the host) → execution → minutes → meeting → voting (tests/test_structure.py).
This package's ``__init__`` imports nothing: run.py reads the async mode from :mod:`yishi.modes` before
monkey-patching, so nothing else may be imported by then.
"""

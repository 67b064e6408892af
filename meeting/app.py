"""``from meeting.app import create_app``, as tests, benchmarks and scripts have always written it.

The application is built by the host (:mod:`yishi.host`), above every part; this module only re-exports its factory.
Nothing in meeting/, minutes/ or execution/ imports it (tests/test_structure.py): it is the host's, kept at its old
address.
"""

from yishi.host import create_app

__all__ = ["create_app"]

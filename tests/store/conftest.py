"""Store fixtures: every store test runs on SQLite (a temporary file) and on PostgreSQL
(``make_store``, in ``tests/conftest.py``).

PostgreSQL is the server on 127.0.0.1:5432 (database ``test``, trust auth); each store gets a
schema of its own, dropped afterwards, so concurrent runs never collide. When no server answers
the PostgreSQL cases are skipped, unless ``CANONYM_REQUIRE_POSTGRES=1`` (CI), where they fail.
"""

import pytest


@pytest.fixture
def store(make_store):
    return make_store.open()

import pytest


@pytest.fixture
def scratch_database(tmp_path, django_db_setup):
    """A copy of the empty test database for child processes (a real worker, a real gunicorn), dropped after
    the test: see tests.hardening.ScratchDatabase. Mark the test django_db(transaction=True): the mark makes
    pytest-django create the test database, and no transaction of the test may hold it while it is copied."""
    from tests.hardening import ScratchDatabase

    scratch = ScratchDatabase(tmp_path)
    scratch.create()
    try:
        yield scratch
    finally:
        scratch.drop()

import os

import pytest

os.environ.setdefault("SHANZHI_TESTING", "1")


@pytest.fixture
def world(db):
    from shanzhi.core.testing import make_world

    return make_world()


@pytest.fixture
def make_user(db):
    from shanzhi.core.testing import make_user

    return make_user

from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user

from .models import User


def user_in(code: str, owner=None):
    return make_user(Role.GRID_WORKER, code)


MATRIX_FACTORIES = {User: user_in}

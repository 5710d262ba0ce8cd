"""Factories for the portal's tests and the route matrix."""

from __future__ import annotations

import itertools

from stdnum.cn import ric

from shanzhi.core import pii
from shanzhi.core.testing import make_user

from .models import BindingRequest

_seq = itertools.count(100)


def valid_id_number(birth: str = "19500101") -> str:
    """A fresh, valid resident ID number (GB 11643 check digit) born on `birth`."""
    body = f"321002{birth}{next(_seq) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 of an 18-character number


def binding_request_in(code: str, owner=None) -> BindingRequest:
    """A pending request by a new account each time (one pending request per account)."""
    number = valid_id_number()
    return BindingRequest.objects.create(user=make_user(), name="王五", region_code=code,
                                         id_number_enc=pii.encrypt(number),
                                         id_number_hash=pii.blind_index(number, purpose="id_number"))


MATRIX_FACTORIES = {BindingRequest: binding_request_in}

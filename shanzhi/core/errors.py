"""Errors that services raise and views turn into Chinese messages."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy


class ServiceError(ValidationError):
    """A write was refused; `message` is for the user, `field` names the field when there is one."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        self.field = field
        if field:
            super().__init__({field: [message]}, code=code)
        else:
            super().__init__(message, code=code)
        self.user_message = str(message)


class ConflictError(ServiceError):
    """Someone else changed the record first (optimistic concurrency).

    `expected` is the version the writer loaded, `current` the version the row has now (None when the
    row is gone or unknown); `stored` is the row as it is now, for a page that shows both sides."""

    def __init__(self, message: str | None = None, *, expected: int | None = None,
                 current: int | None = None, stored=None):
        super().__init__(message or gettext_lazy("记录已被他人修改，请刷新后重试。"), code="conflict")
        self.expected = expected
        self.current = current
        self.stored = stored


class NotAllowed(ServiceError):
    """The actor may not do this; the reason is shown to them."""

    def __init__(self, reason: str):
        super().__init__(reason, code="permission")

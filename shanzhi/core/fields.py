"""Model fields shared by every app."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator
from django.db import models


class LimitedTextField(models.TextField):
    """A TextField with a limit that fits its use. Django passes a TextField's max_length only to forms; this one
    enforces it in `full_clean` too, so pages, the API and imports all refuse a 10,000-character note alike."""

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))

"""A logging filter that masks ID numbers and mobiles in every log record (ARCHITECTURE §6: no personal
data in logs). Installed on every handler by settings.LOGGING; the access log of `runserver` included."""

from __future__ import annotations

import logging

from .masking import scrub


class ScrubPersonalNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True

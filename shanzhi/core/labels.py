"""A model field's choice labels in the active language, made once per field and language per process (a
catalogue does not change while the process runs), for pages and exports that show one label per row."""

from functools import lru_cache

from django.utils import translation
from django.utils.encoding import force_str


@lru_cache(maxsize=1024)
def _labels(field, language: str) -> dict:
    with translation.override(language):
        return {value: force_str(label, strings_only=True) for value, label in field.flatchoices}


def choice_labels(field) -> dict:
    """{value: label} of the field's choices, translated into the active language: `get_<field>_display` without
    rebuilding the choices on every call."""
    return _labels(field, translation.get_language())

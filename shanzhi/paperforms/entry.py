"""Entering a paper form that came back: which version the paper was printed from, and — when the record has
moved on since — the field-by-field difference between what the paper says and what is stored now, for the
worker to choose from. Nothing here writes: the entry page calls the record's own service, whose
`versioned_update` refuses a stale version (ConflictError), so nothing is overwritten silently."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import Http404

from shanzhi.core.forms import conflict_rows
from shanzhi.registry import printing
from shanzhi.registry.printing import PaperRef


def paper_ref(request, kind: str, pk: int) -> PaperRef | None:
    """The printed form the page was opened from (`?t=`), or None when it was opened without one. A token
    that was altered, is too old or names another form or record is refused as not found."""
    token = request.GET.get("t")
    if token is None:
        return None
    ref = printing.read_paper_token(token)
    if ref is None or ref.kind != kind or ref.pk != pk:
        raise Http404
    return ref


def _raw(field: forms.Field, value) -> str:
    """A value as the form posts it back (a checkbox: "on" or empty)."""
    if isinstance(field, forms.BooleanField):
        return "on" if value in (True, "on", "true", "True", "1") else ""
    if value is None:
        return ""
    return str(value.pk if hasattr(value, "pk") else value)


@dataclass
class ChoiceRow:
    name: str
    label: str
    paper: str        # shown
    stored: str       # shown
    paper_raw: str    # posted
    stored_raw: str   # posted
    differs: bool


def choice_rows(form: forms.Form, stored) -> list[ChoiceRow]:
    """One row per visible field of a bound, valid form: what the paper says, what is stored now, whether
    they differ, and both as the form would post them (for the radio buttons the worker chooses with)."""
    visible = [(n, f) for n, f in form.fields.items() if not isinstance(f.widget, forms.HiddenInput)]
    rows = []
    for (name, field), shown in zip(visible, conflict_rows(form, stored), strict=True):
        paper_raw = _raw(field, form.cleaned_data.get(name))
        stored_raw = _raw(field, getattr(stored, name, None))
        rows.append(ChoiceRow(name, str(field.label), str(shown["yours"]), str(shown["stored"]), paper_raw,
                              stored_raw, paper_raw != stored_raw))
    return rows

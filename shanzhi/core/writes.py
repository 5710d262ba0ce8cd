"""One way to write a row: `create_audited` for a new row, `versioned_update` for a change.

Every versioned model has an integer `version`. A change is one conditional UPDATE keyed on the
version the writer loaded (`… WHERE pk = %s AND version = expected`), which bumps the version; when
no row matches, someone else wrote first and `ConflictError` carries both versions and the stored
row. Both helpers validate with `full_clean`, turn a unique-constraint clash into a Chinese field
error, and write the audit row in the same transaction.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.expressions import CombinedExpression, F, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log

from .errors import ConflictError, ServiceError


def plain(values: dict) -> dict:
    """Values safe for audit and history data: related rows by pk, dates as text, no ciphertexts."""
    out = {}
    for k, v in values.items():
        if k.endswith(("_enc", "_hash")):
            continue
        if isinstance(v, models.Model):
            out[k] = v.pk
        elif isinstance(v, datetime.date | datetime.datetime):
            out[k] = v.isoformat()
        elif v is None or isinstance(v, str | int | float | bool):
            out[k] = v
        elif isinstance(v, Decimal | list | dict | tuple):
            out[k] = v if isinstance(v, list | dict) else str(v)
        elif hasattr(v, "resolve_expression"):
            continue
        else:
            out[k] = str(v)
    return out


def _db_values(model: type[models.Model], fields: dict) -> dict:
    """`fields` as UPDATE keywords: a related row (or None on a relation) by its column name."""
    out = {}
    for k, v in fields.items():
        f = model._meta.get_field(k)
        if f.is_relation and not hasattr(v, "resolve_expression"):
            out[f.attname] = v.pk if isinstance(v, models.Model) else v
        else:
            out[k] = v
    return out


def apply_in_memory(obj: models.Model, updates: dict) -> None:
    """Set what an UPDATE just wrote on the loaded object: plain values as they are, `F(name) + n`
    from the value loaded (the conditional UPDATE proved the row unchanged since); any other
    expression is read back from the database."""
    unresolved = []
    for name, value in updates.items():
        if isinstance(value, CombinedExpression) and value.connector == "+" \
                and isinstance(value.lhs, F) and isinstance(value.rhs, Value):
            value = getattr(obj, value.lhs.name) + value.rhs.value
        elif hasattr(value, "resolve_expression"):
            unresolved.append(name)
            continue
        f = obj._meta.get_field(name)
        # a relation given by its pk goes on the column, a related row (or None) on the field
        setattr(obj, f.attname if f.is_relation and value is not None and not isinstance(value, models.Model)
                else name, value)
    if unresolved:
        obj.refresh_from_db(fields=[obj._meta.get_field(n).attname for n in unresolved])


def clean_or_refuse(obj: models.Model, exclude=None, *, unique: bool = False) -> None:
    """`full_clean` (uniqueness left to the database unless `unique`), its first error as a ServiceError
    on its field."""
    try:
        obj.full_clean(exclude=exclude or None, validate_unique=unique, validate_constraints=unique)
    except ValidationError as e:
        if isinstance(e, ServiceError):
            raise
        errors = getattr(e, "error_dict", None) or {None: e.error_list}
        name, problems = next(iter(errors.items()))
        label = obj._meta.get_field(name).verbose_name if name and name != NON_FIELD_ERRORS else ""
        message = next(iter(ValidationError(problems).messages))
        raise ServiceError(f"{label}：{message}" if label else message,
                           field=name if name != NON_FIELD_ERRORS else None) from None


def conflict(model: type[models.Model], pk, expected: int | None, message: str = "") -> ConflictError:
    """The error for a conditional UPDATE that matched no row: both versions and the stored row."""
    stored = model._default_manager.filter(pk=pk).first()
    kwargs = {"expected": expected, "current": getattr(stored, "version", None), "stored": stored}
    return ConflictError(message, **kwargs) if message else ConflictError(**kwargs)


def conditional_update(obj: models.Model, expected_version: int, updates: dict, *, where: dict | None = None,
                       version_field: str = "version", conflict_message: str = "",
                       duplicate_message: str = "", duplicate_field: str | None = None) -> models.Model:
    """The bare write: UPDATE `updates` (plus version + 1 and auto_now columns) WHERE pk, version and
    `where` match; ConflictError when no row did. Sets the written values on `obj`. No audit row —
    `versioned_update` and the workflow helper add their own."""
    model = type(obj)
    updates = {**updates, version_field: expected_version + 1}
    for f in model._meta.concrete_fields:  # an UPDATE skips auto_now; set it as save() would
        if getattr(f, "auto_now", False):
            updates.setdefault(f.name, timezone.now())
    try:
        with transaction.atomic():
            n = model._default_manager.filter(pk=obj.pk, **{version_field: expected_version}, **(where or {})
                                              ).update(**_db_values(model, updates))
    except IntegrityError:
        raise ServiceError(duplicate_message or _("与已有记录重复"), field=duplicate_field) from None
    if n != 1:
        raise conflict(model, obj.pk, expected_version, conflict_message)
    apply_in_memory(obj, updates)
    return obj


def versioned_update(obj: models.Model, expected_version: int | None, *, actor, action: str = "",
                     where: dict | None = None, validate: bool = True, audit: bool = True,
                     before: dict | None = None, after: dict | None = None, reason: str = "",
                     conflict_message: str = "", actor_name: str = "",
                     duplicate_message: str = "", duplicate_field: str | None = None, **fields) -> models.Model:
    """Change `fields` on `obj` if its row still has `expected_version` (None: the version `obj` carries).

    Validates the new values (`full_clean`, uniqueness left to the database), writes them with one
    conditional UPDATE that bumps the version, and writes the audit row (`action`, default
    `<app>.<model>.update`) with the values before and after. Raises ConflictError (with
    `expected`, `current` and `stored`) when someone wrote first, ServiceError on a duplicate."""
    model = type(obj)
    expected = obj.version if expected_version is None else expected_version
    before = plain({k: getattr(obj, k) for k in fields}) if before is None else before
    with transaction.atomic():
        if validate:
            for k, v in fields.items():
                if not hasattr(v, "resolve_expression"):
                    setattr(obj, k, v)
            clean_or_refuse(obj, exclude=[k for k, v in fields.items() if hasattr(v, "resolve_expression")])
        conditional_update(obj, expected, fields, where=where, conflict_message=conflict_message,
                           duplicate_message=duplicate_message, duplicate_field=duplicate_field)
        if audit:
            audit_log(actor=actor, action=action or f"{model._meta.app_label}.{model._meta.model_name}.update",
                      obj=obj, before=before, after=plain(fields) if after is None else after, reason=reason,
                      actor_name=actor_name)
    return obj


def save_audited(obj: models.Model, *, actor, action: str = "", after: dict | None = None, audit_obj=None,
                 object_repr: str = "", unique: bool = True, validate: bool = True, duplicate_message: str = "",
                 duplicate_field: str | None = None) -> models.Model:
    """Insert a new row built by the caller: validate (with its unique checks unless `unique=False`), save in
    a savepoint (a unique clash becomes `duplicate_message` on `duplicate_field`) and write the audit row —
    on `audit_obj` when the change is told on a parent record (a comment on its topic). `object_repr` may
    name the new row's "{pk}" (for rows whose text must not reach the audit log)."""
    if validate:
        clean_or_refuse(obj, unique=unique)
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError:
        raise ServiceError(duplicate_message or _("与已有记录重复"), field=duplicate_field) from None
    target = audit_obj if audit_obj is not None else obj
    audit_log(actor=actor, action=action or f"{obj._meta.app_label}.{obj._meta.model_name}.create", obj=target,
              object_repr=object_repr.format(pk=obj.pk), after=after or {})
    return obj


def create_audited(model: type[models.Model], *, actor, action: str = "", audit_after: dict | None = None,
                   duplicate_message: str = "", duplicate_field: str | None = None, validate: bool = True,
                   **fields) -> models.Model:
    """Insert a row of `model` with `fields`: validate, save in a savepoint (a unique clash becomes
    `duplicate_message` on `duplicate_field`) and write the audit row (`action`, default
    `<app>.<model>.create`)."""
    return save_audited(model(**fields), actor=actor, action=action, validate=validate, unique=False,
                        after=plain(fields) if audit_after is None else audit_after,
                        duplicate_message=duplicate_message, duplicate_field=duplicate_field)

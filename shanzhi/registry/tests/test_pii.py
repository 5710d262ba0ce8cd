"""Personal data at rest: no plaintext in a raw dump of the registry tables; key rotation re-encrypts."""

import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from shanzhi.core import pii
from shanzhi.registry import services as s
from shanzhi.registry.models import Person, Unit

pytestmark = pytest.mark.django_db


def raw_dump() -> str:
    """Every text-like column of every registry (and audit) table, read with plain SQL."""
    chunks = []
    models = [*apps.get_app_config("registry").get_models(), *apps.get_app_config("audit").get_models()]
    with connection.cursor() as cur:
        for model in models:
            cols = [f.column for f in model._meta.concrete_fields
                    if f.get_internal_type() in {"CharField", "TextField", "JSONField"}]
            if not cols:
                continue
            cur.execute(f"SELECT {', '.join(connection.ops.quote_name(c) for c in cols)} "
                        f"FROM {connection.ops.quote_name(model._meta.db_table)}")
            chunks += [" ".join(str(v) for v in row) for row in cur.fetchall()]
    return "\n".join(chunks)


def test_raw_database_has_no_plaintext_numbers(world, worker, leader, place, ids):
    _, d, h = place
    numbers = [ids(seq=i) for i in range(1, 4)]
    phones = ["13812345678", "13987654321", "051487650000"]
    for i, (n, p) in enumerate(zip(numbers, phones, strict=True)):
        person = s.person_create(actor=worker, name=f"居民{i}", dwelling=d, household=h, id_number=n, phone=p)
    s.person_update(actor=worker, person=person, phone="13700001111")
    s.person_reveal(actor=leader, person=person, field="id_number", reason="核对")
    s.unit_create(actor=worker, region_code=world.grid.code, name="某店", contact_phone="13600002222")
    dump = raw_dump()
    assert "居民0" in dump  # the dump really reads the rows
    for secret in [*numbers, *phones, "13700001111", "13600002222", numbers[0][-8:]]:
        assert secret not in dump


def test_keys_rotate_reencrypts_every_row(world, worker, place, ids, tmp_path, settings, capsys):
    settings.SHANZHI_KEY_FILE = tmp_path / "keys.json"
    pii.create_key_file(settings.SHANZHI_KEY_FILE)
    pii.keyring.cache_clear()
    try:
        _, d, _ = place
        people = [s.person_create(actor=worker, name=f"甲{i}", dwelling=d, id_number=ids(seq=i),
                                  phone=f"1390000{i:04d}") for i in range(1, 8)]
        unit = s.unit_create(actor=worker, region_code=world.grid.code, name="某店", contact_phone="13600002222")
        assert {pii.key_id(p.id_number_enc) for p in Person.objects.all()} == {"1"}
        call_command("keys", "rotate", "--batch", "3")
        out = json.loads(capsys.readouterr().out.splitlines()[-1])
        assert out["current_key"] == "2" and out["reencrypted"]["registry.person"] == 7
        for p in Person.objects.all():
            assert pii.key_id(p.id_number_enc) == "2" and pii.key_id(p.phone_enc) == "2"
        assert pii.key_id(Unit.objects.get().contact_phone_enc) == "2"
        assert {pii.decrypt(p.id_number_enc) for p in Person.objects.all()} == {ids(seq=i) for i in range(1, 8)}
        assert Unit.objects.get(pk=unit.pk).contact_phone_masked == "136********"
        # blind indexes are unchanged, so lookups still work
        assert Person.objects.filter(id_number_hash=s.id_number_hash(ids(seq=3))).get() == people[2]
        call_command("keys", "status")
        status = json.loads(capsys.readouterr().out)
        assert status["fields"]["person.id_number_enc"] == {"v2": 7}
    finally:
        pii.keyring.cache_clear()

"""The import's fast path (COPY on PostgreSQL, executemany on SQLite; batched encryption and blind indexes; the
registry events made by one INSERT … SELECT on PostgreSQL) writes what the services write: a person imported
this way is found by ID-number lookup, decrypts equal, is found by phone, and has its creation event."""

import pytest
from django.db import IntegrityError, connection
from stdnum.cn import ric

from shanzhi.audit.models import AuditEvent
from shanzhi.core import pii
from shanzhi.core.errors import ServiceError
from shanzhi.registry import choices as c
from shanzhi.registry import importing
from shanzhi.registry.importing import import_run
from shanzhi.registry.models import Person, RegistryEvent
from shanzhi.registry.selectors import person_by_id_number

pytestmark = pytest.mark.django_db

HEAD = "姓名,证件号码,联系电话,人口类型,出生日期,民族\n"


def csv_bytes(rows):
    return (HEAD + "".join(",".join(r) + "\n" for r in rows)).encode()


def test_encrypt_many_and_blind_indexes_equal_the_one_by_one_functions():
    values = ["321002198005170011", "", "13800001234", None, "0514-87654321"]
    tokens = pii.encrypt_many(values)
    assert [pii.decrypt(t) for t in tokens] == [v or "" for v in values]
    assert tokens[1] == tokens[3] == ""
    assert len({t for t in tokens if t}) == 3  # each value its own nonce
    assert all(t.startswith(f"v{pii.keyring()['current']}:") for t in tokens if t)
    assert pii.blind_indexes(values, purpose="phone") == [pii.blind_index(v, purpose="phone") for v in values]


def test_fast_path_person_is_found_by_id_number_and_phone_and_decrypts_equal(worker, ids):
    rows = [[f"张{i}", ids(seq=i, male=i % 3 == 0), f"1380000{i:04d}" if i % 3 else "",
             "流动人口" if i % 2 else "户籍人口", "", "汉族"] for i in range(1, 41)]
    report = import_run(actor=worker, kind="persons", data=csv_bytes(rows), filename="p.csv",
                        region_code="321002004001001")
    assert (report["created"], report["rejected"]) == (40, 0), report["errors"]

    for i, (name, number, phone, _kind, _birth, _eth) in enumerate(rows, start=1):
        person = person_by_id_number(actor=worker, id_number=number)
        assert person is not None and person.name == name
        assert pii.decrypt(person.id_number_enc) == number
        assert person.id_number_hash == pii.blind_index(number, purpose="id_number")
        assert person.sex == (c.Sex.MALE if int(number[16]) % 2 else c.Sex.FEMALE)
        assert person.residence_type == (c.ResidenceType.FLOATING if i % 2 else c.ResidenceType.REGISTERED)
        assert person.name_pinyin == "zhang" and person.version == 1
        if phone:
            assert pii.decrypt(person.phone_enc) == phone
            assert Person.objects.get(phone_hash=pii.blind_index(phone, purpose="phone")) == person
        else:
            assert person.phone_enc == person.phone_hash == ""

    events = RegistryEvent.objects.filter(kind=c.EventKind.CREATE)
    assert events.count() == 40
    assert set(events.values_list("person_id", flat=True)) == set(Person.objects.values_list("pk", flat=True))
    event = events.select_related("person").first()
    assert (event.actor, event.region_code, event.summary, event.data) == (
        worker, event.person.region_code, "批量导入", {})
    assert event.at is not None
    assert AuditEvent.objects.filter(action="registry.import.persons").count() == 1

    again = import_run(actor=worker, kind="persons", data=csv_bytes(rows), filename="p.csv",
                       region_code="321002004001001")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 40)
    assert RegistryEvent.objects.count() == 40


def test_dry_run_writes_and_encrypts_nothing(worker, ids, monkeypatch):
    sealed = []
    monkeypatch.setattr(pii, "encrypt_many", lambda values: sealed.append(values) or [])
    report = import_run(actor=worker, kind="persons", data=csv_bytes([["李四", ids(seq=1), "13800001234", "", "", ""]]),
                        filename="p.csv", region_code="321002004001001", dry_run=True)
    assert report["created"] == 1 and not sealed
    assert not Person.objects.exists() and not RegistryEvent.objects.exists()


def test_a_failure_while_writing_leaves_nothing_written(worker, ids, monkeypatch):
    def clash(**kwargs):
        raise IntegrityError("someone registered the same number meanwhile")

    monkeypatch.setattr(importing, "occupancy_follow_residents", clash)
    rows = [[f"王{i}", ids(seq=i), "13800001234", "", "", ""] for i in range(1, 6)]
    with pytest.raises(ServiceError, match="冲突"):
        import_run(actor=worker, kind="persons", data=csv_bytes(rows), filename="p.csv",
                   region_code="321002004001001")
    assert not Person.objects.exists() and not RegistryEvent.objects.exists()
    assert not AuditEvent.objects.filter(action="registry.import.persons").exists()


def test_streamed_rows_whose_number_was_not_looked_up_first_are_planned_after(worker, ids, monkeypatch):
    """PostgreSQL's streamed path reads the existing persons by the rows' numbers before checking them; a row whose
    checked number is not among those is looked up and written after the COPY, with the same outcome."""
    if connection.vendor != "postgresql":
        pytest.skip("the streamed path is PostgreSQL's")
    rows = [[f"赵{i}", ids(seq=i), "", "", "", ""] for i in range(1, 9)]
    first = import_run(actor=worker, kind="persons", data=csv_bytes(rows[:4]), filename="p.csv",
                       region_code="321002004001001")
    assert first["created"] == 4
    monkeypatch.setattr(importing, "_candidate_numbers", lambda rows: [])
    rows[0][0] = "赵一"  # an existing person, changed
    rows.append(rows[5][:])  # a repeated number
    report = import_run(actor=worker, kind="persons", data=csv_bytes(rows), filename="p.csv",
                        region_code="321002004001001")
    assert (report["created"], report["updated"], report["unchanged"], report["rejected"]) == (4, 1, 3, 1)
    assert "第 7 行" in report["errors"][0]["message"]
    assert Person.objects.count() == 8 and RegistryEvent.objects.count() == 9
    assert pii.decrypt(person_by_id_number(actor=worker, id_number=rows[7][1]).id_number_enc) == rows[7][1]


@pytest.mark.parametrize("dry_run", [True, False])
def test_bad_id_numbers_are_rejected_with_their_row_and_field_in_every_chunk(worker, ids, monkeypatch, dry_run):
    """The ID numbers are checked a chunk at a time (validators.parse_id_numbers): a bad number anywhere, in the
    first or a later chunk, is still rejected with its row and the 证件号码 field, and only the good rows are
    written."""
    monkeypatch.setattr(importing, "STREAM_CHUNK", 3)
    good = [ids(seq=i) for i in range(1, 9)]
    rows = [[f"钱{i}", number, "", "", "", ""] for i, number in enumerate(good)]
    rows[1][1] = good[1][:17] + ("0" if good[1][17] != "0" else "1")  # check digit
    rows[4][1] = "12345"  # length
    no_day = "32100219801332001"
    rows[6][1] = no_day + ric.calc_check_digit(no_day + "0")  # no such day
    rows[7][4] = "1999-01-01"  # birth date disagrees with the number
    report = import_run(actor=worker, kind="persons", data=csv_bytes(rows), filename="p.csv",
                        region_code="321002004001001", dry_run=dry_run)
    by_row = {e["row"]: e for e in report["errors"]}
    assert sorted(by_row) == [3, 6, 8, 9]  # the header is row 1
    assert [by_row[r]["field"] for r in (3, 6, 8)] == ["证件号码"] * 3 and by_row[9]["field"] == "出生日期"
    assert "校验位" in by_row[3]["message"] and "18 位" in by_row[6]["message"]
    assert "出生日期无效" in by_row[8]["message"] and "不一致" in by_row[9]["message"]
    assert (report["created"], report["rejected"]) == (4, 4)
    assert Person.objects.count() == (0 if dry_run else 4)
    assert RegistryEvent.objects.filter(kind=c.EventKind.CREATE).count() == (0 if dry_run else 4)


def test_person_and_event_indexes_are_the_declared_ones():
    """registry_person's uniqueness of the ID number survives the index migration (AlterField would have dropped
    it), and the database holds the indexes the models declare, no more."""
    with connection.cursor() as cursor:
        person = connection.introspection.get_constraints(cursor, Person._meta.db_table)
        event = connection.introspection.get_constraints(cursor, RegistryEvent._meta.db_table)
    assert person["uniq_person_id_number"]["unique"] and person["uniq_person_id_number"]["columns"] == ["id_number_hash"]
    declared = {i.name for i in Person._meta.indexes} | {"uniq_person_id_number"}
    assert declared <= set(person)
    assert {i.name for i in RegistryEvent._meta.indexes} <= set(event)
    if connection.vendor == "postgresql":
        person_indexes = {n for n, d in person.items() if d["index"] or d["unique"]}
        assert len(person_indexes) == 15, sorted(person_indexes)
        assert not [n for n in person_indexes | set(event) if n.endswith("_like")]

"""Restore drill: back up, wipe the database and the uploads, restore, and every table's checksum (row count
and hash of its rows in primary-key order) and a revealed ID number match — on SQLite and PostgreSQL.
The keys go to a file of their own, never next to the data archives."""

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from shanzhi.core import backup as b
from shanzhi.core.roles import Role
from shanzhi.registry import services as s
from shanzhi.registry.models import Person
from shanzhi.registry.tests.conftest import make_id


def wipe_database():
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")
        for table in tables:
            cascade = " CASCADE" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}{cascade}")
    with connection.cursor() as cursor:
        assert connection.introspection.table_names(cursor) == []


@pytest.mark.skipif(connection.vendor == "postgresql" and not b.shutil.which("pg_dump"), reason="no pg_dump")
def test_restore_drill(transactional_db, world, make_user, tmp_path, settings):
    settings.SHANZHI_BACKUP_DIR = tmp_path / "backups"
    worker, leader = make_user(Role.GRID_WORKER, world.grid.code), make_user(Role.GRID_LEADER, world.grid.code)
    building = s.building_create(actor=worker, region_code=world.grid.code, name="3栋", floors=6)
    dwelling = s.dwelling_create(actor=worker, building=building, room="501")
    number = make_id(seq=7)
    person = s.person_create(actor=worker, name="甲", dwelling=dwelling, id_number=number, phone="13900001111")
    photo = default_storage.save("cases/photo.jpg", ContentFile(b"\xff\xd8 not really a jpeg"))
    before = b.table_checksums()
    assert before["registry_person"]["rows"] == 1 and before["audit_auditevent"]["rows"] >= 3

    call_command("backup")
    archive = next(settings.SHANZHI_BACKUP_DIR.glob("shanzhi-*.tar.gz"))
    assert archive.stat().st_mode & 0o777 == 0o600

    wipe_database()
    default_storage.delete(photo)
    call_command("restore", str(archive))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = ON")

    assert b.table_checksums() == before
    assert default_storage.open(photo).read() == b"\xff\xd8 not really a jpeg"
    restored = Person.objects.get(pk=person.pk)
    assert s.person_reveal(actor=leader, person=restored, field="id_number", reason="核对") == number


def test_restore_reports_tables_that_do_not_match(db, tmp_path, world, monkeypatch):
    """The check after a restore is not vacuous: a table that differs from the manifest fails the restore."""
    manifest = {"format": 1, "engine": connection.vendor, "tables": b.table_checksums()}
    manifest["tables"]["regions_region"]["rows"] += 1
    archive = tmp_path / "shanzhi-x.tar.gz"
    data = json.dumps(manifest).encode()
    with b.tarfile.open(archive, "w:gz") as tar:
        info = b.tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, b.io.BytesIO(data))
    monkeypatch.setattr(b, "_restore_database", lambda *args: None)  # the database as it is now
    with pytest.raises(CommandError, match="differ from the backup: regions_region$"):
        call_command("restore", str(archive))


def test_keys_are_backed_up_apart_from_the_data(db, tmp_path, settings):
    settings.SHANZHI_BACKUP_DIR = tmp_path / "backups"
    (tmp_path / "backups").mkdir()
    with pytest.raises(CommandError, match="data backup folder"):
        call_command("backup", keys=str(tmp_path / "backups" / "keys.json"))
    elsewhere = tmp_path / "vault"
    elsewhere.mkdir()
    (elsewhere / "old.tar.gz").write_bytes(b"")
    with pytest.raises(CommandError, match="never be kept together"):
        call_command("backup", keys=str(elsewhere / "keys.json"))
    (elsewhere / "old.tar.gz").unlink()
    call_command("backup", keys=str(elsewhere / "shanzhi-keys.json"))
    saved = elsewhere / "shanzhi-keys.json"
    assert json.loads(saved.read_text()) == json.loads(settings.SHANZHI_KEY_FILE.read_text())
    assert saved.stat().st_mode & 0o777 == 0o600
    with pytest.raises(CommandError, match="never be kept together"):  # and no data archive beside the keys
        call_command("backup", output=str(elsewhere / "data.tar.gz"))
    assert not (elsewhere / "data.tar.gz").exists()
    # restoring the keys onto a fresh installation
    settings.SHANZHI_KEY_FILE = tmp_path / "var" / "keys.json"
    call_command("restore", keys=str(saved))
    assert settings.SHANZHI_KEY_FILE.read_text() == saved.read_text()
    (tmp_path / "other-keys.json").write_text(json.dumps({"current": "1", "keys": {"1": "x"}, "blind": "y"}))
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", keys=str(tmp_path / "other-keys.json"))

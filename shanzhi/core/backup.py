"""Backup and restore of the database and the uploaded files; the encryption keys go to a separate file.

A data archive (tar.gz) holds `manifest.json` (engine, time, and each table's row count and SHA-256 of its
rows ordered by primary key), the database (`database.sqlite3` through SQLite's online backup API, or
`database.pgdump` from pg_dump's custom format) and `media/` (the uploads). Restore puts them back and
then checks every table against the manifest. The keys are never in a data archive: `backup --keys`
writes them to a file of their own and refuses a folder that holds data archives (and the reverse)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from shanzhi.core import pii

DB_SQLITE, DB_PGDUMP = "database.sqlite3", "database.pgdump"
ARCHIVE_GLOB, KEYS_GLOB = "*.tar.gz", "*keys*.json"


class BackupError(Exception):
    pass


# --- checksums -----------------------------------------------------------------------------------------
def table_checksums() -> dict[str, dict]:
    """{table: {"rows": n, "sha256": hex}} for every table, rows ordered by primary key (or all columns)."""
    out = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            pk = connection.introspection.get_primary_key_column(cursor, table)
            quoted = connection.ops.quote_name(table)
            order = connection.ops.quote_name(pk) if pk else ", ".join(
                str(i + 1) for i in range(len(connection.introspection.get_table_description(cursor, table))))
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY {order}")  # noqa: S608 - names from introspection
            digest, rows = hashlib.sha256(), 0
            for row in cursor.fetchall():
                digest.update(json.dumps([bytes(v).hex() if isinstance(v, bytes | memoryview) else v for v in row],
                                         default=str, ensure_ascii=False).encode())
                rows += 1
            out[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return out


# --- where files may go --------------------------------------------------------------------------------
def _refuse_mixing(folder: Path, *, writing_keys: bool) -> None:
    other = ARCHIVE_GLOB if writing_keys else KEYS_GLOB
    if writing_keys and folder.resolve() == Path(settings.SHANZHI_BACKUP_DIR).resolve():
        raise BackupError(f"{folder} is the data backup folder: keep the keys somewhere else")
    if any(folder.glob(other)):
        what = "data archives" if writing_keys else "key backups"
        raise BackupError(f"{folder} holds {what}: keys and data must never be kept together")


def media_root() -> Path:
    return Path(getattr(default_storage, "location", settings.MEDIA_ROOT))


# --- backup --------------------------------------------------------------------------------------------
def _pg_env() -> tuple[list[str], dict]:
    s = connection.settings_dict
    args = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        args += ["--host", s["HOST"]]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    env = {**os.environ, **({"PGPASSWORD": s["PASSWORD"]} if s.get("PASSWORD") else {})}
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return path


def _dump_database(workdir: Path) -> Path:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = workdir / DB_SQLITE
        with sqlite3.connect(target) as dest:
            connection.connection.backup(dest)  # consistent while the site keeps writing
        dest.close()
        return target
    if connection.vendor == "postgresql":
        target = workdir / DB_PGDUMP
        args, env = _pg_env()
        command = [_tool("pg_dump"), "--format=custom", "--file", str(target), *args]
        result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603 - fixed tool and names
        if result.returncode:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()[-500:]}")
        return target
    raise BackupError(f"no backup for {connection.vendor}")


def backup(output: Path) -> dict:
    output.parent.mkdir(parents=True, exist_ok=True)
    _refuse_mixing(output.parent, writing_keys=False)
    manifest = {"format": 1, "created": timezone.now().isoformat(), "engine": connection.vendor,
                "tables": table_checksums()}
    media = media_root()
    with tempfile.TemporaryDirectory() as tmp:
        db_file = _dump_database(Path(tmp))
        partial = output.with_name(output.name + ".part")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            if media.is_dir():
                tar.add(media, arcname="media")
        os.chmod(partial, 0o600)
        os.replace(partial, output)
    return manifest


def backup_keys(output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    _refuse_mixing(output.parent, writing_keys=True)
    if env_keys := os.environ.get("SHANZHI_PII_KEYS"):
        data = json.dumps({"current": os.environ.get("SHANZHI_PII_CURRENT_KEY", max(json.loads(env_keys), key=int)),
                           "keys": json.loads(env_keys), "blind": os.environ["SHANZHI_BLIND_INDEX_KEY"]})
    else:
        data = Path(settings.SHANZHI_KEY_FILE).read_text()
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(data)


# --- restore -------------------------------------------------------------------------------------------
def _restore_database(tar: tarfile.TarFile, workdir: Path, engine: str) -> None:
    if engine != connection.vendor:
        raise BackupError(f"the archive is a {engine} backup; this installation uses {connection.vendor}")
    name = DB_SQLITE if engine == "sqlite" else DB_PGDUMP
    tar.extract(name, workdir, filter="data")
    if engine == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(workdir / name) as src:
            src.backup(connection.connection)  # replaces every page of the live database
        src.close()
    else:
        args, env = _pg_env()
        command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
                   *args, str(workdir / name)]
        result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603 - fixed tool and names
        if result.returncode:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[-500:]}")
    connection.close()


def restore(archive: Path) -> dict:
    """Restore the database and the uploads; returns {"tables": n, "mismatched": [table, …]}."""
    with tarfile.open(archive, "r:gz") as tar, tempfile.TemporaryDirectory() as tmp:
        manifest = json.load(tar.extractfile("manifest.json"))
        _restore_database(tar, Path(tmp), manifest["engine"])
        media = media_root()
        members = [m for m in tar.getmembers() if m.name == "media" or m.name.startswith("media/")]
        if members:
            tar.extractall(tmp, members=members, filter="data")
            shutil.copytree(Path(tmp) / "media", media, dirs_exist_ok=True)

    ContentType.objects.clear_cache()
    now = table_checksums()
    mismatched = sorted(t for t, v in manifest["tables"].items() if now.get(t) != v)
    return {"tables": len(manifest["tables"]), "mismatched": mismatched}


def restore_keys(source: Path, *, force: bool = False) -> Path:
    raw = json.loads(source.read_text())
    if not {"current", "keys", "blind"} <= set(raw):
        raise BackupError(f"{source} is not a shanzhi key file")
    target = Path(settings.SHANZHI_KEY_FILE)
    if target.exists() and target.read_text() != source.read_text() and not force:
        raise BackupError(f"{target} exists with other keys; --force replaces it (data encrypted with them is lost)")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(source.read_text())
    os.replace(target.with_suffix(".tmp"), target)

    pii.keyring.cache_clear()
    return target

"""Uploaded import files kept between the dry run and the commit: encrypted at rest (AES-256-GCM with the PII key
ring's current key), written with mode 600 under media/imports/, and named by a random file id that is all a
background task is given. `uploads_cleanup` (core.importing) deletes them after SHANZHI_IMPORT_KEEP_DAYS.

Stored form: b"SZU1" | key id length (1 byte) | key id | nonce (12) | AES-GCM(len(meta) (4) | meta JSON | data),
with the file id as associated data, so a file renamed to another id does not decrypt.
"""

from __future__ import annotations

import json
import os
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files.storage import default_storage

from . import pii

ROOT = "imports"
MAGIC = b"SZU1"


@dataclass(frozen=True)
class StoredUpload:
    file_id: str
    data: bytes
    filename: str
    tag: str


def _name(file_id: str, root: str = ROOT) -> str:
    if not root.isidentifier():
        raise ValueError("an upload root is a plain folder name")
    return f"{root}/{uuid.UUID(str(file_id))}.bin"


def _path(file_id: str, root: str = ROOT) -> Path:
    return Path(default_storage.path(_name(file_id, root)))


def upload_store(data: bytes, filename: str, tag: str = "", *, root: str = ROOT) -> str:
    """Encrypt and keep an uploaded file; returns its file id. Imports keep theirs under `imports/`, which
    `uploads_cleanup` empties after some days; files kept for good (a project's invoices) name their own root."""
    file_id = str(uuid.uuid4())
    meta = json.dumps({"filename": filename[-120:], "tag": tag}).encode()
    plain = len(meta).to_bytes(4, "big") + meta + data
    ring = pii.keyring()
    kid = ring["current"].encode()
    nonce = secrets.token_bytes(12)
    blob = MAGIC + bytes([len(kid)]) + kid + nonce + AESGCM(ring["keys"][ring["current"]]).encrypt(
        nonce, plain, file_id.encode())
    path = _path(file_id, root)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(blob)
    return file_id


def upload_load(file_id: str | None, *, root: str = ROOT) -> StoredUpload | None:
    """The kept file, or None when it is gone (cleaned up), unknown or unreadable."""
    try:
        blob = _path(str(file_id), root).read_bytes()
    except (ValueError, TypeError, OSError):
        return None
    if not blob.startswith(MAGIC):
        return None
    n = blob[4]
    kid, nonce, body = blob[5:5 + n].decode(), blob[5 + n:17 + n], blob[17 + n:]
    key = pii.keyring()["keys"].get(kid)
    if key is None:
        return None
    try:
        plain = AESGCM(key).decrypt(nonce, body, str(file_id).encode())
    except InvalidTag:
        return None
    size = int.from_bytes(plain[:4], "big")
    meta = json.loads(plain[4:4 + size])
    return StoredUpload(str(file_id), plain[4 + size:], meta["filename"], meta.get("tag", ""))


def upload_delete(file_id: str) -> None:
    try:
        _path(file_id).unlink(missing_ok=True)
    except ValueError:
        pass


def file_id_of(name: str) -> str | None:
    """The file id of a stored name (imports/<id>.bin), else None."""
    stem = name.rsplit("/", 1)[-1].removesuffix(".bin")
    try:
        return str(uuid.UUID(stem)) if name.endswith(".bin") else None
    except ValueError:
        return None

"""Personal information at rest (ARCHITECTURE §6).

- Values (ID numbers, phones) are encrypted with AES-256-GCM. The ciphertext is stored as
  `v<key id>:<base64(nonce | ciphertext+tag)>`, so keys can be rotated: new writes use the current
  key, old rows stay readable until `shanzhi keys rotate` re-encrypts them.
- A keyed HMAC-SHA256 "blind index" of the normalised value gives exact lookup and uniqueness
  without decrypting. Its key is separate from the encryption keys and is not rotated (rotating it
  would mean recomputing every index; `keys rotate --blind-index` does that deliberately).
- Keys live outside the database: in SHANZHI_KEY_FILE (JSON, mode 600, written once by `shanzhi init`) or
  in the environment (SHANZHI_PII_KEYS='{"1": "<base64>"}', SHANZHI_BLIND_INDEX_KEY='<base64>').
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import secrets
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from .masking import mask_id_number, mask_phone  # noqa: F401 - masks live with the candidate count


class KeyError_(Exception):
    pass


def _new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


@lru_cache(maxsize=1)
def keyring() -> dict:
    """{"current": "2", "keys": {"1": b"...", "2": b"..."}, "blind": b"..."}"""
    env_keys = os.environ.get("SHANZHI_PII_KEYS")
    if env_keys:
        keys = json.loads(env_keys)
        blind = os.environ.get("SHANZHI_BLIND_INDEX_KEY")
        if not blind:
            raise KeyError_("SHANZHI_BLIND_INDEX_KEY must be set with SHANZHI_PII_KEYS")
        current = os.environ.get("SHANZHI_PII_CURRENT_KEY", max(keys, key=int))
        raw = {"current": current, "keys": keys, "blind": blind}
    else:
        path = settings.SHANZHI_KEY_FILE
        if not path.exists():  # never a new key here: it would make every stored value unreadable
            raise KeyError_(f"the personal-data key file {path} is missing: restore it, or run `shanzhi init`"
                            " on a new installation")
        raw = json.loads(path.read_text())
    return {
        "current": str(raw["current"]),
        "keys": {str(k): base64.b64decode(v) for k, v in raw["keys"].items()},
        "blind": base64.b64decode(raw["blind"]),
    }


def create_key_file(path) -> bool:
    """Write a new key file (one encryption key, one blind-index key) unless one exists; True if written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = {"current": "1", "keys": {"1": _new_key()}, "blind": _new_key()}
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as fh:
        json.dump(raw, fh)
    return True


def add_key() -> str:
    """Add a new current encryption key to the key file; returns its id."""
    path = settings.SHANZHI_KEY_FILE
    raw = json.loads(path.read_text())
    new_id = str(max(int(k) for k in raw["keys"]) + 1)
    raw["keys"][new_id] = _new_key()
    raw["current"] = new_id
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(raw, fh)
    os.replace(tmp, path)
    keyring.cache_clear()
    return new_id


@lru_cache(maxsize=8)
def _aead(key: bytes) -> AESGCM:
    """One cipher object per key (its key schedule is set up once, not per value)."""
    return AESGCM(key)


def encrypt(value: str | None) -> str:
    if not value:
        return ""
    ring = keyring()
    kid = ring["current"]
    nonce = secrets.token_bytes(12)
    ct = _aead(ring["keys"][kid]).encrypt(nonce, value.encode(), None)
    return f"v{kid}:" + base64.b64encode(nonce + ct).decode()


def decrypt(token: str | None) -> str:
    if not token:
        return ""
    head, _, body = token.partition(":")
    kid = head[1:]
    key = keyring()["keys"].get(kid)
    if key is None:
        raise KeyError_(f"encryption key {kid} is missing from the key ring")
    blob = base64.b64decode(body)
    return _aead(key).decrypt(blob[:12], blob[12:], None).decode()


def key_id(token: str) -> str:
    return token.partition(":")[0][1:] if token else ""


def blind_index(value: str | None, *, purpose: str) -> str:
    """Hex HMAC of `purpose:value`; the same value gives the same index, so it can be unique."""
    if not value:
        return ""
    return hmac.digest(keyring()["blind"], f"{purpose}:{value}".encode(), "sha256").hex()  # one-shot, in C


def encrypt_many(values) -> list[str]:
    """[encrypt(v) for v in values], for bulk writes (imports): the key is looked up and the random nonces are
    read once for the lot; each value still gets its own nonce, so the tokens are exactly encrypt()'s."""
    values = list(values)
    ring = keyring()
    kid = ring["current"]
    seal, head, b64 = _aead(ring["keys"][kid]).encrypt, f"v{kid}:", base64.b64encode
    nonces = secrets.token_bytes(12 * len(values))
    out = []
    for i, value in enumerate(values):
        if not value:
            out.append("")
            continue
        nonce = nonces[12 * i:12 * i + 12]
        out.append(head + b64(nonce + seal(nonce, value.encode(), None)).decode())
    return out


def blind_indexes(values, *, purpose: str) -> list[str]:
    """[blind_index(v, purpose=purpose) for v in values] with the key looked up once."""
    key, prefix, digest = keyring()["blind"], f"{purpose}:", hmac.digest
    return [digest(key, (prefix + value).encode(), "sha256").hex() if value else "" for value in values]

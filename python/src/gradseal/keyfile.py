"""Key files in the format of ``gradseal keygen`` / ``gradseal enrol`` (spec/node.md §3).

A file is ``b"gradseal" ‖ version 0x01 ‖ kind ‖ body``, at most 4096 bytes; the bodies are the
Rust encodings (spec/clsc.md §4), so files written here are read by the ``gradseal`` command
and the reverse. Secret kinds are written with mode 0600, public ones 0644, through a
temporary file renamed over the target (a symbolic link at the target is refused).

| kind | object | secret |
|---|---|---|
| 1 | :class:`~gradseal.Kgc` (master secret) | yes |
| 2 | :class:`~gradseal.KgcPublic` | no |
| 3 | :class:`~gradseal.NodeSecret` | yes |
| 4 | enrolment request (``bytes``) | no |
| 5 | partial key (``bytes``) | yes |
| 6 | :class:`~gradseal.NodeKeys` (``Ppub ‖ keys``) | yes |
| 7 | public bundle (``bytes``) | no |
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Union

from gradseal._native import DecodeError, Kgc, KgcPublic, NodeKeys, NodeSecret

__all__ = [
    "KGC_SECRET",
    "KGC_PUBLIC",
    "NODE_SECRET",
    "ENROLMENT_REQUEST",
    "PARTIAL_KEY",
    "NODE_KEYS",
    "PUBLIC_BUNDLE",
    "KeyObject",
    "encode_key_file",
    "decode_key_file",
    "write_key_file",
    "read_key_file",
]

MAGIC = b"gradseal"
VERSION = 1
MAX_FILE = 4096
KGC_SECRET, KGC_PUBLIC, NODE_SECRET, ENROLMENT_REQUEST, PARTIAL_KEY, NODE_KEYS, PUBLIC_BUNDLE = range(1, 8)
SECRET_KINDS = {KGC_SECRET, NODE_SECRET, PARTIAL_KEY, NODE_KEYS}
NAMES = {
    KGC_SECRET: "KGC secret",
    KGC_PUBLIC: "KGC public",
    NODE_SECRET: "node secret",
    ENROLMENT_REQUEST: "enrolment request",
    PARTIAL_KEY: "partial key",
    NODE_KEYS: "node keys",
    PUBLIC_BUNDLE: "public bundle",
}

#: What a key file holds.
KeyObject = Union[Kgc, KgcPublic, NodeSecret, NodeKeys, bytes]


def _error(message: str, reason: str) -> DecodeError:
    err = DecodeError(message)
    err.reason = reason
    return err


def encode_key_file(obj: KeyObject, kind: int | None = None) -> bytes:
    """The file bytes for ``obj``; ``kind`` is required for ``bytes`` (4, 5 or 7)."""
    if isinstance(obj, Kgc):
        kind, body = KGC_SECRET, obj.to_secret_bytes()
    elif isinstance(obj, KgcPublic):
        kind, body = KGC_PUBLIC, obj.to_bytes()
    elif isinstance(obj, NodeSecret):
        kind, body = NODE_SECRET, obj.to_secret_bytes()
    elif isinstance(obj, NodeKeys):
        kind, body = NODE_KEYS, obj.kgc.to_bytes() + obj.to_secret_bytes()
    elif isinstance(obj, bytes) and kind in (ENROLMENT_REQUEST, PARTIAL_KEY, PUBLIC_BUNDLE):
        body = obj
    else:
        raise TypeError("bytes need kind ENROLMENT_REQUEST, PARTIAL_KEY or PUBLIC_BUNDLE")
    assert kind is not None
    return MAGIC + bytes([VERSION, kind]) + body


def decode_key_file(data: bytes, kind: int | None = None) -> tuple[int, KeyObject]:
    """``(kind, object)`` from file bytes; ``DecodeError`` (``reason``: ``TooLarge``,
    ``Magic``, ``Version``, ``UnknownKind``, ``WrongKind``, or the body's) otherwise. With
    ``kind``, a file of another kind is refused (a secret where a public file is expected)."""
    if len(data) > MAX_FILE:
        raise _error(f"key file of {len(data)} bytes exceeds {MAX_FILE}", "TooLarge")
    if len(data) < 10 or data[:8] != MAGIC:
        raise _error("not a gradseal key file", "Magic")
    if data[8] != VERSION:
        raise _error(f"key file version {data[8]} is not {VERSION}", "Version")
    found, body = data[9], bytes(data[10:])
    if found not in NAMES:
        raise _error(f"unknown key file kind {found}", "UnknownKind")
    if kind is not None and found != kind:
        raise _error(f"a {NAMES[found]} file where a {NAMES.get(kind, kind)} file is expected", "WrongKind")
    if found == KGC_SECRET:
        return found, Kgc.from_secret_bytes(body)
    if found == KGC_PUBLIC:
        return found, KgcPublic.from_bytes(body)
    if found == NODE_SECRET:
        return found, NodeSecret.from_secret_bytes(body)
    if found == NODE_KEYS:
        if len(body) < 32:
            raise _error("node keys file too short", "Length")
        return found, NodeKeys.from_secret_bytes(KgcPublic.from_bytes(body[:32]), body[32:])
    return found, body


def write_key_file(path: str | os.PathLike[str], obj: KeyObject, kind: int | None = None) -> None:
    """Writes ``obj`` atomically (temporary file, fsync, rename), mode 0600 for secrets."""
    data = encode_key_file(obj, kind)
    target = Path(path)
    if target.is_symlink():
        raise OSError(f"cannot write {target}: is a symbolic link (refusing to follow it)")
    secret = data[9] in SECRET_KINDS
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if secret else 0o644)
    try:
        os.fchmod(fd, 0o600 if secret else 0o644)
        os.write(fd, data)
        os.fsync(fd)
        os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.close(fd)
        except OSError:
            pass
        tmp.unlink(missing_ok=True)
        raise


def read_key_file(path: str | os.PathLike[str], kind: int | None = None) -> KeyObject:
    """Reads a key file (refusing files over 4096 bytes before reading them)."""
    p = Path(path)
    size = p.stat().st_size
    if size > MAX_FILE:
        raise _error(f"{p}: key file of {size} bytes exceeds {MAX_FILE}", "TooLarge")
    return decode_key_file(p.read_bytes(), kind)[1]

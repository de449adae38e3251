"""Key files: the format of ``gradseal keygen`` / ``gradseal enrol`` (spec/node.md §3)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

import gradseal as gs
from gradseal import keyfile as kf

ROOT = Path(__file__).resolve().parents[2]


def test_every_kind_round_trips(tmp_path: Path) -> None:
    kgc = gs.Kgc.generate(bytes(32))
    reg = gs.EnrolmentRegistry(["alice"])
    secret = gs.NodeSecret.generate("alice", bytes(range(32)))
    request = secret.request(kgc.public)
    partial = kgc.issue(request, reg)
    keys = secret.complete(kgc.public, partial)
    cases = [
        (kgc, None, kf.KGC_SECRET),
        (kgc.public, None, kf.KGC_PUBLIC),
        (secret, None, kf.NODE_SECRET),
        (request, kf.ENROLMENT_REQUEST, kf.ENROLMENT_REQUEST),
        (partial, kf.PARTIAL_KEY, kf.PARTIAL_KEY),
        (keys, None, kf.NODE_KEYS),
        (keys.bundle, kf.PUBLIC_BUNDLE, kf.PUBLIC_BUNDLE),
    ]
    for obj, kind, expect in cases:
        path = tmp_path / f"k{expect}"
        kf.write_key_file(path, obj, kind)
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o600 if expect in kf.SECRET_KINDS else 0o644)
        back = kf.read_key_file(path, expect)
        assert kf.encode_key_file(back, kind) == path.read_bytes()
    assert kf.read_key_file(tmp_path / "k6").bundle == keys.bundle
    with pytest.raises(gs.DecodeError) as e:
        kf.read_key_file(tmp_path / "k1", kf.KGC_PUBLIC)  # a secret where public is expected
    assert e.value.reason == "WrongKind"
    bad = tmp_path / "bad"
    bad.write_bytes(b"gradsea!" + bytes(40))
    with pytest.raises(gs.DecodeError) as e:
        kf.read_key_file(bad)
    assert e.value.reason == "Magic"
    bad.write_bytes(b"gradseal\x01\x06" + bytes(200))
    with pytest.raises(gs.GradsealError):
        kf.read_key_file(bad)
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "k2")
    with pytest.raises(OSError):
        kf.write_key_file(link, kgc)


def gradseal_cli() -> str | None:
    for p in (ROOT / "target" / "release" / "gradseal", ROOT / "target" / "debug" / "gradseal"):
        if p.exists():
            return str(p)
    return shutil.which("gradseal")


@pytest.mark.skipif(gradseal_cli() is None, reason="the gradseal binary is not built")
def test_files_interoperate_with_the_gradseal_command(tmp_path: Path) -> None:
    cli = gradseal_cli()
    assert cli is not None

    def run(*args: str) -> None:
        subprocess.run([cli, *args], cwd=tmp_path, check=True, capture_output=True)

    # The command makes the KGC and a node secret; Python requests, the command issues,
    # Python completes; the command completes the same partial into the same keys.
    run("keygen", "--kind", "kgc", "--out", "kgc.key", "--public", "kgc.pub")
    run("keygen", "--kind", "node", "--id", "alice", "--out", "alice.secret")
    kgc_public = kf.read_key_file(tmp_path / "kgc.pub", kf.KGC_PUBLIC)
    assert kf.read_key_file(tmp_path / "kgc.key").public == kgc_public
    secret = kf.read_key_file(tmp_path / "alice.secret", kf.NODE_SECRET)
    assert secret.identity == "alice"
    kf.write_key_file(tmp_path / "alice.req", secret.request(kgc_public), kf.ENROLMENT_REQUEST)
    run("enrol", "authorise", "--registry", "reg", "--id", "alice")
    run("enrol", "issue", "--kgc", "kgc.key", "--request", "alice.req", "--registry", "reg", "--out", "alice.partial")
    partial = kf.read_key_file(tmp_path / "alice.partial", kf.PARTIAL_KEY)
    keys = secret.complete(kgc_public, partial)
    run("enrol", "complete", "--secret", "alice.secret", "--kgc-public", "kgc.pub",
        "--partial", "alice.partial", "--out", "alice.keys", "--bundle", "alice.bundle")
    cli_keys = kf.read_key_file(tmp_path / "alice.keys", kf.NODE_KEYS)
    assert cli_keys.to_secret_bytes() == keys.to_secret_bytes()
    assert kf.read_key_file(tmp_path / "alice.bundle", kf.PUBLIC_BUNDLE) == keys.bundle
    # And a Python-written node key file is what the command wrote.
    kf.write_key_file(tmp_path / "py.keys", keys)
    assert (tmp_path / "py.keys").read_bytes() == (tmp_path / "alice.keys").read_bytes()
    assert os.stat(tmp_path / "py.keys").st_mode & 0o777 == 0o600

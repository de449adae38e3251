"""The .pyi stubs describe exactly the native module's public names."""

from __future__ import annotations

import ast
from pathlib import Path

import gradseal
import gradseal._native as native

STUB = Path(gradseal.__file__).with_name("_native.pyi")


def stub_names() -> dict[str, set[str]]:
    tree = ast.parse(STUB.read_text())
    out: dict[str, set[str]] = {"": set()}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            members = set()
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    members.add(item.name)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    members.add(item.target.id)
            out[node.name] = members
            out[""].add(node.name)
        elif isinstance(node, ast.FunctionDef):
            out[""].add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[""].add(node.target.id)
    return out


def test_every_native_name_is_stubbed_and_documented() -> None:
    stubs = stub_names()
    public = {n for n in dir(native) if not n.startswith("_")}
    assert public == stubs[""] - {"_Role"}
    role_calls = stubs["_Role"]
    for name in public:
        obj = getattr(native, name)
        if not isinstance(obj, type):
            continue
        assert obj.__doc__, f"{name} has no docstring"
        if issubclass(obj, BaseException):
            continue  # `reason` and `field` are set on each raised instance
        runtime = {m for m in dir(obj) if not m.startswith("_")}
        stubbed = stubs[name] | (role_calls if hasattr(obj, "poll_event") else set())
        stubbed = {m for m in stubbed if not m.startswith("_")}
        assert runtime == stubbed, f"{name}: runtime {sorted(runtime ^ stubbed)} differ"
        for m in runtime:
            assert getattr(obj, m).__doc__ or isinstance(getattr(obj, m), (int, str)), f"{name}.{m} undocumented"

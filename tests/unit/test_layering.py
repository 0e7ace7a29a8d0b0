"""The layering of the product packages, enforced: imports only point down.

    api → (community, billing) → (accounts, assistant) → retrieval → corpus

`prompts` holds templates that only `assistant` reads. A package may import itself and anything
below it; nothing imports a package above it, so `api` (and with it the settings) stays the
only outer shell.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ALLOWED: dict[str, set[str]] = {
    "corpus": set(),
    "prompts": set(),
    "retrieval": {"corpus"},
    "assistant": {"retrieval", "corpus", "prompts"},
    "accounts": {"retrieval", "corpus"},
    "community": {"accounts", "assistant", "retrieval", "corpus"},
    "billing": {"accounts", "retrieval", "corpus"},
    "api": {"community", "billing", "accounts", "assistant", "retrieval", "corpus", "prompts"},
}


def _imported_packages(path: Path) -> set[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[tuple[str, int]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update((alias.name.split(".")[0], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.module.split(".")[0], node.lineno))
    return found


def _violations(package: str) -> list[str]:
    ours = set(ALLOWED)
    out = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for imported, line in sorted(_imported_packages(path)):
            if imported in ours and imported != package and imported not in ALLOWED[package]:
                out.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    return out


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_the_layers_below_it(package: str) -> None:
    if not (ROOT / package).is_dir():
        pytest.skip(f"{package}/ does not exist yet")
    assert _violations(package) == []


def test_the_layering_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom api.settings import Settings\nfrom . import sibling\n", encoding="utf-8")
    assert ("api", 2) in _imported_packages(module)
    assert all(name != "sibling" for name, _ in _imported_packages(module))

"""The import contracts (pyproject.toml, checked by ``lint-imports`` in .ci/run) cover every module.

The domain contract names its modules one by one, so a new module would escape it unless it is
listed there or belongs to a layer of its own: this test says which it forgot.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import dialdeck

ROOT = Path(__file__).resolve().parents[1]
# The layers above the domain: each has a contract of its own.
LAYERED = {"cli", "tui", "demo", "simulate", "services", "store", "dialers", "__main__", "__init__"}


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_every_module_is_in_the_domain_contract_or_a_layer_of_its_own() -> None:
    package = Path(dialdeck.__file__).parent
    modules = {path.stem for path in package.glob("*.py")} | {path.name for path in package.iterdir()
                                                             if (path / "__init__.py").exists()}
    domain = next(c for c in _contracts() if "domain" in c["name"])
    listed = {name.removeprefix("dialdeck.") for name in domain["source_modules"]}
    assert modules - LAYERED - listed == set(), "add the new module to the domain contract"
    assert listed <= modules, "the domain contract names a module that is gone"


def test_the_domain_may_import_neither_textual_nor_sqlite_nor_the_layers_above() -> None:
    domain = next(c for c in _contracts() if "domain" in c["name"])
    assert {"textual", "sqlite3", "sqlite_utils", "dialdeck.store", "dialdeck.services", "dialdeck.tui",
            "dialdeck.cli"} <= set(domain["forbidden_modules"])
    assert not domain.get("allow_indirect_imports", False)

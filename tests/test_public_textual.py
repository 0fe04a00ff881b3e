"""The TUI uses Textual's public API only, so a new Textual release is a snapshot review, not a
rewrite: no private module imported, no private attribute read or written on a Textual object,
and none of ours shadowing one of Textual's (a new release could add it under our feet)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import dialdeck.tui

ROOT = Path(__file__).resolve().parents[1]
# `thing._name` where the thing is not `self` (our own objects keep their own privates).
PRIVATE_ATTRIBUTE = re.compile(r"(?<![\w.])(?!self\b)[A-Za-z_]\w*(\([^()]*\))?\._[a-z]\w*")


def python_files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_textual_imports(source: str) -> list[str]:
    """Every import of a private Textual module or of a private name from a Textual module,
    however it is spelled (``import textual.x._y``, ``from textual.x import _y``, across lines)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
            found += [name for name in modules if name.split(".")[0] == "textual" and any(map(_private, name.split(".")))]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "textual":
            names = node.module.split(".")
            if any(map(_private, names)):
                found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names if _private(alias.name)]
    return found


def test_the_private_import_check_sees_every_spelling() -> None:
    source = ("import textual.widgets._footer\nfrom textual.widgets._footer import FooterKey\n"
              "from textual.widgets import (\n    Static,\n    _footer,\n)\nfrom textual import __version__\n"
              "from textual.widgets import OptionList\n")
    assert private_textual_imports(source) == [
        "textual.widgets._footer", "textual.widgets._footer", "textual.widgets._footer"]


def test_no_private_textual_module_is_imported() -> None:
    found = [f"{path.relative_to(ROOT)}: {name}"
             for path in python_files("src", "tests", "bench")
             for name in private_textual_imports(path.read_text(encoding="utf-8"))]
    assert found == []


def uses_textual(path: Path) -> bool:
    return any(name.split(".")[0] == "textual" for name in imported_modules(path.read_text(encoding="utf-8")))


def imported_modules(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
    return found


def test_no_private_attribute_of_another_object_is_touched_in_the_tui() -> None:
    # The TUI, and any other module of the package that uses Textual (none today but the TUI).
    files = sorted({*python_files("src/dialdeck/tui"), *filter(uses_textual, python_files("src"))})
    files += sorted(ROOT.glob("tests/test_tui*.py")) + [ROOT / "tests/tui_helpers.py"]
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in files
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if PRIVATE_ATTRIBUTE.search(line.split("#")[0])]
    assert found == []


def _private_names(cls: type) -> set[str]:
    """What a class defines or sets on ``self`` under a private name."""
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        source = ""
    names = set(re.findall(r"self\.(_[a-z]\w*)", source))
    return names | {name for name in vars(cls) if name.startswith("_") and not name.startswith("__")}


def test_no_tui_class_shadows_a_private_name_of_its_textual_base() -> None:
    modules = [importlib.import_module(info.name)
               for info in pkgutil.walk_packages(dialdeck.tui.__path__, "dialdeck.tui.")]
    clashes = []
    for module in modules:
        for cls in vars(module).values():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            bases = [base for base in cls.__mro__[1:] if base.__module__.startswith("textual")]
            # What any subclass gets from its metaclass (Textual's, ABC's) is not ours.
            generated = set(vars(type(cls)("Probe", cls.__bases__, {})))
            ours = _private_names(cls) - generated
            for base in bases:
                clashes += [f"{cls.__name__}.{name} ({base.__name__})" for name in sorted(ours & _private_names(base))]
    assert clashes == []

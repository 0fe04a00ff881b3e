"""The cadence library: the built-ins and the rep's own files, loaded once per process."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from dialdeck import cadence as cadence_mod
from dialdeck import paths, schedule


@dataclasses.dataclass(frozen=True)
class _Loaded:
    cadences: dict[str, cadence_mod.Cadence]
    problems: tuple[str, ...]  # 'file: step N: field: reason', one per problem of a skipped file


@functools.lru_cache(maxsize=4)
def _library_in(builtin_dir: Path, user_dir: Path) -> _Loaded:
    # The built-ins ship with dialdeck and are tested: a problem there is a broken install and
    # fails loudly. A user's broken file only costs that file, so every other command still works.
    builtins = cadence_mod.load_library(builtin_dir, None)
    cadences = dict(builtins)
    problems: list[str] = []
    for cad in _user_cadences(user_dir, problems):
        cadences[cad.name] = cad
    _drop_dangling(cadences, builtins, problems)
    return _Loaded(cadences, tuple(problems))


def _user_cadences(user_dir: Path, problems: list[str]) -> list[cadence_mod.Cadence]:
    """Every valid cadence file of the user's folder; the broken ones' problems go to ``problems``."""
    return list(cadence_mod.load_directory(user_dir, problems).values())


def _drop_dangling(cadences: dict, builtins: dict, problems: list[str]) -> None:
    """Skip user cadences that continue into a cadence the library lacks (perhaps a skipped
    file), until none is left: dropping one can strand another that continued into it."""
    while True:
        dangling = [cad for cad in cadences.values()
                    if cad.continue_with is not None and cad.continue_with not in cadences]
        if not dangling:
            return
        for cad in dangling:
            problems.append(f"{cad.source}: continue_with: no cadence named {cad.continue_with!r} "
                            f"(known: {', '.join(sorted(c for c in cadences if c != cad.name))})")
            del cadences[cad.name]
            if cad.name in builtins:  # the user's copy of a built-in is skipped: the original stands
                cadences[cad.name] = builtins[cad.name]


def library() -> dict:
    """The cadence library (built-ins plus every valid user cadence), loaded once per process.

    A broken user file is skipped, never fatal: ``library_problems`` says what was skipped.
    """
    return _library_in(paths.builtin_cadence_dir(), paths.user_cadence_dir()).cadences


def library_problems() -> list[str]:
    """Why user cadence files were skipped, one 'file: step N: field: reason' each (empty: none)."""
    return list(_library_in(paths.builtin_cadence_dir(), paths.user_cadence_dir()).problems)


def steps_total(cadence_name: str, lib: dict | None = None) -> int:
    cad = (lib if lib is not None else library()).get(cadence_name)
    return len(cad.steps) if cad else 0


def action_of(lib: dict, cadence_name: str, step_index: int, temperature: str, value: float | None) -> str:
    cad = lib.get(cadence_name)
    if cad is None or not 0 <= step_index < len(cad.steps):
        return "call"  # a cadence file since removed: what is stored is a call to make
    variant = schedule.variant_for(cad, temperature, value)
    step = cad.step(step_index, variant) or cad.steps[step_index]
    return step.action

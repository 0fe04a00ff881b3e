"""``dialdeck cadences check --simulate FILE``: a rep's cadence walked through many situations.

The file is loaded beside the built-ins (it may continue into one), walked by
``dialdeck.simulate`` on throwaway databases, and each script held against the walk by
``dialdeck.truth``. The report shows what every step says in one ordinary week, then every
sentence that would be untrue in some situation (exit status 1 if there is one).
"""

from __future__ import annotations

import collections
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from dialdeck import paths, services, simulate, truth
from dialdeck.cadence import Cadence
from dialdeck.clock import UTC
from dialdeck.errors import CadenceError
from dialdeck.phrases import dated_clock

from .output import plural
from .scripts import script_lines

# Starts checked by the command: every day of a week, morning, late afternoon and evening.
CHECK_HOURS = (time(9), time(15, 30), time(20, 50))
SHOWN_FINDINGS = 40  # the report lists this many untrue sentences, then counts the rest


def simulate_file(path: Path, loaded: Cadence) -> int:
    # The rep's other cadences come along (this one may continue into one of them); the file
    # checked replaces one of the same name, and only its own problems stop the check.
    others = [f for f in sorted(paths.user_cadence_dir().glob("*.toml")) if f.name != Path(path).name] \
        if paths.user_cadence_dir().is_dir() else []
    with simulate.cadence_folder([*others, path]) as folder:
        own = [p for p in services.library_problems() if p.startswith(str(folder / Path(path).name))]
        if own or loaded.name not in services.library():
            raise CadenceError(own or [f"{path}: name: {loaded.name!r} is also the name of another file of yours"])
        cadence = services.library()[loaded.name]
        situations = list(simulate.situations(cadence.name, hours=CHECK_HOURS))
        with tempfile.TemporaryDirectory(prefix="dialdeck-simulate-") as scratch:
            example = simulate.simulate(cadence.name, Path(scratch), [_example(cadence.name)])[0]
            walks = simulate.simulate(cadence.name, Path(scratch), situations)
    print()
    print(_example_text(example))
    print()
    return _truth_report(walks)


def _example(name: str) -> simulate.Situation:
    """An ordinary week: a warm referral booked for the next afternoon, every message left on time."""
    zone = ZoneInfo("America/New_York")
    start = datetime.combine(simulate.WEEK_OF, time(9), tzinfo=zone)
    appointment = datetime.combine(simulate.WEEK_OF + timedelta(days=1), time(14), tzinfo=zone)
    return simulate.Situation(cadence=name, start=start.astimezone(UTC), path="voicemail", referrer="Bo Chen",
                              referrer_company="Contoso", appointment=appointment.astimezone(UTC))


def _example_text(walk: simulate.Walk) -> str:
    zone = walk.record.zone
    lines = [f"What each step says ({walk.situation.describe()}):"]
    for act, script in zip(walk.acts, walk.scripts, strict=True):
        when = dated_clock(act.at, zone)
        lines.append("")
        lines.append(f"{act.cadence} step {act.step} · {act.action} · {when} their time · logged {act.outcome}")
        if script is not None:
            lines += script_lines(script, indent="  ")
    if not walk.complete:
        lines.append(f"(cut after {len(walk.acts)} steps)")
    return "\n".join(lines)


def _truth_report(walks: list[simulate.Walk]) -> int:
    """Findings grouped by step, text and reason: how many situations, and one example of each."""
    groups: dict[tuple, list[tuple[simulate.Walk, truth.Finding]]] = collections.defaultdict(list)
    for walk in walks:
        for finding in walk.findings():
            groups[(finding.warning, finding.cadence, finding.step, finding.field, finding.reason)].append((walk, finding))
    checked = (f"{plural(len(walks), 'situation')} (starts every day of a week at 09:00, 15:30 and 20:50; "
               f"warm and cold; with and without first name, last name, company, referrer, appointment, email, "
               f"benefit, urgent; paths: "
               f"{', '.join(simulate.PATHS)})")
    untrue = {key: found for key, found in groups.items() if not key[0]}
    for key, found in sorted(groups.items()):
        if key[0]:
            print(f"warning: {found[0][1].where}: {key[4]} (in {_situations(found)})")
    if not untrue:
        print(f"truth check: every script was true in {checked}")
        return 0
    affected = len({id(walk) for found in untrue.values() for walk, _finding in found})
    print(f"truth check: untrue sentences in {affected} of {checked}:")
    for _key, found in sorted(untrue.items())[:SHOWN_FINDINGS]:
        walk, finding = found[0]
        print(f"  {finding.where}: {finding.reason} (in {_situations(found)})")
        print(f"    \u201c{finding.sentence}\u201d")
        print(f"    e.g. {walk.situation.describe()}")
    if len(untrue) > SHOWN_FINDINGS:
        print(f"  ... and {len(untrue) - SHOWN_FINDINGS} more kinds")
    return 1


def _situations(found: list) -> str:
    return plural(len({id(walk) for walk, _finding in found}), "situation")

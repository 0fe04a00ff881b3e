"""The ``cadences`` commands: list the library, show every step of one cadence, check a file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dialdeck import paths, services
from dialdeck.errors import InvalidInput, NotFound

from .output import PROG, plural, print_json, table, warn_skipped_cadences

# The texts a step carries, in the order a rep reads them.
_STEP_TEXTS = (
    ("voicemail", "Voicemail"), ("talk_track", "If they pick up"), ("subject", "Subject"),
    ("body", "Body"), ("instructions", "What to do"), ("tip", "Tip"),
)


def cmd_cadences(args: argparse.Namespace) -> int:
    summaries = [_cadence_summary(c) for c in services.library().values()]
    problems = services.library_problems()
    if args.json:
        print_json(summaries)
        warn_skipped_cadences()  # stdout stays the list a script parses
        return 0
    if not summaries:
        print(f"no cadences found in {paths.builtin_cadence_dir()} or {paths.user_cadence_dir()}")
    else:
        rows = [[s["name"], s["title"], str(s["steps"]), s["source"], s["after_last"]] for s in summaries]
        print(table(["NAME", "TITLE", "STEPS", "SOURCE", "AFTER LAST STEP"], rows, widths={1: 46}))
    if problems:
        print(f"\nskipped: broken cadence files ({plural(len(problems), 'problem')}; "
              f"fix them and check with: {PROG} cadences check FILE)")
        for problem in problems:
            print(f"  {problem}")
    return 0


def cmd_cadence_show(args: argparse.Namespace) -> int:
    library = services.library()
    found = library.get(args.name)
    if found is None:
        raise NotFound(f"no cadence named {args.name!r} (known: {', '.join(sorted(library))})")
    if args.json:
        print_json(_cadence_detail(found))
        return 0
    print(_cadence_text(found))
    return 0


def cmd_cadence_check(args: argparse.Namespace) -> int:
    from dialdeck import cadence

    refused = cadence.unreadable_file(Path(args.file))
    if refused is not None:  # one line, and never an open() that waits on a pipe
        raise InvalidInput(refused)
    loaded = cadence.load_cadence(args.file)
    print(f"ok: {len(loaded.steps)} steps")
    if not args.simulate:
        return 0
    from .simulation import simulate_file

    return simulate_file(args.file, loaded)


def _cadence_summary(cad) -> dict[str, Any]:
    builtin = Path(cad.source).parent.resolve() == paths.builtin_cadence_dir().resolve()
    return {
        "name": cad.name,
        "title": cad.title,
        "steps": len(cad.steps),
        "source": "builtin" if builtin else "user",
        "path": cad.source,
        "after_last": cad.after_last if cad.after_last == "finish" else f"continue into {cad.continue_with}",
        "description": cad.description,
    }


def _step_detail(step) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "step": step.number,
        "action": step.action,
        "when": step.timing.describe(),
        "pinned": step.timing.pinned,
        "urgent": step.urgent,
    }
    for key, _label in _STEP_TEXTS:
        value = getattr(step, key)
        detail[key] = str(value) if value else None
    if step.action == "call":
        detail["no_answer_retries"] = step.no_answer_retries
    return detail


def _variant_changes(base, variant) -> dict[str, Any] | str | None:
    """What a warm or cold variant changes in a step: 'skip', the changed fields, or None."""
    if variant is None:
        return "skip"
    ours, theirs = _step_detail(base), _step_detail(variant)
    changed = {key: value for key, value in theirs.items() if ours.get(key) != value}
    return changed or None


def _cadence_detail(cad) -> dict[str, Any]:
    steps = []
    for index, step in enumerate(cad.steps):
        detail = _step_detail(step)
        variants = {name: _variant_changes(step, cad.step(index, name)) for name in ("warm", "cold")}
        detail["variants"] = {name: change for name, change in variants.items() if change is not None}
        steps.append(detail)
    summary = _cadence_summary(cad)
    summary.update(
        tip=str(cad.tip) or None,
        benefit=cad.benefit or None,
        expects=list(cad.expects),
        callback={key: str(text) for key, text in cad.callback.texts().items()} if cad.callback else None,
        low_value_below=cad.low_value_below,
        no_answer_retries=cad.no_answer_retries,
        steps=steps,
    )
    return summary


def _cadence_text(cad) -> str:
    detail = _cadence_detail(cad)
    lines = [f"{cad.name}: {cad.title}  ({detail['source']}: {cad.source})"]
    if cad.description:
        lines.append(cad.description)
    lines.append(f"after the last step: {detail['after_last']}")
    if cad.low_value_below is not None:
        lines.append(f"leads worth less than {cad.low_value_below:g} get the cold variant")
    lines.append(f"no answer: retried {cad.no_answer_retries} time(s) per call step unless a step says otherwise")
    if cad.tip:
        lines.append(f"tip: {cad.tip}")
    if cad.benefit:
        lines.append(f"benefit: {cad.benefit}")
    if cad.expects:
        lines.append(f"expects of every prospect: {', '.join(cad.expects)} (import warns when missing)")
    if cad.callback:
        lines.append("on an agreed callback:")
        lines += [f"  {label}: {cad.callback.texts()[key]}" for key, label in _STEP_TEXTS if key in cad.callback.texts()]
    for step in detail["steps"]:
        lines.append("")
        urgent = " · URGENT" if step["urgent"] else ""
        lines.append(f"step {step['step']} · {step['action']} · {step['when']}{urgent}")
        if step["action"] == "call" and step["voicemail"] is None:
            lines.append("  Voicemail: don't leave a message")
        lines += _texts_lines(step, indent="  ")
        for name, change in step["variants"].items():
            if change == "skip":
                lines.append(f"  [{name} leads] skip this step")
                continue
            lines.append(f"  [{name} leads]")
            if "when" in change:
                lines.append(f"    When: {change['when']}")
            lines += _texts_lines(change, indent="    ")
    return "\n".join(lines)


def _texts_lines(detail: dict[str, Any], *, indent: str) -> list[str]:
    return [f"{indent}{label}: {detail[key]}" for key, label in _STEP_TEXTS if detail.get(key)]

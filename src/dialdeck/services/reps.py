"""A team's reps: choosing one (``--rep``), adding and renaming them, the team listing, and
giving prospects to a rep or back to the shared pool."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from dialdeck import settings
from dialdeck.clock import to_iso
from dialdeck.errors import InvalidInput, NotFound
from dialdeck.models import Rep, TeamMember
from dialdeck.services.common import choose_rep, rep_day, reported
from dialdeck.store import Store
from dialdeck.store.interface import Records

NAME_MAX = 60


def reps(store: Store) -> list[Rep]:
    """The team's reps, oldest first."""
    with reported(store):
        return [Rep(row["id"], row["name"]) for row in store.reps()]


def select_rep(store: Store, name: str | None) -> Rep:
    """The rep a command or session works as: ``name`` (any case), or with None the database's
    only rep. InvalidInput, one line naming the reps, for an unknown name, or for None when
    there are several (``--rep NAME`` or DIALDECK_REP says which)."""
    with reported(store):
        return choose_rep(store.reps(), name)


def rep_named(records: Records, name: str) -> Rep:
    """The rep called ``name`` (any case); InvalidInput naming the reps when there is none."""
    return choose_rep(records.reps(), name)


def add_rep(store: Store, name: str, now: datetime) -> Rep:
    """A new rep called ``name``; their profile's name starts as it (``config set`` changes it)."""
    shown = _valid_name(name)
    with reported(store), store.writing() as tx:
        _not_taken(tx, shown)
        rep = Rep(tx.insert_rep(shown, to_iso(now)), shown)
        tx.put_rep_setting(rep.id, "rep.name", shown)
    return rep


def rename_rep(store: Store, rep: Rep, name: str) -> Rep:
    """The rep called ``name`` from now on (``--rep`` uses it; their history stays theirs)."""
    shown = _valid_name(name)
    with reported(store), store.writing() as tx:
        _not_taken(tx, shown, but=rep.id)
        tx.rename_rep(rep.id, shown)
    return Rep(rep.id, shown)


def _valid_name(name: str) -> str:
    shown = " ".join(name.split())
    if not shown:
        raise InvalidInput("a rep's name must not be empty")
    if not shown.isprintable():
        raise InvalidInput(f"rep name {shown!r} holds a control character")
    if len(shown) > NAME_MAX:
        raise InvalidInput(f"rep name {shown[:NAME_MAX]!r}... is longer than {NAME_MAX} characters")
    return shown


def _not_taken(records: Records, name: str, *, but: int | None = None) -> None:
    for row in records.reps():
        if row["id"] != but and row["name"].casefold() == name.casefold():
            raise InvalidInput(f"there is already a rep named {row['name']!r} (names are the same whatever their case)")


def team(store: Store, now: datetime) -> list[TeamMember]:
    """Every rep with their profile, the prospects they own and what they did today (their day,
    in their zone)."""
    with reported(store):
        rows = store.reps()
        own = store.all_rep_settings()
        shared = store.settings()
        owned = store.owned_counts()
        members = []
        for row in rows:
            profile = settings.profile_from({**shared, **own.get(row["id"], {})})
            start, _end = rep_day(now, profile)
            today = _figures_of(store.activity_by_rep(to_iso(start), to_iso(now)), row["id"])
            members.append(TeamMember(rep=Rep(row["id"], row["name"]), profile=profile,
                                      owned=owned.get(row["id"], 0), dials_today=today.get("dials", 0),
                                      attempts_today=today.get("attempts", 0)))
        return members


def _figures_of(rows: list[dict], rep_id: int) -> dict[str, int]:
    for row in rows:
        if row["rep_id"] == rep_id:
            return {"dials": row["dials"] or 0, "attempts": row.get("attempts") or 0}
    return {}


def pool_size(store: Store) -> int:
    """How many prospects no rep owns."""
    with reported(store):
        return store.owned_counts().get(None, 0)


def assign(store: Store, prospect_ids: Sequence[int], to: Rep | None, now: datetime) -> int:
    """Give the prospects to ``to`` (None: back to the shared pool); how many changed hands.
    NotFound names the first id that is no prospect, and nothing changes."""
    with reported(store), store.writing() as tx:
        for prospect_id in prospect_ids:
            if tx.prospect(prospect_id) is None:
                raise NotFound(f"no prospect with id {prospect_id}; nobody was assigned")
        return tx.set_owner(sorted(set(prospect_ids)), to.id if to else None, to_iso(now))

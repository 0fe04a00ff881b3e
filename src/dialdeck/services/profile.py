"""The rep's profile and settings: read, validated and kept; what is unset that scripts say."""

from __future__ import annotations

from dialdeck import settings
from dialdeck.errors import InvalidInput
from dialdeck.models import (
    Rep,
    RepProfile,
)
from dialdeck.services.common import profile_of, reported, settings_of, the_rep
from dialdeck.services.library import library
from dialdeck.store import Store

# The profile fields scripts speak: setting key, RepProfile field, what a script says while it
# is unset, and an example value for the command that sets it.
_PROFILE_SPOKEN = (
    ("rep.name", "name", 'scripts say "Your Name"', "Jane Smith"),
    ("rep.phone", "phone", 'scripts say "Your Number"', "+1 212 555 0142"),
    ("rep.company", "company", 'scripts say "Your Company"', "Acme Inc"),
)


def profile_problems(store: Store, *, rep: Rep | None = None) -> list[str]:
    """What the rep has not set yet that every script says, each with the command that sets it."""
    with reported(store):
        chosen = the_rep(store, rep)
        profile = profile_of(store, chosen)
        # With a team, the command names the rep whose profile it sets.
        who = f"--rep {_quoted(chosen.name)} " if len(store.reps()) > 1 else ""
    default = RepProfile()
    problems = []
    for key, field, said, example in _PROFILE_SPOKEN:
        value = getattr(profile, field)
        if value.strip() and value != getattr(default, field):
            continue
        problems.append(f'{key} is not set ({said}): dialdeck {who}config set {key} "{example}"')
    return problems


def _quoted(name: str) -> str:
    return f'"{name}"' if " " in name else name


def get_profile(store: Store, *, rep: Rep | None = None) -> RepProfile:
    """The rep's profile (None: the database's only rep)."""
    with reported(store):
        return profile_of(store, rep)


def set_setting(store: Store, key: str, value: str, *, rep: Rep | None = None) -> RepProfile:
    """Validate and store one setting (``rep.phone`` is stored E.164); InvalidInput names the key.
    A rep's own key (``settings.is_rep_key``) is the rep's; any other is set for the whole team."""
    if key == settings.CADENCE_KEY and value.strip() not in library():
        raise InvalidInput(f"{key}: no cadence named {value.strip()!r} (known: {', '.join(sorted(library()))})")
    with reported(store):
        chosen = the_rep(store, rep)
        stored = settings.normalize(key, value, profile_of(store, chosen))
        with store.writing() as tx:
            if settings.is_rep_key(key):
                tx.put_rep_setting(chosen.id, key, stored)
            else:
                tx.put_setting(key, stored)
        return profile_of(store, chosen)


def saved_theme(store: Store, *, rep: Rep | None = None) -> str | None:
    """The colour theme the rep last picked in the session, or None."""
    with reported(store):
        return settings_of(store, rep).get(settings.THEME_KEY) or None


def remember_theme(store: Store, name: str, *, rep: Rep | None = None) -> None:
    """Keep the session's colour theme for the rep's next start."""
    with reported(store), store.writing() as tx:
        tx.put_rep_setting(the_rep(tx, rep).id, settings.THEME_KEY, name)

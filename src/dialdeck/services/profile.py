"""The rep's profile and settings."""

from __future__ import annotations

from sqlite_utils import Database

from dialdeck import settings
from dialdeck.errors import InvalidInput
from dialdeck.models import (
    RepProfile,
)
from dialdeck.services.common import store_errors
from dialdeck.services.library import library

# The profile fields scripts speak: setting key, RepProfile field, what a script says while it
# is unset, and an example value for the command that sets it.
_PROFILE_SPOKEN = (
    ("rep.name", "name", 'scripts say "Your Name"', "Jane Smith"),
    ("rep.phone", "phone", 'scripts say "call me back at ." with no number', "+1 212 555 0142"),
    ("rep.company", "company", 'scripts say "Your Company"', "Acme Inc"),
)


def profile_problems(db: Database) -> list[str]:
    """What the rep has not set yet that every script says, each with the command that sets it."""
    with store_errors(db):
        profile = settings.read_profile(db)
    default = RepProfile()
    problems = []
    for key, field, said, example in _PROFILE_SPOKEN:
        value = getattr(profile, field)
        if value.strip() and value != getattr(default, field):
            continue
        problems.append(f'{key} is not set ({said}): dialdeck config set {key} "{example}"')
    return problems


def get_profile(db: Database) -> RepProfile:
    with store_errors(db):
        return settings.read_profile(db)


def set_setting(db: Database, key: str, value: str) -> RepProfile:
    """Validate and store one setting (``rep.phone`` is stored E.164); InvalidInput names the key."""
    if key == settings.CADENCE_KEY and value.strip() not in library():
        raise InvalidInput(f"{key}: no cadence named {value.strip()!r} (known: {', '.join(sorted(library()))})")
    with store_errors(db):
        return settings.write_setting(db, key, value)


def saved_theme(db: Database) -> str | None:
    """The colour theme the rep last picked in the session, or None."""
    with store_errors(db):
        return settings.read_setting(db, settings.THEME_KEY, "") or None


def remember_theme(db: Database, name: str) -> None:
    """Keep the session's colour theme for the next start."""
    with store_errors(db):
        settings.write_ui_setting(db, settings.THEME_KEY, name)

"""The rep's profile and settings: read, validated and kept; what is unset that scripts say."""

from __future__ import annotations

from dialdeck import dialers, settings
from dialdeck.errors import InvalidInput
from dialdeck.models import (
    RepProfile,
)
from dialdeck.services.common import profile_of, reported
from dialdeck.services.library import library
from dialdeck.store import Store

# The profile fields scripts speak: setting key, RepProfile field, what a script says while it
# is unset, and an example value for the command that sets it.
_PROFILE_SPOKEN = (
    ("rep.name", "name", 'scripts say "Your Name"', "Jane Smith"),
    ("rep.phone", "phone", 'scripts say "Your Number"', "+1 212 555 0142"),
    ("rep.company", "company", 'scripts say "Your Company"', "Acme Inc"),
)


def profile_problems(store: Store) -> list[str]:
    """What the rep has not set yet that every script says, each with the command that sets it."""
    with reported(store):
        profile = profile_of(store)
    default = RepProfile()
    problems = []
    for key, field, said, example in _PROFILE_SPOKEN:
        value = getattr(profile, field)
        if value.strip() and value != getattr(default, field):
            continue
        problems.append(f'{key} is not set ({said}): dialdeck config set {key} "{example}"')
    return problems


def get_profile(store: Store) -> RepProfile:
    with reported(store):
        return profile_of(store)


def set_setting(store: Store, key: str, value: str) -> RepProfile:
    """Validate and store one setting (``rep.phone`` is stored E.164); InvalidInput names the key.
    The dialing settings (``dialers.KEYS``) are checked by the dialers themselves."""
    if key in dialers.KEYS:
        return _set_dialing(store, key, value)
    if key not in settings.KEYS:
        raise InvalidInput(f"unknown setting {key!r}; known settings: {', '.join((*settings.KEYS, *dialers.KEYS))}")
    if key == settings.CADENCE_KEY and value.strip() not in library():
        raise InvalidInput(f"{key}: no cadence named {value.strip()!r} (known: {', '.join(sorted(library()))})")
    with reported(store):
        stored = settings.normalize(key, value, profile_of(store))
        with store.writing() as tx:
            tx.put_setting(key, stored)
        return profile_of(store)


def _set_dialing(store: Store, key: str, value: str) -> RepProfile:
    try:
        stored = dialers.normalize(key, value)
    except dialers.DialerError as exc:
        text = str(exc)
        raise InvalidInput(text if text.startswith(key) else f"{key}: {text}") from None
    with reported(store):
        with store.writing() as tx:
            tx.put_setting(key, stored)
        return profile_of(store)


def saved_theme(store: Store) -> str | None:
    """The colour theme the rep last picked in the session, or None."""
    with reported(store):
        return store.settings().get(settings.THEME_KEY) or None


def remember_theme(store: Store, name: str) -> None:
    """Keep the session's colour theme for the next start."""
    with reported(store), store.writing() as tx:
        tx.put_setting(settings.THEME_KEY, name)

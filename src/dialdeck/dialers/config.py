"""The dialing settings (``dialdeck config set KEY VALUE``) and the one factory that turns them
into a back-end. Values are checked here so a bad one is refused when it is set, naming the key.

| key               | default        | meaning                                                      |
|-------------------|----------------|--------------------------------------------------------------|
| dial.backend      | manual         | manual, tel, command or sip (``--dialer`` for one session)   |
| dial.command      |                | command back-end: template, e.g. ``linphonecsh dial {e164}`` |
| dial.ring_timeout | 30             | sip: seconds of ringing before dialdeck hangs up (no answer) |
| sip.domain        |                | calls go to ``sip:{E.164}@{sip.domain}`` (host[:port])        |
| sip.user          |                | authentication user name                                     |
| sip.password      |                | authentication password                                      |
| sip.register      | no             | yes: register with the server before calling                 |
| sip.caller_id     |                | the From user: the number or name the callee sees            |
| sip.audio         | alsa,default   | baresip audio ``module,device`` for the headset; ``none``    |
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping

from dialdeck.clock import Clock, system_clock

from .base import Dialer, DialerError, Monotonic
from .clipboard import Osc52Writer

BACKENDS = ("manual", "tel", "command", "sip")
DEFAULTS: dict[str, str] = {
    "dial.backend": "manual",
    "dial.ring_timeout": "30",
    "sip.register": "no",
    "sip.audio": "alsa,default",
}
KEYS = (
    "dial.backend", "dial.command", "dial.ring_timeout",
    "sip.domain", "sip.user", "sip.password", "sip.register", "sip.caller_id", "sip.audio",
)
_YES = {"yes": "yes", "y": "yes", "true": "yes", "on": "yes", "1": "yes",
        "no": "no", "n": "no", "false": "no", "off": "no", "0": "no"}
_PHONE_SEPARATORS = re.compile(r"[\s().-]")


def normalize(key: str, value: str) -> str:
    """The stored form of one dialing setting; DialerError naming the key when it is bad."""
    text = value.strip()
    if key == "dial.backend":
        if text.lower() not in BACKENDS:
            raise DialerError(f"dial.backend: {value!r} is not one of {', '.join(BACKENDS)}")
        return text.lower()
    if key == "dial.command":
        from .command import parse_template

        parse_template(text)
        return text
    if key == "dial.ring_timeout":
        if not text.isdigit() or not 5 <= int(text) <= 300:
            raise DialerError(f"dial.ring_timeout: {value!r} is not a whole number of seconds from 5 to 300")
        return str(int(text))
    if key == "sip.register":
        if text.lower() not in _YES:
            raise DialerError(f"sip.register: {value!r} is not yes or no")
        return _YES[text.lower()]
    if key == "sip.caller_id" and re.fullmatch(r"\+?[\d\s().-]+", text):
        text = _PHONE_SEPARATORS.sub("", text)  # "+1 (212) 555-0142" -> "+12125550142"
    if key in ("sip.domain", "sip.user", "sip.password", "sip.caller_id"):
        from .baresip import SipAccount

        field = key.split(".", 1)[1]
        probe = {"domain": "example.com", field: text} if field != "domain" else {"domain": text}
        SipAccount(**probe)  # type: ignore[arg-type]
        return text
    if key == "sip.audio":
        from .baresip import audio_devices

        audio_devices(text)
        return text
    raise DialerError(f"unknown dialing setting {key!r}; known: {', '.join(KEYS)}")


def make_dialer(
    settings: Mapping[str, str],
    *,
    backend: str | None = None,
    clock: Clock = system_clock,
    monotonic: Monotonic = time.monotonic,
    osc52: Osc52Writer | None = None,
    display_name: str | None = None,
) -> Dialer:
    """The configured back-end (``backend`` overrides ``dial.backend``, as ``--dialer`` does).

    Raises DialerError when the back-end cannot work here (baresip missing, no tel: opener, an
    unset ``sip.domain``...), with what to do about it.
    """
    values = {**DEFAULTS, **{k: v for k, v in settings.items() if k in KEYS}}
    chosen = normalize("dial.backend", backend or values["dial.backend"])
    if chosen == "manual":
        from .manual import ManualDialer

        return ManualDialer(clock=clock, monotonic=monotonic, osc52=osc52)
    if chosen == "tel":
        from .tel import TelDialer

        return TelDialer(clock=clock, monotonic=monotonic)
    if chosen == "command":
        from .command import CommandDialer

        if not values.get("dial.command"):
            raise DialerError("dial.backend command needs dial.command, e.g. `dialdeck config set dial.command 'linphonecsh dial {e164}'`")
        return CommandDialer(values["dial.command"], clock=clock, monotonic=monotonic)
    return _sip(values, clock, monotonic, display_name)


def _sip(values: Mapping[str, str], clock: Clock, monotonic: Monotonic, display_name: str | None) -> Dialer:
    from .baresip import SipAccount
    from .sip import SipConfig, SipDialer

    if not values.get("sip.domain"):
        raise DialerError("dial.backend sip needs sip.domain (your PBX or SIP trunk), e.g. `dialdeck config set sip.domain pbx.example.com`")
    account = SipAccount(
        domain=values["sip.domain"],
        user=values.get("sip.user") or None,
        password=values.get("sip.password") or None,
        register=normalize("sip.register", values["sip.register"]) == "yes",
        caller_id=values.get("sip.caller_id") or None,
        # The rep's name is shown to the callee where the network passes it on; characters
        # baresip's account line cannot hold are left out rather than refusing to dial.
        display_name=re.sub(r'["\\<>\x00-\x1f\x7f]', "", display_name or "").strip() or None,
    )
    config = SipConfig(
        account=account,
        ring_timeout=float(normalize("dial.ring_timeout", values["dial.ring_timeout"])),
        audio=normalize("sip.audio", values["sip.audio"]),
    )
    return SipDialer(config, clock=clock, monotonic=monotonic)

"""Prospect search for the command palette (ctrl+p): any prospect, by name, company, phone or email.

The search runs on the DB thread through the gateway, so typing never waits on SQLite. A hit is
built as ``Content``, never as a markup string: the palette parses a string prompt or help text
as markup, and a name such as ``[/]`` or an e-mail ``a[/]@x.example`` must show as typed.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import Hit, Hits, Matcher, Provider
from textual.content import Content

from dialdeck import services
from dialdeck.errors import DialdeckError
from dialdeck.phones import format_international
from dialdeck.safe_text import one_line

if TYPE_CHECKING:
    from dialdeck.tui.app import DialdeckApp

RESULTS = 20


class ProspectSearch(Provider):
    async def search(self, query: str) -> Hits:
        text = query.strip()
        if len(text) < 2:
            return
        app = cast("DialdeckApp", self.app)  # typed: its gateway, and the session that shows a hit
        try:
            found = await app.gateway.call(services.search_prospects, text, limit=RESULTS)
        except DialdeckError:  # a locked or broken database: no hits, and no crash in the palette
            return
        matcher = self.matcher(text)
        for prospect in found:
            label = one_line(f"{prospect.name} · {prospect.company}" if prospect.company else prospect.name)
            details = one_line(f"{format_international(prospect.phone_e164)}  {prospect.email}".strip())
            score = matcher.match(label) or 0.1  # phone/email matches score low but still show
            yield Hit(score, hit_prompt(label, details, matcher), partial(app.show_prospect, prospect.id),
                      text=label)


def hit_prompt(label: str, details: str, matcher: Matcher) -> Content:
    """The label with the letters the query matched highlighted, then the phone and e-mail
    dimmed below it: what the palette shows for ``Hit(help=...)``, but as literal text."""
    shown = Content(label)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, label)
    for offset in offsets:
        if not label[offset].isspace():
            shown = shown.stylize(matcher.match_style, offset, offset + 1)
    return Content.assemble(shown, "\n", (details, "dim"))

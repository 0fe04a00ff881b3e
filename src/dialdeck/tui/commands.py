"""Prospect search for the command palette (ctrl+p): any prospect, by name, company, phone or email.

The search runs on the DB thread through the gateway, so typing never waits on SQLite.
"""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider

from dialdeck import services
from dialdeck.errors import DialdeckError
from dialdeck.tui.formatting import international

RESULTS = 20


class ProspectSearch(Provider):
    async def search(self, query: str) -> Hits:
        text = query.strip()
        if len(text) < 2:
            return
        try:
            found = await self.app.gateway.call(services.search_prospects, text, limit=RESULTS)
        except DialdeckError:  # a locked or broken database: no hits, and no crash in the palette
            return
        matcher = self.matcher(text)
        for prospect in found:
            label = f"{prospect.name} · {prospect.company}" if prospect.company else prospect.name
            score = matcher.match(label) or 0.1  # phone/email matches score low but still show
            yield Hit(
                score,
                matcher.highlight(label),
                partial(self.app.show_prospect, prospect.id),
                help=f"{international(prospect.phone_e164)}  {prospect.email}".strip(),
            )

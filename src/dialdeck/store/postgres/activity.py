"""What the rep did, counted on PostgreSQL: one session's figures and the activity report's."""

from __future__ import annotations

import psycopg

from dialdeck.store.interface import SessionRow, Time
from dialdeck.store.postgres.records import dicts, one

_SESSION_OUTCOMES_SQL = """
SELECT count(*) FILTER (WHERE action = 'call') AS dials,
       count(*) FILTER (WHERE outcome = 'voicemail') AS voicemails,
       count(*) FILTER (WHERE outcome = 'connected') AS connects,
       count(*) FILTER (WHERE outcome = 'no-answer') AS no_answers,
       count(*) FILTER (WHERE outcome = 'busy') AS busy,
       count(*) FILTER (WHERE outcome = 'wrong-number') AS wrong_numbers,
       count(*) FILTER (WHERE outcome = 'do-not-call') AS do_not_call,
       count(*) FILTER (WHERE disposition = 'booked') AS meetings_booked,
       count(*) FILTER (WHERE disposition = 'not-interested') AS not_interested,
       count(*) FILTER (WHERE disposition = 'callback') AS callbacks,
       count(*) FILTER (WHERE outcome = 'sent') AS emails_sent,
       count(*) FILTER (WHERE outcome = 'done') AS tasks_done,
       count(*) FILTER (WHERE network_result IS NOT NULL) AS timed_calls,
       coalesce(sum(talk_seconds), 0.0) AS talk_seconds
FROM attempts WHERE session_id = %s
"""

# The rep's activity per cadence over [since, until]: what the report adds up.
_ACTIVITY_SQL = """
SELECT cadence,
       count(*) FILTER (WHERE action = 'call') AS dials,
       count(*) FILTER (WHERE outcome = 'voicemail') AS voicemails,
       count(*) FILTER (WHERE outcome = 'connected') AS connects,
       count(*) FILTER (WHERE disposition = 'booked') AS meetings_booked,
       count(*) FILTER (WHERE disposition = 'not-interested') AS not_interested,
       count(*) FILTER (WHERE outcome = 'do-not-call') AS do_not_call,
       count(*) FILTER (WHERE outcome = 'sent') AS emails_sent,
       count(*) FILTER (WHERE outcome = 'done') AS tasks_done
FROM attempts WHERE at >= %s AND at <= %s
GROUP BY cadence ORDER BY dials DESC, cadence
"""

_SESSIONS_SQL = """
SELECT s.id, s.started_at, s.ended_at,
       count(a.id) FILTER (WHERE a.action = 'call') AS dials, max(a.at) AS last_at,
       count(a.id) FILTER (WHERE a.network_result IS NOT NULL) AS timed_calls,
       coalesce(sum(a.talk_seconds), 0.0) AS talk_seconds
FROM sessions s LEFT JOIN attempts a ON a.session_id = s.id
WHERE s.started_at <= %(until)s GROUP BY s.id
HAVING coalesce(s.ended_at, max(a.at), s.started_at) >= %(since)s
ORDER BY s.started_at, s.id
"""


class ActivityReads:
    conn: psycopg.Connection

    def session(self, session_id: int) -> SessionRow | None:
        return one(self.conn, "SELECT * FROM sessions WHERE id = %s", [session_id])

    def session_outcomes(self, session_id: int) -> dict[str, float]:
        return one(self.conn, _SESSION_OUTCOMES_SQL, [session_id])

    def activity_by_cadence(self, since: Time, until: Time) -> list[dict]:
        return dicts(self.conn, _ACTIVITY_SQL, [since, until])

    def sessions_between(self, since: Time, until: Time) -> list[dict]:
        # A session never closed (the app was killed) ran until its last attempt.
        return dicts(self.conn, _SESSIONS_SQL, {"since": since, "until": until})

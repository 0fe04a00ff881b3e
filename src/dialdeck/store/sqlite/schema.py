"""The schema, as forward migrations: one function per schema step, applied in order.

sqlite-utils' ``Migrations`` records each applied step in ``_sqlite_migrations``. A database
that lists a step this dialdeck does not know was written by a newer dialdeck: opening it
refuses it rather than guess.

Times are UTC ISO-8601 text (``clock.to_iso``), fixed width, so text order is time order.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlite_utils import Database, Migrations

from dialdeck.clock import to_iso

MIGRATION_SET = "dialdeck"

migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_core_tables(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE prospects (
            id INTEGER PRIMARY KEY,
            first_name TEXT NOT NULL DEFAULT '',
            last_name TEXT NOT NULL DEFAULT '',
            company TEXT NOT NULL DEFAULT '',
            phone_e164 TEXT NOT NULL UNIQUE,
            phone_raw TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            timezone TEXT NOT NULL,
            tz_source TEXT NOT NULL,
            region TEXT NOT NULL DEFAULT '',
            subdivision TEXT,
            temperature TEXT NOT NULL DEFAULT 'cold' CHECK (temperature IN ('warm', 'cold')),
            value REAL,
            referrer TEXT NOT NULL DEFAULT '',
            referrer_company TEXT NOT NULL DEFAULT '',
            appointment_at TEXT,
            notes TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        -- Re-imports match by E.164 first, then by e-mail (stored lower-cased).
        CREATE INDEX ix_prospects_email ON prospects(email) WHERE email != '';

        CREATE TABLE enrollments (
            id INTEGER PRIMARY KEY,
            prospect_id INTEGER NOT NULL REFERENCES prospects(id),
            cadence TEXT NOT NULL,
            step_index INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN
                ('active', 'connected', 'finished', 'booked', 'not-interested', 'wrong-number', 'dnc')),
            next_due_at TEXT,
            pinned INTEGER NOT NULL DEFAULT 0,
            retries INTEGER NOT NULL DEFAULT 0,
            -- Denormalized from the prospect so the due queue never joins before it has its page:
            hours_key TEXT NOT NULL,     -- which calling window applies (hours.hours_key)
            temp_rank INTEGER NOT NULL,  -- 0 warm, 1 cold: warm is called first
            value REAL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        -- At most one live (active or awaiting a disposition) enrollment per prospect.
        CREATE UNIQUE INDEX ux_enrollments_live ON enrollments(prospect_id)
            WHERE status IN ('active', 'connected');
        CREATE INDEX ix_enrollments_prospect ON enrollments(prospect_id, cadence);

        -- The due queue (store/queries.py). Partial indexes hold only what can be due.
        -- Counting and sorting a small due set: per open window, the due range, covering.
        CREATE INDEX ix_due_zone ON enrollments(hours_key, next_due_at, temp_rank, value, prospect_id)
            WHERE status = 'active' AND pinned = 0;
        -- Walking a large due set already in calling order, so no sort is needed.
        CREATE INDEX ix_due_order ON enrollments(temp_rank, value DESC, next_due_at, prospect_id, hours_key)
            WHERE status = 'active' AND pinned = 0;
        -- Promises: few, called earliest first.
        CREATE INDEX ix_due_pinned ON enrollments(next_due_at, prospect_id, hours_key)
            WHERE status = 'active' AND pinned = 1;
        -- "What comes due next" for the empty state.
        CREATE INDEX ix_due_next ON enrollments(next_due_at) WHERE status = 'active';

        -- The distinct calling windows in use: few (hundreds), so the open set is computed in Python.
        CREATE TABLE hours_keys (key TEXT PRIMARY KEY) WITHOUT ROWID;

        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            rep TEXT NOT NULL DEFAULT ''
        );

        -- Append-only log. prev_state is the enrollment row before this attempt (JSON), so undo
        -- restores it exactly; spawned_enrollment_id is the enrollment a "continue into another
        -- cadence" created, which undo deletes; dnc_added says this attempt put the number on the list.
        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            prospect_id INTEGER NOT NULL REFERENCES prospects(id),
            enrollment_id INTEGER NOT NULL REFERENCES enrollments(id),
            cadence TEXT NOT NULL,
            step INTEGER NOT NULL,  -- 1-based
            action TEXT NOT NULL,
            outcome TEXT NOT NULL,
            disposition TEXT,
            at TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            session_id INTEGER REFERENCES sessions(id),
            prev_state TEXT NOT NULL,
            spawned_enrollment_id INTEGER REFERENCES enrollments(id),
            dnc_added INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX ix_attempts_prospect ON attempts(prospect_id, at);
        CREATE INDEX ix_attempts_enrollment ON attempts(enrollment_id);
        CREATE INDEX ix_attempts_session ON attempts(session_id) WHERE session_id IS NOT NULL;

        CREATE TABLE dnc (
            e164 TEXT PRIMARY KEY,
            added_at TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT ''
        ) WITHOUT ROWID;

        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        """
    )


@migrations()
def m002_promises_and_attempt_times(db: Database) -> None:
    """A voicemail's promised call time survives the email or social steps between, and the
    activity report reads attempts by time without a scan."""
    db.execute("ALTER TABLE enrollments ADD COLUMN promised_at TEXT")
    db.execute("CREATE INDEX ix_attempts_at ON attempts(at)")


@migrations()
def m003_forced(db: Database) -> None:
    """A call logged against the guard (``log --force``: outside calling hours, over the daily
    cap, a do-not-call number) keeps the refusal it overrode; NULL for every other attempt."""
    db.execute("ALTER TABLE attempts ADD COLUMN forced_reason TEXT")


@migrations()
def m004_phones(db: Database) -> None:
    """Real CRM exports: a number's extension, several numbers per contact, and the number each
    attempt used.

    The prospect's own number stays on ``prospects`` (the due queue, calling hours and the
    do-not-call list go by it), now with its extension and label; ``prospect_phones`` holds the
    contact's other numbers, so a file with one number a row writes nothing more.
    """
    db.executescript(
        """
        ALTER TABLE prospects ADD COLUMN phone_ext TEXT NOT NULL DEFAULT '';
        ALTER TABLE prospects ADD COLUMN phone_label TEXT NOT NULL DEFAULT 'phone';
        CREATE TABLE prospect_phones (
            prospect_id INTEGER NOT NULL REFERENCES prospects(id),
            position INTEGER NOT NULL,  -- 1, 2...: the order the card lists them, after the prospect's own
            label TEXT NOT NULL,        -- phone, direct, work, mobile, home, other
            e164 TEXT NOT NULL,
            extension TEXT NOT NULL DEFAULT '',
            raw TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (prospect_id, position)
        ) WITHOUT ROWID;
        -- The number an attempt used, '+14045550111' or '+14045550111;ext=12' (phones.number_text);
        -- NULL for email, task and social steps and for attempts logged before this step. From
        -- here on attempts.dnc_added holds flags: 1 that number, 2 the prospect's own number too.
        ALTER TABLE attempts ADD COLUMN number TEXT;
        """
    )


@migrations()
def m005_notes(db: Database) -> None:
    """Every note kept, each with its time and where it came from: the CRM's note from an
    import ("crm") or one the rep typed ("rep", with the session and the call just made).

    Before this step the rep's notes were appended to ``prospects.notes`` as
    "[2026-11-23 10:00 EST] text" lines after the CRM's text; they move here with their time,
    and ``prospects.notes`` keeps the CRM's text only (what a re-import compares against).
    """
    db.executescript(
        """
        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            prospect_id INTEGER NOT NULL REFERENCES prospects(id),
            at TEXT NOT NULL,
            text TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('crm', 'rep')),
            session_id INTEGER REFERENCES sessions(id),
            -- The call just made when the note was typed. No foreign key: undo deletes attempts,
            -- and a note outlives the attempt it followed.
            attempt_id INTEGER
        );
        -- The card's newest notes and a prospect's history, newest first.
        CREATE INDEX ix_notes_prospect ON notes(prospect_id, at, id);
        """
    )
    # Most prospects have only the CRM's note (no stamped lines): moved in one statement.
    db.execute(
        "INSERT INTO notes (prospect_id, at, text, source) "
        "SELECT id, created_at, notes, 'crm' FROM prospects "
        "WHERE notes != '' AND notes NOT LIKE '[%' AND instr(notes, char(10) || '[') = 0"
    )
    zone = _rep_zone(db)
    mixed = db.execute(
        "SELECT id, notes, created_at FROM prospects "
        "WHERE notes LIKE '[%' OR instr(notes, char(10) || '[') > 0"
    ).fetchall()
    for prospect_id, text, created_at in mixed:
        crm, typed = split_legacy_notes(text, zone, created_at)
        if crm:
            db.execute("INSERT INTO notes (prospect_id, at, text, source) VALUES (?, ?, ?, 'crm')",
                       [prospect_id, created_at, crm])
        db.conn.executemany("INSERT INTO notes (prospect_id, at, text, source) VALUES (?, ?, ?, 'rep')",
                            [[prospect_id, at, note] for at, note in typed])
        db.execute("UPDATE prospects SET notes = ? WHERE id = ?", [crm, prospect_id])


_LEGACY_STAMP = re.compile(r"^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2})(?: [^\]]*)?\]\s?(.*)$")


def split_legacy_notes(text: str, zone: str, fallback_at: str) -> tuple[str, list[tuple[str, str]]]:
    """The CRM's text and the rep's stamped notes ((UTC ISO time, text), oldest first) of an old
    ``prospects.notes``. A stamp is the rep's local time; one that cannot be read keeps the line
    as the rep's note at ``fallback_at``, so nothing is lost."""
    crm: list[str] = []
    typed: list[tuple[str, str]] = []
    for line in text.split("\n"):
        match = _LEGACY_STAMP.match(line)
        if match is None:
            crm.append(line)
            continue
        typed.append((_stamp_to_utc(match.group(1), zone) or fallback_at, match.group(2).strip()))
    return "\n".join(crm).strip("\n"), [(at, note) for at, note in typed if note]


def _stamp_to_utc(stamp: str, zone: str) -> str | None:
    try:
        local = datetime.strptime(stamp, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(zone))
    except (ValueError, KeyError, ZoneInfoNotFoundError):
        return None
    return to_iso(local)


def _rep_zone(db: Database) -> str:
    """The zone add_note stamped times in (the rep's, as set then; New York by default)."""
    row = db.execute("SELECT value FROM settings WHERE key = 'rep.timezone'").fetchone()
    return row[0] if row else "America/New_York"


@migrations()
def m006_facts(db: Database) -> None:
    """What scripts are rendered from: the call each attempt's message promised, a callback
    agreed and who chose it, the times an email offered; and the rep's own facts about a
    prospect (a benefit to mention, urgent and why)."""
    db.executescript(
        """
        ALTER TABLE attempts ADD COLUMN promised_at TEXT;
        ALTER TABLE attempts ADD COLUMN callback_at TEXT;
        ALTER TABLE attempts ADD COLUMN callback_by TEXT;
        ALTER TABLE attempts ADD COLUMN offered TEXT;  -- JSON list of UTC ISO times
        ALTER TABLE prospects ADD COLUMN benefit TEXT NOT NULL DEFAULT '';
        ALTER TABLE prospects ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE prospects ADD COLUMN urgent_reason TEXT NOT NULL DEFAULT '';
        """
    )


@migrations()
def m007_call_facts(db: Database) -> None:
    """What the network said of a call dialdeck placed: ring and talk seconds, the result
    (answered, busy, no-answer, failed) and whether a voicemail recording was dropped. NULL
    for every call dialled by hand (and every attempt before this step)."""
    db.executescript(
        """
        ALTER TABLE attempts ADD COLUMN ring_seconds REAL;
        ALTER TABLE attempts ADD COLUMN talk_seconds REAL;
        ALTER TABLE attempts ADD COLUMN network_result TEXT;
        ALTER TABLE attempts ADD COLUMN recording_dropped INTEGER NOT NULL DEFAULT 0;
        """
    )


# The settings that became each rep's own at m008 (the rest stay the team's). Frozen here as
# they were then: settings.REP_KEYS is the live list.
_M008_REP_SETTINGS = ("key LIKE 'rep.%' OR key LIKE 'ui.%' OR key IN "
                      "('sip.caller_id', 'sip.user', 'sip.password', 'sip.audio', 'dial.backend', 'dial.command')")
M008_DEFAULT_REP = "me"


@migrations()
def m008_reps(db: Database) -> None:
    """A team on one database: reps, each with their own settings (name, callback number,
    company, zone, caller ID...), prospects owned by a rep or left in the shared pool, and the
    rep on every attempt.

    A database from before this step was one rep's: that rep is created (named as their
    profile's rep.name, else "me"), their settings move to them and every attempt is theirs, so
    nothing changes for them. ``enrollments.owner_rep_id`` repeats the prospect's owner so the
    due queue filters a rep's queue on its own indexes, which m008 rebuilds to carry it.
    """
    db.executescript(
        """
        CREATE TABLE reps (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL COLLATE NOCASE UNIQUE,  -- "--rep jordan" finds "Jordan"
            created_at TEXT NOT NULL
        );
        CREATE TABLE rep_settings (
            rep_id INTEGER NOT NULL REFERENCES reps(id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (rep_id, key)
        ) WITHOUT ROWID;
        ALTER TABLE prospects ADD COLUMN owner_rep_id INTEGER REFERENCES reps(id);  -- NULL: the pool
        ALTER TABLE enrollments ADD COLUMN owner_rep_id INTEGER;
        ALTER TABLE attempts ADD COLUMN rep_id INTEGER REFERENCES reps(id);  -- NULL: made before reps
        CREATE INDEX ix_attempts_rep ON attempts(rep_id);  -- a rep's newest (undo): by rowid
        CREATE INDEX ix_prospects_owner ON prospects(owner_rep_id) WHERE owner_rep_id IS NOT NULL;

        DROP INDEX ix_due_zone;
        DROP INDEX ix_due_order;
        DROP INDEX ix_due_pinned;
        CREATE INDEX ix_due_zone ON enrollments(hours_key, next_due_at, temp_rank, value, prospect_id, owner_rep_id)
            WHERE status = 'active' AND pinned = 0;
        CREATE INDEX ix_due_order ON enrollments(temp_rank, value DESC, next_due_at, prospect_id, hours_key,
                                                 owner_rep_id)
            WHERE status = 'active' AND pinned = 0;
        CREATE INDEX ix_due_pinned ON enrollments(next_due_at, prospect_id, hours_key, owner_rep_id)
            WHERE status = 'active' AND pinned = 1;
        DROP INDEX ix_due_next;
        CREATE INDEX ix_due_next ON enrollments(next_due_at, owner_rep_id) WHERE status = 'active';

        -- An enrollment's owner is its prospect's, whoever writes either (outcomes, imports, assign).
        CREATE TRIGGER tr_enrollments_owner AFTER INSERT ON enrollments
        BEGIN
            UPDATE enrollments SET owner_rep_id = (SELECT owner_rep_id FROM prospects WHERE id = NEW.prospect_id)
            WHERE id = NEW.id;
        END;
        CREATE TRIGGER tr_prospects_owner AFTER UPDATE OF owner_rep_id ON prospects
            WHEN OLD.owner_rep_id IS NOT NEW.owner_rep_id
        BEGIN
            UPDATE enrollments SET owner_rep_id = NEW.owner_rep_id WHERE prospect_id = NEW.id;
        END;
        """
    )
    row = db.execute("SELECT trim(value) FROM settings WHERE key = 'rep.name'").fetchone()
    name = row[0] if row and row[0] else M008_DEFAULT_REP
    created = db.execute("SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')").fetchone()[0]
    rep_id = db.execute("INSERT INTO reps (name, created_at) VALUES (?, ?)", [name, created]).lastrowid
    db.execute(f"INSERT INTO rep_settings (rep_id, key, value) SELECT ?, key, value FROM settings "
               f"WHERE {_M008_REP_SETTINGS}", [rep_id])
    db.execute(f"DELETE FROM settings WHERE {_M008_REP_SETTINGS}")
    db.execute("UPDATE attempts SET rep_id = ?", [rep_id])


@functools.cache
def known_steps() -> frozenset[str]:
    """Every schema step this dialdeck knows: all of them are pending on an empty database."""
    return frozenset(step.name for step in migrations.pending(Database(memory=True)))


@migrations()
def m009_reservations(db: Database) -> None:
    """A team never puts two reps on one prospect: a prospect handed to a rep (``dialdeck next``,
    the session's card) is theirs until they log it, release it, or ``until`` passes. One row
    per prospect, and at most one per rep (a rep works one call at a time)."""
    db.executescript(
        """
        CREATE TABLE reservations (
            prospect_id INTEGER PRIMARY KEY REFERENCES prospects(id),
            rep_id INTEGER NOT NULL REFERENCES reps(id),
            reserved_at TEXT NOT NULL,
            until TEXT NOT NULL
        );
        CREATE UNIQUE INDEX ix_reservations_rep ON reservations(rep_id);
        """
    )

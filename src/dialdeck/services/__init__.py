"""The use cases: one function each. The CLI and the TUI call only these.

One module per use case (``queue``, ``card``, ``outcomes``, ``importing``...); this package
re-exports the public names, so callers write ``services.log_outcome(...)``.

Each takes the ``Store`` first (``open_store`` / ``open_reader``, re-exported here so the CLI
and the TUI need no store module). Each function that writes opens exactly one transaction
(``store.writing()``): it loads what it needs, decides in the pure domain (``schedule``,
``enrolling``, ``guard``...) and writes, all inside it. Every function that depends on time
takes ``now`` (aware UTC). A database failure surfaces as ``StoreError`` (one line), bad
input as ``InvalidInput`` or ``NotFound``, never as a traceback.
"""

from dialdeck import settings
from dialdeck.models import ActivityReport, CadenceActivity, SessionActivity
from dialdeck.schedule import RECENT_CALLS
from dialdeck.services.card import CARD_NOTES, call_card, call_verdict
from dialdeck.services.claims import Reserved, claim, claim_next, holds, lease_minutes, release, renew, team_today
from dialdeck.services.dialing import dial_plan, dialer_settings
from dialdeck.services.dnc import dnc_add, dnc_list, dnc_remove
from dialdeck.services.export import export_rows, iter_export_rows
from dialdeck.services.importing import import_csv
from dialdeck.services.library import library, library_problems
from dialdeck.services.moving import move_database, shown
from dialdeck.services.outcomes import (
    CALLBACK_CHOOSERS,
    DNC_OWN,
    DNC_USED,
    OFF_SCRIPT_NOTE,
    log_outcome,
    pick_offered,
    set_disposition,
    snooze,
    undo_last,
)
from dialdeck.services.profile import (
    get_profile,
    profile_problems,
    remember_theme,
    saved_theme,
    set_setting,
)
from dialdeck.services.prospects import (
    add_note,
    calling_window,
    history,
    notes,
    numbers,
    prospect,
    prospect_by_phone,
    search_prospects,
    set_benefit,
    set_urgent,
)
from dialdeck.services.queue import QUEUE_COUNT_CAP, due, explain_due, queue_summary
from dialdeck.services.recordings import (
    list_recordings,
    recording_for,
    recordings_folder,
    remove_recording,
    set_recording,
    voicemail_step,
)
from dialdeck.services.reports import REPORT_MAX_DAYS, report
from dialdeck.services.reps import add_rep, assign, pool_size, rename_rep, rep_named, reps, select_rep, team
from dialdeck.services.sessions import end_session, session_stats, start_session
from dialdeck.store import Store, engine_for, open_reader, open_store

__all__ = [
    "CALLBACK_CHOOSERS", "CARD_NOTES", "DNC_OWN", "DNC_USED", "OFF_SCRIPT_NOTE", "QUEUE_COUNT_CAP",
    "RECENT_CALLS", "REPORT_MAX_DAYS", "ActivityReport", "CadenceActivity", "SessionActivity", "Store",
    "add_note", "call_card", "dial_plan", "dialer_settings", "list_recordings", "recording_for",
    "recordings_folder", "remove_recording", "set_recording", "voicemail_step", "call_verdict", "calling_window", "dnc_add", "dnc_list", "dnc_remove", "due",
    "end_session", "engine_for", "explain_due", "export_rows", "get_profile", "history", "import_csv", "iter_export_rows",
    "library", "library_problems", "log_outcome", "move_database", "notes", "numbers", "open_reader", "open_store",
    "pick_offered", "profile_problems", "prospect", "prospect_by_phone", "queue_summary", "remember_theme", "report", "saved_theme", "search_prospects",
    "session_stats", "set_benefit", "shown", "set_disposition", "set_setting", "set_urgent", "settings", "snooze",
    "start_session", "undo_last",
    "Reserved", "claim", "claim_next", "holds", "lease_minutes", "release", "renew", "team_today",
    "add_rep", "assign", "pool_size", "rename_rep", "rep_named", "reps", "select_rep", "team",
]

"""Cadence files: loading, validation messages a user can act on, the library, templates."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from dialdeck import paths
from dialdeck.cadence import (
    TEMPLATE_FIELDS,
    Wait,
    cadence_from_mapping,
    load_cadence,
    load_library,
    render,
    template_problems,
)
from dialdeck.errors import CadenceError, InvalidInput

FILES = Path(__file__).parent / "cadence_files"
BROKEN = FILES / "broken"
USER = FILES / "user"


def problems_of(path: Path) -> list[str]:
    with pytest.raises(CadenceError) as caught:
        load_cadence(path)
    return caught.value.problems


def test_every_step_problem_is_reported_with_file_step_and_field():
    path = BROKEN / "broken_steps.toml"
    problems = problems_of(path)
    expected = [
        ("step 1: wait:", "'soon' is not a duration"),
        ("step 1: voicemail:", "unknown field {rep_nmae}"),
        ("step 2: weekday:", "'wendesday' is not a weekday"),
        ("step 2: at:", "'25:00' is not a local time"),
        ("step 3: voicemail:", "must say what to leave"),
        ("step 4: colour:", "unknown key"),
        ("step 4: subject:", "required for an email step"),
        ("step 5: cold.ring_twice:", "cannot be overridden"),
        ("step 5: cold.voicemail:", "no attribute or index access"),
        ("step 6: action:", "'fax' is not an action"),
    ]
    for where, reason in expected:
        assert any(p.startswith(f"{path}: {where}") and reason in p for p in problems), (where, problems)
    assert len(problems) == len(expected), problems


def test_a_bad_value_does_not_also_report_the_value_as_missing():
    problems = problems_of(BROKEN / "broken_steps.toml")
    assert not any("when is this step due" in p for p in problems)


def test_metadata_problems_name_the_file_and_field_without_a_step():
    path = BROKEN / "broken_meta.toml"
    problems = problems_of(path)
    for field in ("owner", "name", "low_value_below", "no_answer_retries", "continue_with"):
        assert any(p.startswith(f"{path}: {field}: ") for p in problems), (field, problems)
    assert not any("step " in p for p in problems)


def test_toml_syntax_error_names_the_line():
    path = BROKEN / "bad_syntax.toml"
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: line 6: invalid TOML")


def test_timing_combinations_are_checked():
    path = BROKEN / "bad_timing.toml"
    problems = problems_of(path)
    assert f"{path}: step 1: wait: when is this step due?" in problems[0]
    assert any(p.startswith(f"{path}: step 2: at: only with a wait in days") for p in problems)
    assert any(p.startswith(f"{path}: step 3: weekday: give only one of") for p in problems)
    assert any(p.startswith(f"{path}: step 4: promise: ") for p in problems)
    assert any(p.startswith(f"{path}: step 5: slot: 'brunch' is not a slot") for p in problems)


def test_next_call_in_the_last_step_of_a_finishing_cadence_is_refused():
    path = BROKEN / "last_promise.toml"
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: step 2: voicemail: {{next_call}} promises a call that never comes")


def test_next_call_followed_only_by_an_email_in_a_finishing_cadence_is_refused():
    data = {"steps": [
        {"action": "call", "wait": "0 minutes", "voicemail": "I'll call you {next_call}."},
        {"action": "email", "wait": "0 minutes", "subject": "Hi", "body": "Hello"},
    ]}
    with pytest.raises(CadenceError) as caught:
        cadence_from_mapping(data, source="m.toml", default_name="m")
    [problem] = caught.value.problems
    assert problem.startswith("m.toml: step 1: voicemail: {next_call} promises a call that never comes")


def test_next_call_is_fine_when_the_cadence_continues_elsewhere():
    data = {"after_last": "continue", "continue_with": "three-step", "steps": [
        {"action": "call", "wait": "0 minutes", "voicemail": "I'll call you {next_call}."},
    ]}
    assert cadence_from_mapping(data, source="c.toml", default_name="c").continue_with == "three-step"


def test_next_call_in_a_step_that_only_becomes_last_for_cold_leads_is_refused():
    data = {
        "steps": [
            {"action": "call", "wait": "0 minutes", "voicemail": "I'll call you {next_call}."},
            {"action": "call", "wait": "1 day", "voicemail": False, "cold": {"skip": True}},
        ]
    }
    with pytest.raises(CadenceError) as caught:
        cadence_from_mapping(data, source="x.toml", default_name="x")
    assert caught.value.problems == [
        "x.toml: step 1: voicemail: {next_call} promises a call that never comes: for cold leads "
        "no call follows this step and the cadence finishes"
    ]


def test_an_email_step_needs_subject_and_body_and_a_call_step_has_no_subject():
    data = {"steps": [
        {"action": "email", "wait": "1 day"},
        {"action": "call", "wait": "1 day", "voicemail": False, "subject": "Hi"},
    ]}
    with pytest.raises(CadenceError) as caught:
        cadence_from_mapping(data, source="e.toml", default_name="e")
    assert caught.value.problems == [
        "e.toml: step 1: subject: required for an email step",
        "e.toml: step 1: body: required for an email step",
        "e.toml: step 2: subject: a call step has no subject (it takes: talk_track, tip, voicemail)",
    ]


def test_wrong_types_are_named():
    data = {"tip": 3, "steps": [{"action": "call", "wait": 5, "voicemail": True, "urgent": "yes"}]}
    with pytest.raises(CadenceError) as caught:
        cadence_from_mapping(data, source="t.toml", default_name="t")
    problems = caught.value.problems
    assert "t.toml: tip: must be text, not a number" in problems
    assert any(p.startswith("t.toml: step 1: wait: must be text") for p in problems)
    assert any(p.startswith("t.toml: step 1: voicemail: must be the message text, a list of parts, or false") for p in problems)
    assert "t.toml: step 1: urgent: must be true or false, not 'yes'" in problems


def test_a_cadence_needs_steps():
    with pytest.raises(CadenceError) as caught:
        cadence_from_mapping({"name": "empty"}, source="empty.toml")
    assert caught.value.problems == ["empty.toml: steps: a cadence needs at least one [[steps]] table"]


def test_a_valid_user_cadence_loads_with_its_variants():
    nurture = load_cadence(USER / "nurture.toml")
    assert nurture.name == "nurture"
    assert nurture.after_last == "continue" and nurture.continue_with == "three-step"
    assert nurture.no_answer_retries == 2
    call = nurture.steps[1]
    assert call.voicemail is None  # voicemail = false: don't leave a message
    assert call.timing.wait == Wait(4, "weeks") and call.timing.at == time(10, 30)
    assert nurture.step(1, "cold").timing.wait == Wait(6, "weeks")
    assert nurture.step(1, "cold").timing.at == time(10, 30)
    assert nurture.step(2, "warm") is not None
    assert nurture.step(2, "cold") is None


def test_toml_local_time_literals_are_accepted_for_at():
    data = {"steps": [{"action": "call", "weekday": "Wed", "at": time(16, 0), "voicemail": False}]}
    step = cadence_from_mapping(data, source="w.toml", default_name="w").steps[0]
    assert step.timing.weekday == 2 and step.timing.at == time(16) and step.timing.pinned


def test_library_user_file_overrides_builtin_and_adds_its_own():
    library = load_library(paths.builtin_cadence_dir(), USER)
    assert library["three-step"].title == "My three-step"
    assert library["nurture"].continue_with == "three-step"
    assert {"money-in-follow-up", "follow-up-series", "voicemail-challenge", "zero-to-ten"} <= set(library)


def test_library_without_a_user_dir_is_the_five_builtins(tmp_path):
    library = load_library(paths.builtin_cadence_dir(), tmp_path / "does-not-exist")
    assert sorted(library) == ["follow-up-series", "money-in-follow-up", "three-step",
                               "voicemail-challenge", "zero-to-ten"]


def test_library_refuses_continue_with_an_unknown_cadence(tmp_path):
    (tmp_path / "orphan.toml").write_text(
        'after_last = "continue"\ncontinue_with = "nowhere"\n'
        '[[steps]]\naction = "task"\nwait = "1 day"\ninstructions = "Think."\n'
    )
    with pytest.raises(CadenceError) as caught:
        load_library(paths.builtin_cadence_dir(), tmp_path)
    [problem] = caught.value.problems
    assert problem.startswith(f"{tmp_path / 'orphan.toml'}: continue_with: no cadence named 'nowhere'")


def test_library_collects_problems_from_every_broken_file(tmp_path):
    for name in ("broken_steps.toml", "broken_meta.toml"):
        (tmp_path / name).write_text((BROKEN / name).read_text())
    with pytest.raises(CadenceError) as caught:
        load_library(paths.builtin_cadence_dir(), tmp_path)
    files = {p.split(": ")[0] for p in caught.value.problems}
    assert files == {str(tmp_path / "broken_steps.toml"), str(tmp_path / "broken_meta.toml")}


def test_render_fills_fields_and_keeps_literal_braces():
    fields = {name: name.upper() for name in TEMPLATE_FIELDS}
    assert render("Hi {first_name} {{not a field}}", fields) == "Hi FIRST_NAME {not a field}"


def test_render_lets_a_time_abbreviation_end_the_sentence():
    assert render("I'll call you {next_call}.", {"next_call": "Wednesday at 4 p.m."}) == \
        "I'll call you Wednesday at 4 p.m."


def test_render_names_a_field_without_a_value():
    with pytest.raises(InvalidInput, match=r"\{company\} has no value"):
        render("Hi {first_name} at {company}", {"first_name": "Ana"})


@pytest.mark.parametrize(
    "template, reason",
    [
        ("Hi {firstname}", "unknown field {firstname}"),
        ("Hi {}", "empty placeholder"),
        ("Hi {0}", "empty placeholder"),
        ("Hi {first_name!r}", "no format spec or conversion"),
        ("Hi {first_name:>10}", "no format spec or conversion"),
        ("Hi {first_name[0]}", "no attribute or index access"),
        ("Hi {first_name", "broken braces"),
        ("Hi first_name}", "broken braces"),
    ],
)
def test_template_problems(template, reason):
    [problem] = template_problems(template)
    assert reason in problem


def test_valid_template_has_no_problems():
    assert template_problems("Hi {first_name}, {rep_name} at {rep_company}: {next_call}.") == []


# --- text parts picked by conditions (issue 8) ---------------------------------------------------

from dialdeck.cadence import Text, render_text  # noqa: E402


def _one_step(**step) -> dict:
    return {"name": "t", "steps": [{"action": "call", "wait": "0 minutes", "voicemail": False, **step}]}


def _problems(data: dict) -> list[str]:
    with pytest.raises(CadenceError) as caught:
        cadence_from_mapping(data, source="t.toml")
    return caught.value.problems


def test_parts_pick_by_condition_with_else_and_join_into_sentences():
    loaded = cadence_from_mapping(_one_step(voicemail=[
        {"when": "first_name", "text": "Hi {first_name}", "else": "Hi"},
        {"when": "promise_kept", "text": ", as promised.", "else": "."},
        {"when": ["referrer", "referrer_company"], "text": "{referrer} at {referrer_company} sent me."},
        "Bye.",
    ]), source="t.toml")
    text = loaded.steps[0].voicemail
    fields = {"first_name": "Ana", "referrer": "Bo", "referrer_company": "Contoso"}
    assert render_text(text, frozenset({"first_name", "promise_kept", "referrer", "referrer_company"}), fields) == \
        "Hi Ana, as promised. Bo at Contoso sent me. Bye."
    assert render_text(text, frozenset({"first_name"}), fields) == "Hi Ana. Bye."
    assert render_text(text, frozenset({"no_first_name"}), {**fields, "first_name": ""}) == "Hi. Bye."
    assert "[when referrer and referrer_company: {referrer} at {referrer_company} sent me.]" in str(text)


def test_a_voicemail_whose_parts_all_fail_is_no_message():
    loaded = cadence_from_mapping(_one_step(voicemail=[{"when": "urgent", "text": "Call me back today."}]),
                                  source="t.toml")
    assert render_text(loaded.steps[0].voicemail, frozenset({"not_urgent"}), {}) == ""


def test_paragraph_parts_keep_their_line_breaks():
    text = Text.plain("Hi.")
    loaded = cadence_from_mapping({"name": "t", "steps": [{"action": "email", "wait": "0 minutes", "subject": "S",
                                                            "body": [{"when": "first_name", "text": "Hi {first_name},"}, "\n\n",
                                                                     {"when": "emailed", "text": "Again."},
                                                                     "\n\n", "Bye."]}]}, source="t.toml")
    assert render_text(loaded.steps[0].body, frozenset({"first_name"}), {"first_name": "Ana"}) == "Hi Ana,\n\nBye."
    assert render_text(text, frozenset(), {}) == "Hi."


@pytest.mark.parametrize("voicemail, says", [
    ([{"when": "refferer", "text": "x"}], "step 1: voicemail: part 1: unknown condition 'refferer'"),
    ([{"when": ["urgent", "not_urgent"], "text": "x"}], "can never hold (urgent and not_urgent)"),
    ([{"when": "urgent"}], "part 1: a part table needs text"),
    ([{"text": "x"}], "part 1: a part table needs when"),
    ([{"when": "urgent", "text": "x", "otherwise": "y"}], "part 1: unknown key 'otherwise'"),
    ([], "a list of parts needs at least one part"),
    ("Hi, {referrer} sent me.", 'step 1: voicemail: {referrer} is known only for some prospects: say it in a '
                                'part under when = "referrer"'),
    ([{"when": "referrer", "text": "x", "else": "{referrer} sent me."}], "part 1: {referrer} is known only"),
    ([{"when": "referrer", "text": "{referrer_company} too."}], 'under when = "referrer_company"'),
    ("{last_email} it went.", 'when = "emailed"'),
    ("{promised} we said.", 'when = "promised"'),
    ("{slots}", "{slots} is only for an email step with offer_slots = N"),
    # A CRM row may leave the prospect's own fields blank (GAP 1 of the review of issue 8).
    ("Hi {first_name}, it's Jordan.", 'voicemail: {first_name} is known only for some prospects: say it in a part '
                                      'under when = "first_name" (a script states only what the data says), e.g. '
                                      '{ when = "first_name", text = "Hi {first_name},", else = "Hi," }'),
    ("I have an idea for {company} I'd like to share.", 'voicemail: {company} is known only for some prospects: say '
                                                         'it in a part under when = "company"'),
    ("Is that Mr {last_name}?", 'voicemail: {last_name} is known only for some prospects'),
    ([{"when": "referrer", "text": "{referrer} thought of {company}."}], 'under when = "company"'),
    ([{"when": "company", "text": "x", "else": "for {company}"}], 'part 1: {company} is known only'),
])
def test_part_problems_name_file_step_field_and_part(voicemail, says):
    assert any(says in problem and problem.startswith("t.toml: step 1: voicemail") for problem in
               _problems(_one_step(voicemail=voicemail))), _problems(_one_step(voicemail=voicemail))


def test_offer_slots_is_for_email_steps_that_say_them():
    assert "t.toml: step 1: offer_slots: only an email step offers times ({slots} in its body)" in \
        _problems(_one_step(offer_slots=2))
    no_slots = {"name": "t", "steps": [{"action": "email", "wait": "0 minutes", "subject": "S", "body": "B",
                                        "offer_slots": 3}]}
    assert any("put {slots} in the body" in p for p in _problems(no_slots))
    assert any("1 to 5" in p for p in _problems({**no_slots, "steps": [{**no_slots["steps"][0], "offer_slots": 9}]}))


def test_a_promise_may_be_a_day_wait_at_a_time_but_not_a_slot():
    loaded = cadence_from_mapping(_one_step(wait="2 business days", at="16:00", promise=True), source="t.toml")
    assert loaded.steps[0].timing.pinned
    assert any("promise: only with a wait (a promised time is exact: no slot)" in p
               for p in _problems(_one_step(wait="1 day", slot="morning", promise=True)))


def test_callback_table_expects_and_benefit_are_validated():
    good = cadence_from_mapping({**_one_step(), "expects": ["appointment"], "benefit": "{company} saves time",
                                 "callback": {"voicemail": [{"when": "next_call", "text": "Back {next_call}."}],
                                              "talk_track": "Calling back."}}, source="t.toml")
    assert good.expects == ("appointment",) and good.callback.voicemail.uses("next_call")
    problems = _problems({**_one_step(), "expects": ["budget"], "benefit": "{next_call} maybe",
                          "callback": {"voicemail": "Back {next_call}.", "colour": "red"}})
    assert any(p.startswith("t.toml: expects: must be a list of: appointment, referrer, email, benefit") for p in problems)
    assert any(p.startswith("t.toml: benefit: {next_call} cannot be in a benefit") for p in problems)
    assert "t.toml: callback.colour: unknown key (allowed: voicemail, talk_track, tip)" in problems
    assert any(p.startswith('t.toml: callback.voicemail: {next_call}: a callback can fall on the last call')
               for p in problems)


def test_next_call_under_the_next_call_condition_may_close_a_cadence():
    last = {"name": "t", "steps": [{"action": "call", "wait": "0 minutes",
                                    "voicemail": [{"when": "next_call", "text": "Back {next_call}."}]}]}
    assert cadence_from_mapping(last, source="t.toml").steps[0].voicemail.conditional


def test_the_format_documents_every_condition_and_field():
    import dialdeck.cadence as cadence_module
    from dialdeck.facts import CONDITIONS

    documented = cadence_module.__doc__
    for name in CONDITIONS:
        assert f"``{name}``" in documented, name
    for name in ("{slots}", "{promised}", "{last_email}", "{benefit}", "{urgent_reason}", "offer_slots", "expects",
                 "[callback]", "benefit ="):
        assert name in documented, name

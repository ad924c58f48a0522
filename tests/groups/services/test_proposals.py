import datetime as dt

import pytest
from django.utils import timezone, translation

from groups import slots
from groups.models import ApplicationStatus, MatchingPin, PinKind
from groups.services import proposals
from tests.factories import ApplicationFactory
from tests.groups.helpers import accept, make_intake

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2027, 1, 15, 12, tzinfo=dt.UTC)
# Between the US (14 March) and the EU (28 March) switch to summer time.
MID_MARCH = dt.datetime(2027, 3, 20, 12, tzinfo=dt.UTC)


def test_slot_in_new_york_matches_the_same_absolute_time_in_berlin():
    ref = dt.date(2027, 1, 15)
    key = slots.convert_slot(
        "tue-13", from_zone="America/New_York", to_zone="Europe/Berlin", reference=ref
    )
    assert key == "tue-19"


def test_slot_conversion_uses_the_offset_of_the_reference_week():
    ref = MID_MARCH.date()
    key = slots.convert_slot(
        "tue-14", from_zone="America/New_York", to_zone="Europe/Berlin", reference=ref
    )
    assert key == "tue-19"


def test_slot_crossing_midnight_changes_the_weekday_and_half_hours_are_kept():
    ref = dt.date(2027, 1, 15)
    assert (
        slots.convert_slot(
            "mon-22", from_zone="America/Los_Angeles", to_zone="Europe/Berlin", reference=ref
        )
        == "tue-7"
    )
    assert (
        slots.convert_slot(
            "tue-23", from_zone="Asia/Kolkata", to_zone="Europe/Berlin", reference=ref
        )
        == "tue-18:30"
    )


def test_malformed_slots_are_ignored():
    assert slots.parse_slot("xyz-19") is None
    assert slots.parse_slot("tue-25") is None
    assert slots.parse_slot("tue-19:30") == (1, 19, 30)


def test_applicants_in_compatible_time_zones_share_a_slot_and_topics_match_any_case():
    intake = make_intake(deadline=JANUARY)
    berlin = ApplicationFactory(intake=intake, availability=["tue-19"], topics=["SEO"])
    new_york = ApplicationFactory(
        intake=intake,
        availability=["tue-13"],
        time_zone="America/New_York",
        topics=["seo "],
    )
    a, b = proposals.to_applicants(intake, [berlin, new_york])
    assert a.slots == b.slots == frozenset({"tue-19"})
    assert a.topics == b.topics == frozenset({"SEO"})


def test_run_matching_uses_only_accepted_confirmed_applications_and_stores_groups():
    intake = make_intake()
    people = accept(intake, 9)
    ApplicationFactory(intake=intake, status=ApplicationStatus.DECLINED)
    ApplicationFactory(intake=intake, status=ApplicationStatus.ACCEPTED, confirmed_at=None)
    ApplicationFactory(
        intake=intake, status=ApplicationStatus.ACCEPTED, withdrawn_at=timezone.now()
    )
    proposal = proposals.run_matching(intake=intake)
    intake.refresh_from_db()
    assert intake.proposal == proposal
    assert sorted(len(g["members"]) for g in proposal["groups"]) == [4, 5]
    placed = sorted(i for g in proposal["groups"] for i in g["members"])
    assert placed == sorted(a.pk for a in people)
    group = proposal["groups"][0]
    assert group["shared_slots"] == ["tue-19"]
    assert group["suggested_slot"] == "tue-19"
    assert group["suggested_time"] == {"weekday": 1, "start": "19:00"}
    assert group["shared_topics"] == ["SEO"]
    assert group["score"] > 0
    assert intake.groups_created_at is None


def test_too_few_applicants_explained_with_names_in_both_languages():
    intake = make_intake()
    people = accept(intake, 3)
    proposal = proposals.run_matching(intake=intake)
    assert proposal["groups"] == []
    names = {a.pk: a.name for a in people}
    (warning,) = [w for w in proposal["warnings"] if w["code"] == "too_few"]
    with translation.override("en"):
        text = proposals.describe_warning(warning, names)
        assert "Only 3 accepted applicants" in text
    assert sorted(proposal["waitlist"]) == sorted(names)


def test_size_infeasible_waitlists_and_names_the_waiting_person():
    intake = make_intake()
    people = accept(intake, 11)
    proposal = proposals.run_matching(intake=intake)
    assert all(4 <= len(g["members"]) <= 5 for g in proposal["groups"])
    assert len(proposal["waitlist"]) == 1
    names = {a.pk: a.name for a in people}
    with translation.override("en"):
        texts = [proposals.describe_warning(w, names) for w in proposal["warnings"]]
    assert any("11 people cannot be split into groups of 4 to 5" in t for t in texts)
    assert any(names[proposal["waitlist"][0]] in t for t in texts)


def test_keep_apart_pin_separates_a_pair_on_the_next_run():
    intake = make_intake()
    people = accept(intake, 8)
    first = proposals.run_matching(intake=intake)
    together = first["groups"][0]["members"][:2]
    proposals.pin_pair(
        intake=intake, first_id=together[1], second_id=together[0], kind=PinKind.KEEP_APART
    )
    pin = MatchingPin.objects.get()
    assert (pin.first_id, pin.second_id) == tuple(sorted(together))
    # The current proposal now breaks the pin, and says so at once.
    intake.refresh_from_db()
    assert "keep_apart_violated" in {w["code"] for w in intake.proposal["warnings"]}
    second = proposals.run_matching(intake=intake)
    groups_of = {i: n for n, g in enumerate(second["groups"]) for i in g["members"]}
    assert groups_of[together[0]] != groups_of[together[1]]
    assert len(groups_of) == len(people)


def test_keep_together_pin_puts_a_pair_in_one_group():
    intake = make_intake()
    accept(intake, 8)
    first = proposals.run_matching(intake=intake)
    a, b = first["groups"][0]["members"][0], first["groups"][1]["members"][0]
    proposals.pin_pair(intake=intake, first_id=a, second_id=b, kind=PinKind.KEEP_TOGETHER)
    second = proposals.run_matching(intake=intake)
    assert any({a, b} <= set(g["members"]) for g in second["groups"])


def test_pinning_a_person_with_themselves_is_refused():
    intake = make_intake()
    (person,) = accept(intake, 1)
    with pytest.raises(proposals.ProposalError):
        proposals.pin_pair(
            intake=intake, first_id=person.pk, second_id=person.pk, kind=PinKind.KEEP_APART
        )


def test_moving_to_the_waitlist_recomputes_the_group_and_warns_about_its_size():
    intake = make_intake()
    accept(intake, 8)
    proposals.run_matching(intake=intake)
    intake.refresh_from_db()
    moved = intake.proposal["groups"][0]["members"][0]
    proposal = proposals.move_applicant(
        intake=intake, application_id=moved, target=proposals.WAITLIST
    )
    assert proposal["edited"] is True
    assert moved in proposal["waitlist"]
    assert len(proposal["groups"][0]["members"]) == 3
    codes = {w["code"] for w in proposal["warnings"]}
    assert {"off_size_group", "waitlisted"} <= codes


def test_moving_someone_without_the_shared_evening_shows_no_common_evening():
    intake = make_intake()
    accept(intake, 8)
    (outsider,) = accept(intake, 1, slots=("wed-19",), topics=("Podcasting",))
    proposal = proposals.run_matching(intake=intake)
    assert outsider.pk in proposal["waitlist"]
    proposal = proposals.move_applicant(intake=intake, application_id=outsider.pk, target=0)
    group = proposal["groups"][0]
    assert outsider.pk in group["members"]
    assert group["shared_slots"] == []
    assert group["suggested_slot"] is None
    assert "group_no_shared_slot" in {w["code"] for w in proposal["warnings"]}


def test_moving_to_a_new_group_and_back_drops_the_empty_group():
    intake = make_intake()
    accept(intake, 8)
    proposals.run_matching(intake=intake)
    intake.refresh_from_db()
    person = intake.proposal["groups"][0]["members"][0]
    proposal = proposals.move_applicant(
        intake=intake, application_id=person, target=proposals.NEW_GROUP
    )
    assert len(proposal["groups"]) == 3
    proposal = proposals.move_applicant(intake=intake, application_id=person, target=0)
    assert len(proposal["groups"]) == 2


def test_moving_someone_not_in_the_proposal_is_refused_and_changes_nothing():
    intake = make_intake()
    accept(intake, 8)
    before = proposals.run_matching(intake=intake)
    (late,) = accept(intake, 1)
    with pytest.raises(proposals.ProposalError):
        proposals.move_applicant(intake=intake, application_id=late.pk, target=0)
    intake.refresh_from_db()
    assert intake.proposal == before


def test_stale_proposal_names_new_and_withdrawn_applicants():
    intake = make_intake()
    people = accept(intake, 8)
    proposal = proposals.run_matching(intake=intake)
    (late,) = accept(intake, 1)
    people[0].withdrawn_at = timezone.now()
    people[0].save()
    codes = {w["code"]: w["applicant_ids"] for w in proposals.stale_warnings(intake, proposal)}
    assert codes == {"no_longer_eligible": [people[0].pk], "not_in_proposal": [late.pk]}


def test_edits_and_reruns_are_refused_once_groups_exist():
    intake = make_intake()
    accept(intake, 8)
    proposals.run_matching(intake=intake)
    intake.refresh_from_db()
    intake.groups_created_at = timezone.now()
    intake.save()
    with pytest.raises(proposals.ProposalError):
        proposals.run_matching(intake=intake)
    with pytest.raises(proposals.ProposalError):
        proposals.move_applicant(
            intake=intake,
            application_id=intake.proposal["groups"][0]["members"][0],
            target=proposals.WAITLIST,
        )


def test_warning_sentence_names_the_people():
    warning = {"code": "keep_apart_violated", "applicant_ids": [1, 2], "params": {}}
    with translation.override("en"):
        text = proposals.describe_warning(warning, {1: "Anna", 2: "Bernd"})
    assert text == "Anna, Bernd should be kept apart but are in the same group."


def test_keep_together_unsatisfiable_explains_the_reason():
    warning = {
        "code": "keep_together_unsatisfiable",
        "applicant_ids": [1, 2],
        "params": {"reason": "no_shared_slot"},
    }
    with translation.override("en"):
        text = proposals.describe_warning(warning, {1: "Anna", 2: "Bernd"})
    assert text == (
        "Anna, Bernd cannot be kept together (no common evening); they were matched one by one."
    )


def test_unknown_warning_codes_still_name_the_people():
    text = proposals.describe_warning({"code": "new_code", "applicant_ids": [1]}, {1: "Anna"})
    assert "Anna" in text


def test_pinning_keeps_the_matchings_explanations_until_someone_is_moved():
    intake = make_intake()
    people = accept(intake, 11)
    proposals.run_matching(intake=intake)
    proposals.pin_pair(
        intake=intake, first_id=people[0].pk, second_id=people[1].pk, kind=PinKind.KEEP_APART
    )
    intake.refresh_from_db()
    assert intake.proposal["edited"] is False
    assert "size_infeasible" in {w["code"] for w in intake.proposal["warnings"]}

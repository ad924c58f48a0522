"""Bad input never breaks anything: random text, huge strings, broken dates, wrong methods.

Every form is posted with Hypothesis-made data: each field kept, replaced by junk (any
Unicode text, control characters, 10k+ characters, malformed dates, times and zones) or
left out, plus extra fields. Whatever comes in:

* no answer is a 500 (the client does not raise, so a crash shows as status 500);
* when the form is shown again (200/400), or the next page shows an error message, nothing
  was saved (a snapshot of every table the forms write is unchanged) and the page says
  what is wrong (an ``errorlist`` or an error message).

Each example runs in a savepoint that is rolled back, so examples do not see each other.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.security.helpers import (
    FUZZ,
    JUNK,
    ROLES,
    ZONES,
    build_world,
    check_post,
    client_for,
    mangled,
    rolled_back,
)
from tests.security.test_permission_matrix import ROWS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_rate_limits")]

# -- public forms -----------------------------------------------------------------------------

APPLICATION = {
    "name": "Nora Neu",
    "email": "nora@example.org",
    "about": "Ich berate Cafés.",
    "topics": "SEO",
    "topics_other": "",
    "expectations": "Feedback",
    "availability": "tue-19",
    "time_zone": "Europe/Berlin",
    "language": "de",
    "consent": "on",
}


@FUZZ
@given(data=mangled(APPLICATION, {"time_zone": ZONES}))
def test_application_form_survives_any_input(world, data):
    check_post(world, "anon", reverse("groups:apply", args=[world.intake.slug]), data)


@FUZZ
@given(data=mangled({k: v for k, v in APPLICATION.items() if k not in ("email", "consent")}))
def test_application_edit_form_survives_any_input(world, data):
    check_post(
        world, "applicant", reverse("groups:application_edit", args=[world.manage_token()]), data
    )


@FUZZ
@given(data=mangled({"email": "neu@example.org", "language": "de"}))
def test_interest_form_survives_any_input(world, data):
    check_post(world, "anon", reverse("groups:interest"), data)


@FUZZ
@given(email=JUNK)
def test_sign_in_code_request_survives_any_input(world, email):
    response = check_post(world, "anon", reverse("account_request_login_code"), {"email": email})
    assert response.status_code in (200, 302)


# -- member forms ------------------------------------------------------------------------------


@FUZZ
@given(
    data=mangled(
        {"display_name": "Aquilina A.", "language": "en", "time_zone": "UTC"}, {"time_zone": ZONES}
    )
)
def test_profile_form_survives_any_input(world, data):
    check_post(world, "member_a", reverse("meetings:profile"), data)


@FUZZ
@given(data=mangled({"note": "Krank"}))
def test_absence_note_survives_any_input(world, data):
    check_post(world, "member_a", reverse("meetings:absence", args=[world.meeting_a.pk]), data)


@FUZZ
@given(data=mangled({"story": "a", "value_for_others": "b", "feedback_wanted": "c"}))
def test_preparation_form_survives_any_input(world, data):
    check_post(world, "member_a", reverse("meetings:prepare", args=[world.meeting_a.pk]), data)


@FUZZ
@given(data=mangled({"text": "Website fertig"}))
def test_commitment_form_survives_any_input(world, data):
    check_post(world, "member_a", reverse("meetings:commit", args=[world.past_a.pk]), data)


@FUZZ
@given(
    data=mangled(
        {"done": "1", "meeting": "1"}, {"meeting": st.one_of(JUNK, st.integers().map(str))}
    )
)
def test_marking_a_commitment_survives_any_input(world, data):
    url = reverse("meetings:mark_commitment", args=[world.commitment_a1.pk])
    check_post(world, "member_a", url, data)


@FUZZ
@given(target=st.one_of(JUNK, st.integers().map(str)))
def test_swap_request_survives_any_input(world, target):
    url = reverse("meetings:swap_request", args=[world.meeting_a.pk])
    check_post(world, "member_a", url, {"target": target})


@FUZZ
@given(target=st.one_of(JUNK, st.integers().map(str)))
def test_role_swap_request_survives_any_input(world, target):
    url = reverse("meetings:swap_role", args=[world.meeting_a.pk, "facilitator"])
    check_post(world, "member_a", url, {"target": target})


@FUZZ
@given(data=mangled({"calendar_invitations": "on"}))
def test_calendar_forms_survive_any_input(world, data):
    check_post(world, "member_a", reverse("meetings:calendar_invitations"), data)
    check_post(world, "member_a", reverse("meetings:calendar_renew"), data)


@FUZZ
@given(data=mangled({"reason": "Umzug"}))
def test_leave_form_survives_any_input(world, data):
    check_post(world, "member_a", reverse("groups:leave_group", args=[world.group_a.pk]), data)


@FUZZ
@given(email=JUNK)
def test_delete_account_confirmation_survives_any_input(world, email):
    response = check_post(world, "member_a", reverse("privacy_delete"), {"email": email})
    assert response.status_code == 400


# -- URL parameters -----------------------------------------------------------------------------

TOKEN_URLS = [
    "/apply/confirm/{}/",
    "/apply/edit/{}/",
    "/apply/withdraw/{}/",
    "/apply/interest/confirm/{}/",
    "/apply/unsubscribe/{}/",
    "/unsubscribe/{}/",
    "/calendar/{}.ics",
    "/signin/{}/{}/",
    "/apply/{}/",
    "/meetings/swaps/1/{}/",
]
PK_URLS = [
    "/groups/{}/",
    "/groups/{}/leave/",
    "/groups/{}/meetings/",
    "/meetings/{}/",
    "/meetings/{}/prepare/",
    "/meetings/{}/swap/",
    "/meetings/{}/calendar.ics",
    "/organise/intakes/{}/proposal/",
    "/organise/groups/{}/",
    "/admin/meetings/meeting/{}/change/",
]
PK_POST_URLS = [
    "/meetings/{}/absence/",
    "/meetings/{}/commit/",
    "/commitments/{}/mark/",
    "/meetings/swaps/{}/accept/",
    "/organise/intakes/{}/proposal/pins/{}/delete/",
]
QUERY_URLS = [
    "/admin/groups/application/",
    "/admin/meetings/meeting/",
    "/admin/mastermind/notification/",
    "/apply/",
]


def _fill(template: str, value: str) -> str:
    return template.format(*[quote(value, safe="")] * template.count("{}"))


@FUZZ
@given(value=st.one_of(JUNK, st.integers(min_value=0, max_value=10**40).map(str)))
def test_url_parameters_never_break_a_page(world, value):
    for template in TOKEN_URLS + PK_URLS:
        for role in ("anon", "member_a", "staff"):
            with rolled_back():
                response = client_for(world, role).get(_fill(template, value))
                assert response.status_code < 500, (template, value)
    for template in PK_POST_URLS:
        with rolled_back():
            response = client_for(world, "staff").post(_fill(template, value))
            assert response.status_code < 500, (template, value)


ADMIN_PARAMS = ["q", "o", "p", "e", "all", "intake__id__exact", "topic", "weekday"]
ADMIN_PARAMS += ["status__exact", "starts_at__gte", "due_at__gte", "group__id__exact"]


@FUZZ
@given(query=st.dictionaries(st.sampled_from(ADMIN_PARAMS), JUNK, max_size=4))
def test_query_parameters_never_break_a_page(world, query):
    for path in QUERY_URLS:
        with rolled_back():
            response = client_for(world, "staff").get(f"{path}?{urlencode(query)}")
            assert response.status_code < 500, (path, query)


@FUZZ
@given(
    data=mangled(
        {"language": "en", "next": "/groups/"},
        {"next": st.one_of(JUNK, st.just("https://evil.example/"))},
    )
)
def test_language_switch_survives_any_input_and_never_leaves_the_site(world, data):
    with rolled_back():
        response = client_for(world, "member_a").post(reverse("set_language"), data)
        assert response.status_code in (302, 204)
        if response.status_code == 302:
            assert not response.url.startswith(("http:", "https:", "//"))


# -- wrong methods --------------------------------------------------------------------------------


def test_put_delete_and_patch_answer_405_wherever_the_role_gets_in():
    """Every URL of the app; only roles that reach the view (the others are redirected first)."""
    world = build_world()
    wrong = []
    for row in ROWS:
        if row.label.startswith(("admin", "sign in", "password")):
            continue
        expected = dict(zip(ROLES, row.expected.split(), strict=True))
        for role, status in expected.items():
            if status not in ("200", "400", "405"):
                continue
            for method in ("put", "delete", "patch"):
                with rolled_back():
                    response = getattr(client_for(world, role), method)(row.path(world))
                    if response.status_code != 405:
                        wrong.append((row.label, role, method, response.status_code))
    assert not wrong

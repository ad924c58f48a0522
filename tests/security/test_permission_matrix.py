"""Who may open what: every URL of the app, for every role, with the exact status.

Roles: ``anon``; ``applicant`` (no session, but holds the signed links of application X);
``member_a`` (presenter in group A); ``member_b``; ``former_a`` (left group A); ``staff``.
Signed links (application, interest, sign-in, unsubscribe, calendar feed) are capabilities:
whoever holds the link gets the same answer, so their rows have one status for every role.

``test_matrix_covers_every_url_pattern`` fails when a URL pattern appears that no row
covers, so the matrix stays complete. The admin (namespace ``admin``) has dozens of its own
patterns; a few representative rows cover it and the completeness check leaves it out.
allauth's pages are routed one by one (``mastermind/urls.py``) and each has its row.
"""

# ruff: noqa: E501 - the matrix is a table, one row per line
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from groups import signing
from groups.models import Application, Group, Membership
from groups.services import renewal
from tests.security.helpers import (
    A_GROUP_NAME,
    A_PRIVATE,
    ROLES,
    Y_PRIVATE,
    World,
    build_world,
    client_for,
    rolled_back,
)

pytestmark = pytest.mark.django_db

EXCLUDED_NAMESPACES = {"admin"}  # covered by representative rows below
EXCLUDED_INCLUDES: set[str] = set()
EXCLUDED_NAMES: set[str] = set()


@dataclass(frozen=True)
class Row:
    label: str
    method: str
    path: Callable[[World], str]
    expected: str  # one status per role, in ROLES order
    data: dict = field(default_factory=dict)
    # False for A's own capability links: only A holds them, so their content is A's.
    leak_check: bool = True


def r(name: str, **kwargs) -> Callable[[World], str]:
    return lambda w: reverse(name, kwargs={k: v(w) for k, v in kwargs.items()})


def same(status: int) -> str:
    return " ".join([str(status)] * len(ROLES))


TAMPERED = "eyJwayI6MX0:1tampered:invalidsignature"
LOGIN, ADMIN = "302 302", "302 302 302 302 302"


def renewal_token(w: World) -> str:
    """a1's renewal link (a capability): group A gets a term that ends in ten days."""
    ends = timezone.localdate() + dt.timedelta(days=10)
    Group.objects.filter(pk=w.group_a.pk).update(term_ends_on=ends)
    membership = Membership.objects.select_related("user", "group").get(
        group=w.group_a, user=w.a1, left_at=None
    )
    return renewal.answer_link_token(membership)


# fmt: off
ROWS = [
    # -- project pages --------------------------------------------------------------
    Row("home", "get", r("home"), same(200)),
    Row("healthz", "get", r("healthz"), same(200)),
    Row("set_language GET", "get", r("set_language"), same(405)),
    Row("set_language", "post", r("set_language"), same(302), {"language": "en"}),
    Row("imprint", "get", r("imprint"), same(200)),
    Row("error preview, DEBUG off", "get", r("error_preview", status=lambda w: 500), same(404)),
    Row("privacy", "get", r("privacy"), same(200)),
    Row("my data", "get", r("privacy_my_data"), f"{LOGIN} 200 200 200 200"),
    Row("my data export", "get", r("privacy_export"), f"{LOGIN} 200 200 200 200"),
    Row("delete account GET", "get", r("privacy_delete"), f"{LOGIN} 405 405 405 405"),
    Row("delete account, no email", "post", r("privacy_delete"), f"{LOGIN} 400 400 400 400"),
    # -- public intake pages --------------------------------------------------------
    Row("intake list (one open: redirect)", "get", r("groups:intake_list"), same(302)),
    Row("interest", "get", r("groups:interest"), same(200)),
    Row("interest, empty form", "post", r("groups:interest"), same(200)),
    Row("interest thanks", "get", r("groups:interest_thanks"), same(200)),
    Row("interest confirm", "get", r("groups:interest_confirm", token=World.interest_token), same(200)),
    Row("interest confirm POST", "post", r("groups:interest_confirm", token=World.interest_token), same(200)),
    Row("interest confirm tampered", "get", r("groups:interest_confirm", token=lambda w: TAMPERED), same(404)),
    Row("interest unsubscribe", "get", r("groups:interest_unsubscribe", token=lambda w: w.interest_token("groups.interest.unsubscribe")), same(200)),
    Row("interest unsubscribe POST", "post", r("groups:interest_unsubscribe", token=lambda w: w.interest_token("groups.interest.unsubscribe")), same(200)),
    Row("interest unsubscribe tampered", "post", r("groups:interest_unsubscribe", token=lambda w: TAMPERED), same(404)),
    Row("apply", "get", r("groups:apply", slug=lambda w: w.intake.slug), same(200)),
    Row("apply, empty form", "post", r("groups:apply", slug=lambda w: w.intake.slug), same(200)),
    Row("apply unknown intake", "get", r("groups:apply", slug=lambda w: "gibt-es-nicht"), same(404)),
    Row("apply thanks", "get", r("groups:apply_thanks", slug=lambda w: w.intake.slug), same(200)),
    # Application X's signed links: they work for whoever holds them, and only for X.
    Row("X confirm", "get", r("groups:application_confirm", token=World.confirm_token), same(200)),
    Row("X confirm POST", "post", r("groups:application_confirm", token=World.confirm_token), same(200)),
    Row("confirm tampered", "get", r("groups:application_confirm", token=lambda w: TAMPERED), same(404)),
    Row("X edit", "get", r("groups:application_edit", token=World.manage_token), same(200)),
    Row("X edit, empty form", "post", r("groups:application_edit", token=World.manage_token), same(200)),
    Row("edit tampered", "get", r("groups:application_edit", token=lambda w: TAMPERED), same(404)),
    Row("edit: X's confirm token is no edit token", "get", r("groups:application_edit", token=World.confirm_token), same(404)),
    Row("X withdraw", "get", r("groups:application_withdraw", token=World.manage_token), same(200)),
    Row("X withdraw POST", "post", r("groups:application_withdraw", token=World.manage_token), same(200)),
    Row("withdraw tampered", "post", r("groups:application_withdraw", token=lambda w: TAMPERED), same(404)),
    # -- member pages ---------------------------------------------------------------
    Row("my groups", "get", r("groups:my_groups"), f"{LOGIN} 200 200 200 200"),
    Row("group A", "get", r("groups:group_detail", pk=lambda w: w.group_a.pk), f"{LOGIN} 200 404 404 200"),
    Row("group B", "get", r("groups:group_detail", pk=lambda w: w.group_b.pk), f"{LOGIN} 404 200 404 200"),
    Row("leave A GET", "get", r("groups:leave_group", pk=lambda w: w.group_a.pk), f"{LOGIN} 200 404 404 404"),
    Row("renewal answer (a1's link)", "get", r("groups:renewal_answer", token=renewal_token), same(200), leak_check=False),
    Row("renewal answer POST (a1's link)", "post", r("groups:renewal_answer", token=renewal_token), same(200), {"answer": "continue"}, leak_check=False),
    Row("renewal answer tampered", "post", r("groups:renewal_answer", token=lambda w: TAMPERED), same(404), {"answer": "leave"}),
    Row("leave A", "post", r("groups:leave_group", pk=lambda w: w.group_a.pk), f"{LOGIN} 302 404 404 404", {"reason": ""}),
    # The link is made before the matrix signs a1 in; a1's own sign-in uses it up (410).
    Row("a1's sign-in link", "get", World.signin_path, "200 200 410 200 200 200", leak_check=False),
    Row("a1's sign-in link POST", "post", World.signin_path, "302 302 410 302 302 302", leak_check=False),
    Row("sign-in link tampered", "get", r("groups:signin_link", uidb64=lambda w: "MQ", token=lambda w: "x-y"), same(410)),
    Row("A's meetings", "get", r("meetings:group_meetings", pk=lambda w: w.group_a.pk), f"{LOGIN} 200 404 404 200"),
    Row("meeting of A", "get", r("meetings:meeting_detail", pk=lambda w: w.meeting_a.pk), f"{LOGIN} 200 404 404 200"),
    Row("meeting of B", "get", r("meetings:meeting_detail", pk=lambda w: w.meeting_b.pk), f"{LOGIN} 404 200 404 200"),
    Row("held meeting of A", "get", r("meetings:meeting_detail", pk=lambda w: w.past_a.pk), f"{LOGIN} 200 404 404 200"),
    Row("running the meeting of A", "get", r("meetings:run_meeting", pk=lambda w: w.meeting_a.pk), f"{LOGIN} 200 404 404 200"),
    Row("A's meeting .ics", "get", r("meetings:meeting_ics", pk=lambda w: w.meeting_a.pk), f"{LOGIN} 200 404 404 200"),
    Row("absence GET", "get", r("meetings:absence", pk=lambda w: w.meeting_a.pk), f"{LOGIN} 405 405 405 405"),
    Row("absence in A", "post", r("meetings:absence", pk=lambda w: w.meeting_a.pk), f"{LOGIN} 302 404 404 403", {"note": "x"}),
    Row("a1's preparation", "get", r("meetings:prepare", pk=lambda w: w.meeting_a.pk), f"{LOGIN} 200 404 404 403"),
    Row("a1's preparation POST", "post", r("meetings:prepare", pk=lambda w: w.meeting_a.pk), f"{LOGIN} 302 404 404 403", {"story": "x"}),
    Row("a2's preparation", "get", r("meetings:prepare", pk=lambda w: w.meeting_a2.pk), f"{LOGIN} 403 404 404 403"),
    Row("commit GET", "get", r("meetings:commit", pk=lambda w: w.past_a.pk), f"{LOGIN} 405 405 405 405"),
    Row("commit in A", "post", r("meetings:commit", pk=lambda w: w.past_a.pk), f"{LOGIN} 302 404 404 403", {"text": "x"}),
    Row("mark a1's commitment GET", "get", r("meetings:mark_commitment", pk=lambda w: w.commitment_a1.pk), f"{LOGIN} 405 405 405 405"),
    Row("mark a1's commitment", "post", r("meetings:mark_commitment", pk=lambda w: w.commitment_a1.pk), f"{LOGIN} 302 404 404 403", {"done": "1"}),
    Row("swap request in A", "get", r("meetings:swap_request", pk=lambda w: w.meeting_a.pk), f"{LOGIN} 200 404 404 404"),
    Row("swap request in A POST", "post", r("meetings:swap_request", pk=lambda w: w.meeting_a.pk), f"{LOGIN} 200 404 404 404"),
    Row("role swap in A", "get", r("meetings:swap_role", pk=lambda w: w.meeting_a.pk, role=lambda w: "facilitator"), f"{LOGIN} 200 404 404 404"),
    Row("role swap in A POST", "post", r("meetings:swap_role", pk=lambda w: w.meeting_a.pk, role=lambda w: "facilitator"), f"{LOGIN} 200 404 404 404"),
    Row("a role a1 does not hold", "get", r("meetings:swap_role", pk=lambda w: w.meeting_a.pk, role=lambda w: "timekeeper"), f"{LOGIN} 404 404 404 404"),
    Row("no such role", "get", r("meetings:swap_role", pk=lambda w: w.meeting_a.pk, role=lambda w: "owner"), f"{LOGIN} 404 404 404 404"),
    Row("my swaps", "get", r("meetings:swaps"), f"{LOGIN} 200 200 200 200"),
    Row("withdraw A's swap GET", "get", r("meetings:swap_answer", pk=lambda w: w.swap.pk, action=lambda w: "withdraw"), f"{LOGIN} 405 405 405 405"),
    Row("withdraw A's swap", "post", r("meetings:swap_answer", pk=lambda w: w.swap.pk, action=lambda w: "withdraw"), f"{LOGIN} 302 404 404 404"),
    Row("unknown swap action", "post", r("meetings:swap_answer", pk=lambda w: w.swap.pk, action=lambda w: "delete"), f"{LOGIN} 404 404 404 404"),
    Row("calendar page", "get", r("meetings:calendar"), f"{LOGIN} 200 200 200 200"),
    Row("renew feed GET", "get", r("meetings:calendar_renew"), f"{LOGIN} 405 405 405 405"),
    Row("renew feed", "post", r("meetings:calendar_renew"), same(302)),
    Row("invitations GET", "get", r("meetings:calendar_invitations"), f"{LOGIN} 405 405 405 405"),
    Row("invitations", "post", r("meetings:calendar_invitations"), same(302)),
    Row("a1's feed", "get", r("meetings:feed", token=lambda w: w.feed_a1), same(200), leak_check=False),
    Row("b1's feed", "get", r("meetings:feed", token=lambda w: w.feed_b1), same(200)),
    Row("former member's feed", "get", r("meetings:feed", token=lambda w: w.feed_af), same(200)),
    Row("feed, unknown token", "get", r("meetings:feed", token=lambda w: "x" * 43), same(404)),
    Row("feed POST", "post", r("meetings:feed", token=lambda w: w.feed_b1), same(405)),
    Row("profile", "get", r("meetings:profile"), f"{LOGIN} 200 200 200 200"),
    Row("profile, empty form", "post", r("meetings:profile"), f"{LOGIN} 200 200 200 200"),
    Row("a1's unsubscribe link", "get", r("meetings:unsubscribe", token=World.unsubscribe_token), same(200), leak_check=False),
    Row("a1's unsubscribe POST", "post", r("meetings:unsubscribe", token=World.unsubscribe_token), same(200), leak_check=False),
    Row("unsubscribe tampered", "post", r("meetings:unsubscribe", token=lambda w: TAMPERED), same(400)),
    # -- staff pages ----------------------------------------------------------------
    Row("proposal page", "get", r("groups:intake_proposal", pk=lambda w: w.intake.pk), f"{ADMIN} 200"),
    Row("proposal: run GET", "get", r("groups:proposal_run", pk=lambda w: w.intake.pk), f"{ADMIN} 405"),
    Row("proposal: run", "post", r("groups:proposal_run", pk=lambda w: w.intake.pk), same(302)),
    Row("proposal: move", "post", r("groups:proposal_move", pk=lambda w: w.intake.pk), same(302)),
    Row("proposal: pin", "post", r("groups:proposal_pin", pk=lambda w: w.intake.pk), same(302)),
    Row("proposal: unpin", "post", r("groups:proposal_unpin", pk=lambda w: w.intake.pk, pin_pk=lambda w: w.pin.pk), same(302)),
    Row("proposal: unpin unknown", "post", r("groups:proposal_unpin", pk=lambda w: w.intake.pk, pin_pk=lambda w: 99999), f"{ADMIN} 404"),
    Row("proposal: create groups", "post", r("meetings:create_groups", pk=lambda w: w.intake.pk), same(302)),
    Row("manage group A", "get", r("groups:group_manage", pk=lambda w: w.group_a.pk), f"{ADMIN} 200"),
    Row("manage group A POST", "post", r("groups:group_manage", pk=lambda w: w.group_a.pk), same(302)),
    Row("meetings overview", "get", r("meetings:overview"), f"{ADMIN} 200"),
    # -- admin (representative rows) and allauth's pages -----------------------------
    Row("admin index", "get", r("admin:index"), f"{ADMIN} 200"),
    Row("admin applications", "get", r("admin:groups_application_changelist"), f"{ADMIN} 200"),
    Row("admin meeting of A", "get", r("admin:meetings_meeting_change", object_id=lambda w: w.meeting_a.pk), f"{ADMIN} 200"),
    Row("sign in", "get", r("account_login"), "200 200 302 302 302 302"),
    Row("sign in by code", "get", r("account_request_login_code"), "200 200 302 302 302 302"),
    Row("password reset", "get", r("account_reset_password"), same(200)),
    Row("password reset done", "get", r("account_reset_password_done"), same(200)),
    Row("password reset key, bogus", "get", r("account_reset_password_from_key", uidb36=lambda w: "1", key=lambda w: "set-password"), same(200)),
    Row("password reset key done", "get", r("account_reset_password_from_key_done"), same(200)),
    Row("sign-in code, none requested", "get", r("account_confirm_login_code"), same(302)),
    Row("sign out GET", "get", r("account_logout"), "302 302 200 200 200 200"),
    Row("sign out", "post", r("account_logout"), same(302)),
    Row("account inactive", "get", r("account_inactive"), same(200)),
    Row("sign up (closed)", "get", r("account_signup"), "200 200 302 302 302 302"),
    Row("email verification sent", "get", r("account_email_verification_sent"), same(200)),
    Row("confirm email, bogus key", "get", r("account_confirm_email", key=lambda w: "bogus"), same(200)),
    Row("admin sign-in hands over", "get", r("admin_login"), "302 302 403 403 403 302"),
]
# fmt: on


def _app_url_names() -> set[str]:
    """view names of every URL pattern, minus the admin and allauth (see module doc)."""
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in EXCLUDED_NAMESPACES:
                    continue
                if getattr(pattern.urlconf_module, "__name__", "") in EXCLUDED_INCLUDES:
                    continue
                inner = pattern.namespace or namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}:{pattern.name}" if namespace else str(pattern.name))

    walk(get_resolver().url_patterns, None)
    return names


def test_matrix_covers_every_url_pattern():
    world = build_world()
    covered = {resolve(row.path(world).split("?")[0]).view_name for row in ROWS}
    missing = _app_url_names() - covered - EXCLUDED_NAMES
    assert not missing, f"URL patterns without a row in the permission matrix: {missing}"


def test_excluded_includes_still_exist():
    """If allauth stopped being included this way, the exclusion would hide real URLs."""
    includes = {
        getattr(p.urlconf_module, "__name__", "")
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver)
    }
    assert includes >= EXCLUDED_INCLUDES


def _leaks(row: Row, role: str, body: str) -> list[str]:
    if not row.leak_check:
        return []
    if role == "member_b":
        return [s for s in (*A_PRIVATE, A_GROUP_NAME) if s in body]
    if role == "former_a":
        return [s for s in A_PRIVATE if s in body]
    if role in ("anon", "applicant"):
        return [s for s in (*A_PRIVATE, A_GROUP_NAME, *Y_PRIVATE) if s in body]
    return []


@pytest.mark.parametrize("row", ROWS, ids=[row.label for row in ROWS])
def test_status_per_role(row: Row):
    world = build_world()
    expected = dict(zip(ROLES, (int(s) for s in row.expected.split()), strict=True))
    got, leaks = {}, {}
    for role in ROLES:
        with rolled_back():
            client = client_for(world, role)
            response = getattr(client, row.method)(row.path(world), row.data)
            got[role] = response.status_code
            body = b"".join(response) if response.streaming else response.content
            if found := _leaks(row, role, body.decode(errors="replace")):
                leaks[role] = found
    assert got == expected
    assert not leaks, f"private text of group A or application Y served: {leaks}"


def test_redirects_for_anonymous_go_to_the_sign_in_page():
    world = build_world()
    client = client_for(world, "anon")
    response = client.get(reverse("meetings:meeting_detail", kwargs={"pk": world.meeting_a.pk}))
    assert response.url.startswith(reverse("account_login") + "?next=")
    response = client.get(reverse("meetings:overview"))
    assert response.url.startswith(reverse("admin:login") + "?next=")


# -- the markers the leak check looks for really are on A's pages ------------------------


def test_group_a_markers_show_on_pages_served_to_group_a():
    """Proves the leak check above can fail: A's members do see every marker."""
    world = build_world()
    client = client_for(world, "member_a")
    pages = [
        reverse("meetings:meeting_detail", kwargs={"pk": world.meeting_a.pk}),
        reverse("meetings:meeting_detail", kwargs={"pk": world.past_a.pk}),
        reverse("groups:group_detail", kwargs={"pk": world.group_a.pk}),
    ]
    body = "".join(client.get(page).content.decode() for page in pages)
    assert all(marker in body for marker in (*A_PRIVATE, A_GROUP_NAME))


# -- signed links: only for their own application, never after they expire --------------


def test_token_signed_for_another_application_id_is_refused():
    """A link names the row *and* its address: X's address with Y's id opens nothing."""
    world = build_world()
    forged = signing.make(signing.APPLICATION_MANAGE, pk=world.app_y.pk, email=world.app_x.email)
    client = client_for(world, "applicant")
    for name in ("groups:application_edit", "groups:application_withdraw"):
        response = client.post(reverse(name, args=[forged]), {"name": "Hijack"})
        assert response.status_code == 404
    world.app_y.refresh_from_db()
    assert world.app_y.name == "Ypsilonia Yew"


def test_x_edit_link_changes_only_x():
    world = build_world()
    data = {
        "name": "Xaverius Neu",
        "about": "Neu",
        "topics": ["SEO"],
        "expectations": "Neu",
        "availability": ["tue-19"],
        "time_zone": "Europe/Berlin",
        "language": "de",
    }
    response = client_for(world, "applicant").post(
        reverse("groups:application_edit", args=[world.manage_token()]), data
    )
    assert response.status_code == 302
    world.app_x.refresh_from_db()
    world.app_y.refresh_from_db()
    assert (world.app_x.name, world.app_y.name) == ("Xaverius Neu", "Ypsilonia Yew")


def test_token_with_one_changed_character_is_refused():
    world = build_world()
    token = world.manage_token()
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client_for(world, "applicant").get(
        reverse("groups:application_edit", args=[tampered])
    )
    assert response.status_code == 404


def test_confirm_link_expires_after_seven_days():
    world = build_world()
    url = reverse("groups:application_confirm", args=[world.confirm_token()])
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1), tick=False):
        assert client_for(world, "applicant").get(url).status_code == 410
        assert client_for(world, "applicant").post(url).status_code == 410


def test_edit_and_withdraw_links_expire_at_the_deadline():
    world = build_world()
    token = world.manage_token()
    with time_machine.travel(world.intake.deadline + dt.timedelta(seconds=1), tick=False):
        client = client_for(world, "applicant")
        assert client.get(reverse("groups:application_edit", args=[token])).status_code == 410
        response = client.post(reverse("groups:application_withdraw", args=[token]))
        assert response.status_code == 410
    assert Application.objects.filter(pk=world.app_x.pk).exists()


def test_interest_confirm_link_expires_after_seven_days():
    world = build_world()
    url = reverse("groups:interest_confirm", args=[world.interest_token()])
    with time_machine.travel(timezone.now() + dt.timedelta(days=8), tick=False):
        assert client_for(world, "anon").post(url).status_code == 410
    world.signup.refresh_from_db()
    assert world.signup.confirmed_at is None


def test_sign_in_link_expires_after_seven_days_and_works_once():
    world = build_world()
    path = world.signin_path()
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1), tick=False):
        assert client_for(world, "anon").post(path).status_code == 410
    assert client_for(world, "anon").post(path).status_code == 302
    assert client_for(world, "anon").post(path).status_code == 410


# -- feeds: only the holder's own groups -------------------------------------------------


def _feed(world: World, token: str) -> str:
    return client_for(world, "anon").get(reverse("meetings:feed", args=[token])).content.decode()


def test_feeds_of_group_b_and_of_a_former_member_show_nothing_of_group_a():
    world = build_world()
    uid = f"meeting-{world.meeting_a.pk}@"
    feed_a = _feed(world, world.feed_a1)
    assert A_GROUP_NAME in feed_a and uid in feed_a  # the check below can fail
    for token in (world.feed_b1, world.feed_af):
        body = _feed(world, token)
        assert A_GROUP_NAME not in body
        assert uid not in body
        assert not any(name in body for name in A_PRIVATE)

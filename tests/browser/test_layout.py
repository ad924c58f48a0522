"""Every member and public page at a phone's width (390 px) and a laptop's (1280 px), in
German and English: no sideways scrolling, a one-line header on the phone with a menu
button that opens without JavaScript, no console errors (the fixture), and axe finds
nothing serious or critical. Screenshots: tests/browser/screenshots/layout-*.png.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meetings.models import Commitment, Meeting, Pause
from meetings.services import sync_after_pause_change
from tests.browser.helpers import axe_violations, member_group, presenters, screenshot, tr
from tests.factories import IntakeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = (390, 1280)


def _sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _world(language: str):
    group, users = member_group(language=language)
    for user in users:
        user.language = language
        user.save()
    upcoming = Meeting.objects.filter(group=group, starts_at__gt=timezone.now())
    first = upcoming.order_by("starts_at")[0]
    (member,) = [u for u in users if u.pk in presenters(first)]
    past = Meeting.objects.filter(group=group, starts_at__lt=timezone.now()).first()
    Commitment.objects.create(
        meeting=past, user=member, text="Ein ziemlich langes Vorhaben mit Donaudampfschifffahrt"
    )
    day = timezone.localdate() + dt.timedelta(days=40)
    Pause.objects.create(name="Weihnachtspause", start_date=day, end_date=day + dt.timedelta(20))
    sync_after_pause_change(group=None)
    closed = IntakeFactory(
        slug=f"herbst-{language}",
        opens_at=timezone.now() - dt.timedelta(days=90),
        deadline=timezone.now() - dt.timedelta(days=60),
    )
    return group, member, first, closed


def _pages(group, first, closed, open_intake) -> dict[str, str]:
    public = {
        "home": "/",
        "apply-list": reverse("groups:intake_list"),
        "intake": open_intake.get_absolute_url(),
        "intake-closed": closed.get_absolute_url(),
        "interest": reverse("groups:interest"),
        "sign-in": reverse("account_login"),
        "imprint": reverse("imprint"),
        "privacy": reverse("privacy"),
    }
    member = {
        "my-groups": reverse("groups:my_groups"),
        "group": group.get_absolute_url(),
        "group-meetings": reverse("meetings:group_meetings", args=[group.pk]),
        "meeting": first.get_absolute_url(),
        "run-meeting": reverse("meetings:run_meeting", args=[first.pk]),
        "prepare": reverse("meetings:prepare", args=[first.pk]),
        "swap-request": reverse("meetings:swap_request", args=[first.pk]),
        "swaps": reverse("meetings:swaps"),
        "calendar": reverse("meetings:calendar"),
        "profile": reverse("meetings:profile"),
        "my-data": reverse("privacy_my_data"),
        "leave": reverse("groups:leave_group", args=[group.pk]),
    }
    return {"public": public, "member": member}


def _check(page, name: str, width: int) -> None:
    overflow = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert overflow[0] <= overflow[1], f"{name} at {width}px scrolls sideways: {overflow}"
    header = page.locator(".header-inner").bounding_box()
    if width < 500:
        brand = page.locator(".brand").bounding_box()
        toggle = page.locator(".nav-toggle summary").bounding_box()
        assert toggle and abs(brand["y"] - toggle["y"]) < brand["height"], name
        assert header["height"] < 3 * brand["height"], f"{name}: the header wraps"
    else:
        assert page.locator(".main-nav").is_visible(), name
    screenshot(page, f"layout-{name}-{width}")
    assert axe_violations(page) == [], f"{name} at {width}px"


@pytest.mark.parametrize("browser_page", ["de", "en"], indirect=True)
def test_every_page_fits_a_phone_and_a_laptop(browser_page, live_server):
    page = browser_page
    group, member, first, closed = _world(page.language)
    open_intake = IntakeFactory(slug=f"offen-{page.language}", title="Offene Runde")
    pages = _pages(group, first, closed, open_intake)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844})
        page.context.clear_cookies()
        for name, path in pages["public"].items():
            page.goto(live_server.url + path)
            _check(page, name, width)
        _sign_in(page, live_server, member)
        for name, path in pages["member"].items():
            page.goto(live_server.url + path)
            _check(page, name, width)


@pytest.mark.parametrize("browser_page", ["de", "en"], indirect=True)
def test_phone_menu_opens_without_javascript(chromium, browser_page, live_server):
    context = chromium.new_context(
        java_script_enabled=False,
        viewport={"width": 390, "height": 844},
        extra_http_headers={"Accept-Language": browser_page.language},
    )
    page = context.new_page()
    page.language = browser_page.language
    page.goto(f"{live_server.url}/")
    sign_in = page.locator(".main-nav").get_by_role("link", name=tr(page, "Sign in"), exact=True)
    assert not sign_in.is_visible()
    page.locator(".nav-toggle summary").click()
    assert sign_in.is_visible()
    screenshot(page, "layout-menu-open-390")
    context.close()

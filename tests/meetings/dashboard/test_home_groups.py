"""The organiser's home shows every active group at a glance (issue 14).

Members, the next meeting in the organiser's time zone (named) with its presenters, the
schedule (flagged when missing, linked to where to add one), and the health of the last
six meetings as SVG charts with text alternatives; in German and English, no ISO dates.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from groups.models import GroupStatus
from meetings.models import Absence, HotSeat, Meeting, Preparation
from tests.factories import StaffFactory
from tests.meetings.dashboard.helpers import make_round
from tests.meetings.helpers import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def home(client, *, language="de", zone="Europe/Berlin") -> str:
    client.force_login(StaffFactory(language=language, time_zone=zone))
    with translation.override(language):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


def groups_section(page: str) -> str:
    return page[page.index('id="home-groups"') : page.index('id="content-main"')]


def test_german_home_shows_members_next_meeting_presenter_schedule_and_health(client):
    (group,) = make_round(1)
    page = home(client, language="de")
    section = groups_section(page)
    assert group.name in section
    first, second = (m.user for m in group.memberships.order_by("joined_at", "pk")[:2])
    assert f"4 Mitglieder: {first}, {second}, " in section
    assert "Di, 05.01.2027 19:00 (Europe/Berlin)" in section
    presenter = HotSeat.objects.get(meeting__starts_at__gt=NOW, meeting__group=group).user
    assert f"Hot Seat: {presenter}" in section
    assert "alle 2 Wochen dienstags, 19:00–21:00 (Europe/Berlin)" in section
    assert "95 % (19 von 20)" in section  # 5 meetings of 4, one absence
    assert "Zustand der letzten sechs Treffen" in section
    assert not ISO_DATE.search(page), ISO_DATE.search(page)


def test_english_home_shows_the_same_in_english_formats(client):
    make_round(1)
    section = groups_section(home(client, language="en"))
    assert "Tue, 01/05/2027 7 p.m. (Europe/Berlin)" in section
    assert "every 2 weeks on Tuesdays, 7–9 p.m. (Europe/Berlin)" in section
    assert "95 % (19 of 20)" in section
    assert "Health over the last six meetings" in section
    assert not ISO_DATE.search(section)


def test_an_organiser_elsewhere_sees_their_time_and_the_groups(client):
    make_round(1)
    section = groups_section(home(client, language="en", zone="America/New_York"))
    assert "Tue, 01/05/2027 1 p.m. (America/New_York)" in section
    assert "For the group: Tue, 01/05/2027 7 p.m. (Europe/Berlin)" in section


def test_a_group_without_a_schedule_is_flagged_first_with_a_link_to_add_one(client):
    with_schedule = make_round(1)[0]
    without = make_round(1, schedules=False)[0]
    without.name = "Zebra"  # sorts last by name, comes first as flagged
    without.save()
    section = groups_section(home(client, language="de"))
    assert "1 ohne Terminplan." in section
    add = reverse("admin:meetings_schedule_add") + f"?group={without.pk}"
    assert f'href="{add}"' in section
    assert section.index("Zebra") < section.index(with_schedule.name)
    row = section[section.index("Zebra") - 300 : section.index(add)]
    assert 'class="flagged"' in row and "Noch kein Terminplan" in row
    assert client.get(add).status_code == 200


def test_a_schedule_without_meetings_ahead_is_flagged(client):
    (group,) = make_round(1)
    Meeting.objects.filter(group=group, starts_at__gt=NOW).delete()
    section = groups_section(home(client, language="en"))
    assert "No meeting planned" in section
    assert "The schedule has no meetings ahead." in section


def test_ended_groups_are_not_shown(client):
    ended, active = make_round(2)
    ended.status = GroupStatus.ENDED
    ended.save()
    section = groups_section(home(client, language="en"))
    assert active.name in section and ended.name not in section


def test_a_group_that_needs_attention_says_why_in_german(client):
    (group,) = make_round(1)
    Preparation.objects.filter(meeting__group=group).delete()
    member = group.memberships.order_by("pk").last().user
    held = Meeting.objects.filter(group=group, starts_at__lte=NOW).order_by("-starts_at")[:3]
    for meeting in held:
        Absence.objects.get_or_create(meeting=meeting, user=member)
    section = groups_section(home(client, language="de"))
    assert "1 braucht Aufmerksamkeit." in section
    assert "Die letzten 2 Hot Seats in Folge waren nicht vorbereitet." in section
    assert f"{member} hat die letzten 3 Treffen in Folge verpasst." in section


def test_every_chart_is_an_image_with_its_figures_as_text(client):
    make_round(1)
    section = groups_section(home(client, language="en"))
    charts = re.findall(r"<svg [^>]*>.*?</svg>", section, flags=re.S)
    assert len(charts) == 3
    for chart in charts:
        assert 'role="img"' in chart
        label = re.search(r'aria-label="([^"]+)"', chart).group(1)
        assert re.search(r"<title>([^<]+)</title>", chart).group(1) == label
        assert label.count("%") == 5  # a figure for each of the five held meetings
    assert 'aria-label="Attendance: 10/27/2026 75 % (3 of 4); 11/10/2026 100 % (4 of 4)' in section
    assert "<script" not in section and 'style="' not in section


def test_a_group_without_held_meetings_says_so_instead_of_charts(client):
    make_round(1, held=0)
    section = groups_section(home(client, language="en"))
    assert "No meeting held yet." in section and "<svg" not in section


def test_every_group_row_links_to_its_next_tasks(client):
    (group,) = make_round(1)
    schedule = group.schedule
    section = groups_section(home(client, language="en"))
    for url in (
        reverse("admin:groups_group_change", args=[group.pk]),
        reverse("groups:group_manage", args=[group.pk]),
        reverse("admin:meetings_meeting_changelist") + f"?group__id__exact={group.pk}",
        reverse("admin:meetings_schedule_change", args=[schedule.pk]),
        reverse("meetings:overview"),
    ):
        assert f'href="{url}"' in section


@pytest.mark.parametrize("groups", [1, 50])
def test_the_home_runs_the_same_number_of_queries_for_1_and_50_groups(
    client, groups, django_assert_max_num_queries
):
    made = make_round(groups)  # 50 groups: 300 meetings, 250 of them held
    assert Meeting.objects.count() == 6 * groups
    client.force_login(StaffFactory(language="de"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert response.content.decode().count('<svg class="spark"') == 3 * len(made)


def test_members_in_a_group_at_the_meeting_are_expected_not_later_joiners(client):
    (group,) = make_round(1)
    late = group.memberships.order_by("pk").first()
    late.joined_at = NOW - dt.timedelta(days=30)  # before the last two held meetings only
    late.save()
    section = groups_section(home(client, language="en"))
    assert "94 % (16 of 17)" in section  # 5 × 3 + 2 expected; another's absence at the first

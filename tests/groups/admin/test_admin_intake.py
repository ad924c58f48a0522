"""The organiser's review in the admin: counts, filters, read-only applicant text, CSV."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.admin.applications import csv_safe
from groups.models import Application, ApplicationStatus
from tests.factories import ApplicationFactory, IntakeFactory
from tests.groups.helpers import ESCAPED, XSS

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:groups_application_changelist"


def bulk_applications(intake, count):
    rows = ApplicationFactory.build_batch(count, intake=intake)
    for i, row in enumerate(rows):
        row.email = f"bulk{i}@example.org"
    Application.objects.bulk_create(rows)


def changelist(client, **params):
    return client.get(reverse(CHANGELIST), params)


def names_on(response) -> set[str]:
    return {a.name for a in response.context["cl"].result_list}


def test_anonymous_visitor_is_sent_to_the_admin_login(client):
    response = changelist(client)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("count", [10, 1000])
def test_application_changelist_queries_stay_constant(
    staff_client, intake, count, django_assert_num_queries
):
    bulk_applications(intake, count)
    IntakeFactory(topics=["Pricing"])
    # session, user, intakes for the filter, topics for the filter, two counts, the page
    with django_assert_num_queries(7):
        response = changelist(staff_client)
    assert response.status_code == 200
    assert response.context["cl"].result_count == count


@pytest.mark.parametrize("count", [1, 30])
def test_intake_changelist_queries_stay_constant(
    staff_client, count, django_assert_max_num_queries
):
    for each in IntakeFactory.create_batch(count):
        ApplicationFactory(intake=each)
    with django_assert_max_num_queries(7):
        response = staff_client.get(reverse("admin:groups_intake_changelist"))
    assert response.status_code == 200


def test_intake_changelist_counts_confirmed_applications_per_status(staff_client, intake):
    ApplicationFactory.create_batch(2, intake=intake, status=ApplicationStatus.ACCEPTED)
    ApplicationFactory(intake=intake, status=ApplicationStatus.DECLINED)
    ApplicationFactory(intake=intake)
    ApplicationFactory(intake=intake, confirmed_at=None)
    response = staff_client.get(reverse("admin:groups_intake_changelist"))
    row = response.context["cl"].result_list[0]
    assert (row.confirmed_total, row.new_total, row.accepted_total) == (4, 1, 2)
    assert (row.declined_total, row.waitlisted_total, row.unconfirmed_total) == (1, 0, 1)


def test_changelist_shows_only_confirmed_applications_by_default(staff_client, intake):
    ApplicationFactory(intake=intake, name="Bestätigt")
    ApplicationFactory(intake=intake, name="Offen", confirmed_at=None)
    assert names_on(changelist(staff_client)) == {"Bestätigt"}
    assert names_on(changelist(staff_client, confirmed="no")) == {"Offen"}
    assert names_on(changelist(staff_client, confirmed="all")) == {"Bestätigt", "Offen"}


def test_filter_by_topic_matches_whole_topics_including_umlauts(staff_client, intake):
    ApplicationFactory(intake=intake, name="A", topics=["SEO", "Präsentation"])
    ApplicationFactory(intake=intake, name="B", topics=["SEO Audit"])
    ApplicationFactory(intake=intake, name="C", topics=["Podcasting"])
    assert names_on(changelist(staff_client, topic="SEO")) == {"A"}
    assert names_on(changelist(staff_client, topic="Präsentation")) == {"A"}
    body = changelist(staff_client).content.decode()
    assert "?topic=Pr%C3%A4sentation" in body


def test_filter_by_weekday_intake_status_and_search(staff_client, intake):
    other = IntakeFactory()
    ApplicationFactory(intake=intake, name="Mo", availability=["mon-18"], notes="Podcast")
    ApplicationFactory(
        intake=intake, name="Fr", availability=["fri-20"], status=ApplicationStatus.ACCEPTED
    )
    ApplicationFactory(intake=other, name="Andere", availability=["mon-19"])
    assert names_on(changelist(staff_client, weekday="mon")) == {"Mo", "Andere"}
    assert names_on(changelist(staff_client, intake__id__exact=intake.pk)) == {"Mo", "Fr"}
    assert names_on(changelist(staff_client, status__exact="accepted")) == {"Fr"}
    assert names_on(changelist(staff_client, q="podcast")) == {"Mo"}


def test_changelist_shows_topics_and_evenings_readably(staff_client, intake):
    ApplicationFactory(
        intake=intake,
        topics=["SEO"],
        topics_other="Steuern",
        availability=["tue-19", "tue-20"],
        time_zone="America/New_York",
    )
    body = staff_client.get(reverse(CHANGELIST), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "SEO, Steuern" in body
    assert "19:00, 20:00 (America/New_York)" in body


@pytest.mark.parametrize("payload", range(len(XSS)))
def test_xss_is_escaped_in_changelist_and_change_page(staff_client, intake, payload):
    text = XSS[payload]
    application = ApplicationFactory(
        intake=intake, name=text, about=text, topics=[text], topics_other=text,
        expectations=text, notes=text,
    )  # fmt: skip
    pages = [
        changelist(staff_client),
        staff_client.get(reverse("admin:groups_application_change", args=[application.pk])),
    ]
    for response in pages:
        body = response.content.decode()
        assert text not in body
        assert ESCAPED[payload] in body


def test_change_page_keeps_applicant_text_read_only_and_notes_editable(staff_client, intake):
    application = ApplicationFactory(intake=intake, about="Original")
    url = reverse("admin:groups_application_change", args=[application.pk])
    body = staff_client.get(url).content.decode()
    assert 'name="about"' not in body
    assert 'name="notes"' in body
    response = staff_client.post(
        url, {"status": "waitlisted", "notes": "Gute Passung", "about": "X"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.about, application.notes) == ("Original", "Gute Passung")
    assert application.status == ApplicationStatus.WAITLISTED


def test_unconfirmed_application_cannot_be_decided_on_its_page(staff_client, intake):
    application = ApplicationFactory(intake=intake, confirmed_at=None)
    url = reverse("admin:groups_application_change", args=[application.pk])
    assert 'name="status"' not in staff_client.get(url).content.decode()


def test_applications_cannot_be_added_in_the_admin(staff_client):
    assert staff_client.get(reverse("admin:groups_application_add")).status_code == 403


@pytest.mark.parametrize(
    ("action", "status"),
    [("accept", "accepted"), ("waitlist", "waitlisted"), ("decline", "declined")],
)
def test_bulk_actions_set_the_status_of_confirmed_applications(
    staff_client, intake, action, status
):
    confirmed = ApplicationFactory(intake=intake)
    unconfirmed = ApplicationFactory(intake=intake, confirmed_at=None)
    staff_client.post(
        reverse(CHANGELIST) + "?confirmed=all",
        {"action": action, "_selected_action": [confirmed.pk, unconfirmed.pk]},
    )
    confirmed.refresh_from_db()
    unconfirmed.refresh_from_db()
    assert confirmed.status == status
    assert unconfirmed.status == ApplicationStatus.NEW


def export(client, *applications):
    response = client.post(
        reverse(CHANGELIST),
        {"action": "export_csv", "_selected_action": [a.pk for a in applications]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return response.content


def test_csv_export_has_a_bom_semicolons_and_umlauts(staff_client, intake):
    application = ApplicationFactory(
        intake=intake, name="Jörg Weiß", about="Größe; „Zitat“\nZeile 2", topics=["SEO"]
    )
    content = export(staff_client, application)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2
    assert rows[1][0] == "Jörg Weiß"
    assert "Größe; „Zitat“\nZeile 2" in rows[1]
    assert rows[1][2] == intake.title


@pytest.mark.parametrize("formula", ['=HYPERLINK("x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_export_neutralises_formulas(staff_client, intake, formula):
    application = ApplicationFactory(intake=intake, name=formula, about=formula)
    content = export(staff_client, application).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[1][0] == "'" + formula
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in rows[1])


def test_csv_safe_leaves_ordinary_text_alone():
    assert csv_safe("Jörg") == "Jörg"
    assert csv_safe(None) == ""
    assert csv_safe("a=b") == "a=b"


def test_intake_admin_edits_topics_one_per_line(staff_client):
    now = timezone.now()
    data = {
        "title": "Herbst", "slug": "herbst", "pitch": "Text",
        "opens_at_0": now.strftime("%d.%m.%Y"), "opens_at_1": "00:00:00",
        "deadline_0": "31.12.2030", "deadline_1": "23:59:00",
        "min_group_size": 4, "max_group_size": 5, "topics": "SEO\n  Podcasting \n\nSEO",
        "topic_preference": "similar", "meeting_every_weeks": 2, "meeting_weekday": 1,
        "meeting_start_time": "19:00", "meeting_duration_minutes": 120,
        "time_zone": "Europe/Berlin",
    }  # fmt: skip
    response = staff_client.post(reverse("admin:groups_intake_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    from groups.models import Intake

    assert Intake.objects.get(slug="herbst").topics == ["SEO", "Podcasting"]


def test_intake_admin_refuses_reserved_slugs(staff_client):
    response = staff_client.post(reverse("admin:groups_intake_add"), {"slug": "interest"})
    assert "slug" in response.context["adminform"].form.errors

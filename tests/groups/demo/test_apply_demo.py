import pytest
from django.utils import timezone

from groups.demo import intake as demo_intake
from groups.models import Application, Intake

pytestmark = pytest.mark.django_db


def test_demo_seed_creates_an_open_intake_with_confirmed_applications_once():
    report: list[str] = []
    demo_intake.seed(report)
    demo_intake.seed(report)
    intake = Intake.objects.get(slug=demo_intake.SLUG)
    assert intake.is_open(timezone.now())
    assert Application.objects.confirmed().filter(intake=intake).count() == 30
    zones = set(Application.objects.values_list("time_zone", flat=True))
    assert {"Europe/Vienna", "Europe/Zurich", "America/New_York"} <= zones
    assert set(Application.objects.values_list("language", flat=True)) == {"de", "en"}
    assert any("/apply/" in line for line in report)


def test_demo_intake_page_renders(client):
    demo_intake.seed([])
    response = client.get("/apply/", follow=True)
    assert response.status_code == 200
    assert "Mastermind Frühjahr 2027" in response.content.decode()

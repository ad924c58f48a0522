import pytest
from django.contrib.auth import authenticate

from groups.demo import groups as demo_groups
from groups.models import Group, Intake, Membership
from mastermind import demo
from mastermind.accounts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_demo_creates_groups_once_with_a_member_who_can_sign_in():
    report = demo.seed()
    groups = Group.objects.filter(intake__slug=demo_groups.SLUG)
    assert groups.count() >= 2
    assert all(4 <= g.memberships.count() <= 5 for g in groups)
    line = next(line for line in report if line.startswith("Member:"))
    email = line.split()[1]
    assert authenticate(username=email, password=DEMO_PASSWORD) is not None
    counts = (Group.objects.count(), Membership.objects.count(), Intake.objects.count())
    again = demo.seed()
    assert (Group.objects.count(), Membership.objects.count(), Intake.objects.count()) == counts
    assert line in again


def test_demo_leaves_the_open_intake_ungrouped_for_the_organiser_to_try():
    from groups.demo.intake import seed as _  # noqa: F401 - the open intake's part exists
    from groups.selectors import open_intakes

    demo.seed()
    open_intake = open_intakes()[0]
    assert open_intake.groups_created_at is None
    assert open_intake.applications.confirmed().count() >= 20
    assert not Group.objects.filter(intake=open_intake).exists()

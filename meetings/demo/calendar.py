"""Demo: print one member's private feed URL so anyone can subscribe after `make run`."""

from groups.models import Membership
from mastermind.core.mail import absolute_url
from meetings.calendar.feed import feed_path, settings_for


def seed(report: list[str]) -> None:
    membership = (
        Membership.objects.current().select_related("user").order_by("user_id", "pk").first()
    )
    if membership is None:
        return
    user = membership.user
    url = absolute_url(feed_path(settings_for(user)))
    report.append(f"Calendar:  {url}")
    report.append(f"           (the private feed of {user.email})")

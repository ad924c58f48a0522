"""Demo groups for `make run`: a past intake whose applicants already meet in groups.

The open demo intake (groups.demo.intake) stays ungrouped, so an organiser can try
"Propose groups" on it; this past round ("Herbst 2026") was accepted, matched and turned
into groups, which the meetings demo gives schedules and history.
Idempotent: once the intake has groups, running it again only repeats the report line.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from groups import services
from groups.models import Application, ApplicationStatus, Intake, Membership
from groups.services import proposals
from mastermind.accounts.demo import DEMO_PASSWORD, ORGANISER_EMAIL
from mastermind.accounts.models import User

SLUG = "herbst-2026"

# (name, time zone, evenings in that zone, topics, language)
_PEOPLE = [
    ("Anna Adler", "Europe/Berlin", ["tue-19", "wed-19"], ["Online Marketing", "SEO"], "de"),
    ("Bernd Berger", "Europe/Berlin", ["tue-19"], ["SEO", "Content Strategy"], "de"),
    ("Clara Conrad", "Europe/Vienna", ["tue-19", "thu-19"], ["Podcasting", "SEO"], "de"),
    ("David Dorn", "Europe/Zurich", ["tue-19", "wed-19"], ["Online Marketing"], "de"),
    ("Emily Evans", "Europe/London", ["tue-18", "wed-18"], ["Content Strategy", "SEO"], "en"),
    ("Felix Fuchs", "Europe/Berlin", ["wed-19", "thu-19"], ["Podcasting"], "de"),
    ("Greta Graf", "Europe/Berlin", ["wed-19"], ["Podcasting", "Content Strategy"], "de"),
    ("Hanna Horn", "Europe/Berlin", ["wed-19", "thu-20"], ["Online Marketing", "Podcasting"], "de"),
    ("Ian Irving", "America/New_York", ["wed-13"], ["Podcasting", "SEO"], "en"),
    ("Jonas Jung", "Europe/Berlin", ["thu-19", "tue-19"], ["SEO"], "de"),
    ("Karla Kern", "Europe/Berlin", ["thu-19"], ["Content Strategy"], "de"),
    ("Lukas Lang", "Europe/Berlin", ["thu-19", "wed-19"], ["Online Marketing", "SEO"], "de"),
    ("Mira Maier", "Europe/Berlin", ["thu-19"], ["Podcasting", "Online Marketing"], "de"),
    ("Nils Neumann", "Europe/Berlin", ["tue-19", "thu-19"], ["Content Strategy", "SEO"], "de"),
]


def _past_intake() -> Intake:
    now = timezone.now()
    intake = Intake.objects.create(
        title="Mastermind Herbst 2026",
        slug=SLUG,
        pitch="Für Selbstständige im **Online-Marketing**: alle zwei Wochen dienstags um 19 Uhr.",
        opens_at=now - dt.timedelta(days=150),
        deadline=now - dt.timedelta(days=120),
        topics=["Online Marketing", "Content Strategy", "Podcasting", "SEO"],
    )
    for name, zone, slots, topics, language in _PEOPLE:
        Application.objects.create(
            intake=intake,
            name=name,
            email=f"{name.split()[0].lower()}@example.org",
            about=f"{name.split()[0]} arbeitet selbstständig im Online-Marketing.",
            topics=topics,
            expectations="Ehrliches Feedback und Verbindlichkeit.",
            availability=slots,
            time_zone=zone,
            language=language,
            consent_version=settings.PRIVACY_NOTICE_VERSION,
            consented_at=now - dt.timedelta(days=130),
            confirmed_at=now - dt.timedelta(days=130),
        )
    return intake


def _give_demo_password(users: list[User]) -> None:
    for user in users:
        if not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])


def seed(report: list[str]) -> None:
    intake = Intake.objects.filter(slug=SLUG).first() or _past_intake()
    if intake.groups_created_at is None:
        Application.objects.confirmed().filter(intake=intake, status=ApplicationStatus.NEW).update(
            status=ApplicationStatus.ACCEPTED
        )
        proposals.run_matching(intake=intake)
        intake.refresh_from_db()
        if not intake.proposal["groups"]:
            report.append(f"Groups:    none formed for {intake.title} (too few applicants)")
            return
        organiser = User.objects.filter(email=ORGANISER_EMAIL).first()
        for group in services.create_groups(intake=intake, by=organiser):
            slug = group.name.split(" – ")[0].lower().replace(" ", "-")
            group.video_url = f"https://meet.jit.si/mastermind-demo-{intake.pk}-{slug}"
            group.chat_url = "https://signal.group/#mastermind-demo"
            group.save(update_fields=["video_url", "chat_url"])
    firsts = (
        Membership.objects.current()
        .filter(group__intake=intake)
        .select_related("user", "group")
        .order_by("group__name", "joined_at", "pk")
    )
    by_group: dict[int, Membership] = {}
    for membership in firsts:
        by_group.setdefault(membership.group_id, membership)
    _give_demo_password([m.user for m in by_group.values()])
    if by_group:
        first = next(iter(by_group.values()))
        report.append(
            f"Member:    {first.user.email} / password {DEMO_PASSWORD} (or by code), "
            f"in {first.group.name}; {len(by_group)} demo groups"
        )

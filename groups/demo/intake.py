"""Demo data for the intake: an open intake with about 30 confirmed applications (idempotent)."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone

from groups.models import Application, Intake, InterestSignup
from mastermind.core.mail import absolute_url

SLUG = "fruehjahr-2027"
TOPICS = [
    "Online Marketing", "Content Strategy", "Podcasting", "SEO", "Social Media",
    "E-Mail-Marketing", "Pricing", "Personal Branding",
]  # fmt: skip
PITCH = """\
Sie sind selbstständig oder führen ein kleines Unternehmen und wollen Ihr **Marketing**
nicht länger allein voranbringen? In einer Mastermind-Gruppe treffen Sie sich mit vier
bis fünf Gleichgesinnten online, alle zwei Wochen an einem Abend unter der Woche.

## So läuft es

- Jedes Treffen dauert zwei Stunden, per Video.
- Eine Person sitzt im **„Hot Seat“**: Sie schildert eine aktuelle Herausforderung, die
  anderen fragen nach und geben ehrliches Feedback.
- Am Ende nimmt sich jede:r eine konkrete Sache bis zum nächsten Mal vor.

## Für wen

Für Solo-Selbstständige, Coaches, Agenturen und Shop-Betreiber:innen, die an Themen wie
Content, SEO, Podcasting oder Preisgestaltung arbeiten und sich verbindlich austauschen
möchten. Die Teilnahme ist kostenlos; wir erwarten nur, dass Sie regelmäßig dabei sind.

Fragen? Schreiben Sie uns an [hallo@example.org](mailto:hallo@example.org).
"""
PEOPLE = [
    ("Anna Schneider", "Europe/Berlin"), ("Jonas Weber", "Europe/Berlin"),
    ("Lea Fischer", "Europe/Vienna"), ("Lukas Becker", "Europe/Berlin"),
    ("Marie Hoffmann", "Europe/Berlin"), ("Felix Schäfer", "Europe/Zurich"),
    ("Sophie Koch", "Europe/Berlin"), ("Maximilian Bauer", "Europe/Berlin"),
    ("Laura Richter", "Europe/Berlin"), ("Paul Klein", "Europe/Vienna"),
    ("Hannah Wolf", "Europe/Berlin"), ("Leon Schröder", "Europe/Berlin"),
    ("Emma Neumann", "Europe/Berlin"), ("Tim Schwarz", "Europe/Berlin"),
    ("Mia Zimmermann", "Europe/Zurich"), ("Niklas Braun", "Europe/Berlin"),
    ("Lena Krüger", "Europe/Berlin"), ("Julian Hofmann", "Europe/Berlin"),
    ("Clara Hartmann", "Europe/Berlin"), ("David Lange", "Europe/Berlin"),
    ("Johanna Schmitt", "Europe/Berlin"), ("Tobias Werner", "Europe/Berlin"),
    ("Katharina Krause", "Europe/Berlin"), ("Moritz Meier", "Europe/Berlin"),
    ("Sarah Lehmann", "America/New_York"), ("Florian Schmid", "Europe/Berlin"),
    ("Nele Schulz", "Europe/Berlin"), ("Elias Maier", "Europe/Berlin"),
    ("Ayşe Yılmaz", "Europe/Berlin"), ("Jörg Weiß", "Europe/Berlin"),
]  # fmt: skip
ABOUT = [
    "Ich berate kleine Hotels zu Online-Buchungen und baue gerade einen Newsletter auf.",
    "Freiberufliche Texterin für B2B-Software, seit drei Jahren selbstständig.",
    "Ich betreibe einen Online-Shop für nachhaltige Kinderkleidung.",
    "Coach für Führungskräfte; mein Podcast hat 40 Folgen und soll wachsen.",
    "I run a small design studio and want to sell productised services.",
]
EXPECTATIONS = [
    "Ehrliches Feedback und Verbindlichkeit bei den Vorhaben.",
    "Austausch auf Augenhöhe mit Menschen in ähnlicher Lage.",
    "Accountability and fresh ideas for my pricing.",
]
SLOT_SETS = [
    ["tue-19", "wed-19"], ["mon-18", "tue-19", "thu-19"], ["wed-19", "wed-20", "thu-19"],
    ["tue-18", "tue-19", "tue-20"], ["mon-19", "thu-19", "fri-18"], ["tue-19", "thu-20"],
]  # fmt: skip


def _ensure_intake(now: dt.datetime) -> Intake:
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    deadline_day = (now + dt.timedelta(weeks=3)).astimezone(berlin).date()
    intake, _created = Intake.objects.get_or_create(
        slug=SLUG,
        defaults={
            "title": "Mastermind Frühjahr 2027",
            "pitch": PITCH,
            "opens_at": now - dt.timedelta(days=7),
            "deadline": dt.datetime.combine(deadline_day, dt.time(23, 59), tzinfo=berlin),
            "topics": TOPICS,
        },
    )
    return intake


def seed(report: list[str]) -> None:
    now = timezone.now()
    intake = _ensure_intake(now)
    for i, (name, zone) in enumerate(PEOPLE):
        email = f"{name.split()[0].lower()}.{i}@example.org".replace("ş", "s").replace("ö", "oe")
        Application.objects.get_or_create(
            intake=intake,
            email=email,
            defaults={
                "name": name,
                "about": ABOUT[i % len(ABOUT)],
                "topics": [TOPICS[i % 8], TOPICS[(i * 3 + 1) % 8]],
                "topics_other": "Webinare" if i % 7 == 0 else "",
                "expectations": EXPECTATIONS[i % len(EXPECTATIONS)],
                "availability": SLOT_SETS[i % len(SLOT_SETS)],
                "time_zone": zone,
                "language": "en" if i % 5 == 4 or zone == "America/New_York" else "de",
                "consent_version": settings.PRIVACY_NOTICE_VERSION,
                "consented_at": now - dt.timedelta(days=6, hours=i),
                "confirmed_at": now - dt.timedelta(days=6, hours=i - 1),
            },
        )
    for email in ("neugierig@example.org", "interessiert@example.org"):
        InterestSignup.objects.get_or_create(email=email, defaults={"confirmed_at": now})
    report.append(f"Apply:     {absolute_url('/apply/')} ({intake.title})")

"""factory_boy factories for every model; tests build exactly the data they need."""

import datetime as dt

import factory
from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import timezone

from groups.models import Application, ApplicationStatus, Group, Intake, InterestSignup, Membership
from mastermind.accounts.models import User
from meetings.models import (
    Absence,
    AgendaItem,
    Commitment,
    HotSeat,
    Meeting,
    MemberSettings,
    Pause,
    Preparation,
    Schedule,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.org")
    display_name = factory.Faker("name", locale="de_DE")
    language = "de"
    time_zone = "Europe/Berlin"

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class StaffFactory(UserFactory):
    email = factory.Sequence(lambda n: f"organiser{n}@example.org")
    is_staff = True
    is_superuser = True


class IntakeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intake

    title = factory.Sequence(lambda n: f"Mastermind Runde {n}")
    slug = factory.Sequence(lambda n: f"runde-{n}")
    pitch = "Für Selbstständige im **Online-Marketing**."
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=7))
    deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    topics = ["Online Marketing", "Content Strategy", "Podcasting", "SEO"]


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    intake = factory.SubFactory(IntakeFactory)
    name = factory.Faker("name", locale="de_DE")
    email = factory.Sequence(lambda n: f"applicant{n}@example.org")
    about = "Ich betreibe einen kleinen Online-Shop."
    topics = ["Online Marketing"]
    expectations = "Ehrliches Feedback."
    availability = ["tue-19", "wed-19"]
    time_zone = "Europe/Berlin"
    language = "de"
    consent_version = settings.PRIVACY_NOTICE_VERSION
    consented_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)
    status = ApplicationStatus.NEW


class InterestSignupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterestSignup

    email = factory.Sequence(lambda n: f"interested{n}@example.org")
    confirmed_at = factory.LazyFunction(timezone.now)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Gruppe {n}")
    video_url = "https://meet.jit.si/mastermind-demo"
    chat_url = "https://signal.group/#demo"
    time_zone = "Europe/Berlin"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    topics = ["Online Marketing"]
    about = "Shop für Tee."
    joined_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=60))


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    group = factory.SubFactory(GroupFactory)
    first_date = factory.LazyFunction(lambda: timezone.localdate())


class PauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pause

    name = "Sommerpause"
    start_date = dt.date(2027, 7, 1)
    end_date = dt.date(2027, 8, 31)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    group = factory.SubFactory(GroupFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    time_zone = "Europe/Berlin"


class HotSeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HotSeat

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)


class AbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Absence

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)


class PreparationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Preparation

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)
    story = "Mein Launch verzögert sich."


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)
    text = "Landingpage fertigstellen"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    group = factory.SubFactory(GroupFactory)
    title = "Check-in"
    minutes = 15


class MemberSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberSettings
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)

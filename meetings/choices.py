"""Choices of the meetings models that need no model of their own."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class HolidayRegion(models.TextChoices):
    NONE = "", _("Do not skip public holidays")
    DE = "DE", _("Germany (national holidays)")
    DE_BW = "DE-BW", _("Baden-Württemberg")
    DE_BY = "DE-BY", _("Bavaria")
    DE_BE = "DE-BE", _("Berlin")
    DE_BB = "DE-BB", _("Brandenburg")
    DE_HB = "DE-HB", _("Bremen")
    DE_HH = "DE-HH", _("Hamburg")
    DE_HE = "DE-HE", _("Hesse")
    DE_MV = "DE-MV", _("Mecklenburg-Western Pomerania")
    DE_NI = "DE-NI", _("Lower Saxony")
    DE_NW = "DE-NW", _("North Rhine-Westphalia")
    DE_RP = "DE-RP", _("Rhineland-Palatinate")
    DE_SL = "DE-SL", _("Saarland")
    DE_SN = "DE-SN", _("Saxony")
    DE_ST = "DE-ST", _("Saxony-Anhalt")
    DE_SH = "DE-SH", _("Schleswig-Holstein")
    DE_TH = "DE-TH", _("Thuringia")


class AgendaKind(models.TextChoices):
    """What a block of the agenda is for; the facilitator view shows what each one needs."""

    CHECK_IN = "check_in", _("Check-in")
    REVIEW = "review", _("Review of last time's commitments")
    HOT_SEAT = "hot_seat", _("Hot seat")
    COMMITMENTS = "commitments", _("Next commitments")
    CLOSE = "close", pgettext_lazy("agenda block", "Close")
    OTHER = "other", _("Other")


__all__ = ["AgendaKind", "HolidayRegion"]


class MeetingRole(models.TextChoices):
    """Roles that rotate like the hot seat, each turned on per group in its schedule."""

    FACILITATOR = "facilitator", _("Facilitator")
    TIMEKEEPER = "timekeeper", _("Timekeeper")

"""Editing a group through the service: its meetings' events follow (issue 13)."""

import pytest
from django.core.exceptions import ValidationError

from groups.models import Group
from groups.services.groups import update_group
from meetings.models import Meeting
from tests.meetings.helpers import future, make_group, make_schedule

pytestmark = pytest.mark.django_db


def test_a_new_video_link_bumps_every_future_meeting_once(
    clock, django_capture_on_commit_callbacks
):
    group, _users = make_group()
    make_schedule(group)
    before = {m.pk: m.sequence for m in future(group)}
    with django_capture_on_commit_callbacks(execute=True):
        changed = update_group(group=group, video_url="https://meet.example.org/neu")
    assert changed == ["video_url"]
    after = {m.pk: m.sequence for m in Meeting.objects.filter(pk__in=before)}
    assert all(after[pk] == before[pk] + 1 for pk in before)
    with django_capture_on_commit_callbacks(execute=True):
        assert update_group(group=group, video_url="https://meet.example.org/neu") == []
    assert {m.pk: m.sequence for m in Meeting.objects.filter(pk__in=before)} == after


def test_a_bad_link_is_refused_and_nothing_is_saved(clock, django_capture_on_commit_callbacks):
    group, _users = make_group()
    before = group.video_url
    with pytest.raises(ValidationError), django_capture_on_commit_callbacks(execute=True) as hooks:
        update_group(group=group, video_url="javascript:alert(1)")
    assert hooks == []
    assert Group.objects.get(pk=group.pk).video_url == before

"""The organiser's home collects the sections the apps contribute (mastermind.ops.dashboard)."""

import datetime as dt

from mastermind.ops import dashboard

NOW = dt.datetime(2027, 3, 1, 17, 30, tzinfo=dt.UTC)


def test_the_apps_contribute_the_intakes_then_the_groups():
    assert [name for name, _hook in dashboard.dashboard_hooks] == ["intakes", "groups"]


def test_sections_are_collected_in_order_and_none_is_left_out(monkeypatch):
    calls = []

    def first(*, request, now):
        calls.append((request, now))
        return "first.html", {"a": 1}

    hooks = {"first": first, "nothing": lambda **kwargs: None, "last": lambda **kw: ("z", {})}
    monkeypatch.setattr(dashboard.dashboard_hooks, "_hooks", hooks)
    templates, context = dashboard.sections("request", NOW)
    assert templates == ["first.html", "z"]
    assert context == {"a": 1}
    assert calls == [("request", NOW)]

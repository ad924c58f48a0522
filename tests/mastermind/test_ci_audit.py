"""The dependency audit of CI (.ci/audit.py) reports what it checked, not a clean bill."""

import importlib.util
import sys

import pytest

from tests.helpers import ROOT

spec = importlib.util.spec_from_file_location("ci_audit", ROOT / ".ci" / "audit.py")
audit = importlib.util.module_from_spec(spec)
sys.modules["ci_audit"] = audit
spec.loader.exec_module(audit)

SKIP = "Dependency not found on PyPI and could not be audited: django (5.2.19)"


def test_an_audit_that_could_ask_about_nothing_says_not_audited():
    report = {"dependencies": [{"name": f"p{i}", "skip_reason": SKIP} for i in range(32)]}
    summary = audit.summarise_pip_audit(report)
    text = "\n".join(summary.lines())
    assert (summary.total, summary.audited, len(summary.skipped)) == (32, 0, 32)
    assert "NOT AUDITED: no vulnerability service reachable" in text
    assert "no known vulnerabilities" not in text.lower()


def test_a_visible_vulnerability_fails_and_a_partial_audit_lists_the_skipped():
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.1", "vulns": [{"id": "PYSEC-1"}]},
            {"name": "kombu", "version": "5.7.0", "vulns": []},
            {"name": "vine", "skip_reason": SKIP},
        ]
    }
    summary = audit.summarise_pip_audit(report)
    assert not summary.ok
    text = "\n".join(summary.lines())
    assert "VULNERABLE django 5.2.1: PYSEC-1" in text
    assert "not audited (1): vine" in text


@pytest.mark.parametrize(
    ("pinned", "available", "newer"),
    [
        ("5.2.19", ["6.0.1", "5.2.20", "5.2.19", "5.1.30"], "5.2.20"),
        ("5.2.19", ["6.0", "5.2.19", "5.2.21rc1"], None),
        ("4.0", ["4.0.1", "4.1"], "4.0.1"),
        ("0.109", ["0.110", "0.109"], None),
    ],
)
def test_newest_patch_stays_in_the_series(pinned, available, newer):
    assert audit.newest_patch(pinned, available) == newer


def test_pins_are_read_with_extras_and_without_includes(tmp_path):
    path = tmp_path / "req.txt"
    path.write_text("# c\n-r other.txt\ncelery[redis]==5.7.0\nDjango==5.2.19  # x\n")
    assert audit.read_pins([str(path)]) == {"celery": "5.7.0", "Django": "5.2.19"}


def test_an_unreachable_index_fails_loudly(monkeypatch, tmp_path, capsys):
    path = tmp_path / "req.txt"
    path.write_text("Django==5.2.19\n")

    def unreachable(name):
        raise audit.IndexUnreachable(f"{name}: no index")

    monkeypatch.setattr(audit, "index_versions", unreachable)
    assert audit.pins([str(path)]) == 1
    assert "PINS NOT CHECKED" in capsys.readouterr().err


def test_ci_runs_both_audit_steps():
    ci = (ROOT / ".ci" / "run").read_text()
    assert ".ci/audit.py vulnerabilities requirements.txt" in ci
    assert ".ci/audit.py pins requirements.txt\n" in ci
    assert ".ci/audit.py pins --report-only requirements-dev.txt" in ci


def test_report_only_lists_but_never_fails(monkeypatch, capsys):
    monkeypatch.setattr(audit, "index_versions", lambda name: ["99.0.0", "1.0.5"])
    monkeypatch.setattr(audit, "read_pins", lambda paths: {"example": "1.0.0"})
    assert audit.pins(["requirements-dev.txt"], report_only=True) == 0
    assert "BEHIND example==1.0.0 -> 1.0.5" in capsys.readouterr().out
    assert audit.pins(["requirements.txt"]) == 1

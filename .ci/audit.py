#!/usr/bin/env python3
"""The dependency audit of CI, in two honest steps (stdlib and pip only).

``audit.py vulnerabilities [requirements.txt]`` runs pip-audit and reads its JSON. It
fails on any known vulnerability it sees; when the vulnerability service could not be
asked about a dependency (pip-audit's "skip_reason"), it does not print a clean bill
but says how many were NOT audited. If none could be audited it says so in capitals:
nothing was checked.

``audit.py pins requirements.txt requirements-dev.txt`` lists every exact pin that is
behind the newest patch release of its series (same major.minor) on the package index,
asked with ``pip index versions``, which is how Django and most libraries ship their
security fixes. It fails if any pin is behind, and fails loudly if the index cannot be
reached: an unanswered question is not a pass.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from pip._vendor.packaging.version import InvalidVersion, Version

PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;#]+)")


# -- vulnerabilities --------------------------------------------------------------------


@dataclass
class AuditSummary:
    total: int
    audited: int
    skipped: list[str]
    vulnerable: list[str]

    @property
    def ok(self) -> bool:
        return not self.vulnerable

    def lines(self) -> list[str]:
        out = [
            f"dependencies: {self.total}, audited: {self.audited}, "
            f"not audited: {len(self.skipped)}, with known vulnerabilities: {len(self.vulnerable)}"
        ]
        out += [f"  VULNERABLE {entry}" for entry in self.vulnerable]
        if self.total and not self.audited:
            out.append(
                "NOT AUDITED: no vulnerability service reachable; "
                f"none of the {self.total} dependencies was checked"
            )
        elif self.skipped:
            out.append(f"not audited ({len(self.skipped)}): {', '.join(self.skipped)}")
        elif self.ok:
            out.append(f"no known vulnerabilities in the {self.audited} audited dependencies")
        return out


def summarise_pip_audit(report: dict) -> AuditSummary:
    """Counts from pip-audit's JSON (``-f json``): audited, skipped, vulnerable."""
    deps = report.get("dependencies", [])
    skipped = [d["name"] for d in deps if d.get("skip_reason")]
    vulnerable = [
        f"{d['name']} {d.get('version', '?')}: "
        + ", ".join(v.get("id", "?") for v in d.get("vulns", []))
        for d in deps
        if d.get("vulns")
    ]
    return AuditSummary(
        total=len(deps), audited=len(deps) - len(skipped), skipped=skipped, vulnerable=vulnerable
    )


def vulnerabilities(requirements: str) -> int:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    command = [str(pip_audit), "-r", requirements, "--progress-spinner", "off", "-f", "json"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        print(result.stdout, result.stderr, sep="\n", file=sys.stderr)
        print("NOT AUDITED: pip-audit gave no report", file=sys.stderr)
        return 1
    summary = summarise_pip_audit(report)
    for line in summary.lines():
        print(line)
    return 0 if summary.ok else 1


# -- pins -------------------------------------------------------------------------------


class IndexUnreachable(RuntimeError):
    pass


def read_pins(paths: list[str]) -> dict[str, str]:
    """``{name: version}`` of every ``name==version`` line (extras dropped, ``-r`` skipped)."""
    pins: dict[str, str] = {}
    for path in paths:
        for line in Path(path).read_text().splitlines():
            match = PIN.match(line)
            if match:
                pins[match.group(1)] = match.group(3)
    return pins


def index_versions(name: str) -> list[str]:
    """Every release of ``name`` on the configured index, by ``pip index versions``."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "index",
        "versions",
        name,
        "--disable-pip-version-check",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    for line in result.stdout.splitlines():
        if line.startswith("Available versions:"):
            return [v.strip() for v in line.split(":", 1)[1].split(",") if v.strip()]
    raise IndexUnreachable(f"{name}: {(result.stderr or result.stdout).strip()[-300:]}")


def newest_patch(pinned: str, available: list[str]) -> str | None:
    """The newest final release in ``pinned``'s series (same major.minor), if newer."""
    current = Version(pinned)
    series = current.release[:2]
    best = current
    for text in available:
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if version.is_prerelease or version.is_devrelease:
            continue
        if version.release[:2] == series and version > best:
            best = version
    return str(best) if best != current else None


def pins(paths: list[str], *, report_only: bool = False) -> int:
    found = read_pins(paths)
    behind, unreachable = [], []
    for name, version in sorted(found.items(), key=lambda item: item[0].lower()):
        try:
            newer = newest_patch(version, index_versions(name))
        except IndexUnreachable as error:
            unreachable.append(str(error))
            continue
        if newer:
            behind.append(f"{name}=={version} -> {newer}")
    print(
        f"pins: {len(found)}, checked: {len(found) - len(unreachable)}, "
        f"behind the newest patch release: {len(behind)}, index unreachable: {len(unreachable)}"
    )
    for line in behind:
        print(f"  BEHIND {line}")
    if unreachable:
        print("PINS NOT CHECKED: the package index could not be asked about:", file=sys.stderr)
        for line in unreachable:
            print(f"  {line}", file=sys.stderr)
    if report_only:
        return 0
    return 1 if behind or unreachable else 0


def main(argv: list[str]) -> int:
    if len(argv) >= 1 and argv[0] == "vulnerabilities":
        return vulnerabilities(argv[1] if len(argv) > 1 else "requirements.txt")
    if len(argv) >= 3 and argv[:2] == ["pins", "--report-only"]:
        return pins(argv[2:], report_only=True)
    if len(argv) >= 2 and argv[0] == "pins":
        return pins(argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

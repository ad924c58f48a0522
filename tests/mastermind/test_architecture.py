"""The shape of the code (issue 12): short modules, imports that point one way.

``lint-imports`` runs in ``make test`` and CI; these tests show that its contracts hold
and that they would catch a violation, including an import inside a function.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_PACKAGES = ("mastermind", "groups", "meetings")
MAX_LINES = 400
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _modules():
    for package in APP_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_app_module_exceeds_400_lines():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in _modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, f"modules over {MAX_LINES} lines: {too_long}"


def _lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(name="tree")
def tree_fixture(tmp_path):
    """A copy of the app's packages and contracts, to break on purpose."""
    for package in APP_PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_import_contracts_hold(tree):
    result = _lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "contract"),
    [
        ("groups/rules.py", "from meetings import models", "Composition root -> meetings"),
        ("mastermind/outbox/claims.py", "import groups.models", "Composition root -> meetings"),
        ("mastermind/core/text.py", "from meetings.services import swaps", "Composition root"),
        ("groups/matching/__init__.py", "import django.db", "The pure cores"),
        ("meetings/domain/rotation.py", "from meetings import models", "The pure cores"),
        ("meetings/calendar/ical.py", "from django.conf import settings", "The pure cores"),
    ],
)
def test_a_function_level_import_against_the_layers_is_caught(tree, module, bad_import, contract):
    path = tree / module
    with path.open("a", encoding="utf-8") as source:
        source.write(f"\n\ndef _against_the_layers():\n    {bad_import}\n")
    result = _lint_imports(tree)
    assert result.returncode != 0, f"lint-imports accepted {bad_import!r} in {module}"
    assert f"{contract}" in result.stdout and "BROKEN" in result.stdout

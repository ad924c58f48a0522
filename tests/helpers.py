"""Helpers for every test folder: where the tests run, and how many examples to try."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import settings

TESTS_DIR = Path(__file__).resolve().parent
ROOT = TESTS_DIR.parent
JS_DIR = TESTS_DIR / "js"


def on_ci() -> bool:
    """True when the environment variable ``CI`` is set to something other than false."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def examples(fraction: float) -> int:
    """``fraction`` of the active Hypothesis profile's ``max_examples`` (at least one).

    For properties whose every example is expensive (many requests, a database full of
    rows): ``@settings(max_examples=examples(0.2))`` tries a fifth of what the profile
    asks for, so ``--hypothesis-profile=thorough`` still multiplies it. Evaluated when the
    test module is imported, after tests/conftest.py and the command line chose the profile.
    """
    return max(1, round(settings().max_examples * fraction))

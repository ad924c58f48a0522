import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-for-tests-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "mastermind.example.org",
    "SITE_URL": "https://mastermind.example.org",
    "DJANGO_SETTINGS_MODULE": "mastermind.settings",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    ignored = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    env = {**PRODUCTION, "ALLOWED_HOSTS": ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_without_debug_variable_a_command_gets_production_and_refuses_the_dev_key():
    """A deployment that forgets DEBUG is not in development mode."""
    env = {k: v for k, v in PRODUCTION.items() if k not in ("DEBUG", "SECRET_KEY")}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    dev_key = "django-insecure-development-only-key-never-use-in-production"
    result = run_manage("check", env={**env, "SECRET_KEY": dev_key})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_source_tree_commands_run_in_a_fresh_checkout_without_configuration():
    """`manage.py makemigrations --check` needs no DEBUG, SECRET_KEY or ALLOWED_HOSTS."""
    clean = {"DJANGO_SETTINGS_MODULE": "mastermind.settings"}
    result = run_manage("makemigrations", "--check", "--dry-run", env=clean)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_debug_is_on_under_the_development_server_only(monkeypatch):
    from mastermind import settings

    monkeypatch.setattr(sys, "argv", ["manage.py", "runserver", "127.0.0.1:8000"])
    assert settings._development_command()
    monkeypatch.setattr(sys, "argv", ["manage.py", "run_dev"])
    assert settings._development_command()
    monkeypatch.setattr(sys, "argv", ["manage.py", "makemigrations", "--check"])
    assert settings._development_command()
    for argv in (["manage.py", "migrate"], ["gunicorn", "mastermind.wsgi"], ["celery", "worker"]):
        monkeypatch.setattr(sys, "argv", argv)
        assert not settings._development_command()

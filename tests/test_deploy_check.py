"""Production settings pass `shanzhi check --deploy` with no warnings.

Settings are computed when they are imported, so the check runs in a fresh process with the
production environment, exactly as an operator would run it."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(tmp_path, **env):
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("SHANZHI_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the browser fixture sets it
    base.update({"SHANZHI_VAR_DIR": str(tmp_path), **env})
    return subprocess.run([sys.executable, "-m", "shanzhi", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)


def test_production_settings_pass_check_deploy(tmp_path):
    result = run_check(tmp_path, SHANZHI_ENV="production", SHANZHI_SECRET_KEY=secrets.token_urlsafe(64),
                       SHANZHI_ALLOWED_HOSTS="gov.example.cn")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_check(tmp_path, SHANZHI_ENV="production", SHANZHI_ALLOWED_HOSTS="gov.example.cn")
    assert result.returncode != 0 and "SHANZHI_SECRET_KEY" in result.stderr


def test_development_settings_are_flagged_by_check_deploy(tmp_path):
    """The check is not vacuous: development settings (no HTTPS hardening) do raise warnings."""
    result = run_check(tmp_path)
    assert result.returncode != 0 and "security.W" in result.stderr + result.stdout


def test_production_hashes_passwords_with_full_cost_argon2(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHANZHI_")}
    env.update(SHANZHI_VAR_DIR=str(tmp_path), SHANZHI_ENV="production", SHANZHI_SECRET_KEY=secrets.token_urlsafe(64))
    code = "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    result = subprocess.run([sys.executable, "-m", "shanzhi", "shell", "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "django.contrib.auth.hashers.Argon2PasswordHasher", result.stderr

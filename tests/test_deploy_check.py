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
    base = {k: v for k, v in os.environ.items()  # pytest's test settings and the browser fixture's flag stay out
            if not k.startswith("SHANZHI_") and k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")}
    base.update({"SHANZHI_VAR_DIR": str(tmp_path), **env})
    return subprocess.run([sys.executable, "-m", "shanzhi", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)


def test_production_settings_pass_check_deploy(tmp_path):
    (tmp_path / "keys.json").write_text((ROOT / "tests" / "keys.json").read_text())
    production = dict(SHANZHI_ENV="production", SHANZHI_SECRET_KEY=secrets.token_urlsafe(64),
                      SHANZHI_ALLOWED_HOSTS="gov.example.cn")
    result = run_check(tmp_path, **production, SHANZHI_SMS_BACKEND="shanzhi.notifications.sms.GatewaySmsBackend")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    # left on the development SMS backend, residents would never get their sign-up codes: the check says so
    result = run_check(tmp_path, **production)
    assert result.returncode != 0 and "shanzhi.W201" in result.stdout + result.stderr


def test_production_refuses_to_start_without_the_key_file(tmp_path):
    """A missing personal-data key file stops the start (check and WSGI) instead of a new key being made."""
    env = dict(SHANZHI_ENV="production", SHANZHI_SECRET_KEY=secrets.token_urlsafe(64),
               SHANZHI_ALLOWED_HOSTS="gov.example.cn")
    result = run_check(tmp_path, **env)
    assert result.returncode != 0 and "shanzhi.E002" in result.stderr + result.stdout
    assert not (tmp_path / "keys.json").exists()
    base = {k: v for k, v in os.environ.items() if not k.startswith("SHANZHI_") and k != "DJANGO_SETTINGS_MODULE"}
    wsgi = subprocess.run([sys.executable, "-c", "import shanzhi.wsgi"], cwd=ROOT, capture_output=True, text=True,
                          env={**base, "SHANZHI_VAR_DIR": str(tmp_path), **env}, timeout=120)
    assert wsgi.returncode != 0 and "key file" in wsgi.stderr and not (tmp_path / "keys.json").exists()


def test_settings_write_nothing_on_import_and_init_creates_the_files(tmp_path):
    base = {k: v for k, v in os.environ.items() if not k.startswith("SHANZHI_") and k != "DJANGO_SETTINGS_MODULE"}
    var = tmp_path / "var"
    env = {**base, "SHANZHI_VAR_DIR": str(var)}
    code = "import django; django.setup(); from django.conf import settings; print(repr(settings.STATIC_ROOT))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE":
                            "shanzhi.settings"}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and str(var) in result.stdout, result.stderr
    assert not var.exists()
    check = subprocess.run([sys.executable, "-m", "shanzhi", "check"], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=120)
    assert check.returncode != 0 and "shanzhi.E001" in check.stderr and "shanzhi init" in check.stderr
    result = subprocess.run([sys.executable, "-m", "shanzhi", "init"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (var / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (var / "keys.json").stat().st_mode & 0o777 == 0o600 and (var / "media").is_dir()
    keys = (var / "keys.json").read_text()
    subprocess.run([sys.executable, "-m", "shanzhi", "init"], cwd=ROOT, env=env, check=True, capture_output=True,
                   timeout=120)
    assert (var / "keys.json").read_text() == keys  # never replaced


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_check(tmp_path, SHANZHI_ENV="production", SHANZHI_ALLOWED_HOSTS="gov.example.cn")
    assert result.returncode != 0 and "SHANZHI_SECRET_KEY" in result.stderr


def test_development_settings_are_flagged_by_check_deploy(tmp_path):
    """The check is not vacuous: development settings (no HTTPS hardening) do raise warnings."""
    result = run_check(tmp_path)
    assert result.returncode != 0 and "security.W" in result.stderr + result.stdout


def test_production_hashes_passwords_with_full_cost_argon2(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHANZHI_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(SHANZHI_VAR_DIR=str(tmp_path), SHANZHI_ENV="production", SHANZHI_SECRET_KEY=secrets.token_urlsafe(64))
    code = "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    result = subprocess.run([sys.executable, "-m", "shanzhi", "shell", "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "django.contrib.auth.hashers.Argon2PasswordHasher", result.stderr

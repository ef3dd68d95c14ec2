"""`ptce check --deploy` is clean with production settings (README, production)."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

PTCE = str(Path(sys.executable).with_name("ptce"))


def check_deploy(tmp_path, **changes):
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SITE_URL": "https://journees.example.org",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "journees.example.org",
        "DATABASE_URL": "postgres://ptce@127.0.0.1:5432/ptce",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "PTCE_VAR_DIR": str(tmp_path),
        **changes,
    }
    return subprocess.run(
        [PTCE, "check", "--deploy", "--fail-level", "WARNING"],
        env={name: value for name, value in env.items() if value is not None},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = check_deploy(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_on_what_production_must_not_have(tmp_path):
    # The same check does fail: DEBUG on, and plain http (no secure cookies, no HSTS).
    result = check_deploy(tmp_path, DEBUG="true", SITE_URL="http://journees.example.org")

    assert result.returncode != 0
    for check in ("security.W018", "security.W004", "security.W012", "security.W016"):
        assert check in result.stderr

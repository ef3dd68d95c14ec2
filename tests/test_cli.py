import subprocess
import sys
from pathlib import Path

PTCE = str(Path(sys.executable).with_name("ptce"))


def run_ptce(*args, cwd):
    return subprocess.run(
        [PTCE, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_ptce_runs_management_commands_with_the_project_settings_from_any_folder(tmp_path):
    result = run_ptce("check", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "System check identified" in result.stdout + result.stderr


def test_ptce_lists_the_service_commands(tmp_path):
    result = run_ptce("help", "--commands", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    commands = result.stdout.split()
    assert {"serve", "backup", "db_worker", "migrate"} <= set(commands)


def test_ptce_fails_on_an_unknown_command(tmp_path):
    result = run_ptce("no_such_command", cwd=tmp_path)

    assert result.returncode == 1
    assert "Unknown command: 'no_such_command'" in result.stderr

"""The import rules of docs/architecture.md: the tree keeps them, and each contract fails
when the rule it guards is broken (so a green `lint-imports` means something)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("observation", "commissions", "voters", "incidents", "reports")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the five apps and the contracts, to break without touching the tree."""
    for app in APPS:
        shutil.copytree(
            ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "migrations")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_lower_app_importing_a_higher_one_breaks_the_layers(tree):
    (tree / "commissions" / "intruder.py").write_text("import reports.models  # noqa: F401\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "commissions.intruder -> reports.models" in result.stdout


def test_incidents_and_voters_stay_independent(tree):
    (tree / "voters" / "intruder.py").write_text("import incidents.models  # noqa: F401\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "voters.intruder -> incidents.models" in result.stdout


def test_an_import_circle_inside_an_app_breaks_the_contract_even_inside_a_function(tree):
    models = tree / "incidents" / "models.py"
    models.write_text(
        models.read_text() + "\n\ndef _back_up():\n    from incidents import tasks  # noqa: F401\n"
    )
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "No cycles are allowed in incidents" in result.stdout

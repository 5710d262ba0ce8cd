"""The module graph (ARCHITECTURE rule 10, docs/architecture.md): import-linter's contracts in pyproject.toml
hold — no upward import, no cycle — and imports sit at the top of their module."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "shanzhi"

# Modules whose in-function imports Django's app loading forces: AppConfig.ready() is the first point at which
# an app may import its models and register its hooks; settings must not import the project.
APP_LOADING = {"apps.py", "settings.py", "__main__.py"}


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())",
         "--no-cache"],
        cwd=root, capture_output=True, text=True, timeout=300)


def test_import_linter_contracts_hold():
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("core/errors.py", "from shanzhi.accounts import models", "shanzhi.core is not allowed to import shanzhi.accounts"),
    ("cases/choices.py", "from shanzhi.consultation import choices", "No cycles are allowed in shanzhi."),
])
def test_the_contracts_catch_an_upward_import_and_a_cycle(tmp_path, module, line, broken):
    shutil.copytree(PACKAGE, tmp_path / "shanzhi", ignore=shutil.ignore_patterns("__pycache__", "static", "locale"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / "shanzhi" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    run = lint_imports(tmp_path)
    assert run.returncode == 1 and broken in run.stdout, run.stdout + run.stderr


def _function_imports(path: Path, root: Path = ROOT) -> list[str]:
    """`file:line` of every import statement inside a function (at any depth) of one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            found |= {f"{path.relative_to(root)}:{n.lineno}" for n in ast.walk(fn)
                      if isinstance(n, ast.Import | ast.ImportFrom)}
    return sorted(found)


def test_imports_sit_at_the_top_of_the_module():
    hidden = [hit for path in sorted(PACKAGE.rglob("*.py"))
              if "migrations" not in path.parts and path.name not in APP_LOADING
              for hit in _function_imports(path)]
    assert hidden == [], "imports inside functions (move them to the module top): " + ", ".join(hidden)


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\n\nclass A:\n    def f(self):\n        if os.sep:\n"
                      "            from shanzhi.core import roles\n        return roles\n")
    assert _function_imports(sample, tmp_path) == ["sample.py:7"]

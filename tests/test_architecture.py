"""The package layout is enforced: import-linter's contracts (.importlinter) run in the test suite."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The root packages of .importlinter: a copy of them is what the mutation checks lint.
PACKAGES = ("model", "ui", "workshop", "testkit", "bench", "i18n")
CONTRACTS = 10


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """lint-imports on the packages under ``root`` with the project's contracts."""
    # The console script's own code, run by this interpreter (CI may install scripts elsewhere).
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run([sys.executable, "-c", code, "--config", str(ROOT / ".importlinter"), "--no-cache"],
                          cwd=root, capture_output=True, text=True, timeout=120)


def _copy(tmp_path: Path) -> Path:
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__", "recordings"))
    return tmp_path


def _add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")


def _broken(stdout: str) -> set[str]:
    """The names of the broken contracts in lint-imports' report (it wraps long names over lines)."""
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    names = [config[s]["name"] for s in config.sections() if s.startswith("importlinter:contract:")]
    assert len(names) == CONTRACTS
    text = " ".join(stdout.split())
    return {n for n in names if f"{n} BROKEN" in text}


def test_import_contracts_hold():
    """No import cycles in model/ or ui/; model/ layered cli | reports | io | schema | core; the model imports
    no page code and no workshop, and only model.reports draws charts and documents; the numerical core no document schema, file format or translation code; ui/ never
    imports the engine or the ensemble; ui/, workshop/ and bench/ only the model's public API; the workshop's
    domain code no Streamlit and no page code; the app no test code."""
    r = lint_imports(ROOT)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert f"Contracts: {CONTRACTS} kept, 0 broken." in r.stdout


def test_a_core_module_importing_the_schema_breaks_the_layers(tmp_path):
    """The contracts can fail: a copy of the packages whose engine imports the scenario schema is refused."""
    root = _copy(tmp_path)
    _add_line(root / "model" / "core" / "engine.py", "from ..schema import scenario")
    r = lint_imports(root)
    assert r.returncode == 1, r.stdout[-3000:] + r.stderr[-2000:]
    assert "model/ is layered" in r.stdout and f"Contracts: {CONTRACTS - 3} kept, 3 broken." in r.stdout, r.stdout[-3000:]


@pytest.mark.parametrize("module, line, contracts", [
    ("ui/cards.py", "from model.core import engine",
     {"ui/ computes through the model's results, never the engine or the ensemble directly",
      "ui/, workshop/ and bench/ use the model's public API (model/__init__.py), not model.core"}),
    ("ui/tools.py", "import model.core.ensemble",
     {"ui/ computes through the model's results, never the engine or the ensemble directly",
      "ui/, workshop/ and bench/ use the model's public API (model/__init__.py), not model.core"}),
    ("bench/bench_tools.py", "from model.core.specs import SPEC_BY_NAME",
     {"ui/, workshop/ and bench/ use the model's public API (model/__init__.py), not model.core"}),
    ("workshop/rooms.py", "from model.core import goals",
     {"ui/, workshop/ and bench/ use the model's public API (model/__init__.py), not model.core"}),
    ("workshop/store.py", "import streamlit",
     {"workshop (rooms, store, analysis, exports, CLI) imports no Streamlit and no page code"}),
    ("workshop/analysis.py", "from ui import safe",
     {"workshop (rooms, store, analysis, exports, CLI) imports no Streamlit and no page code"}),
    ("model/cli.py", "import workshop", {"the model knows nothing of workshops"}),
    ("model/reports/charts.py", "import streamlit", {"The model package imports no page code (no ui, no streamlit)"}),
    ("model/core/engine.py", "import altair",
     {"Only model.reports draws charts and documents: model.core, schema and io import no altair, vl_convert or docx"}),
    ("model/io/export.py", "import docx",
     {"Only model.reports draws charts and documents: model.core, schema and io import no altair, vl_convert or docx"}),
])
def test_each_new_contract_breaks_when_violated(tmp_path, module, line, contracts):
    """Mutation check: one bad import in a copy of the packages breaks exactly the contracts it violates."""
    root = _copy(tmp_path)
    _add_line(root / module, line)
    r = lint_imports(root)
    assert r.returncode == 1, r.stdout[-3000:] + r.stderr[-2000:]
    assert _broken(r.stdout) == contracts, r.stdout[-3000:]

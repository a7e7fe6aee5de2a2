"""The layers import downwards only: nothing outside the app imports solara or the app, the
workshop's service layer runs without the app, and nothing of the app or the reporting layer
selects a matplotlib backend."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import willsim

ROOT = Path(willsim.__file__).resolve().parent
TOP = {"willsim.app", "willsim.cli"}
"""The top layer: the app, and the command line that starts it (``willsim app``)."""


def modules() -> dict[str, Path]:
    """Every module of willsim, by dotted name (found on disk: some folders, such as
    ``willsim/workshop``, are namespace packages that :mod:`pkgutil` does not walk)."""
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imported(path: Path, name: str) -> set[str]:
    """The modules a file imports anywhere (top level or inside functions), absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            out.add(target)
            out.update(f"{target}.{a.name}" for a in node.names)
    return out


def _below_top(name: str) -> bool:
    return not any(name == top or name.startswith(top + ".") for top in TOP)


def test_the_walk_finds_the_layers():
    found = modules()
    for name in ("willsim.model", "willsim.reporting.briefing", "willsim.workshop.board"):
        assert name in found, name
    assert "willsim.app.server" in found and not _below_top("willsim.app.server")


def test_nothing_below_the_app_imports_solara_or_the_app():
    offenders = {}
    for name, path in modules().items():
        if not _below_top(name):
            continue
        bad = sorted(
            m
            for m in imported(path, name)
            if m == "solara" or m.startswith(("solara.", "willsim.app", "reacton", "ipyvue"))
        )
        if bad:
            offenders[name] = bad
    assert not offenders, f"modules below the app import the UI: {offenders}"


def test_the_workshop_service_layer_and_reporting_load_without_the_app():
    """Imported in a fresh interpreter, the workshop's service layer and the reporting layer
    pull in neither solara nor any app module, and leave matplotlib's backend alone."""
    code = (
        "import sys, matplotlib\n"
        "import willsim.workshop.service, willsim.workshop.board, willsim.workshop.export\n"
        "import willsim.workshop.commands, willsim.reporting.briefing, willsim.reporting.charts\n"
        "ui = sorted({'.'.join(m.split('.')[:2]) for m in sys.modules"
        " if m.split('.')[0] in ('solara', 'reacton') or m.startswith('willsim.app')})\n"
        "print(ui, matplotlib.get_backend())\n"
    )
    env = {**os.environ, "MPLBACKEND": "svg"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split() == ["[]", "svg"], out.stdout + out.stderr


def test_importing_the_app_keeps_a_notebook_users_backend():
    code = (
        "import matplotlib\nimport willsim.app.app\nimport willsim.reporting.charts\n"
        "print(matplotlib.get_backend())\n"
    )
    env = {**os.environ, "MPLBACKEND": "svg"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "svg", out.stderr[-2000:]


def test_no_backend_is_selected_in_the_app_the_workshop_or_reporting():
    calls = []
    for name, path in modules().items():
        if not name.startswith(("willsim.app", "willsim.reporting", "willsim.workshop")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("use", "switch_backend")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in ("matplotlib", "plt", "pyplot")
            ):
                calls.append(f"{name}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and node.module == "matplotlib.pyplot":
                calls.append(f"{name}:{node.lineno} (pyplot)")
            if isinstance(node, ast.Import) and any(
                a.name == "matplotlib.pyplot" for a in node.names
            ):
                calls.append(f"{name}:{node.lineno} (pyplot)")
    assert not calls, f"backend selection or pyplot (global state) in: {calls}"

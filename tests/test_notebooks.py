"""The numbered notebooks: stored clean, thin, and every one runs top to bottom.

Each notebook runs in a fresh kernel of *this* interpreter (a kernelspec written to a temporary
``JUPYTER_PATH`` that points at ``sys.executable``), so a fresh clone with ``pip install -e
.[test]`` needs no ``ipykernel install``. Executed copies go to a temporary folder, never into
the repository. A failing cell fails the test with that cell's source and traceback.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("ema_workbench")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
KERNEL = "willsim-test-python"
CELL_TIMEOUT = 300  # seconds per cell; the notebooks take seconds at their default size


def test_the_five_numbered_notebooks_are_there():
    assert [p.stem[:3] for p in NOTEBOOKS] == ["01-", "02-", "03-", "04-", "05-"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_clean_and_thin(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "strip outputs"
    assert any(c.cell_type == "markdown" for c in nb.cells[:1]), "start with an explanation"
    assert "FULL_SIZE = False" in code[0].source, "say at the top how to run at full size"
    for cell in code:  # all logic lives in willsim: no functions or classes defined here
        lines = cell.source.splitlines()
        assert not [ln for ln in lines if ln.lstrip().startswith(("def ", "class "))], cell.source
    assert any("willsim" in c.source for c in code)


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory):
    """A kernelspec for this interpreter, found first on a temporary JUPYTER_PATH."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "willsim tests",
                "language": "python",
            }
        )
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(root))
        mp.setenv("MPLBACKEND", "agg")
        mp.delenv("PYTHONWARNINGS", raising=False)
        yield KERNEL


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, kernel_name, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        kernel_name=kernel_name,
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    start, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        pytest.fail(f"{path.name}: a cell failed\n{exc}", pytrace=False)
    finally:
        nbformat.write(nb, tmp_path / path.name)  # executed copy, outside the repository
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the kernel, once it has exited
    kernel_cpu = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
    print(f"{path.name}: {seconds:.1f} s wall, {kernel_cpu:.1f} s kernel CPU")

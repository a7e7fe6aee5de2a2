"""Offline front-end assets for the app: solara's CDN cache, filled from the npm registry.

solara-server serves its JavaScript and CSS through a caching proxy at ``/_solara/cdn/...`` and
downloads a missing file from a public CDN at the first browser request. With no internet the page
then stays on "Loading app" for ever. This module fills that cache ahead of time with ``npm pack``
(npm reaches the registry even where the CDN is not reachable) and gives the environment the
server needs to use it and never go out::

    python -m willsim.app.assets [CACHE_DIR]     # build (idempotent); prints the directory

Each package is unpacked into ``CACHE_DIR/<name>@<version>``, named exactly as the URL segment
solara asks for. Plotly's widget front end (:data:`PLOTLY_WIDGET`) is copied into the same cache
from the installed plotly package (no network): every interactive chart imports it from there
once per page, instead of carrying the 5 MB bundle in each chart's widget state.

The versions are fixed in solara's templates, so ``solara`` is pinned exactly in
``pyproject.toml``; :func:`requested_specs` reads what the installed solara asks for, and a test
checks that :data:`SPECS` covers it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# The packages the app's pages request (npm spec == directory name == URL segment).
SPECS: tuple[str, ...] = (
    "@widgetti/solara-vuetify-app@10.1.1",  # every page (ipyvue < 3)
    "requirejs@2.3.6",  # every page
    "font-awesome@4.5.0",  # every page (icons)
    "mermaid@10.8.0",  # requested by every solara.Markdown render
    "katex@0.16.9",  # requested by solara.Markdown too (math)
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",  # solara.GridDraggable (Mesa SolaraViz)
)
COMPLETE = ".willsim-complete"


def _plotly_version() -> str:
    from importlib.metadata import version

    return version("plotly")


PLOTLY_WIDGET = f"willsim-plotly-widget@{_plotly_version()}"
"""The cache folder of plotly's widget bundle (``widgetbundle.js``): served by solara at
``/_solara/cdn/<PLOTLY_WIDGET>/widgetbundle.js``, an exact version, so browsers keep it."""
OFFLINE_CDN = "http://127.0.0.1:9/"  # a cache miss fails at once, locally

_REPO_ROOT = Path(__file__).resolve().parents[2]


class AssetError(RuntimeError):
    """The asset cache could not be built; the message says why and what to do."""


def default_cache_dir() -> Path:
    """``$WILLSIM_ASSETS_DIR``, else ``.cache/solara-cdn`` in a source checkout, else ~/.cache."""
    env = os.environ.get("WILLSIM_ASSETS_DIR")
    if env:
        return Path(env)
    if (_REPO_ROOT / "pyproject.toml").is_file():
        return _REPO_ROOT / ".cache" / "solara-cdn"
    return Path.home() / ".cache" / "willsim" / "solara-cdn"


def missing(cache_dir: Path) -> list[str]:
    """The specs not (completely) present in ``cache_dir``."""
    return [s for s in SPECS if not (Path(cache_dir) / s / COMPLETE).is_file()]


def copy_plotly_widget(cache_dir: Path) -> Path:
    """Copy the installed plotly's widget bundle into ``cache_dir`` (once per plotly version)."""
    import plotly

    dest = Path(cache_dir) / PLOTLY_WIDGET
    if (dest / COMPLETE).is_file():
        return dest
    source = Path(plotly.__file__).parent / "package_data" / "widgetbundle.js"
    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    shutil.copyfile(source, tmp / "widgetbundle.js")
    (tmp / COMPLETE).write_text("ok\n", encoding="utf-8")
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return dest


def _unpack(tgz: Path, dest: Path) -> None:
    """Unpack an npm tarball (one top folder, usually ``package/``) into ``dest``."""
    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with tarfile.open(tgz, "r:gz") as tar:
        members = []
        for member in tar.getmembers():
            _, _, rest = member.name.partition("/")
            if not rest or not (member.isfile() or member.isdir()):
                continue
            member.name = rest
            members.append(member)
        tar.extractall(tmp, members=members, filter="data")
    for source_map in tmp.rglob("*.map"):  # source maps: tens of MB nobody needs
        source_map.unlink()
    (tmp / COMPLETE).write_text("ok\n", encoding="utf-8")
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)


def build(cache_dir: Path | None = None, quiet: bool = False) -> Path:
    """Fill ``cache_dir`` with every package of :data:`SPECS` not already there; return it."""
    cache_dir = Path(cache_dir or default_cache_dir()).resolve()
    copy_plotly_widget(cache_dir)
    todo = missing(cache_dir)
    if not todo:
        return cache_dir
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(
            "npm is needed once to build the offline asset cache "
            "(apt-get install npm), then never again"
        )
    with tempfile.TemporaryDirectory() as tmp:
        for spec in todo:
            proc = subprocess.run(
                [npm, "pack", spec, "--silent", "--pack-destination", tmp],
                capture_output=True,
                text=True,
                check=False,
                timeout=300,
            )
            lines = proc.stdout.strip().splitlines()
            if proc.returncode != 0 or not lines:
                raise AssetError(f"npm pack {spec} failed: {proc.stderr.strip()[-500:]}")
            dest = cache_dir / spec
            dest.parent.mkdir(parents=True, exist_ok=True)
            _unpack(Path(tmp) / lines[-1], dest)
            if not quiet:
                print(f"cached {spec}", file=sys.stderr)
    return cache_dir


def server_env(cache_dir: Path | None = None) -> dict[str, str]:
    """Environment variables that make solara-server work offline from ``cache_dir``."""
    return {
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(Path(cache_dir or default_cache_dir()).resolve()),
        "SOLARA_ASSETS_CDN": OFFLINE_CDN,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        "SOLARA_CHECK_HOOKS": "off",
        "SOLARA_KERNEL_CULL_TIMEOUT": os.environ.get("SOLARA_KERNEL_CULL_TIMEOUT", "15m"),
    }


_URL = re.compile(r"(?:getCdn\(\)\}?|\{\{ *cdn *\}\})/((?:@[\w.-]+/)?[\w.-]+@[\w.-]+)")


def requested_specs() -> set[str]:
    """The ``name@version`` segments the installed solara's templates and components request."""
    import solara

    root = Path(solara.__file__).parent
    found: set[str] = set()
    for path in root.rglob("*"):
        if path.suffix in (".j2", ".vue", ".html", ".js", ".py") and path.is_file():
            found.update(_URL.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return {s for s in found if "$" not in s}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    try:
        print(build(Path(argv[0]) if argv else None))
    except AssetError as exc:
        print(f"willsim: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The app's web server: one Starlette application with the workshop's JSON API and the pages.

The teams' API (:mod:`willsim.app.workshop.api`, under ``/api/workshop/``) is routed first; every
other path goes to solara-server's own ASGI application, mounted at ``/`` with its lifespan (which
starts the app and closes the sessions at shutdown), as solara documents for embedding in
Starlette. Nothing is patched into solara's router.

``willsim app`` runs it (``python -m willsim.app.server --host 127.0.0.1 --port 8765``) with
uvicorn. Embedded this way solara runs in production mode (its default outside ``solara run``: no
reload, minified front end). The environment must already carry the offline settings of
:func:`willsim.app.assets.server_env`, since solara reads them when its server module is imported.
"""

from __future__ import annotations

import argparse
import os
import sys

APP_MODULE = "willsim.app.app"
os.environ.setdefault("SOLARA_APP", APP_MODULE)  # read by solara when its server is imported

import solara.server.starlette as solara_server  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402
from starlette.routing import Mount, Route  # noqa: E402

from willsim.app.workshop import api  # noqa: E402


async def status(request: Request) -> JSONResponse:
    """How busy the server is: the background runs going on now (no session's data)."""
    from willsim.app.state import active_runs

    return JSONResponse({"active_runs": active_runs()})


def build() -> Starlette:
    """The API routes, then solara's application for everything else."""
    return Starlette(
        routes=[
            Route("/api/app/status", status, methods=["GET"]),
            *api.routes(),
            Mount("/", app=solara_server.app),
        ],
        lifespan=solara_server.lifespan,
    )


app = build()


def main(argv: list[str] | None = None) -> int:
    """Serve :data:`app` with uvicorn on ``--host`` and ``--port``."""
    import uvicorn
    from solara.__main__ import LOGGING_CONFIG

    parser = argparse.ArgumentParser(prog="python -m willsim.app.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    uvicorn.run(app, host=args.host, port=args.port, log_config=LOGGING_CONFIG)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The willsim Solara app: routes and the shared layout (app bar, navigation, language).

Serve it with ``willsim app`` (offline assets, loopback, production mode), which runs
:mod:`willsim.app.server` (these pages and the workshop's JSON API); ``solara run
willsim.app.app`` with the environment from :func:`willsim.app.assets.server_env` serves the
pages alone.
Nothing here runs user code: there is no command console, and uploads are data files only.
"""

from __future__ import annotations

import solara
from solara.alias import rv

from willsim.app import i18n, links
from willsim.app.compare import ComparePage
from willsim.app.explore import ExplorePage
from willsim.app.i18n import tr
from willsim.app.results_page import ResultsPage
from willsim.app.workshop import WorkshopPage
from willsim.app.workshop.common import home as workshop_home
from willsim.reporting.i18n import text

PAGES = (("", "explore"), ("compare", "compare"), ("results", "results"), ("workshop", "workshop"))
CSS = """
/* tables: no 0-based row-number column, and long cells (verdicts, names) wrap instead of
   being cut off at the edge of the page */
.solara-data-table__viewport thead th:first-child,
.solara-data-table__viewport tbody td:first-child { display: none; }
.solara-data-table__viewport td.text-truncate { white-space: normal !important;
  overflow: visible; max-width: 34em; vertical-align: top; padding-top: 2px !important;
  padding-bottom: 2px !important; }
/* a chart's description: read by screen readers, not drawn */
.chart-alt { position: absolute !important; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
"""

CSS_FOOTER = """
.v-data-footer__select { font-size: 0 !important; }
.v-data-footer__select::before { content: "%ROWS%"; font-size: 0.75rem; }
.v-data-footer__select .v-select { font-size: 0.75rem; }
.v-data-footer__pagination { visibility: hidden; }
"""


def footer_css(language: str) -> str:
    """Vuetify writes its table footer in English: outside English, hide its words and show the
    catalogue's instead (the page counter is hidden, the page arrows stay)."""
    if language == "en":
        return ""
    rows = text("table_rows_per_page", language).replace("\\", "").replace('"', "")
    return CSS_FOOTER.replace("%ROWS%", rows)


@solara.component
def LanguageToggle():
    """EN / IT: the language of every page, and ``lang=`` in the address (a reload keeps it)."""
    router = solara.use_router()

    def switch(language: str) -> None:
        i18n.lang.value = language
        if router.set_path is not None:
            router.push("/" + router.path.strip("/") + links.with_language(router.search, language))

    with solara.Div(classes=["lang-toggle"]):
        solara.ToggleButtonsSingle(
            value=i18n.lang.value,
            on_value=switch,
            values=list(i18n.LANGS),
            style={"background": "transparent"},
        )


@solara.component
def Layout(children=[]):  # noqa: B006 (solara's layout signature)
    router = solara.use_router()

    def init_language() -> None:
        headers = solara.lab.headers.value if hasattr(solara.lab, "headers") else {}
        i18n.lang.value = i18n.initial_language(router.search, headers)

    solara.use_effect(init_language, [])
    route_current, _routes = solara.use_route()
    with solara.AppLayout(navigation=False, title=None) as main:
        with solara.AppBar():  # the style rides in the bar: any other child is a sidebar
            solara.Style(CSS + footer_css(i18n.lang.value))
            solara.AppBarTitle(tr("app_title"))
            for path, key in PAGES:
                active = (route_current.path if route_current else "") == path
                target = "/" + path
                if key == "workshop" and workshop_home.value:
                    target = workshop_home.value  # a team (or facilitator) stays in its room
                with solara.Link(target):
                    solara.Button(
                        tr(key),
                        text=True,
                        dark=True,
                        classes=[f"nav-{key}"] + (["nav-active"] if active else []),
                        style={"font-weight": "bold" if active else "normal"},
                    )
            rv.Spacer()
            LanguageToggle()
        solara.Column(children=children, style={"padding": "8px"})
    return main


routes = [
    solara.Route(path="/", component=ExplorePage, label="Explore", layout=Layout),
    solara.Route(path="compare", component=ComparePage, label="Compare"),
    solara.Route(path="results", component=ResultsPage, label="Results"),
    solara.Route(path="workshop", component=WorkshopPage, label="Workshop"),
]


@solara.component
def Page():
    ExplorePage()

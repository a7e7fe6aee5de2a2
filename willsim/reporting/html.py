"""Self-contained HTML pages from Jinja2 templates, with autoescaping.

The templates live in ``willsim/reporting/templates/`` (``*.html.j2`` pages, their style sheets,
and ``macros.html.j2`` for tables and figures). Every value is escaped unless a template says
otherwise, so a strategy name, a team's rationale or a scenario file can never inject markup.
Figures are embedded as base64 PNG ``data:`` URLs: a page needs nothing beside itself.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined


@cache
def environment() -> Environment:
    """The templates' environment: autoescaped, undefined names are errors."""
    return Environment(
        loader=PackageLoader("willsim.reporting", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, **context: Any) -> str:
    """The page ``template`` (a file in ``templates/``) filled with ``context``."""
    return environment().get_template(template).render(**context)


def figure_png_base64(fig: Any, dpi: int = 100) -> str:
    """A matplotlib figure as a base64 PNG string."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return base64.b64encode(buf.getvalue()).decode("ascii")


@dataclass(frozen=True)
class Image:
    """A figure ready for a page: its ``data:`` URL and its alternative text."""

    src: str
    alt: str


def image(fig: Any, alt: str, dpi: int = 100) -> Image:
    return Image("data:image/png;base64," + figure_png_base64(fig, dpi), alt)


@dataclass(frozen=True)
class Cell:
    text: str
    css: str = ""


@dataclass(frozen=True)
class Table:
    """A table as the templates draw it: header texts and rows of cells (text and CSS class)."""

    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    css: str = ""

    def __bool__(self) -> bool:
        return bool(self.rows)


def table(
    frame: pd.DataFrame, css: str = "", cell_class: Callable[[str], str] | None = None
) -> Table:
    """``frame``'s display strings as a :class:`Table`; ``cell_class(text)`` may give a cell
    a CSS class (e.g. ``gains`` / ``loses``)."""
    rows = [
        [Cell(str(v), cell_class(str(v)) if cell_class else "") for v in row]
        for row in frame.itertuples(index=False)
    ]
    return Table([str(c) for c in frame.columns], rows, css)

"""The ecosystem view: residents on a map of the city, providers with their capacity use, and
this week's flows of requests between residents, the office, providers and platforms.

The map is a drawing, not geography: the social office is at the centre, each district is a
sector, and a resident sits at their distance from the office (``distance_km``) within their
district's sector. Residents are a fixed, evenly spread sample (those the session's journal
follows), coloured by where their needs stand. Clicking a point selects that resident for the
journey view. Figures use matplotlib's object-oriented API (sessions draw concurrently).
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from willsim.app import i18n
from willsim.app.i18n import tr
from willsim.citizens import LATENT, QUEUED, REFUSED, SERVED, WAITLIST
from willsim.reporting.i18n import text

if TYPE_CHECKING:
    from willsim.model import WelfareModel

GOLDEN = (math.sqrt(5) - 1) / 2
MAP_SIZE = (5.6, 5.0)  # inches at MAP_DPI: the PNG is shown at its pixel size (click mapping)
MAP_DPI = 90
PICK_RADIUS_PX = 14.0

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("none", "#cfcfcf"),
    ("helped", "#17a2b8"),
    ("served", "#2ca02c"),
    ("refused", "#8e44ad"),
    ("latent", "#ff8c1a"),
    ("queued", "#e6b800"),
    ("waitlist", "#d62728"),
    ("residential", "#222222"),
)
"""Colour categories, from the least to the most pressing (a resident shows the most pressing);
each is named by the catalogue's ``category_<name>``."""
CATEGORY_INDEX = {name: k for k, (name, _) in enumerate(CATEGORIES)}


def sector_layout(
    district: np.ndarray, distance_km: np.ndarray, index: np.ndarray, districts: int, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Map positions: district ``d`` is the sector ``[d, d+1) / districts`` of a disc of
    ``radius``; within it a resident sits further out the further they live from the office
    (relative to their district's range of distances, drawn as in
    :func:`willsim.population.build_citizens`); the angle is a deterministic low-discrepancy
    spread of the resident index (no random numbers)."""
    frac = (index.astype(np.float64) * GOLDEN) % 1.0
    theta = 2 * np.pi * (district + 0.06 + 0.88 * frac) / max(districts, 1)
    ring = radius * (district + 0.5) / max(districts, 1)  # distances span ring x [0.5, 1.5)
    u = np.clip(distance_km / np.maximum(ring, 1e-9) - 0.5, 0.0, 1.0)
    r = radius * (0.12 + 0.88 * np.sqrt(u))  # uniform density over the sector
    return r * np.cos(theta), r * np.sin(theta)


def categories(model: WelfareModel, idx: np.ndarray) -> np.ndarray:
    """The colour category (index into :data:`CATEGORIES`) of residents ``idx``."""
    c = model.citizens
    status = c.status[:, idx]
    mp, cm = model.marketplace, model.community
    helped = np.zeros(idx.size, dtype=bool)
    if getattr(mp, "started", False):
        helped |= mp.match_provider[idx] >= 0
    if getattr(cm, "launch_week", -1) >= 0:
        helped |= (cm.care_hours[idx] > 0) | cm.isolation_met[idx]
    cat = np.full(idx.size, CATEGORY_INDEX["none"])
    for name, mask in (
        ("helped", helped),
        ("served", (status == SERVED).any(axis=0)),
        ("refused", (status == REFUSED).any(axis=0)),
        ("latent", (status == LATENT).any(axis=0)),
        ("queued", (status == QUEUED).any(axis=0)),
        ("waitlist", (status == WAITLIST).any(axis=0)),
        ("residential", c.residential[idx]),
    ):
        cat[mask] = CATEGORY_INDEX[name]
    return cat


@dataclass
class MapImage:
    """A rendered map: PNG bytes, its pixel size, and each drawn resident's pixel position."""

    png: bytes
    width: int
    height: int
    residents: np.ndarray
    px: np.ndarray  # (k, 2) pixel positions (x right, y down)

    def pick(self, x: float, y: float, radius: float = PICK_RADIUS_PX) -> int | None:
        """The resident drawn nearest the pixel ``(x, y)``, if within ``radius`` pixels."""
        if self.residents.size == 0:
            return None
        d2 = (self.px[:, 0] - x) ** 2 + (self.px[:, 1] - y) ** 2
        k = int(np.argmin(d2))
        return int(self.residents[k]) if d2[k] <= radius**2 else None

    @property
    def data_url(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def map_figure(
    model: WelfareModel, idx: np.ndarray, selected: int | None, language: str, legend: bool = True
) -> tuple[Figure, Any, np.ndarray]:
    """The city map: residents ``idx`` by category, providers by capacity use, the office.

    Returns the figure, its axes and the residents' data coordinates."""
    c, p = model.citizens, model.params
    districts = int(p["city.districts"])
    radius = float(p["city.radius_km"])
    x, y = sector_layout(c.district[idx], c.distance_km[idx], idx, districts, radius)
    cat = categories(model, idx)
    fig = Figure(figsize=MAP_SIZE, dpi=MAP_DPI)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.93, bottom=0.2 if legend else 0.01)
    ax = fig.add_subplot(1, 1, 1)
    lim = radius * 1.55
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    t = 2 * np.pi * np.arange(districts) / max(districts, 1)
    spokes = np.full((3 * districts, 2), np.nan)  # sector boundaries, one line with gaps
    spokes[0::3] = 0.0
    spokes[1::3] = np.column_stack([np.cos(t), np.sin(t)]) * lim * 0.95
    ax.plot(spokes[:, 0], spokes[:, 1], color="#eeeeee", lw=0.8, zorder=0)
    for d in range(districts):
        mid = 2 * np.pi * (d + 0.5) / max(districts, 1)
        ax.text(
            lim * 0.97 * np.cos(mid),
            lim * 0.97 * np.sin(mid),
            str(d),
            fontsize=8,
            color="#999999",
            ha="center",
            va="center",
        )
    colours = np.array([col for _, col in CATEGORIES])
    level = c.need_level[0, idx]
    ax.scatter(x, y, s=6 + 5 * level, c=colours[cat], linewidths=0, zorder=2)
    _draw_providers(ax, model, districts, radius, language)
    ax.scatter([0], [0], marker="*", s=220, c="#1b6ca8", edgecolors="white", zorder=5)
    ax.text(
        0,
        -radius * 0.09,
        text("office_node", language),
        fontsize=8.5,
        ha="center",
        va="top",
        color="#1b6ca8",
        zorder=5,
    )
    if selected is not None and 0 <= selected < c.n:
        sx, sy = sector_layout(
            c.district[[selected]],
            c.distance_km[[selected]],
            np.array([selected]),
            districts,
            radius,
        )
        ties = c.ties_of(selected)
        if ties.size:  # the selected resident's social network
            tx, ty = sector_layout(c.district[ties], c.distance_km[ties], ties, districts, radius)
            segments = np.full((3 * ties.size, 2), np.nan)
            segments[0::3] = (sx[0], sy[0])
            segments[1::3] = np.column_stack([tx, ty])
            ax.plot(segments[:, 0], segments[:, 1], color="#555555", lw=0.7, alpha=0.7, zorder=3)
            ax.scatter(
                tx, ty, s=14, facecolors="none", edgecolors="#555555", linewidths=0.7, zorder=3
            )
        ax.scatter(sx, sy, s=160, facecolors="none", edgecolors="#000000", linewidths=2, zorder=6)
    if legend:
        handles = [
            Line2D([], [], marker="o", ls="", color=col, label=text(f"category_{name}", language))
            for name, col in CATEGORIES
        ]
        fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=7, frameon=False)
    week = model.week
    fig.suptitle(text("map_week", language, week=week), fontsize=9)
    return fig, ax, np.column_stack([x, y])


def _draw_providers(
    ax: Any, model: WelfareModel, districts: int, radius: float, language: str
) -> None:
    """Providers as squares in their district: size by capacity, colour by the share in use."""
    cmap = matplotlib.colormaps["RdYlGn_r"]
    provs = list(model.providers)
    if provs:
        district = np.array([pr.district for pr in provs])
        rank = np.array([np.count_nonzero(district[:j] == district[j]) for j in range(len(provs))])
        capacity = np.array([pr.capacity for pr in provs])
        use = np.array([pr.utilisation for pr in provs])
        theta = 2 * np.pi * (district + 0.5) / max(districts, 1)
        r = radius * (1.12 + 0.14 * rank)
        px, py = r * np.cos(theta), r * np.sin(theta)
        ax.scatter(
            px,
            py,
            marker="s",
            s=40 + 260 * capacity / max(capacity.max(), 1e-9),
            c=cmap(np.minimum(use, 1.0)),
            edgecolors="#333333",
            linewidths=0.6,
            zorder=4,
        )
        for x, y, u in zip(px, py, use, strict=True):
            ax.text(x, y, f"{100 * u:.0f}%", fontsize=6.5, ha="center", va="center", zorder=5)
    mp = model.marketplace
    if getattr(mp, "started", False) and getattr(mp, "enabled", False):
        active = np.flatnonzero(mp.active)
        use = mp.load()[active] / mp.capacity if mp.capacity > 0 else np.zeros(active.size)
        theta = 2 * np.pi * (mp.district[active] + 0.5) / max(districts, 1) + 0.12
        ax.scatter(
            0.55 * radius * np.cos(theta),
            0.55 * radius * np.sin(theta),
            marker="D",
            s=28,
            c=cmap(np.minimum(use, 1.0)),
            edgecolors="#17a2b8",
            linewidths=0.8,
            zorder=4,
        )


def render_map(
    model: WelfareModel, idx: np.ndarray, selected: int | None, language: str
) -> MapImage:
    """Draw the map to PNG (legend left to the page) and keep where each resident landed."""
    fig, ax, xy = map_figure(model, idx, selected, language, legend=False)
    canvas = FigureCanvasAgg(fig)
    ax.apply_aspect()  # final axes box, so data -> pixel transforms hold without a draw
    width, height = (int(v) for v in canvas.get_width_height())
    pts = ax.transData.transform(xy) if xy.size else np.zeros((0, 2))
    px = np.column_stack([pts[:, 0], height - pts[:, 1]]) if xy.size else pts
    buf = io.BytesIO()
    canvas.print_png(buf)
    return MapImage(buf.getvalue(), width, height, idx.copy(), px)


def flows(model: WelfareModel) -> dict[str, int]:
    """This week's movements between residents, outreach, the office, providers and platforms,
    and the stocks waiting (simulated residents, not scaled to the city)."""
    c = model.citizens
    office = model.office
    qweek = getattr(office, "week", None)
    mp, cm = model.marketplace, model.community
    peer = 0
    if getattr(cm, "launch_week", -1) >= 0:
        peer = int(np.count_nonzero((cm.care_hours > 0) | cm.isolation_met))
    return {
        "contacts": int(getattr(model.outreach, "contacts", 0)),
        "taken_in_charge": int(getattr(model.outreach, "taken_in_charge", 0)),
        "requests": int(np.sum(model.helpseeking.requests)),
        "assessed": int(qweek.completed_items.size) if qweek is not None else 0,
        "placed": int(np.sum(model.services.placed)),
        "platform_matches": int(getattr(mp, "matches", 0)),
        "peer_help": peer,
        "crises": int(
            np.count_nonzero(model.crises.care_crisis) + np.count_nonzero(model.crises.work_crisis)
        ),
        "office_queue": int(office.queue.n_waiting + office.queue.n_in_service),
        "waiting_list": int(np.count_nonzero(c.status == WAITLIST)),
        "in_service": int(np.count_nonzero(c.status == SERVED)),
        "platform_users": int(np.count_nonzero(mp.user)) if getattr(mp, "started", False) else 0,
    }


_NODES = {
    "residents_node": (0.13, 0.5),
    "outreach_node": (0.13, 0.9),
    "office_node": (0.47, 0.66),
    "waitlist_node": (0.84, 0.9),
    "providers_node": (0.84, 0.58),
    "marketplace_node": (0.5, 0.38),
    "community_node": (0.5, 0.1),
    "hospital_node": (0.16, 0.1),
}
_EDGES = (
    ("outreach_node", "residents_node", "contacts"),
    ("residents_node", "office_node", "requests"),
    ("office_node", "waitlist_node", "assessed"),
    ("outreach_node", "waitlist_node", "taken_in_charge"),
    ("waitlist_node", "providers_node", "placed"),
    ("residents_node", "marketplace_node", "platform_matches"),
    ("residents_node", "community_node", "peer_help"),
    ("residents_node", "hospital_node", "crises"),
)


def flow_figure(counts: dict[str, int], language: str) -> Figure:
    """A small flow diagram: arrows as wide as this week's counts, stocks in the boxes."""
    fig = Figure(figsize=(5.6, 3.4), dpi=MAP_DPI)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    top = max([counts[key] for _, _, key in _EDGES] + [1])
    for a, b, key in _EDGES:
        n = counts[key]
        (x0, y0), (x1, y1) = _NODES[a], _NODES[b]
        width = 0.6 + 7 * math.sqrt(n / top)
        ax.annotate(
            "",
            xy=(x1, y1),
            xytext=(x0, y0),
            arrowprops={
                "arrowstyle": "-|>",
                "lw": width,
                "shrinkA": 18,
                "shrinkB": 18,
                "color": "#1b6ca8" if n else "#d5d5d5",
                "mutation_scale": 12,
            },
        )
        ax.text(
            (x0 + x1) / 2,
            (y0 + y1) / 2,
            i18n.number(n, language=language),
            fontsize=9,
            ha="center",
            va="center",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
        )
    stocks = {
        "office_node": counts["office_queue"],
        "waitlist_node": counts["waiting_list"],
        "providers_node": counts["in_service"],
        "marketplace_node": counts["platform_users"],
    }
    for key, (x, y) in _NODES.items():
        label = text(key, language)
        if key in stocks:
            label += f"\n({i18n.number(stocks[key], language=language)})"
        ax.text(
            x,
            y,
            label,
            fontsize=8.5,
            ha="center",
            va="center",
            bbox={"boxstyle": "round,pad=0.3", "fc": "#eef4fa", "ec": "#1b6ca8"},
        )
    return fig


@solara.component
def MapLegend():
    with solara.Row(classes=["ecosystem-legend"], style={"flex-wrap": "wrap", "gap": "2px 10px"}):
        for name, colour in CATEGORIES:
            with solara.Row(gap="4px", style={"align-items": "center"}):
                solara.v.Html(
                    tag="span",
                    style_=f"display:inline-block;width:10px;height:10px;"
                    f"border-radius:5px;background:{colour}",
                )
                solara.Text(tr(f"category_{name}"), style={"font-size": "0.8em"})


@solara.component
def ClickableMap(image: MapImage, week: int, on_select: Callable[[int], None]):
    """The map PNG at its pixel size; a click near a resident selects them."""
    img = solara.v.Html(
        tag="img",
        attributes={
            "src": image.data_url,
            "width": str(image.width),
            "height": str(image.height),
            "alt": tr("map_alt", k=i18n.number(image.residents.size), week=week),
            "data-week": str(week),
        },
        class_="ecosystem-map",
        style_="cursor: crosshair; max-width: none",
    )

    def on_click(_widget: Any, _event: str, data: Any) -> None:
        data = data or {}
        resident = image.pick(float(data.get("offsetX", -1e9)), float(data.get("offsetY", -1e9)))
        if resident is not None:
            on_select(resident)

    solara.v.use_event(img, "click", on_click)


@solara.component
def EcosystemView(run: Any, token: int, selected: int | None, on_select: Callable[[int], None]):
    """The live map and flows of the session's model; clicking a resident selects them.

    ``token`` changes when the model has moved on and the view should be redrawn.
    """
    language = i18n.lang.value

    def draw() -> tuple[MapImage, Figure, int, int, int, dict[str, int], float] | None:
        if run is None:
            return None
        with run.lock:
            idx = run.journal.idx[: run.sample_size]
            image = render_map(run.model, idx, selected, language)
            counts = flows(run.model)
            fig = flow_figure(counts, language)
            model = run.model
            return image, fig, idx.size, model.citizens.n, model.week, counts, model.citizens.weight

    drawn = solara.use_memo(draw, [id(run), token, selected, language])
    with solara.Card(tr("ecosystem"), classes=["ecosystem-view"]):
        if drawn is None:
            solara.Text(tr("citizen_none"))
            return
        image, fig, k, n, week, counts, weight = drawn
        solara.Text(
            tr("ecosystem_help", k=i18n.number(k), n=i18n.number(n)), style={"font-size": "0.85em"}
        )
        MapLegend()
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "flex-start"}):
            ClickableMap(image, week, on_select)
            with solara.Column(classes=["ecosystem-flows"], style={"max-width": "36em"}):
                solara.Text(tr("flows"), style={"font-weight": "bold"})
                note = (
                    tr("flows_full")
                    if weight <= 1.0
                    else tr("flows_sample", n=i18n.number(n), w=i18n.number(weight, 2))
                )
                solara.Text(note, classes=["flows-note"], style={"font-size": "0.85em"})
                FlowImage(fig, flows_alt(counts, language))


def flows_alt(counts: dict[str, int], language: str) -> str:
    """The flow diagram in words: each arrow's two ends and this week's count."""
    parts = [
        f"{text(a, language)} → {text(b, language)} {i18n.number(counts[key], language=language)}"
        for a, b, key in _EDGES
    ]
    return text("flows_alt", language, flows="; ".join(parts))


@solara.component
def FlowImage(fig: Figure, alt: str):
    """The flow diagram as a PNG with its description as alt text."""
    data = solara.use_memo(lambda: _png_url(fig), [id(fig)])
    solara.v.Html(
        tag="img",
        attributes={"src": data, "alt": alt},
        class_="ecosystem-flow-diagram",
        style_="max-width: 100%",
    )


def _png_url(fig: Figure) -> str:
    buf = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buf)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")

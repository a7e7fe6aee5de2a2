"""The fit report: every target of every city, its value and tolerance, the model's mean and
spread over seeds, z and whether it passes; as a table (text, Markdown, CSV) and a figure."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from willsim.calibration.loss import TargetScore, family_losses, total_loss
from willsim.calibration.targets import ROLES, TargetSet

COLUMNS = [
    "city",
    "target",
    "role",
    "family",
    "estimand",
    "value",
    "tolerance",
    "unit",
    "model_mean",
    "model_sd",
    "seeds",
    "z",
    "passed",
    "status",
    "source",
]
_ROLE_TITLES = {
    "fit": "Fitted targets",
    "holdout": "Hold-out targets (never fitted)",
    "check": "Checks (near-inputs, never fitted)",
}


def fit_table(
    targets: TargetSet, scores: Iterable[TargetScore], cities: Sequence[str]
) -> pd.DataFrame:
    """One row per (city, target) applying to ``cities``: live targets with the model's figures,
    the others with their status (``not yet modelled``...)."""
    by_key = {(s.city, s.target): s for s in scores}
    rows = []
    for city in cities:
        for t in targets.for_city(city):
            s = by_key.get((city, t.id))
            rows.append(
                {
                    "city": city,
                    "target": t.id,
                    "role": t.role,
                    "family": t.family,
                    "estimand": t.estimand.name,
                    "value": t.value,
                    "tolerance": t.tolerance,
                    "unit": t.unit,
                    "model_mean": s.mean if s else math.nan,
                    "model_sd": s.sd if s else math.nan,
                    "seeds": s.n if s else 0,
                    "z": s.z if s else math.nan,
                    "passed": bool(s.passed) if s else None,
                    "status": t.status if s or not t.live else "not run",
                    "source": t.source_text,
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def _num(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if x == 0:
        return "0"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def format_fit_table(table: pd.DataFrame, header: Sequence[str] = ()) -> str:
    """The table as aligned text: live targets by role, then those not modelled yet."""
    lines = list(header)
    live = table[table["status"] == "live"]
    for role in ROLES:
        block = live[live["role"] == role]
        if block.empty:
            continue
        lines += ["", _ROLE_TITLES[role]]
        cells = [
            (
                r.city,
                r.target,
                r.estimand,
                f"{_num(r.value)} ± {_num(r.tolerance)}",
                f"{_num(r.model_mean)} ± {_num(r.model_sd)} (n={r.seeds})",
                f"{r.z:+.2f}" if math.isfinite(r.z) else "n/a",
                "pass" if r.passed else "FAIL",
            )
            for r in block.itertuples()
        ]
        head = ("city", "target", "estimand", "target ± tol", "model mean ± sd", "z", "")
        widths = [max(len(str(c[i])) for c in [head, *cells]) for i in range(len(head))]
        for row in [head, *cells]:
            padded = (str(c).ljust(w) for c, w in zip(row, widths, strict=True))
            lines.append(("  " + "  ".join(padded)).rstrip())
        passed = int(block["passed"].sum())
        lines.append(f"  {passed} of {len(block)} within tolerance")
    waiting = table[table["status"] != "live"]
    if not waiting.empty:
        lines += ["", f"Not measured ({len(waiting)}): the model does not publish these yet"]
        for (estimand, status), block in waiting.groupby(["estimand", "status"], sort=False):
            ids = ", ".join(sorted({f"{r.target} ({r.role})" for r in block.itertuples()}))
            lines.append(f"  {estimand}: {status}: {ids}")
    return "\n".join(lines)


def loss_lines(scores: Sequence[TargetScore]) -> list[str]:
    """The loss over the fitted targets and its families, as text lines."""
    fams = family_losses(scores)
    if not fams:
        return ["Loss: no live fitted target"]
    parts = ", ".join(f"{f} {v:.3g}" for f, v in sorted(fams.items()))
    return [f"Loss over the fitted targets: {total_loss(scores):.4g} ({parts})"]


def to_markdown(table: pd.DataFrame) -> str:
    """The table as Markdown (for the ODD's calibration record)."""
    cols = ["city", "target", "role", "estimand", "value", "tolerance", "model_mean", "model_sd"]
    cols += ["z", "passed", "status", "source"]
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in table[cols].itertuples(index=False):
        cells = [
            _num(v) if isinstance(v, float) else ("" if v is None else str(v)) for v in list(r)
        ]
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(out) + "\n"


def plot_fit(table: pd.DataFrame, path: str | Path, title: str = "") -> Path | None:
    """A dot plot of z for every measured target (band: within tolerance); None if none."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    live = table[table["status"] == "live"].copy()
    if live.empty:
        return None
    live["label"] = live["target"] + " @ " + live["city"]
    live["zc"] = live["z"].clip(-5, 5)
    colours = {"fit": "#1f77b4", "holdout": "#d62728", "check": "#7f7f7f"}
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(live) + 1.5))
    ax.axvspan(-1, 1, color="#2ca02c", alpha=0.12, label="within tolerance")
    ax.axvline(0, color="black", lw=0.8)
    for role, block in live.groupby("role", sort=False):
        ax.scatter(block["zc"], block["label"], color=colours.get(role, "black"), label=role, s=24)
    ax.set_xlim(-5.3, 5.3)
    ax.set_xlabel("z = (model mean - target) / tolerance (clipped at ±5)")
    ax.invert_yaxis()
    ax.legend(loc="lower right", fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

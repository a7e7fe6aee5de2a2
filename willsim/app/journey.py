"""A citizen's current state, from ``WelfareModel.citizen(i).describe()``."""

from __future__ import annotations

from typing import Any

import pandas as pd
import solara

from willsim.app import i18n
from willsim.app.i18n import tr

ATTRIBUTES: dict[str, tuple[str, str]] = {
    "index": ("Resident", "Residente"),
    "age_band": ("Age band", "Fascia d'età"),
    "living_alone": ("Lives alone", "Vive da solo"),
    "income_band": ("Income band", "Fascia di reddito"),
    "isee_eur": ("ISEE (€)", "ISEE (€)"),
    "employed": ("Employed", "Occupato"),
    "neet": ("NEET", "NEET"),
    "digital": ("Digital skills", "Competenze digitali"),
    "trust": ("Trust in institutions", "Fiducia nelle istituzioni"),
    "aware": ("Knows the services", "Conosce i servizi"),
    "district": ("District", "Quartiere"),
    "distance_km": ("Distance to the office (km)", "Distanza dallo sportello (km)"),
    "ties": ("Social ties", "Legami sociali"),
    "residential": ("In residential care", "In RSA"),
    "crises": ("Crises so far", "Crisi finora"),
}
DOMAIN_LABELS = {"care": ("Care", "Cura"), "isolation": ("Isolation", "Isolamento"),
                 "work": ("Work and income", "Lavoro e reddito")}


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return tr("yes") if value else tr("no")
    if isinstance(value, float):
        return i18n.number(value, 2 if abs(value) < 100 else 0)
    return str(value)


def attribute_table(info: dict[str, Any]) -> pd.DataFrame:
    rows = [(i18n.pick(label), _show(info[key])) for key, label in ATTRIBUTES.items()
            if key in info]
    return pd.DataFrame(rows, columns=[tr("attribute"), tr("value")])


def needs_table(info: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for domain, need in info.get("needs", {}).items():
        rows.append({tr("need"): i18n.pick(DOMAIN_LABELS.get(domain, (domain, domain))),
                     tr("level"): need.get("level"), tr("status"): need.get("status"),
                     tr("since_week"): need.get("since_week"),
                     tr("first_help_week"): need.get("first_help_week"),
                     tr("provider"): need.get("provider")})
    return pd.DataFrame(rows)


@solara.component
def CitizenCard(run: Any, version: int):
    """Pick a resident of the session's live model and show their state and needs."""
    index, set_index = solara.use_state(0)
    with solara.Card(tr("citizen"), classes=["citizen-card"]):
        if run is None:
            solara.Text(tr("citizen_none"))
            return
        n = run.model.citizens.n
        solara.InputInt(tr("citizen_index", n=n - 1), value=index,
                        on_value=lambda v: set_index(min(max(int(v or 0), 0), n - 1)))
        with run.lock:
            info = run.model.citizen(min(index, n - 1)).describe()
        solara.Text(tr("week_of", week=run.model.week, weeks=run.model.weeks))
        with solara.Columns([1, 2]):
            solara.DataFrame(attribute_table(info), items_per_page=20)
            solara.DataFrame(needs_table(info))

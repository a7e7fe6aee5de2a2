"""Parameters of the marketplace platform (group ``marketplace``)."""

from __future__ import annotations

from willsim.params.registry import Param

_CSV = "CSV: "  # a row of shared/data/calibration.csv: quantity | geography | year
_WEMI = (
    _CSV + "WeMi Milan municipal welfare marketplace: providers / services at launch | Milan | 2016"
)

MARKETPLACE = [
    Param(
        "marketplace.enabled",
        False,
        "flag",
        "The marketplace platform is running (switched on by a 'marketplace' policy).",
        "setting: a policy switch, off unless a scenario or policy turns it on",
        label="Marketplace on",
        label_it="Piattaforma marketplace attiva",
        description_it="La piattaforma di mercato è attiva (accesa da una politica 'marketplace').",
    ),
    Param(
        "marketplace.providers",
        20,
        "count",
        "Potential providers (Third Sector organisations and private professionals) that may "
        "join the platform.",
        _WEMI + " (58 organisations for Milan)",
        low=0,
        high=1000,
        label="Potential providers",
        label_it="Erogatori potenziali",
        description_it="Erogatori potenziali (enti del Terzo Settore e professionisti privati) "
        "che possono entrare nella piattaforma.",
    ),
    Param(
        "marketplace.initial_share",
        0.5,
        "share",
        "Share of potential providers on the platform at launch.",
        "assumption: Marketplace supply",
        low=0,
        high=1,
        label="Providers at launch",
        label_it="Erogatori al lancio",
        description_it="Quota degli erogatori potenziali presenti sulla piattaforma al lancio.",
    ),
    Param(
        "marketplace.provider_hours",
        3.0,
        "hours/week",
        "Weekly hours one platform provider can sell, per 1,000 residents of the city.",
        "assumption: Marketplace supply",
        low=0,
        high=100,
        label="Hours per provider per 1,000",
        label_it="Ore per erogatore ogni 1.000",
        description_it="Ore settimanali che un erogatore della piattaforma può vendere, ogni "
        "1.000 residenti della città.",
    ),
    Param(
        "marketplace.price",
        16.0,
        "EUR/hour",
        "List price of an hour of service on the platform before the aggregation discount.",
        _CSV + "price of babysitting via municipal marketplace (WeMi) | Milan | 2018 (12-18 EUR/h)",
        low=0,
        high=200,
        label="Platform price",
        label_it="Prezzo in piattaforma",
        description_it="Prezzo di listino di un'ora di servizio sulla piattaforma, prima dello "
        "sconto di aggregazione.",
    ),
    Param(
        "marketplace.aggregation_discount",
        0.15,
        "share",
        "Largest price reduction from aggregated demand (shared services), reached at "
        "marketplace.aggregation_volume.",
        (
            "assumption: Aggregation discount (C5 in shared/research/domain.md: claimed by "
            "WILL/CERGAS, unsourced)"
        ),
        low=0,
        high=0.9,
        label="Aggregation discount",
        label_it="Sconto da aggregazione",
        description_it="Massima riduzione di prezzo ottenuta aggregando la domanda (servizi "
        "condivisi), raggiunta a marketplace.aggregation_volume.",
    ),
    Param(
        "marketplace.aggregation_volume",
        30.0,
        "hours/week",
        "Hours sold per week per 1,000 residents at which the full discount is reached.",
        "assumption: Aggregation discount",
        low=0.1,
        high=1000,
        label="Volume for full discount",
        label_it="Volume per lo sconto pieno",
        description_it="Ore vendute a settimana ogni 1.000 residenti alle quali si raggiunge lo "
        "sconto pieno.",
    ),
    Param(
        "marketplace.fee",
        0.10,
        "share",
        "Share of each transaction the platform keeps.",
        _CSV + "commission taken by neighbourhood help platform (Croqqer) | Rome (San Lorenzo) "
        "| 2018 (20%)",
        low=0,
        high=0.5,
        label="Platform fee",
        label_it="Commissione",
        description_it="Quota di ogni transazione trattenuta dalla piattaforma.",
    ),
    Param(
        "marketplace.operating_cost",
        600.0,
        "EUR/year",
        "Yearly cost of running the platform per 1,000 residents, paid by the municipality.",
        _WEMI + " (2.5M EUR over 3 years for 1.4M residents)",
        low=0,
        high=100_000,
        label="Operating cost per 1,000",
        label_it="Costo di gestione per 1.000",
        description_it="Costo annuo di gestione della piattaforma ogni 1.000 residenti, a carico "
        "del Comune.",
    ),
    Param(
        "marketplace.subsidy",
        0.5,
        "share",
        "Share of the price the municipality pays for users within the care means test "
        "(a voucher).",
        "assumption: Marketplace prices and subsidy",
        low=0,
        high=1,
        label="Voucher share",
        label_it="Quota del voucher",
        description_it="Quota del prezzo pagata dal Comune per gli utenti entro la soglia ISEE "
        "della cura (un voucher).",
    ),
    Param(
        "marketplace.max_price",
        [6.0, 9.0, 16.0, 30.0],
        "EUR/hour",
        "Highest hourly price a family pays itself, by income band.",
        "assumption: Marketplace prices and subsidy",
        low=0,
        high=500,
        length=4,
        label="Willingness to pay",
        label_it="Disponibilità a pagare",
        description_it="Prezzo orario massimo che una famiglia paga di tasca propria, per fascia "
        "di reddito.",
    ),
    Param(
        "marketplace.reputation",
        "accreditation",
        "choice",
        "Where trust comes from: municipal accreditation (quality checked once, costly) or "
        "ratings learned from delivered quality.",
        "WePlat via shared/research/domain.md §1.5 (71 of 127 platforms have no ratings; "
        "trust by accreditation)",
        choices=("accreditation", "ratings"),
        label="Reputation",
        label_it="Reputazione",
        description_it="Da dove nasce la fiducia: accreditamento comunale (qualità verificata "
        "una volta, costoso) o valutazioni degli utenti apprese dalla qualità "
        "erogata.",
    ),
    Param(
        "marketplace.accreditation_cost",
        2_000.0,
        "EUR/year",
        "Yearly cost to the municipality of accrediting one provider.",
        "assumption: Marketplace matching and reputation",
        low=0,
        high=100_000,
        label="Accreditation cost",
        label_it="Costo dell'accreditamento",
        description_it="Costo annuo per il Comune dell'accreditamento di un erogatore.",
    ),
    Param(
        "marketplace.rating_noise",
        0.3,
        "score",
        "Noise of one rating around the delivered quality.",
        "assumption: Marketplace matching and reputation",
        low=0,
        high=2,
        label="Rating noise",
        label_it="Rumore delle valutazioni",
        description_it="Rumore di una singola valutazione attorno alla qualità erogata.",
    ),
    Param(
        "marketplace.access",
        "multichannel",
        "choice",
        "Digital-only access, or multichannel with assisted access points.",
        "CSV: 16-74 internet users with at least basic digital skills | Italy | 2023; C8",
        choices=("digital", "multichannel"),
        label="Access",
        label_it="Accesso",
        description_it="Accesso solo digitale, oppure multicanale con punti di accesso assistito.",
    ),
    Param(
        "marketplace.assisted_access",
        0.6,
        "share",
        "Ease of access through assisted points for residents without digital skills "
        "(multichannel only).",
        "assumption: Marketplace demand",
        low=0,
        high=1,
        label="Assisted access",
        label_it="Accesso assistito",
        description_it="Facilità di accesso tramite i punti assistiti per i residenti senza "
        "competenze digitali (solo multicanale).",
    ),
    Param(
        "marketplace.user_join",
        0.05,
        "prob/week",
        "Weekly probability that an aware resident with an unmet need who can reach the "
        "platform joins it, at full usefulness (all recent requests matched).",
        "assumption: Marketplace demand",
        low=0,
        high=1,
        label="User joining",
        label_it="Adesione degli utenti",
        description_it="Probabilità settimanale che un residente informato, con un bisogno non "
        "coperto e in grado di raggiungere la piattaforma, vi si iscriva, a piena "
        "utilità (tutte le richieste recenti abbinate).",
    ),
    Param(
        "marketplace.user_leave",
        0.15,
        "prob/week",
        "Weekly probability that a user whose request went unmatched this week leaves.",
        "assumption: Marketplace demand",
        low=0,
        high=1,
        label="User leaving",
        label_it="Abbandono degli utenti",
        description_it="Probabilità settimanale che un utente la cui richiesta non è stata "
        "abbinata in settimana lasci la piattaforma.",
    ),
    Param(
        "marketplace.hours_per_match",
        8.0,
        "hours/week",
        "Hours a week bought through one match.",
        "assumption: Marketplace demand",
        low=0.5,
        high=80,
        label="Hours per match",
        label_it="Ore per abbinamento",
        description_it="Ore settimanali acquistate con un abbinamento.",
    ),
    Param(
        "marketplace.match_weeks",
        26.0,
        "weeks",
        "Length of a match before the user posts again.",
        "assumption: Marketplace demand",
        low=1,
        high=520,
        label="Match length",
        label_it="Durata dell'abbinamento",
        description_it="Durata di un abbinamento prima che l'utente pubblichi una nuova richiesta.",
    ),
    Param(
        "marketplace.distance_weight",
        0.1,
        "score",
        "Weight of distance (per km) against reputation in matching.",
        "assumption: Marketplace matching and reputation",
        low=0,
        high=10,
        label="Distance weight",
        label_it="Peso della distanza",
        description_it="Peso della distanza (per km) rispetto alla reputazione nell'abbinamento.",
    ),
    Param(
        "marketplace.matching",
        "pooled",
        "choice",
        "Pooled: every request can go to any provider on the platform (one city-wide queue); "
        "district: a separate queue per district, served only by that district's providers "
        "(as with district-level lists before a platform).",
        (
            "assumption: WILL policy design (pooling demand is a platform's promise, "
            "shared/research/domain.md §1.5)"
        ),
        choices=("pooled", "district"),
        label="Matching",
        label_it="Abbinamento",
        description_it="In comune: ogni richiesta può andare a qualsiasi erogatore della "
        "piattaforma (un'unica coda cittadina); per quartiere: una coda separata "
        "per ogni quartiere, servita solo dagli erogatori di quel quartiere (come "
        "le liste di quartiere prima della piattaforma).",
    ),
    Param(
        "marketplace.min_revenue",
        150.0,
        "EUR/week",
        "Average weekly revenue below which a provider leaves the platform (over 8 weeks).",
        "assumption: Marketplace supply",
        low=0,
        high=100_000,
        label="Provider break-even",
        label_it="Soglia di ricavo degli erogatori",
        description_it="Ricavo medio settimanale sotto il quale un erogatore lascia la "
        "piattaforma (su 8 settimane).",
    ),
    Param(
        "marketplace.provider_entry",
        0.1,
        "prob/week",
        "Weekly probability that a potential provider joins when demand exceeds the hours "
        "on offer.",
        "assumption: Marketplace supply",
        low=0,
        high=1,
        label="Provider entry",
        label_it="Ingresso degli erogatori",
        description_it="Probabilità settimanale che un erogatore potenziale entri quando la "
        "domanda supera le ore offerte.",
    ),
]

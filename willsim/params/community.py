"""Parameters of the community platform ("ricomposizione sociale"), group ``community``.

Sources name a row of ``shared/data/calibration.csv`` as ``CSV: <quantity> | <geography> | <year>``
or say ``assumption`` (a modelling choice, stated in ``docs/ODD.md``, section Community platform).
"""

from __future__ import annotations

from willsim.params.registry import Param

_CSV = "CSV: "
_VOLUNTEERS = (
    _CSV + "volunteers in non-profit institutions | Italy | 2021 (4.66M, ~79 per 1,000 "
    "inhabitants, -15.7% vs 2015)"
)
_RESOURCE = (
    _CSV + "65+ who are a 'resource' (care for others/volunteer) | Italy | 2023-2024 "
    "(29%; 23% take part in social events)"
)

COMMUNITY = [
    Param(
        "community.enabled",
        False,
        "flag",
        "The community platform is running (switched on by a 'community' policy).",
        "setting: a policy switch, off unless a scenario or policy turns it on",
        label="Community platform on",
        label_it="Piattaforma di comunità attiva",
        description_it="La piattaforma di comunità è attiva (accesa da una politica 'community').",
    ),
    Param(
        "community.channel",
        "both",
        "choice",
        "How residents reach the platform: a physical place in each district (anyone can come), "
        "a digital space (only residents with basic digital skills), or both (multichannel).",
        (
            "assumption: WILL policy design (WILL's multichannel platforms, "
            "shared/research/domain.md §1.3, §1.5)"
        ),
        choices=("physical", "digital", "both"),
        label="Channel",
        label_it="Canale",
        description_it="Come i residenti raggiungono la piattaforma: un luogo fisico in ogni "
        "quartiere (aperto a tutti), uno spazio digitale (solo per chi ha "
        "competenze digitali di base), o entrambi (multicanale).",
    ),
    Param(
        "community.interest",
        0.15,
        "share",
        "Share of adult residents (15+) who would ever take part in community groups and "
        "activities; the older and the isolated are weighted up by community.isolated_join.",
        _RESOURCE + "; share of the whole adult population is an assumption",
        low=0,
        high=1,
        label="Interested residents",
        label_it="Residenti interessati",
        description_it="Quota di residenti adulti (15+) che parteciperebbero prima o poi a "
        "gruppi e attività di comunità; anziani e persone isolate pesano di più "
        "tramite community.isolated_join.",
    ),
    Param(
        "community.seed_share",
        0.02,
        "share",
        "Share of adult residents taking part at launch (existing groups and associations "
        "brought onto the platform).",
        "assumption: Community participation dynamics",
        low=0,
        high=1,
        label="Initial participants",
        label_it="Partecipanti iniziali",
        description_it="Quota di residenti adulti che partecipano al lancio (gruppi e "
        "associazioni esistenti portati sulla piattaforma).",
    ),
    Param(
        "community.base_join",
        0.01,
        "events/year",
        "Rate at which an interested resident with access joins without any tie or neighbour "
        "taking part (leaflets, the physical place seen in passing).",
        "assumption: Community participation dynamics",
        low=0,
        high=52,
        label="Spontaneous joining",
        label_it="Adesione spontanea",
        description_it="Frequenza con cui un residente interessato e con accesso entra senza che "
        "alcun contatto o vicino partecipi (volantini, il luogo fisico visto "
        "passando).",
    ),
    Param(
        "community.aware_join",
        1.0,
        "multiplier",
        "Extra joining of residents who know the services (reached by outreach or word of "
        "mouth): the spontaneous rate is multiplied by 1 + this.",
        "assumption: Community participation dynamics",
        low=0,
        high=20,
        label="Joining boost when aware",
        label_it="Aumento di adesione se informati",
        description_it="Maggiore adesione di chi conosce i servizi (raggiunto dalla prossimità o "
        "dal passaparola): la frequenza spontanea è moltiplicata per 1 + questo "
        "valore.",
    ),
    Param(
        "community.isolated_join",
        2.0,
        "multiplier",
        "Joining of isolated residents relative to others (the platform invites them: groups, "
        "activities, neighbours).",
        "assumption: Community participation dynamics",
        low=0,
        high=20,
        label="Joining of isolated residents",
        label_it="Adesione delle persone isolate",
        description_it="Adesione dei residenti isolati rispetto agli altri (la piattaforma li "
        "invita: gruppi, attività, vicini).",
    ),
    Param(
        "community.network_effect",
        10.0,
        "events/year",
        "Joining rate of an interested resident when all their ties and neighbours take part; "
        "it scales with the share that does (the network effect).",
        (
            "assumption: Community participation dynamics (platform network effects, "
            "shared/research/domain.md §1.3)"
        ),
        low=0,
        high=520,
        label="Network effect",
        label_it="Effetto rete",
        description_it="Frequenza di adesione di un residente interessato quando tutti i suoi "
        "contatti e vicini partecipano; cresce con la quota di chi partecipa "
        "(l'effetto rete).",
    ),
    Param(
        "community.tie_weight",
        0.5,
        "share",
        "Weight of the share of one's own ties taking part, against the share of one's "
        "district, in the exposure that drives joining.",
        "assumption: Community participation dynamics",
        low=0,
        high=1,
        label="Weight of own ties",
        label_it="Peso dei propri legami",
        description_it="Peso della quota dei propri contatti che partecipano, rispetto alla "
        "quota del proprio quartiere, nell'esposizione che spinge ad aderire.",
    ),
    Param(
        "community.leave_rate",
        2.0,
        "events/year",
        "Rate at which participants drop out when nobody else in their district takes part; "
        "it falls as district participation passes community.critical_mass.",
        "assumption: Community participation dynamics",
        low=0,
        high=52,
        label="Drop-out rate",
        label_it="Tasso di abbandono",
        description_it="Frequenza di abbandono dei partecipanti quando nessun altro nel loro "
        "quartiere partecipa; scende quando la partecipazione del quartiere "
        "supera community.critical_mass.",
    ),
    Param(
        "community.leave_floor",
        0.2,
        "events/year",
        "Drop-out rate that remains however large participation is (moving on, losing interest).",
        "assumption: Community participation dynamics",
        low=0,
        high=52,
        label="Minimum drop-out",
        label_it="Abbandono minimo",
        description_it="Frequenza di abbandono che resta per quanto ampia sia la partecipazione "
        "(trasferimenti, perdita di interesse).",
    ),
    Param(
        "community.critical_mass",
        0.02,
        "share",
        "District participation share (of adults) at which the drop-out rate has halved: the "
        "scale of the critical mass (WILL named it a binding constraint).",
        (
            "assumption: Community participation dynamics (critical mass as an objective: "
            "shared/research/domain.md §1.5)"
        ),
        low=0,
        high=1,
        label="Critical mass scale",
        label_it="Scala della massa critica",
        description_it="Quota di partecipazione del quartiere (sugli adulti) alla quale la "
        "frequenza di abbandono si dimezza: la scala della massa critica (WILL la "
        "indica come vincolo decisivo).",
    ),
    Param(
        "community.ties_per_year",
        4.0,
        "events/year",
        "New ties a participant makes per year through groups and activities (each with "
        "another participant, preferably of the same district).",
        "assumption: Platform ties and loneliness",
        low=0,
        high=520,
        label="New ties per participant",
        label_it="Nuovi legami per partecipante",
        description_it="Nuovi legami che un partecipante crea in un anno tramite gruppi e "
        "attività (ciascuno con un altro partecipante, di preferenza dello stesso "
        "quartiere).",
    ),
    Param(
        "community.tie_decay",
        0.3,
        "prob/year",
        "Probability per year that a tie made through the platform lapses.",
        "assumption: Platform ties and loneliness",
        low=0,
        high=1,
        label="Tie decay",
        label_it="Decadimento dei legami",
        description_it="Probabilità annua che un legame nato sulla piattaforma si perda.",
    ),
    Param(
        "community.tie_recovery",
        0.15,
        "prob/year",
        "Extra probability per year, per platform tie, that an isolated resident stops being "
        "isolated (on top of needs.isolation_recovery).",
        (
            "assumption: Platform ties and loneliness (contacts reduce loneliness: Fontanari "
            "(2021), domain.md §3.4)"
        ),
        low=0,
        high=1,
        label="Recovery per tie",
        label_it="Uscita dall'isolamento per legame",
        description_it="Probabilità annua aggiuntiva, per ogni legame della piattaforma, che un "
        "residente isolato esca dall'isolamento (oltre a "
        "needs.isolation_recovery).",
    ),
    Param(
        "community.participant_recovery",
        0.25,
        "prob/year",
        "Extra probability per year that an isolated participant stops being isolated from "
        "taking part at all (groups, activities).",
        "assumption: Platform ties and loneliness",
        low=0,
        high=1,
        label="Recovery from taking part",
        label_it="Uscita dall'isolamento partecipando",
        description_it="Probabilità annua aggiuntiva che un partecipante isolato esca "
        "dall'isolamento per il solo fatto di partecipare (gruppi, attività).",
    ),
    Param(
        "community.volunteers_per_1000",
        79.0,
        "persons",
        "Volunteers per 1,000 inhabitants (all non-profit institutions).",
        _VOLUNTEERS,
        low=0,
        high=1000,
        label="Volunteers per 1,000",
        label_it="Volontari ogni 1.000",
        description_it="Volontari ogni 1.000 abitanti (tutte le istituzioni non profit).",
    ),
    Param(
        "community.volunteer_active_share",
        0.1,
        "share",
        "Share of those volunteers active on the local community platform (social assistance "
        "and neighbourhood help, not sports or culture).",
        "assumption: Peer and volunteer help",
        low=0,
        high=1,
        label="Volunteers active locally",
        label_it="Volontari attivi nel territorio",
        description_it="Quota di quei volontari attivi sulla piattaforma di comunità locale "
        "(assistenza sociale e aiuto di vicinato, non sport o cultura).",
    ),
    Param(
        "community.volunteer_hours",
        2.0,
        "hours/week",
        "Hours a week a volunteer gives to peer help through the platform.",
        "assumption: Peer and volunteer help",
        low=0,
        high=40,
        label="Hours per volunteer",
        label_it="Ore per volontario",
        description_it="Ore settimanali che un volontario dedica all'aiuto tra pari tramite la "
        "piattaforma.",
    ),
    Param(
        "community.volunteer_decline",
        0.028,
        "prob/year",
        "Yearly shrinking of the volunteer base (-15.7% over 2015-2021 is about 2.8% a year).",
        _VOLUNTEERS,
        low=0,
        high=1,
        label="Volunteer decline",
        label_it="Calo dei volontari",
        description_it="Calo annuo della base di volontari (-15,7% tra il 2015 e il 2021, circa "
        "il 2,8% all'anno).",
    ),
    Param(
        "community.helper_conversion",
        0.2,
        "prob/year",
        "Probability per year that a participant who was helped, and has no care need above "
        "the light level, becomes a helper.",
        _RESOURCE + " (the 'resource' role); rate is an assumption",
        low=0,
        high=1,
        label="Beneficiaries becoming helpers",
        label_it="Beneficiari che diventano volontari",
        description_it="Probabilità annua che un partecipante che è stato aiutato, e non ha un "
        "bisogno di cura oltre il livello leggero, diventi a sua volta un "
        "aiutante.",
    ),
    Param(
        "community.helper_hours",
        1.0,
        "hours/week",
        "Hours a week a helper (a former beneficiary) gives to peer help.",
        "assumption: Peer and volunteer help",
        low=0,
        high=40,
        label="Hours per helper",
        label_it="Ore per aiutante",
        description_it="Ore settimanali che un aiutante (un ex beneficiario) dedica all'aiuto "
        "tra pari.",
    ),
    Param(
        "community.isolation_hours",
        1.0,
        "hours/week",
        "Peer hours a week (company, a call, a walk) that meet an isolated participant's need.",
        "assumption: Peer and volunteer help",
        low=0,
        high=40,
        label="Peer hours per isolated person",
        label_it="Ore di compagnia per persona isolata",
        description_it="Ore settimanali di aiuto tra pari (compagnia, una telefonata, una "
        "passeggiata) che soddisfano il bisogno di un partecipante isolato.",
    ),
    Param(
        "community.max_care_level",
        2.0,
        "count",
        "Highest care level peers may help with: 1 = light (8 hours/week, which family hours "
        "cover under the default services.informal_hours), 2 = moderate (16 hours/week: peers "
        "top up what a family living elsewhere leaves uncovered, within "
        "community.max_peer_hours); heavier care is left to services and families.",
        (
            "assumption: Peer and volunteer help (WILL's platforms route light needs to peers "
            "and volunteers, shared/model-brief.md, shared/research/domain.md §1.3)"
        ),
        low=0,
        high=2,
        label="Heaviest care by peers",
        label_it="Livello di cura massimo tra pari",
        description_it="Livello di cura più alto in cui i pari possono aiutare: 1 = leggero (8 "
        "ore/settimana, coperte dalle ore familiari con il valore predefinito di "
        "services.informal_hours), 2 = moderato (16 ore/settimana: i pari "
        "integrano ciò che una famiglia che vive altrove lascia scoperto, entro "
        "community.max_peer_hours); la cura più pesante resta a servizi e "
        "famiglie.",
    ),
    Param(
        "community.max_peer_hours",
        6.0,
        "hours/week",
        "Largest weekly gap between a care need (its met share) and family hours that peers "
        "and volunteers take on for one person (errands, shopping, accompanying): larger gaps "
        "are not light needs and are left to services and paid care.",
        "assumption: Peer and volunteer help",
        low=0,
        high=40,
        label="Peer care per person",
        label_it="Cura tra pari per persona",
        description_it="Massimo scarto settimanale tra un bisogno di cura (la sua quota coperta) "
        "e le ore familiari che pari e volontari si assumono per una persona "
        "(commissioni, spesa, accompagnamento): scarti maggiori non sono bisogni "
        "leggeri e restano a servizi e cura a pagamento.",
    ),
    Param(
        "community.cost_physical",
        40.0,
        "EUR/week",
        "Running cost of the physical places, per week per 1,000 residents (rooms, a "
        "community worker part-time).",
        "assumption: Community platform cost",
        low=0,
        high=10_000,
        label="Cost of physical places",
        label_it="Costo dei luoghi fisici",
        description_it="Costo di gestione dei luoghi fisici, a settimana ogni 1.000 residenti "
        "(locali, un operatore di comunità a tempo parziale).",
    ),
    Param(
        "community.cost_digital",
        10.0,
        "EUR/week",
        "Running cost of the digital space, per week per 1,000 residents (licence, moderation).",
        "assumption: Community platform cost",
        low=0,
        high=10_000,
        label="Cost of digital space",
        label_it="Costo dello spazio digitale",
        description_it="Costo di gestione dello spazio digitale, a settimana ogni 1.000 "
        "residenti (licenza, moderazione).",
    ),
]

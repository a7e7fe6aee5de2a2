"""Parameters of the community platform ("ricomposizione sociale"), group ``community``.

Sources name a row of ``shared/data/calibration.csv`` as ``CSV: <quantity> | <geography> | <year>``
or say ``assumption`` (a modelling choice, stated in ``docs/ODD.md``, section Community platform).
"""

from __future__ import annotations

from willsim.params.registry import Param

_CSV = "CSV: "
_VOLUNTEERS = (_CSV + "volunteers in non-profit institutions | Italy | 2021 (4.66M, ~79 per 1,000 "
               "inhabitants, -15.7% vs 2015)")
_RESOURCE = (_CSV + "65+ who are a 'resource' (care for others/volunteer) | Italy | 2023-2024 "
             "(29%; 23% take part in social events)")

COMMUNITY = [
    Param("community.enabled", False, "flag", "The community platform is running (switched on "
          "by a 'community' policy).", label="Community platform on",
          label_it="Piattaforma di comunità attiva"),
    Param("community.channel", "both", "choice",
          "How residents reach the platform: a physical place in each district (anyone can come), "
          "a digital space (only residents with basic digital skills), or both (multichannel).",
          "assumption; WILL's multichannel platforms (shared/research/domain.md §1.3, §1.5)",
          choices=("physical", "digital", "both"), label="Channel", label_it="Canale"),
    Param("community.interest", 0.15, "share",
          "Share of adult residents (15+) who would ever take part in community groups and "
          "activities; the older and the isolated are weighted up by community.isolated_join.",
          _RESOURCE + "; share of the whole adult population is an assumption", low=0, high=1,
          label="Interested residents", label_it="Residenti interessati"),
    Param("community.seed_share", 0.02, "share",
          "Share of adult residents taking part at launch (existing groups and associations "
          "brought onto the platform).", "assumption", low=0, high=1,
          label="Initial participants", label_it="Partecipanti iniziali"),
    Param("community.base_join", 0.01, "events/year",
          "Rate at which an interested resident with access joins without any tie or neighbour "
          "taking part (leaflets, the physical place seen in passing).", "assumption", low=0,
          high=52, label="Spontaneous joining", label_it="Adesione spontanea"),
    Param("community.aware_join", 1.0, "multiplier",
          "Extra joining of residents who know the services (reached by outreach or word of "
          "mouth): the spontaneous rate is multiplied by 1 + this.", "assumption", low=0, high=20,
          label="Joining boost when aware", label_it="Aumento di adesione se informati"),
    Param("community.isolated_join", 2.0, "multiplier",
          "Joining of isolated residents relative to others (the platform invites them: groups, "
          "activities, neighbours).", "assumption", low=0, high=20,
          label="Joining of isolated residents", label_it="Adesione delle persone isolate"),
    Param("community.network_effect", 10.0, "events/year",
          "Joining rate of an interested resident when all their ties and neighbours take part; "
          "it scales with the share that does (the network effect).",
          "assumption; platform network effects (shared/research/domain.md §1.3)", low=0,
          high=520, label="Network effect", label_it="Effetto rete"),
    Param("community.tie_weight", 0.5, "share",
          "Weight of the share of one's own ties taking part, against the share of one's "
          "district, in the exposure that drives joining.", "assumption", low=0, high=1,
          label="Weight of own ties", label_it="Peso dei propri legami"),
    Param("community.leave_rate", 2.0, "events/year",
          "Rate at which participants drop out when nobody else in their district takes part; "
          "it falls as district participation passes community.critical_mass.", "assumption",
          low=0, high=52, label="Drop-out rate", label_it="Tasso di abbandono"),
    Param("community.leave_floor", 0.2, "events/year",
          "Drop-out rate that remains however large participation is (moving on, losing "
          "interest).", "assumption", low=0, high=52, label="Minimum drop-out",
          label_it="Abbandono minimo"),
    Param("community.critical_mass", 0.02, "share",
          "District participation share (of adults) at which the drop-out rate has halved: the "
          "scale of the critical mass (WILL named it a binding constraint).",
          "assumption; critical mass as an objective: shared/research/domain.md §1.5", low=0,
          high=1, label="Critical mass scale", label_it="Scala della massa critica"),
    Param("community.ties_per_year", 4.0, "events/year",
          "New ties a participant makes per year through groups and activities (each with "
          "another participant, preferably of the same district).", "assumption", low=0,
          high=520, label="New ties per participant", label_it="Nuovi legami per partecipante"),
    Param("community.tie_decay", 0.3, "prob/year",
          "Probability per year that a tie made through the platform lapses.", "assumption",
          low=0, high=1, label="Tie decay", label_it="Decadimento dei legami"),
    Param("community.tie_recovery", 0.15, "prob/year",
          "Extra probability per year, per platform tie, that an isolated resident stops being "
          "isolated (on top of needs.isolation_recovery).",
          "assumption; contacts reduce loneliness: Fontanari (2021), domain.md §3.4", low=0,
          high=1, label="Recovery per tie", label_it="Uscita dall'isolamento per legame"),
    Param("community.participant_recovery", 0.25, "prob/year",
          "Extra probability per year that an isolated participant stops being isolated from "
          "taking part at all (groups, activities).", "assumption", low=0, high=1,
          label="Recovery from taking part", label_it="Uscita dall'isolamento partecipando"),
    Param("community.volunteers_per_1000", 79.0, "persons",
          "Volunteers per 1,000 inhabitants (all non-profit institutions).", _VOLUNTEERS, low=0,
          high=1000, label="Volunteers per 1,000", label_it="Volontari ogni 1.000"),
    Param("community.volunteer_active_share", 0.1, "share",
          "Share of those volunteers active on the local community platform (social assistance "
          "and neighbourhood help, not sports or culture).", "assumption", low=0, high=1,
          label="Volunteers active locally", label_it="Volontari attivi nel territorio"),
    Param("community.volunteer_hours", 2.0, "hours/week",
          "Hours a week a volunteer gives to peer help through the platform.", "assumption",
          low=0, high=40, label="Hours per volunteer", label_it="Ore per volontario"),
    Param("community.volunteer_decline", 0.028, "prob/year",
          "Yearly shrinking of the volunteer base (-15.7% over 2015-2021 is about 2.8% a year).",
          _VOLUNTEERS, low=0, high=1, label="Volunteer decline",
          label_it="Calo dei volontari"),
    Param("community.helper_conversion", 0.2, "prob/year",
          "Probability per year that a participant who was helped, and has no care need above "
          "the light level, becomes a helper.", _RESOURCE + " (the 'resource' role); rate is an "
          "assumption", low=0, high=1, label="Beneficiaries becoming helpers",
          label_it="Beneficiari che diventano volontari"),
    Param("community.helper_hours", 1.0, "hours/week",
          "Hours a week a helper (a former beneficiary) gives to peer help.", "assumption",
          low=0, high=40, label="Hours per helper", label_it="Ore per aiutante"),
    Param("community.isolation_hours", 1.0, "hours/week",
          "Peer hours a week (company, a call, a walk) that meet an isolated participant's need.",
          "assumption", low=0, high=40, label="Peer hours per isolated person",
          label_it="Ore di compagnia per persona isolata"),
    Param("community.max_care_level", 2.0, "count",
          "Highest care level peers may help with: 1 = light (8 hours/week, which family hours "
          "cover under the default services.informal_hours), 2 = moderate (16 hours/week: peers "
          "top up what a family living elsewhere leaves uncovered, within "
          "community.max_peer_hours); heavier care is left to services and families.",
          "assumption; WILL's platforms route light needs to peers and volunteers "
          "(shared/model-brief.md, shared/research/domain.md §1.3)", low=0, high=2,
          label="Heaviest care by peers", label_it="Livello di cura massimo tra pari"),
    Param("community.max_peer_hours", 6.0, "hours/week",
          "Largest weekly gap between a care need (its met share) and family hours that peers "
          "and volunteers take on for one person (errands, shopping, accompanying): larger gaps "
          "are not light needs and are left to services and paid care.", "assumption",
          low=0, high=40, label="Peer care per person", label_it="Cura tra pari per persona"),
    Param("community.cost_physical", 40.0, "EUR/week",
          "Running cost of the physical places, per week per 1,000 residents (rooms, a "
          "community worker part-time).", "assumption", low=0, high=10_000,
          label="Cost of physical places", label_it="Costo dei luoghi fisici"),
    Param("community.cost_digital", 10.0, "EUR/week",
          "Running cost of the digital space, per week per 1,000 residents (licence, moderation).",
          "assumption", low=0, high=10_000, label="Cost of digital space",
          label_it="Costo dello spazio digitale"),
]

"""Mechanisms: the phases of a week, each vectorised over the population.

Each mechanism is a :class:`~willsim.mechanisms.base.Mechanism` that declares what the model needs
to know of it (streams, levers, spending items, published and read quantities, its share of
coverage, indicators, policy types, journey) and is listed once, in order, in
:data:`willsim.phases.PHASES`.
"""

"""Mechanisms: the phases of a week, each vectorised over the population.

Each mechanism has ``setup(model)`` and ``step(model, week)``, draws only from its own named random
stream, and is listed once, in order, in :data:`willsim.model.PHASES`.
"""

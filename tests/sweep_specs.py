"""Sweep specifications shared by the tests that need a real, tiny sweep on disk."""

from __future__ import annotations

TINY_MORRIS = """\
[sweep]
name = "tiny"
design = "morris"
samples = 2
replicates = 1
seed = 4
outputs = ["mean_wait_weeks", "coverage"]
[fixed]
"city.population" = 2000
"run.weeks" = 10
"run.mesa_citizens" = false
[vary."office.assessment_hours"]
range = [1.0, 6.0]
[vary."helpseeking.awareness"]
range = [0.3, 0.95]
"""
"""A Morris design on two parameters: 6 runs of 2,000 residents x 10 weeks, a few seconds."""

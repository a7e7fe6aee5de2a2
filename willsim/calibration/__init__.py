"""Calibration: targets as data, priors from the parameter registry, an Optuna search with a
stated loss, ensembles of good parameter sets, calibrated scenario layers and fit reports.

See ``docs/calibration.md``. The command line is ``willsim calibrate`` and ``willsim
calibration CITY`` (:mod:`willsim.calibration.commands`).
"""

from willsim.calibration.evaluate import CityRuns, RunSettings
from willsim.calibration.loss import TargetScore, huber, total_loss
from willsim.calibration.space import FreeParam, free_parameters
from willsim.calibration.study import Study, StudyError, StudySpec, search
from willsim.calibration.targets import Target, TargetsError, TargetSet, load_targets

__all__ = [
    "CityRuns",
    "FreeParam",
    "RunSettings",
    "Study",
    "StudyError",
    "StudySpec",
    "Target",
    "TargetScore",
    "TargetSet",
    "TargetsError",
    "free_parameters",
    "huber",
    "load_targets",
    "search",
    "total_loss",
]

"""Questions asked of a model's traces, with no Qt: which unit tracks a feature of the input
(:mod:`.units`), over features computed from the input's tokens (:mod:`.features`), and what
holding units changes in the predictions (:mod:`.effects`)."""

from .effects import PredictionEffect, prediction_effect
from .features import FEATURE_NAMES, FeatureError, check_varies, feature_values
from .units import CSV_COLUMNS, UnitRow, UnitTable, find_units, gate_nodes

__all__ = [
    "CSV_COLUMNS",
    "FEATURE_NAMES",
    "FeatureError",
    "PredictionEffect",
    "UnitRow",
    "UnitTable",
    "check_varies",
    "feature_values",
    "find_units",
    "gate_nodes",
    "prediction_effect",
]

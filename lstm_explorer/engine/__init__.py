"""The NumPy engine: cell graphs, their evaluation, traces and weights. Imports no Qt."""

from .cells import CELL_KINDS, cell_graph
from .evaluate import CompiledCell, evaluate, evaluate_reference, sigmoid
from .graph import CellGraph, Node, Phase, Term
from .trace import Trace
from .weights import LayerWeights, WeightsError, init_weights

__all__ = [
    "CELL_KINDS",
    "CellGraph",
    "CompiledCell",
    "LayerWeights",
    "Node",
    "Phase",
    "Term",
    "Trace",
    "WeightsError",
    "cell_graph",
    "evaluate",
    "evaluate_reference",
    "init_weights",
    "sigmoid",
]

"""The cell diagram: the classic drawing of the cell, built from its graph, with every vector on
its wire, animated phase by phase and renderable offscreen frame by frame."""

from .animator import FlowAnimator
from .render import DiagramRenderer, render_diagram
from .scene import DiagramScene
from .view import DiagramView

__all__ = ["DiagramRenderer", "DiagramScene", "DiagramView", "FlowAnimator", "render_diagram"]

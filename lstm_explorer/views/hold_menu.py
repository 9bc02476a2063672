"""The right-click menu of a unit (on the diagram, a heatmap or the Units table): Clamp to…,
Ablate (0), Hold at its current value, Release, Release all.

The menu asks the document for the new held units (``request_interventions``); whoever recomputes
answers. The list arithmetic (:func:`holding`, :func:`releasing`) is plain tuples of
:class:`Intervention`, one unit at a time, every step.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from ..document import ExplorerDocument, Key
from ..engine.interventions import Intervention, InterventionError, clampable

Interventions = tuple[Intervention, ...]


def releasing(interventions: Interventions, key: Key, node: str, unit: int, width: int) -> Interventions:
    """``interventions`` without ``unit`` of ``node`` in layer ``key`` (other units stay held)."""
    kept: list[Intervention] = []
    for item in interventions:
        if item.node != node or not item.covers(*key):
            kept.append(item)
            continue
        units = tuple(range(width)) if item.units is None else item.units
        rest = tuple(u for u in units if u != unit)
        if rest == units:
            kept.append(item)
        elif rest:
            kept.append(Intervention(item.node, rest, item.value, item.steps, item.layer, item.reverse))
    return tuple(kept)


def holding(interventions: Interventions, key: Key, node: str, unit: int, width: int, value: float) -> Interventions:
    """``unit`` of ``node`` in layer ``key`` held at ``value`` at every step (replacing any hold on it)."""
    rest = releasing(interventions, key, node, unit, width)
    return (*rest, Intervention(node, (unit,), float(value), None, key[0], key[1]))


def is_held(interventions: Interventions, key: Key, node: str, unit: int) -> bool:
    return any(
        item.node == node and item.covers(*key) and (item.units is None or unit in item.units) for item in interventions
    )


def unit_name(key: Key, node: str, unit: int) -> str:
    """``c[12]``, ``1:h[3]``, ``0r:f[5]``: as ``--set`` writes it."""
    where = f"{key[0]}{'r' if key[1] else ''}:" if key[0] or key[1] else ""
    return f"{where}{node}[{unit}]"


def ask_value(parent: QWidget | None, name: str, current: float) -> float | None:
    """The value to clamp to, or None if the person cancelled (tests replace this)."""
    value, ok = QInputDialog.getDouble(parent, "Clamp a unit", f"Hold {name} at:", current, -1e6, 1e6, 4)
    return float(value) if ok else None


def unit_menu(
    document: ExplorerDocument,
    node: str,
    unit: int,
    parent: QWidget | None = None,
    *,
    key: Key | None = None,
    ask: Callable[[QWidget | None, str, float], float | None] | None = None,
) -> QMenu:
    """The menu for ``unit`` of ``node`` in layer ``key`` (default: the one on show). Not shown:
    the caller pops it up (``menu.popup(pos)``), tests trigger its actions."""
    key = document.layer if key is None else key
    menu = QMenu(parent)
    menu.setObjectName("unitMenu")
    name = unit_name(key, node, unit)
    trace = document.traces.get(key)
    try:
        if trace is None or document.model is None:
            raise InterventionError("no sequence yet")
        clampable(trace.graph, node)
        width = trace[node].shape[1]
        if not 0 <= unit < width:
            raise InterventionError(f"{node} has {width} units")
    except InterventionError as exc:
        menu.addAction(f"{name}: cannot be held ({exc})").setEnabled(False)
        return menu
    held = document.interventions
    t = min(max(document.playback.t, 0), trace.steps - 1)
    current = float(trace[node][t, unit]) if trace.steps else 0.0

    def hold(value: float) -> None:
        document.request_interventions(holding(held, key, node, unit, width, value))

    def clamp() -> None:
        value = (ask or ask_value)(parent, name, current)
        if value is not None:
            hold(value)

    menu.addSection(name)
    menu.addAction(f"Clamp {name} to…", clamp).setObjectName("clamp")
    menu.addAction(f"Ablate {name} (hold at 0)", lambda: hold(0.0)).setObjectName("ablate")
    menu.addAction(f"Hold {name} at its current value ({current:+.4f})", lambda: hold(current)).setObjectName("hold")
    release = menu.addAction(
        f"Release {name}", lambda: document.request_interventions(releasing(held, key, node, unit, width))
    )
    release.setObjectName("release")
    release.setEnabled(is_held(held, key, node, unit))
    release_all = menu.addAction("Release all held units", lambda: document.request_interventions(()))
    release_all.setObjectName("releaseAll")
    release_all.setEnabled(bool(held))
    return menu


def menu_action(menu: QMenu, name: str) -> QAction:
    """The action named ``name`` (clamp, ablate, hold, release, releaseAll) of a unit menu."""
    for action in menu.actions():
        if action.objectName() == name:
            return action
    raise KeyError(name)

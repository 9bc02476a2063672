"""Where everything goes: node shapes, wire routes, fork points and the frame, from the cell graph.

Pure geometry (no Qt), in scene units. A node's grid position ``pos = (col, row)`` becomes
``(col * COL, row * ROW)``; row 0 is the state line along the top. Wires are orthogonal polylines
from centre to centre, clipped to the two shapes, chosen by a few rules that reproduce the classic
drawing (a layer's output leaves upwards; a concatenation's bus runs along its row and each layer
takes its branch straight up; a vector joining a concatenation from below turns up into it). The
handful of wires no rule draws well (a GRU's h_{t−1} reaching a layer behind the state line, a
peephole reaching down past the forget multiplication) have waypoints declared in their cell graph
(``CellGraph.wires``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..engine import ops
from ..engine.graph import CellGraph, Node

COL = 150.0
ROW = 71.0
LAYER_SIZE = (62.0, 36.0)
CIRCLE_RADIUS = 16.0
ELLIPSE_SIZE = (46.0, 30.0)  # pointwise tanh: a wider pink ellipse
DOT_RADIUS = 4.5
#: Inputs entering from the left start this many columns left of their node.
INPUT_LEAD = 0.45

Point = tuple[float, float]

#: The module's frame reaches this far below the lowest node (room for the lanes above).
FRAME_BELOW = 0.85


@dataclass(frozen=True)
class NodeShape:
    """A node as drawn: centre, size, and whether it is a box, an ellipse, a dot or a bare label."""

    name: str
    center: Point
    size: tuple[float, float]
    shape: str  # "box" (layer), "ellipse" (pointwise), "dot" (concat), "port" (input)

    def rect(self) -> tuple[float, float, float, float]:
        (x, y), (w, h) = self.center, self.size
        return (x - w / 2, y - h / 2, w, h)


@dataclass(frozen=True)
class Route:
    """A wire: the polyline from ``source`` to ``target`` (``target`` is ``""`` for an exit)."""

    source: str
    target: str
    points: tuple[Point, ...]
    arrow: bool = True

    @property
    def length(self) -> float:
        return sum(math.dist(a, b) for a, b in zip(self.points, self.points[1:], strict=False))

    def point_at(self, fraction: float) -> tuple[Point, float]:
        """The point at ``fraction`` of the length, and the direction there (degrees, 0 = right)."""
        target = min(max(fraction, 0.0), 1.0) * self.length
        a, b = self.points[0], self.points[1]
        for a, b in zip(self.points, self.points[1:], strict=False):
            seg = math.dist(a, b)
            if target <= seg and seg > 0:
                f = target / seg
                return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f), _angle(a, b)
            target -= seg
        return b, _angle(a, b)

    def longest_segment(self) -> tuple[Point, Point]:
        pairs = list(zip(self.points, self.points[1:], strict=False))
        return max(pairs, key=lambda ab: math.dist(*ab))


@dataclass(frozen=True)
class Exit:
    """A state vector leaving the cell: its route to the edge and where its label sits."""

    node: str
    route: Route
    label: str
    label_at: Point


@dataclass(frozen=True)
class Layout:
    graph: CellGraph
    nodes: dict[str, NodeShape]
    routes: tuple[Route, ...]
    exits: tuple[Exit, ...]
    forks: tuple[Point, ...]
    frame: tuple[float, float, float, float]  # x, y, w, h of the module's rounded frame
    bounds: tuple[float, float, float, float]  # everything drawn, legend and explanation excluded
    #: Per node: the segment its output strip lies on (start, end), centred on the wire.
    strip_segments: dict[str, tuple[Point, Point]]


def _angle(a: Point, b: Point) -> float:
    return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))


def _scene(p: Point) -> Point:
    return (p[0] * COL, p[1] * ROW)


def node_shape(node: Node) -> NodeShape:
    center = _scene(node.pos)
    if node.kind == "layer":
        return NodeShape(node.name, center, LAYER_SIZE, "box")
    if node.kind == "pointwise":
        wide = len(ops.symbol(node.op)) > 2  # "tanh" needs a wider ellipse than "×" or "1−"
        size = ELLIPSE_SIZE if wide else (2 * CIRCLE_RADIUS, 2 * CIRCLE_RADIUS)
        return NodeShape(node.name, center, size, "ellipse")
    if node.kind == "concat":
        return NodeShape(node.name, center, (2 * DOT_RADIUS, 2 * DOT_RADIUS), "dot")
    return NodeShape(node.name, center, (0.0, 0.0), "port")


def _default_bends(graph: CellGraph, source: Node, target: Node) -> tuple[Point, ...]:
    """Grid waypoints between two nodes by the drawing's rules (empty: a straight wire)."""
    (sx, sy), (tx, ty) = source.pos, target.pos
    if sx == tx or sy == ty:
        return ()
    horizontal_first = (tx, sy)
    vertical_first = (sx, ty)
    if target.kind == "concat":
        # A vector joining from below turns up into the merge; one from the side or above comes
        # down (or up) first and then runs into it horizontally.
        return (horizontal_first,) if sy > ty else (vertical_first,)
    if source.kind == "layer" or (source.kind == "pointwise" and sy > ty):
        return (vertical_first,)  # a layer's output leaves upwards
    return (horizontal_first,)


def _clip_end(points: list[Point], shape: NodeShape, *, at_start: bool) -> None:
    """Move the first/last point from a shape's centre to its outline along the wire's segment."""
    if shape.shape == "port":
        return
    i, j = (0, 1) if at_start else (-1, -2)
    (cx, cy), (ox, oy) = points[i], points[j]
    dx, dy = ox - cx, oy - cy
    dist = math.hypot(dx, dy)
    if dist == 0:
        return
    ux, uy = dx / dist, dy / dist
    w, h = shape.size[0] / 2, shape.size[1] / 2
    if shape.shape == "box":
        t = min(w / abs(ux) if ux else math.inf, h / abs(uy) if uy else math.inf)
    else:  # ellipse or dot
        t = 1.0 / math.sqrt((ux / w) ** 2 + (uy / h) ** 2)
    t = min(t, dist)
    points[i] = (cx + ux * t, cy + uy * t)


def _route(graph: CellGraph, shapes: dict[str, NodeShape], source: str, target: str) -> Route:
    src, dst = graph[source], graph[target]
    hint = graph.waypoints(source, target)
    bends = hint if hint is not None else _default_bends(graph, src, dst)
    grid = [src.pos, *bends, dst.pos]
    # A hint may end off the target's row and column: add the last corner so every leg is straight.
    last, end = grid[-2], grid[-1]
    if last[0] != end[0] and last[1] != end[1]:
        grid.insert(-1, (end[0], last[1]) if dst.kind != "layer" else (last[0], end[1]))
    points = [_scene(p) for p in grid]
    points = _dedupe(points)
    _clip_end(points, shapes[source], at_start=True)
    _clip_end(points, shapes[target], at_start=False)
    return Route(source, target, tuple(points), arrow=dst.kind != "concat")


def _dedupe(points: list[Point]) -> list[Point]:
    out = [points[0]]
    for p in points[1:]:
        if math.dist(p, out[-1]) > 1e-9:
            out.append(p)
    return out


def _exits(graph: CellGraph, shapes: dict[str, NodeShape], out_col: float, edge_col: float, top: float) -> list[Exit]:
    """State vectors leave to the right at the row their previous-step input came in on, so that
    the next step's input lines up; h_t also leaves upwards (the classic drawing's output on top)."""
    exits: list[Exit] = []
    for prev, new in graph.recurrent:
        node, row = graph[new], graph[prev].pos[1]
        x, y = node.pos
        lead: list[Point] = [(x, y)]
        if node.kind == "layer":  # a layer's output leaves upwards first
            y -= 1.0
            lead.append((x, y))
        turn = (out_col, y)
        onward = [turn, (out_col, row)] if y != row else []
        label = node.label
        route = _exit_route(new, [*lead, *onward, (edge_col, row)], shapes)
        exits.append(Exit(new, route, label, _scene((edge_col + 0.05, row))))
        if new == graph.hidden_output:
            route = _exit_route(new, [*lead, turn, (out_col, top)], shapes)
            exits.append(Exit(new, route, "h_t", _scene((out_col, top - 0.05))))
    return exits


def _exit_route(node: str, grid: list[Point], shapes: dict[str, NodeShape]) -> Route:
    points = _dedupe([_scene(p) for p in grid])
    _clip_end(points, shapes[node], at_start=True)
    return Route(node, "", tuple(points))


def _parting_point(a: tuple[Point, ...], b: tuple[Point, ...]) -> Point | None:
    """Where two polylines from one start part ways (None if they never share a stretch)."""
    ia = ib = 0
    here = a[0]
    if math.dist(a[0], b[0]) > 1e-6:
        return None
    while ia + 1 < len(a) and ib + 1 < len(b):
        da = (a[ia + 1][0] - here[0], a[ia + 1][1] - here[1])
        db = (b[ib + 1][0] - here[0], b[ib + 1][1] - here[1])
        la, lb = math.hypot(*da), math.hypot(*db)
        if la < 1e-9:
            ia += 1
            continue
        if lb < 1e-9:
            ib += 1
            continue
        same_direction = abs(da[0] / la - db[0] / lb) < 1e-6 and abs(da[1] / la - db[1] / lb) < 1e-6
        if not same_direction:
            return here
        step = min(la, lb)
        here = (here[0] + da[0] / la * step, here[1] + da[1] / la * step)
        if la <= step + 1e-9:
            ia += 1
        if lb <= step + 1e-9:
            ib += 1
    return here


def _forks(routes: list[Route], shapes: dict[str, NodeShape]) -> list[Point]:
    """A dot wherever one vector's wires part, except inside the node that sends them."""
    by_source: dict[str, list[Route]] = {}
    for r in routes:
        by_source.setdefault(r.source, []).append(r)
    dots: list[Point] = []
    for source, group in by_source.items():
        shape = shapes[source]
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                p = _parting_point(a.points, b.points)
                if p is None or p in (a.points[-1], b.points[-1]):
                    continue
                inside = shape.shape in ("box", "ellipse") and math.dist(p, shape.center) <= max(shape.size)
                if not inside and all(math.dist(p, d) > 1 for d in dots):
                    dots.append(p)
    return dots


MIN_STRIP_PIECE = 70.0


def _strip_segment(routes: list[Route], forks: list[Point]) -> tuple[Point, Point]:
    """Where a node's output strip lies: the stretch of its wires nearest the node that is long
    enough, with wires cut at fork dots so that the strip never covers a junction."""
    pieces: list[tuple[float, int, Point, Point]] = []  # (distance from node, preference, a, b)
    heading = _angle(routes[0].points[0], routes[0].points[1])
    for order, route in enumerate(routes):
        travelled = 0.0
        for a, b in zip(route.points, route.points[1:], strict=False):
            cuts = sorted((p for p in forks if _on_segment(p, a, b)), key=lambda p: math.dist(a, p))
            start = a
            for cut in [*cuts, b]:
                if math.dist(start, cut) > 1e-6:
                    # Ties go to the piece that keeps the node's heading (the cell state stays on
                    # its line rather than on a peephole branch), then to the earlier wire.
                    straight = abs(_angle(start, cut) - heading) < 1e-6
                    pieces.append((travelled + math.dist(a, start), order + (0 if straight else 100), start, cut))
                start = cut
            travelled += math.dist(a, b)
    long_enough = [p for p in pieces if math.dist(p[2], p[3]) >= MIN_STRIP_PIECE]
    if long_enough:
        best = min(long_enough, key=lambda p: (round(p[0], 3), p[1]))
    else:
        best = max(pieces, key=lambda p: math.dist(p[2], p[3]))
    return best[2], best[3]


def _on_segment(p: Point, a: Point, b: Point) -> bool:
    """Strictly inside an axis-parallel segment."""
    if math.dist(p, a) < 1e-6 or math.dist(p, b) < 1e-6:
        return False
    cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
    inside = min(a[0], b[0]) - 1e-6 <= p[0] <= max(a[0], b[0]) + 1e-6
    inside = inside and min(a[1], b[1]) - 1e-6 <= p[1] <= max(a[1], b[1]) + 1e-6
    return abs(cross) < 1e-6 and inside


def build_layout(graph: CellGraph) -> Layout:
    shapes = {n.name: node_shape(n) for n in graph.nodes}
    routes = [_route(graph, shapes, s, t) for s, t in graph.edges()]
    inner = [n for n in graph.nodes if n.kind != "input"]
    max_col = max(n.pos[0] for n in inner)
    out_col, edge_col = max_col + 0.55, max_col + 1.1
    # The frame hugs the drawing: an RNN has no state line along the top, so its frame is lower.
    # A state computed by a layer (an RNN's h) leaves upwards one row before it turns right.
    top_row = min(
        [n.pos[1] for n in inner] + [n.pos[1] - 1.0 for n in inner if n.name in graph.state_names and n.kind == "layer"]
    )
    frame_top = top_row - 0.6
    exits = _exits(graph, shapes, out_col, edge_col, frame_top - 0.45)
    all_routes = routes + [e.route for e in exits]
    forks = _forks(all_routes, shapes)

    max_row = max(n.pos[1] for n in inner)
    frame = (-0.35 * COL, frame_top * ROW, (out_col + 0.7) * COL, (max_row + FRAME_BELOW - frame_top) * ROW)
    # Room for the inputs' lead-in wires and their labels on the left (C_{t−1}: about 45 units).
    xs = [p[0] for r in all_routes for p in r.points] + [-INPUT_LEAD * COL - 52, edge_col * COL + 45]
    ys = [p[1] for r in all_routes for p in r.points] + [frame[1], frame[1] + frame[3]]
    ys += [s.center[1] + 28 for s in shapes.values()]
    bounds = (min(xs), min(ys) - 30, max(xs) - min(xs), max(ys) - min(ys) + 36)

    strip_segments: dict[str, tuple[Point, Point]] = {}
    for node in graph.nodes:
        out = [r for r in all_routes if r.source == node.name]
        if out:
            strip_segments[node.name] = _strip_segment(out, forks)
    return Layout(graph, shapes, tuple(routes), tuple(exits), tuple(forks), frame, bounds, strip_segments)

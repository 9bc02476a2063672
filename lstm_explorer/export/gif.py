"""GIF: a streaming GIF89a writer (constant memory): one global 256-colour palette (the colour
maps' ramps plus the colours of frames sampled across the animation), a fixed lookup table from
colour to palette index, and each frame stored as the rectangle that changed since the one before.
Loops forever; frame delays add up exactly to the frame rate.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image
from PIL.GifImagePlugin import getdata as gif_frame_data

from ..colormaps import diverging, sequential
from .writers import Writer

#: Bits per channel of the colour lookup table (2**15 entries of one byte each). Measured against
#: 6 bits on the colour maps: worst error 8 vs 7 levels, mean 2.2 vs 1.9, built in 0.05 s vs 0.45 s.
_LUT_BITS = 5


def gif_palette(frames: Sequence[np.ndarray], colours: int = 256, frequent: int = 64) -> np.ndarray:
    """(256, 3) uint8 for ``frames`` sampled across the animation (so colours that appear late have
    entries too), in rising priority (see :func:`nearest_colour_table`):

    * the colour maps' ramps, 128 entries: every value a strip can show has a close entry;
    * entries from an octree over all pixels, for anti-aliased edges and gradients;
    * the ``frequent`` most frequent exact colours, the most frequent last: a diagram is mostly
      flat fills (background, boxes, wires, text, highlights), each kept exactly however small.
    """
    ramps = np.concatenate([sequential(np.linspace(0.0, 1.0, 64)), diverging(np.linspace(-1.0, 1.0, 64))])[:, :3]
    # Every other row and column of each sample is plenty to find the common colours.
    step = 2 if len(frames) > 1 else 1
    rgb = np.concatenate([np.ascontiguousarray(f[::step, ::step, 2::-1]) for f in frames])  # B, G, R → R, G, B
    flat = rgb.reshape(-1, 3).astype(np.uint32)
    packed = (flat[:, 0] << 16) | (flat[:, 1] << 8) | flat[:, 2]
    unique, counts = np.unique(packed, return_counts=True)
    top = unique[np.argsort(-counts, kind="stable")[:frequent]][::-1]  # most frequent last
    exact = np.stack([(top >> 16) & 255, (top >> 8) & 255, top & 255], axis=1).astype(np.uint8)
    budget = colours - len(ramps) - len(exact)
    quantized = Image.fromarray(rgb, "RGB").quantize(budget, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    raw = quantized.getpalette() or []
    edges = np.array(raw[: 3 * budget], dtype=np.uint8).reshape(-1, 3)
    ordered = np.concatenate([ramps, edges, exact])
    # Drop repeats, keeping each colour at its last (highest-priority) place.
    _, first_from_end = np.unique(ordered[::-1], axis=0, return_index=True)
    keep = np.sort(len(ordered) - 1 - first_from_end)
    palette = ordered[keep][-colours:]
    padded = np.empty((colours, 3), dtype=np.uint8)
    padded[: colours - len(palette)] = palette[0]
    padded[colours - len(palette) :] = palette
    return padded


def _keys(rgb: np.ndarray, bits: int) -> np.ndarray:
    drop = 8 - bits
    c = rgb.astype(np.intp) >> drop
    return (c[:, 0] << (2 * bits)) | (c[:, 1] << bits) | c[:, 2]


def nearest_colour_table(palette: np.ndarray, bits: int = _LUT_BITS) -> np.ndarray:
    """uint8 table of 2**(3·bits) entries: for each quantized colour, a palette index.

    Each cell maps to the palette colour nearest its centre, except that a cell holding palette
    colours maps to the last of them (the palette is in rising priority): so flat fills in the
    palette come out exact, not as a neighbour that happens to be nearer the cell's centre.
    """
    levels = 1 << bits
    centres = (np.arange(levels, dtype=np.float32) + 0.5) * (256.0 / levels)
    p = palette.astype(np.float32)  # (256, 3)
    p_norm = (p * p).sum(axis=1)
    table = np.empty(levels**3, dtype=np.uint8)
    g, b = np.meshgrid(centres, centres, indexing="ij")
    gb = np.stack([g.ravel(), b.ravel()], axis=1)  # (levels², 2)
    for r_index, r in enumerate(centres):
        colours = np.concatenate([np.full((len(gb), 1), r, dtype=np.float32), gb], axis=1)
        # |c − p|² = |c|² − 2 c·p + |p|²; |c|² is the same for every p.
        distance = p_norm[None, :] - 2.0 * colours @ p.T
        start = r_index * len(gb)
        table[start : start + len(gb)] = np.argmin(distance, axis=1)
    table[_keys(palette, bits)] = np.arange(len(palette), dtype=np.uint8)  # later entries win
    return table


def palette_indices(frame: np.ndarray, table: np.ndarray, bits: int = _LUT_BITS) -> np.ndarray:
    """(H, W) uint8 palette indices of a B, G, R, A frame via the lookup table."""
    v = np.ascontiguousarray(frame).view(np.uint32)[..., 0]  # B | G << 8 | R << 16 | A << 24
    drop = 8 - bits
    mask = (1 << bits) - 1
    key = (v >> np.uint32(16 + drop)) & np.uint32(mask)
    key <<= np.uint32(bits)
    key |= (v >> np.uint32(8 + drop)) & np.uint32(mask)
    key <<= np.uint32(bits)
    key |= (v >> np.uint32(drop)) & np.uint32(mask)
    return table[key]


def _u16(value: int) -> bytes:
    return int(value).to_bytes(2, "little")


class GifWriter(Writer):
    """A looping GIF89a written frame by frame (memory does not grow with the frame count)."""

    def __init__(
        self,
        path: Path,
        size: tuple[int, int],
        fps: float,
        *,
        transparent: bool = False,
        palette_frames: Sequence[np.ndarray] = (),
    ) -> None:
        """``palette_frames``: frames to build the palette from (default: the first frame written)."""
        super().__init__(path, size, fps, transparent=transparent)
        self.palette_frames = list(palette_frames)
        if transparent:
            raise ValueError("GIF cannot hold partial transparency")
        if not 0 < fps <= 50:
            raise ValueError("GIF plays at most 50 frames/s")
        self._handle = open(self.path, "wb")  # noqa: SIM115 - closed in finish/abort
        self._table: np.ndarray | None = None
        self._previous: np.ndarray | None = None
        self._elapsed_cs = 0  # centiseconds shown so far: delays are rounded without drift

    def _header(self, palette: np.ndarray) -> bytes:
        w, h = self.size
        screen = b"GIF89a" + _u16(w) + _u16(h) + bytes([0xF7, 0, 0])  # global table of 256, colour res 8
        loop = b"!\xff\x0bNETSCAPE2.0\x03\x01" + _u16(0) + b"\x00"  # loop forever
        return screen + palette.tobytes() + loop

    def write(self, frame: np.ndarray) -> None:
        self._check(frame)
        if self._table is None:
            palette = gif_palette(self.palette_frames or [frame])
            self.palette_frames = []
            self._table = nearest_colour_table(palette)
            self._handle.write(self._header(palette))
        indices = palette_indices(frame, self._table)
        if self._previous is None:
            x0, y0, region = 0, 0, indices
        else:
            changed = indices != self._previous
            rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
            if len(rows):
                y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
            else:  # unchanged: a one-pixel frame keeps the frame count (and timing) exact
                y0, y1, x0, x1 = 0, 1, 0, 1
            region = indices[y0:y1, x0:x1]
        self._previous = indices
        self.frames += 1
        end_cs = round(self.frames * 100 / self.fps)
        delay_cs, self._elapsed_cs = end_cs - self._elapsed_cs, end_cs
        image = Image.fromarray(np.ascontiguousarray(region), "L")
        # disposal 1: leave the frame in place, the next one draws only what changed over it.
        for chunk in gif_frame_data(image, (int(x0), int(y0)), duration=delay_cs * 10, disposal=1):
            self._handle.write(chunk)

    def finish(self) -> None:
        try:
            self._handle.write(b";")
            self._handle.flush()
            os.fsync(self._handle.fileno())
        finally:
            self._handle.close()

    def abort(self) -> None:
        self._handle.close()


# -- PNG ------------------------------------------------------------------------------------------

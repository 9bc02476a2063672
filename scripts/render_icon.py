"""Render the application icon's PNG from its SVG (lstm_explorer/resources/icons/).

    QT_QPA_PLATFORM=offscreen python3 scripts/render_icon.py [--size 256]

The SVG is the source, written by hand; desktops that cannot scale SVG icons use the PNG.
"""

from __future__ import annotations

import argparse
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from lstm_explorer.assets import icon_path
from lstm_explorer.atomic import atomic_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256, help="width and height in pixels (default 256)")
    args = parser.parse_args()
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - painting needs it
    renderer = QSvgRenderer(str(icon_path(".svg")))
    if not renderer.isValid():
        print(f"{icon_path('.svg')}: not a valid SVG", file=sys.stderr)
        return 2
    image = QImage(args.size, args.size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    with atomic_path(icon_path(".png")) as temp:
        if not image.save(str(temp), "PNG"):
            print(f"could not write {icon_path('.png')}", file=sys.stderr)
            return 2
    print(f"wrote {icon_path('.png')} ({args.size}×{args.size})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

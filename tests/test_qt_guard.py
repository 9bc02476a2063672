"""Dependency guard: PySide6-Essentials 6.12.0 on Python 3.11 decrements None's reference count on
every void-returning call and aborts after a few thousand (Fatal Python error: none_dealloc)."""

import sys

from PySide6.QtCore import QPointF
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QApplication, QGraphicsRectItem


def test_void_calls_do_not_leak_references_to_none(qapp: QApplication):
    item = QGraphicsRectItem(0, 0, 10, 10)
    brush = QBrush(QColor("gold"))
    before = sys.getrefcount(None)
    for k in range(10_000):
        item.setBrush(brush)
        item.setPos(QPointF(k, 0))
    after = sys.getrefcount(None)
    # A healthy binding leaves None's count unchanged (give or take the interpreter's own noise);
    # the broken one drops it by 20 000.
    assert after >= before - 100, f"None lost {before - after} references across 20 000 void calls"

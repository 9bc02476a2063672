"""The window carries the application icon: the yellow layer boxes of the LSTM cell are in it."""

import numpy as np
from PySide6.QtGui import QImage


def test_the_window_shows_the_app_icon(window):
    icon = window.windowIcon()
    assert not icon.isNull()
    image = icon.pixmap(64, 64).toImage().convertToFormat(QImage.Format.Format_RGBA8888)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    r, g, b = (pixels[..., k].astype(int) for k in range(3))
    yellow = (r > 220) & (g > 180) & (b < 120)  # #ffd54a, the learned layers
    assert yellow.sum() > 40

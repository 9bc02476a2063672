"""The first-run tour: a short guided walk through the phases of one step of the open model (the
bundled ``brackets`` model on a first run), with Next, Back and Skip.

It is offered once — a first launch remembers in the settings that it was shown — and Help →
Guided tour shows it again. The panel sits above the diagram (it covers nothing) and the diagram
explains each phase while the tour lasts; the tour only moves the playback, so every other view
follows it as it would follow the transport.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..diagram.items import readable
from ..document import ExplorerDocument
from ..engine.trace import Trace
from ..views.common import token_text
from . import preferences

if TYPE_CHECKING:
    from .main_window import MainWindow

#: The settings key that says the tour was shown (so a first run offers it, and only once).
SHOWN_KEY = "tour/shown"
#: The step the tour walks through (or the last one of a shorter input).
TOUR_STEP = 3


@dataclass(frozen=True)
class TourStep:
    title: str
    body: str
    phase: int
    progress: float


def tour_steps(document: ExplorerDocument, t: int) -> list[TourStep]:
    """An introduction, one page per phase of step ``t`` (shown complete), and a closing page."""
    trace = document.trace
    assert trace is not None and document.model is not None
    phases = trace.graph.phases
    tokens = document.shown_tokens
    token = token_text(tokens[t]) if t < len(tokens) else "its input"
    steps = [
        TourStep(
            f"One step of the {trace.graph.title}, at t = {t}",
            f"The cell reads one input, x\u209c (here \u2018{token}\u2019), and what it kept from the step before: "
            + _memory(trace)
            + ". Every wire carries a whole vector, drawn as a strip of coloured cells, one per unit. "
            f"Follow the {len(phases)} phases of this step.",
            0,
            0.0,
        )
    ]
    for k, phase in enumerate(phases):
        steps.append(
            TourStep(
                f"Phase {k + 1} of {len(phases)}: {readable(phase.title)}",
                readable(phase.explanation) + " The parts that work in this phase are lit; the rest is dimmed.",
                k,
                1.0,
            )
        )
    steps.append(
        TourStep(
            "Your turn",
            "Space plays every step, → and ← move one step, Shift+→ one phase; type in Input sequence to "
            "change the input. Click a coloured cell to follow that unit in every view (its value is "
            "written beside every wire). F11 presents the diagram full screen; Help → Guided tour "
            "shows this again.",
            len(phases) - 1,
            1.0,
        )
    )
    return steps


def _memory(trace: Trace) -> str:
    names = {prev for prev, _ in trace.graph.recurrent}
    if "c_prev" in names:
        return "the cell state C\u209c\u208b\u2081 along the top and the output h\u209c\u208b\u2081 bottom-left"
    return "the hidden state h\u209c\u208b\u2081 from the left"


class TourPanel(QFrame):
    """Title, text, "2 of 7" and the Back / Next / Skip buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tourPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel()
        self.title.setObjectName("tourTitle")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.body = QLabel()
        self.body.setTextFormat(Qt.TextFormat.PlainText)  # an input token may be "<"
        self.body.setObjectName("tourBody")
        self.body.setWordWrap(True)
        self.count = QLabel()
        self.back_button = QPushButton("Back")
        self.next_button = QPushButton("Next")
        self.skip_button = QPushButton("Skip tour")
        for button in (self.back_button, self.next_button, self.skip_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space and the arrows stay with playback
        top = QHBoxLayout()  # title and buttons on one row: the panel takes little from the diagram
        top.addWidget(self.title, 1)
        top.addWidget(self.count)
        top.addSpacing(12)
        top.addWidget(self.skip_button)
        top.addWidget(self.back_button)
        top.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.body)
        self.hide()


class Tour(QObject):
    """Runs the tour on ``window``'s document; ``settings`` remembers that it was shown."""

    def __init__(self, window: MainWindow, settings: QSettings) -> None:
        super().__init__(window)
        self.window = window
        self.panel = panel = TourPanel()
        self.settings = settings
        self.steps: list[TourStep] = []
        self.index = 0
        self.t = 0
        self._walkthrough_before = False
        panel.next_button.clicked.connect(self.next)
        panel.back_button.clicked.connect(self.back)
        panel.skip_button.clicked.connect(self.finish)

    @property
    def active(self) -> bool:
        return bool(self.steps)

    def offer_first_run(self) -> None:
        """Start the tour once the first trace is shown, unless it was shown before."""
        if preferences.as_bool(self.settings.value(SHOWN_KEY, False)):
            return
        playback = self.window.playback
        if playback.trace is not None:
            self.start()
            return

        def on_trace(trace: object) -> None:
            if trace is not None:
                playback.trace_changed.disconnect(on_trace)
                self.start()

        playback.trace_changed.connect(on_trace)

    def start(self) -> None:
        """Help → Guided tour (and a first run): walk through step TOUR_STEP of the open input."""
        window, document = self.window, self.window.document
        if document.trace is None or document.trace.steps == 0 or document.model is None:
            window.statusBar().showMessage("The tour needs an input: type a sequence first.", 8000)
            return
        self.settings.setValue(SHOWN_KEY, True)
        window.player.pause()
        if not self.active:  # (a restart keeps what was there before the first start)
            self._walkthrough_before = window.walkthrough_action.isChecked()
        self.t = min(TOUR_STEP, document.trace.steps - 1)
        self.steps = tour_steps(document, self.t)
        window.walkthrough_action.setChecked(True)
        self.panel.show()
        self.go(0)

    def go(self, index: int) -> None:
        self.index = min(max(index, 0), len(self.steps) - 1)
        step = self.steps[self.index]
        self.window.playback.seek(self.t, step.phase, step.progress)
        panel = self.panel
        panel.title.setText(step.title)
        panel.body.setText(step.body)
        panel.count.setText(f"{self.index + 1} of {len(self.steps)}")
        panel.back_button.setEnabled(self.index > 0)
        last = self.index == len(self.steps) - 1
        panel.next_button.setText("Done" if last else "Next")
        panel.skip_button.setVisible(not last)

    def next(self) -> None:
        if self.index == len(self.steps) - 1:
            self.finish()
        else:
            self.go(self.index + 1)

    def back(self) -> None:
        self.go(self.index - 1)

    def finish(self) -> None:
        """Skip or Done: the panel goes, the diagram's explanations are as they were."""
        self.steps = []
        self.panel.hide()
        self.window.walkthrough_action.setChecked(self._walkthrough_before)

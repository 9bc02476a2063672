"""A person's own model files in the window: the model it starts on, File → Open model…, the
notice above the diagram (what the model assumes, with one-click changes), File → Vocabulary…,
the module chooser for a file with several recurrent modules, and Help → Model….

The window remembers, per model file, the vocabulary given to it and the module chosen, and uses
them when that file is opened again.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..views.model_notice import ModelNotice
from . import preferences
from .banner import escape
from .opening import MODEL_FILTER, OpenError, OpenRequest

if TYPE_CHECKING:
    from .main_window import MainWindow

VOCABULARY_FILTER = "Vocabularies (*.json *.txt);;All files (*)"


class ModuleChooser(QDialog):
    """Which of a file's recurrent modules to show (an encoder and a decoder …)."""

    def __init__(self, error: OpenError, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        request = error.request or OpenRequest("")
        self.request = request
        name = Path(request.path).name
        self.setWindowTitle(f"Choose a module of {name}")
        layout = QVBoxLayout(self)
        self.label = QLabel(
            f"<b>{escape(name)}</b> holds {len(error.modules)} recurrent modules. Which one should the window show?"
        )
        self.label.setWordWrap(True)
        self.list = QListWidget()
        self.list.addItems(error.modules)
        self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
        layout.addWidget(self.label)
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    @property
    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return item.text() if item is not None else None


class ModelFiles(QObject):
    """The window's handling of model files a person brings (owned by the main window)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.module_chooser: ModuleChooser | None = None
        self.info_dialog: QDialog | None = None
        window.model_loader.module_needed.connect(self.ask_module)
        self.notice = ModelNotice(window.document)
        holder = window.banner.parentWidget()
        central = holder.layout() if holder is not None else None
        if isinstance(central, QBoxLayout):
            central.insertWidget(central.indexOf(window.banner) + 1, self.notice)  # under the banner
        self.notice.change_requested.connect(self.reopen_with)
        self.notice.vocabulary_requested.connect(self.choose_vocabulary)
        self.notice.details_requested.connect(self.show_info)

    @property
    def settings(self) -> Any:
        return self.window.settings

    # -- opening ---------------------------------------------------------------------------------
    def open_initial(self, model: Any) -> None:
        """The model asked for; else the last one used; else the bundled default; else a random LSTM.
        When the one asked for cannot be opened, the message stays up over the fallback."""
        window = self.window
        if model is not None and window.open_model(model):
            if isinstance(model, OpenRequest):  # lstm-explorer FILE --vocab V --module M: remembered too
                key = window.document.model_key
                if model.vocabulary:
                    preferences.save_choice(self.settings, "vocabulary", key, str(Path(model.vocabulary).resolve()))
                if model.module:
                    preferences.save_choice(self.settings, "module", key, model.module)
            return
        keep = model is not None
        last = self.settings.value("last_model")
        if model is None and isinstance(last, str) and last and window.open_model(last, quiet=True):
            return
        from ..models.bundled import DEFAULT_MODEL  # the model code loads after the first paint

        if not window.open_model(DEFAULT_MODEL, quiet=True, keep_banner=keep):
            window.open_model("lstm", keep_banner=keep)

    def choose_model_file(self) -> None:
        """File → Open model…"""
        settings = self.settings
        start = str(settings.value("last_folder", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(self.window, "Open a model", start, MODEL_FILTER)
        if path:
            settings.setValue("last_folder", str(Path(path).parent))
            self.window.open_in_background(path)

    def request_for(self, spec: Any) -> Any:
        """``spec`` with the module chosen for that file before (a chooser answered once is not
        asked again); anything but a model file passes unchanged."""
        if isinstance(spec, OpenRequest):
            request = spec
        elif isinstance(spec, str | Path) and Path(spec).is_file():
            request = OpenRequest(str(spec))
        else:
            return spec
        if request.module is None:
            module = preferences.saved_choice(self.settings, "module", _key(request.path))
            if module is not None:
                request = replace(request, module=module)
        return request

    def ask_module(self, error: OpenError) -> None:
        """A file with several recurrent modules: a small dialog lists them; the one chosen opens
        (and is remembered for that file)."""
        chooser = ModuleChooser(error, self.window)
        chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chooser.accepted.connect(lambda: self._open_module(chooser.request, chooser.chosen))
        chooser.rejected.connect(
            lambda: self.window.statusBar().showMessage(f"{Path(chooser.request.path).name} was not opened.", 8000)
        )
        self.module_chooser = chooser
        chooser.open()

    def _open_module(self, request: OpenRequest, module: str | None) -> None:
        if module is None:
            return
        preferences.save_choice(self.settings, "module", _key(request.path), module)
        self.window.open_in_background(replace(request, module=module))

    def reopen_with(self, setting: str, value: str) -> None:
        """The notice's one-click change: the open file again, with ``setting`` (``cell``) = ``value``."""
        document = self.window.document
        model, key = document.model, document.model_key
        if model is None or setting != "cell" or not key:
            return
        self.window.open_in_background(OpenRequest(key, cell=value, module=model.module))

    # -- vocabulary ------------------------------------------------------------------------------
    def choose_vocabulary(self) -> None:
        """File → Vocabulary…: a .json or .txt file of tokens for the open model."""
        settings = self.settings
        start = settings.value("vocabulary_folder") or settings.value("last_folder") or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self.window, "Open a vocabulary", str(start), VOCABULARY_FILTER)
        if path:
            settings.setValue("vocabulary_folder", str(Path(path).parent))
            self.apply_vocabulary(path)

    def apply_vocabulary(self, path: str | Path) -> bool:
        """Give the open model the tokens in ``path`` and remember them for its file. A vocabulary
        that does not fit is shown on the banner and the model stays as it was."""
        from ..engine.weights import WeightsError
        from ..models import VocabularyError, read_vocabulary_file

        window = self.window
        model, key = window.document.model, window.document.model_key
        if model is None:
            return False
        name = Path(path).name
        try:
            vocabulary = read_vocabulary_file(path)
            with_tokens = model.with_vocabulary(vocabulary)
        except (VocabularyError, WeightsError, ValueError) as exc:
            problem = str(exc).removeprefix(f"{name}: ")
            window.show_error(
                f"Could not use the vocabulary <b>{escape(name)}</b> for {escape(model.name)}: {escape(problem)}"
            )
            return False
        preferences.save_choice(self.settings, "vocabulary", key, str(Path(path).resolve()))
        text = window.editor.text()
        try:
            vocabulary.encode(text) if model.vocabulary is not None else None
        except ValueError:
            text = ""
        window._show_model(with_tokens, key, text=text or window.editor.random_text_for(with_tokens))
        window.statusBar().showMessage(
            f"{model.name} reads {len(vocabulary)} {vocabulary.kind} from {name} (remembered for this file)", 10000
        )
        return True

    def with_remembered_vocabulary(self, model: Any, key: str) -> Any:
        """``model`` with the vocabulary given to its file before, when it has none of its own."""
        from ..engine.weights import WeightsError
        from ..models import VocabularyError, read_vocabulary_file

        path = preferences.saved_choice(self.settings, "vocabulary", key) if key else None
        if path is None or model.vocabulary is not None:
            return model
        try:
            return model.with_vocabulary(read_vocabulary_file(path))
        except (VocabularyError, WeightsError, ValueError) as exc:
            preferences.save_choice(self.settings, "vocabulary", key, None)
            self.window.statusBar().showMessage(
                f"The vocabulary remembered for {model.name} was not used: {exc}", 15000
            )
            return model

    # -- Help → Model… ---------------------------------------------------------------------------
    def show_info(self) -> None:
        """What was found in the open model's file (what ``lstm-explorer info`` prints); the
        dialog follows the model while it stays open."""
        from ..views.model_info import ModelInfoPanel

        if self.info_dialog is None:
            self.info_dialog = QDialog(self.window)
            self.info_dialog.setWindowTitle("Model")
            layout = QVBoxLayout(self.info_dialog)
            self.info_panel = ModelInfoPanel(self.window.document)
            layout.addWidget(self.info_panel)
            close = QPushButton("Close")
            close.clicked.connect(self.info_dialog.accept)
            layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
            self.info_dialog.resize(720, 520)
        self.info_dialog.show()
        self.info_dialog.raise_()


def _key(path: str) -> str:
    """The settings key of a model file (what opening.load_model returns for it)."""
    return str(Path(path).resolve())

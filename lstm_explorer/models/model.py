"""A model the app can show: a recurrent network plus what it needs to read input and to answer.

Besides the recurrent layers, a weights file may hold:

* an **embedding** (``*.weight`` of an ``nn.Embedding``: a (V, input_size) matrix with no bias,
  preferably named ``…emb…``): tokens are looked up in it instead of being one-hot;
* a **readout** (an ``nn.Linear`` after the top layer: ``*.weight`` (out, features) with ``*.bias``):
  ``readout(h)`` turns the top layer's output into next-token probabilities (text models) or
  predicted values (numeric models).

A Model also says what was found and what was assumed: :attr:`Model.assumptions`,
:attr:`Model.modules`, :attr:`Model.cell_source`, :attr:`Model.readout_problem`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..engine.cells import cell_graph
from ..engine.network import RecurrentNetwork, infer_kind
from ..engine.trace import Trace
from ..engine.train import softmax
from ..engine.weights import WeightsError, init_weights
from ..sequence import InputError
from .common import Assumption, FileContents, Metadata, ModelFileError, Tensors
from .files import read_file
from .statedict import choose_module, find_extras, find_modules
from .validate import validate_model
from .vocabulary import Vocabulary, VocabularyError

#: What the file cannot say about a PyTorch-shaped RNN: its nonlinearity.
RNN_NONLINEARITY = Assumption(
    "cell",
    "rnn",
    "the file does not record an nn.RNN's nonlinearity (tanh or relu)",
    "give --cell rnn-relu if it was built with nonlinearity='relu'",
    ("rnn-relu",),
)


@dataclass
class Model:
    name: str
    network: RecurrentNetwork
    metadata: Metadata = field(default_factory=dict)
    #: Tensors that are not part of the recurrent layers (embedding, readout …), prefix kept.
    extras: Tensors = field(default_factory=dict)
    #: Names in ``extras`` of the embedding and of the readout's weight and bias (None: absent).
    embedding_key: str | None = None
    readout_keys: tuple[str, str | None] | None = None
    #: What the file could not tell and the model was opened with anyway (shown by the CLI, ``info``).
    assumptions: list[Assumption] = field(default_factory=list)
    #: Every recurrent module the file holds (by name), and the one shown.
    modules: list[str] = field(default_factory=list)
    module: str | None = None
    #: The file's format in words, and how the cell kind was decided.
    source: str = ""
    cell_source: str = ""
    #: Why the file's head is not used as the readout (an MLP a state_dict cannot describe …).
    readout_problem: str | None = None
    notes: list[str] = field(default_factory=list)
    #: The tokens; None: taken from the metadata (``vocabulary`` / ``vocabulary_tokens``).
    vocab: Vocabulary | None = None
    tied_weights: bool = False

    def __post_init__(self) -> None:
        if self.embedding_key is None and self.readout_keys is None:
            found = find_extras(self.extras, self.network)
            self.embedding_key, self.readout_keys = found.embedding, found.readout
            self.readout_problem = self.readout_problem or found.problem
            self.tied_weights = found.tied
        validate_model(self)  # embedding and readout: finite, every dimension ≥ 1
        if self.vocab is None:
            try:
                self.vocab = Vocabulary.from_metadata(self.metadata)
            except VocabularyError as exc:
                raise WeightsError(str(exc)) from None
        self._check_vocabulary()

    def _check_vocabulary(self) -> None:
        vocab = self.vocab
        if vocab is None:
            return
        size = f"{len(vocab)} {'characters' if vocab.is_characters else 'tokens'}"
        if self.embedding is not None and len(vocab) != self.embedding.shape[0]:
            raise WeightsError(f"the vocabulary has {size} but the embedding has {self.embedding.shape[0]} rows")
        if self.embedding is None and len(vocab) != self.input_size:
            raise WeightsError(f"the vocabulary has {size} but the model reads {self.input_size} inputs")

    # --- what the network is --------------------------------------------------------------------

    @property
    def kind(self) -> str:
        return self.network.kind

    @property
    def input_size(self) -> int:
        return self.network.input_size

    @property
    def hidden_size(self) -> int:
        return self.network.hidden_size

    @property
    def description(self) -> str:
        return self.metadata.get("description") or self.describe()

    def describe(self) -> str:
        net = self.network
        extra = f", {net.num_layers} layers" if net.num_layers > 1 else ""
        extra += ", bidirectional" if net.bidirectional else ""
        sizes = "/".join(str(h) for h in net.hidden_sizes)
        return f"{self.name}: {net.graph.title}, input {net.input_size}, hidden {sizes}{extra}"

    # --- input ----------------------------------------------------------------------------------

    @property
    def vocabulary(self) -> Vocabulary | None:
        """The tokens the model reads, index = token id; None for numeric models."""
        return self.vocab

    @property
    def has_vocabulary(self) -> bool:
        return self.vocab is not None

    def with_vocabulary(self, vocabulary: Vocabulary) -> Model:
        """This model reading ``vocabulary`` (checked against its embedding or input size)."""
        metadata = {k: v for k, v in self.metadata.items() if k not in ("vocabulary", "vocabulary_tokens")}
        return replace(self, metadata=metadata | vocabulary.to_metadata(), vocab=vocabulary)

    @property
    def task(self) -> str:
        """``"text"`` for models that read tokens, ``"numeric"`` otherwise."""
        declared = self.metadata.get("task")
        if declared in ("text", "numeric"):
            return declared
        return "text" if self.has_vocabulary or self.embedding is not None else "numeric"

    @property
    def embedding(self) -> np.ndarray | None:
        """(V, input_size), or None when tokens are one-hot."""
        return self.extras[self.embedding_key] if self.embedding_key else None

    @property
    def token_count(self) -> int:
        """How many token ids the model reads: the embedding's rows, else its input size (one-hot)."""
        return int(self.embedding.shape[0]) if self.embedding is not None else self.input_size

    @property
    def featured_units(self) -> list[int]:
        """Units the model's author points at (metadata ``featured_units``), valid ones only."""
        try:
            value = json.loads(self.metadata.get("featured_units", "[]"))
        except ValueError:
            return []
        if not isinstance(value, list):
            return []
        return [int(u) for u in value if isinstance(u, int) and 0 <= u < self.hidden_size]

    @property
    def presets(self) -> list[str]:
        """Example inputs as the editor takes them: text, or numbers such as ``"0.1; 0.2"``."""
        raw = self.metadata.get("presets")
        if not raw:
            return []
        try:
            value = json.loads(raw)
        except ValueError:
            return []
        return [str(v) for v in value] if isinstance(value, list) else []

    def tokens(self, text: str) -> list[int]:
        """Token ids of ``text``; a token outside the vocabulary raises InputError at its place."""
        if self.vocab is None:
            raise InputError(f"{self.name} has no vocabulary: give numbers or token ids, not text")
        return self.vocab.encode(text)

    def encode_tokens(self, ids: list[int] | np.ndarray) -> np.ndarray:
        """(T, input_size): embedding rows, or one-hot rows when the model has no embedding."""
        ids = np.asarray(ids)
        rows = self.token_count
        if (
            ids.ndim != 1
            or not np.issubdtype(ids.dtype, np.integer)
            or (ids.size and (ids.min() < 0 or ids.max() >= rows))
        ):
            raise InputError(f"token ids must be a list of integers in 0..{rows - 1}")
        ids = ids.astype(np.int64)
        if self.embedding is not None:
            return np.array(self.embedding[ids], dtype=np.float64)
        return np.eye(self.input_size)[ids]

    def encode_text(self, text: str) -> np.ndarray:
        """(T, input_size): the text as the first layer reads it."""
        return self.encode_tokens(self.tokens(text))

    # --- running and reading out ----------------------------------------------------------------

    def run(self, X: np.ndarray) -> dict[tuple[int, bool], Trace]:
        """Traces of every layer and direction (layer k reads layer k−1's outputs)."""
        return self.network.run(X)

    def top_outputs(self, traces: dict[tuple[int, bool], Trace]) -> np.ndarray:
        """(T, features): the top layer's output as the readout reads it (directions merged)."""
        return self.network.outputs(traces, self.network.num_layers - 1)

    @property
    def has_readout(self) -> bool:
        return self.readout_keys is not None

    def logits(self, h_top: np.ndarray) -> np.ndarray:
        """(T, out): the readout's linear layer, W·h + b."""
        if self.readout_keys is None:
            raise ValueError(f"{self.name} has no readout layer")
        weight_key, bias_key = self.readout_keys
        out = np.asarray(h_top, dtype=np.float64) @ self.extras[weight_key].T
        if bias_key is not None:
            out = out + self.extras[bias_key]
        return out

    def readout(self, h_top: np.ndarray) -> np.ndarray:
        """(T, out): softmax probabilities for text models, predicted values for numeric ones."""
        logits = self.logits(h_top)
        return softmax(logits) if self.task == "text" else logits

    @property
    def output_size(self) -> int | None:
        return None if self.readout_keys is None else int(self.extras[self.readout_keys[0]].shape[0])

    @property
    def output_labels(self) -> list[str] | None:
        """What each readout output means: the vocabulary's tokens for text models."""
        vocab = self.vocab
        if vocab is None or self.output_size != len(vocab):
            return None
        return list(vocab)


def _network_layout(metadata: Metadata) -> tuple[list[str] | None, list[bool] | None]:
    """Per-layer merge modes and go_backwards flags recorded in the metadata (JSON lists)."""

    def listed(key: str) -> list | None:
        if key not in metadata:
            return None
        try:
            value = json.loads(metadata[key])
        except ValueError:
            raise WeightsError(f"metadata {key} is not JSON") from None
        if not isinstance(value, list):
            raise WeightsError(f"metadata {key} is not a list")
        return value

    modes = listed("merge_modes")
    backwards = listed("go_backwards")
    return modes, None if backwards is None else [bool(b) for b in backwards]


def model_from_contents(
    name: str,
    contents: FileContents,
    *,
    cell: str | None = None,
    module: str | None = None,
    path: str | Path | None = None,
) -> Model:
    """A Model from what a reader found; ``cell`` overrides the kind, ``module`` picks a module."""
    metadata = dict(contents.metadata)
    modules, used = find_modules(contents.tensors)
    if not modules:
        raise WeightsError("no recurrent layer found: no tensors named like weight_ih_l0 or a cell's weight_ih")
    chosen = choose_module(path or name, modules, module)
    metadata.update(contents.module_metadata.get(chosen.name, {}))
    rest = {n: v for n, v in contents.tensors.items() if n not in used}
    assumptions = list(contents.assumptions)
    if cell:
        kind, cell_source = cell, "--cell"
        assumptions = [a for a in assumptions if a.setting != "cell"]
    elif metadata.get("cell"):
        kind = metadata["cell"]
        cell_source = contents.cell_source or "the file's metadata (cell)"
    else:
        kind = infer_kind(chosen.tensors)
        shape = np.shape(chosen.tensors["weight_hh_l0"])
        cell_source = f"tensor shapes: weight_hh {shape[0]}×{shape[1]} → PyTorch {_TORCH_CLASS[kind]}"
        if chosen.is_cell:
            cell_source += "Cell"
        if kind == "rnn":
            assumptions.append(RNN_NONLINEARITY)
    modes, backwards = _network_layout(metadata)
    network = RecurrentNetwork.from_tensors(chosen.tensors, kind, merge_modes=modes, backwards=backwards)
    notes = list(contents.notes)
    if chosen.is_cell:
        notes.append(f"{chosen.label}: a single cell (weight_ih, weight_hh …), read as one layer")
    return Model(
        name,
        network,
        metadata,
        rest,
        assumptions=assumptions,
        modules=[m.label for m in modules],
        module=chosen.label,
        source=contents.source,
        cell_source=cell_source,
        readout_problem=contents.readout_problem,
        notes=notes,
    )


_TORCH_CLASS = {"lstm": "nn.LSTM", "gru": "nn.GRU", "rnn": "nn.RNN", "peephole": "peephole LSTM"}


def model_from_tensors(
    name: str, tensors: Tensors, metadata: Metadata | None = None, *, cell: str | None = None
) -> Model:
    return model_from_contents(name, FileContents(dict(tensors), dict(metadata or {})), cell=cell)


def random_model(
    kind: str,
    *,
    input_size: int = 8,
    hidden_size: int = 16,
    num_layers: int = 1,
    bidirectional: bool = False,
    seed: int = 0,
) -> Model:
    if input_size < 1 or hidden_size < 1 or num_layers < 1:
        raise ValueError("input size, hidden size and layer count must be at least 1")
    graph = cell_graph(kind)
    tensors = init_weights(
        graph, input_size, hidden_size, num_layers=num_layers, bidirectional=bidirectional, seed=seed
    )
    network = RecurrentNetwork.from_tensors(tensors, kind)
    return Model(
        f"{kind} (random, seed {seed})",
        network,
        {"cell": kind, "description": "random weights"},
        source="random weights",
        cell_source="the kind asked for",
    )


def load_model_file(
    path: str | Path,
    cell: str | None = None,
    *,
    vocabulary: str | Vocabulary | None = None,
    module: str | None = None,
) -> Model:
    """Any supported weights file (.safetensors, .npz, .pt/.pth/.ckpt/.bin, .keras, .weights.h5, .onnx).

    ``vocabulary`` gives the tokens when the file does not carry them (a string: its characters);
    ``module`` picks one of several recurrent modules. Raises ModelFileError naming the file and the problem.
    """
    path = Path(path)
    contents = read_file(path)
    try:
        model = model_from_contents(path.name, contents, cell=cell, module=module, path=path)
        if vocabulary is not None:
            vocab = vocabulary if isinstance(vocabulary, Vocabulary) else Vocabulary(list(vocabulary))
            model = model.with_vocabulary(vocab)
    except ModelFileError:
        raise
    except (WeightsError, VocabularyError, ValueError) as exc:
        raise ModelFileError(path, str(exc)) from None
    return model


def recurrent_modules(path: str | Path) -> list[str]:
    """The recurrent modules a file holds, by name (what ``--module`` and a chooser offer)."""
    modules, _ = find_modules(read_file(path).tensors)
    return [m.label for m in modules]


def encode_numeric(model: Model, X: np.ndarray) -> np.ndarray:
    """Numeric input as the first layer reads it (checked against the model's input size)."""
    if X.shape[1] != model.input_size:
        raise ValueError(f"input has {X.shape[1]} values per step, but the model expects {model.input_size}")
    return X

"""A model the app can show: a recurrent network plus what it needs to read input and to answer.

Besides the recurrent layers, a weights file may hold:

* an **embedding** (``*.weight`` of an ``nn.Embedding``: a (V, input_size) matrix with no bias,
  preferably named ``…emb…``): text is looked up in it instead of being one-hot;
* a **readout** (an ``nn.Linear`` after the top layer: ``*.weight`` (out, H·D) with ``*.bias``):
  ``readout(h)`` turns the top layer's hidden states into next-token probabilities (text models)
  or predicted values (numeric models).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..engine.cells import CELL_KINDS, cell_graph
from ..engine.network import RecurrentNetwork
from ..engine.trace import Trace
from ..engine.train import softmax
from ..engine.weights import WeightsError, init_weights
from ..sequence import MAX_STEPS, InputError
from .files import Metadata, ModelFileError, Tensors, read_weights

_RECURRENT_KEY = re.compile(r"^(?P<prefix>(?:[\w]+\.)*)(?P<name>(?:weight|bias)_[a-z]+_l\d+(?:_reverse)?)$")
#: Names that mark a readout, best first, when more than one Linear fits.
_READOUT_HINTS = ("fc", "readout", "head", "decoder", "out", "linear", "classifier", "proj", "dense")


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

    def __post_init__(self) -> None:
        if self.embedding_key is None and self.readout_keys is None:
            self.embedding_key, self.readout_keys = find_extras(self.extras, self.network)
        vocab = self.vocabulary
        if vocab is not None:
            if len(set(vocab)) != len(vocab):
                raise WeightsError("the vocabulary repeats a character")
            if self.embedding is not None and len(vocab) != self.embedding.shape[0]:
                raise WeightsError(
                    f"the vocabulary has {len(vocab)} characters but the embedding has {self.embedding.shape[0]} rows"
                )
            if self.embedding is None and len(vocab) != self.input_size:
                raise WeightsError(
                    f"the vocabulary has {len(vocab)} characters but the model reads {self.input_size} inputs"
                )

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
        return f"{self.name}: {net.graph.title}, input {net.input_size}, hidden {net.hidden_size}{extra}"

    # --- input ----------------------------------------------------------------------------------

    @property
    def vocabulary(self) -> str | None:
        """The characters the model reads, index = token id; None for numeric models."""
        return self.metadata.get("vocabulary") or None

    @property
    def has_vocabulary(self) -> bool:
        return self.vocabulary is not None

    @property
    def task(self) -> str:
        """``"text"`` for models that read tokens (characters), ``"numeric"`` otherwise."""
        declared = self.metadata.get("task")
        if declared in ("text", "numeric"):
            return declared
        return "text" if self.has_vocabulary or self.embedding is not None else "numeric"

    @property
    def embedding(self) -> np.ndarray | None:
        """(V, input_size), or None when tokens are one-hot."""
        return self.extras[self.embedding_key] if self.embedding_key else None

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
        """Token ids of ``text``; a character outside the vocabulary raises InputError at its offset."""
        vocab = self.vocabulary
        if vocab is None:
            raise InputError(f"{self.name} has no vocabulary: give numbers, not text")
        if not text:
            raise InputError("the sequence is empty")
        if len(text) > MAX_STEPS:
            raise InputError(f"{len(text)} characters, more than {MAX_STEPS}; split the sequence")
        index = {ch: k for k, ch in enumerate(vocab)}
        ids = []
        for offset, ch in enumerate(text):
            if ch not in index:
                shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in vocab)
                raise InputError(
                    f"character {ch!r} at position {offset + 1} is not in the vocabulary {shown!r}",
                    offset=offset,
                )
            ids.append(index[ch])
        return ids

    def encode_tokens(self, ids: list[int] | np.ndarray) -> np.ndarray:
        """(T, input_size): embedding rows, or one-hot rows when the model has no embedding."""
        ids = np.asarray(ids, dtype=np.int64)
        rows = self.embedding.shape[0] if self.embedding is not None else self.input_size
        if ids.ndim != 1 or (ids.size and (ids.min() < 0 or ids.max() >= rows)):
            raise InputError(f"token ids must be a list of integers in 0..{rows - 1}")
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
        """(T, H·D): the top layer's hidden states in time order, directions concatenated."""
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
        """What each readout output means: the vocabulary's characters for text models."""
        vocab = self.vocabulary
        if vocab is None or self.output_size != len(vocab):
            return None
        return list(vocab)


def find_extras(extras: Tensors, network: RecurrentNetwork) -> tuple[str | None, tuple[str, str | None] | None]:
    """Find the embedding and the readout among the non-recurrent tensors, by shape and name."""
    features = network.hidden_size * len(network.directions)
    matrices = [n for n, v in extras.items() if n.endswith("weight") and np.ndim(v) == 2]

    def bias_of(name: str) -> str | None:
        bias = name[: -len("weight")] + "bias"
        if bias in extras and np.shape(extras[bias]) == (np.shape(extras[name])[0],):
            return bias
        return None

    embedding = None
    embeds = [n for n in matrices if np.shape(extras[n])[1] == network.input_size and bias_of(n) is None]
    named = [n for n in embeds if "emb" in n.lower()]
    if named:
        embedding = named[0]
    elif len(embeds) == 1 and np.shape(extras[embeds[0]])[1] != features:
        embedding = embeds[0]
    linears = [n for n in matrices if n != embedding and np.shape(extras[n])[1] == features]
    with_bias = [n for n in linears if bias_of(n) is not None] or linears
    readout = None
    if with_bias:

        def rank(name: str) -> int:
            head = name.lower().split(".")[0]
            return next((k for k, hint in enumerate(_READOUT_HINTS) if hint in head), len(_READOUT_HINTS))

        best = min(with_bias, key=rank)
        readout = (best, bias_of(best))
    return embedding, readout


def split_recurrent(tensors: Tensors) -> tuple[Tensors, Tensors]:
    """Separate the recurrent layer's tensors (module prefix such as ``lstm.`` removed) from the rest."""
    recurrent: Tensors = {}
    prefixes: set[str] = set()
    for name in tensors:
        match = _RECURRENT_KEY.match(name)
        if match:
            prefixes.add(match["prefix"])
    if len(prefixes) > 1:
        # Several recurrent modules (an encoder and a decoder…): use the first in the file.
        first = next(m["prefix"] for n in tensors if (m := _RECURRENT_KEY.match(n)))
        prefixes = {first}
    prefix = prefixes.pop() if prefixes else ""
    rest: Tensors = {}
    for name, value in tensors.items():
        match = _RECURRENT_KEY.match(name)
        if match and match["prefix"] == prefix:
            recurrent[match["name"]] = value
        else:
            rest[name] = value
    return recurrent, rest


def model_from_tensors(
    name: str, tensors: Tensors, metadata: Metadata | None = None, *, cell: str | None = None
) -> Model:
    metadata = dict(metadata or {})
    recurrent, rest = split_recurrent(tensors)
    kind = cell or metadata.get("cell") or None
    network = RecurrentNetwork.from_tensors(recurrent, kind)
    return Model(name, network, metadata, rest)


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
    return Model(f"{kind} (random, seed {seed})", network, {"cell": kind, "description": "random weights"})


def load_model_file(path: str | Path, cell: str | None = None, *, vocabulary: str | None = None) -> Model:
    """Any supported weights file (.safetensors, .npz, .pt/.pth, .keras, .weights.h5) as a Model.

    ``vocabulary`` gives a text model's characters when the file does not carry them.
    Raises ModelFileError naming the file and the problem.
    """
    path = Path(path)
    tensors, metadata = read_weights(path)
    if vocabulary is not None:
        metadata = {**metadata, "vocabulary": vocabulary}
    try:
        return model_from_tensors(path.name, tensors, metadata, cell=cell)
    except (WeightsError, ValueError) as exc:
        raise ModelFileError(path, str(exc)) from None


def is_variant_name(spec: str) -> bool:
    return spec in CELL_KINDS


def resolve_model(
    spec: str,
    *,
    cell: str | None = None,
    input_size: int = 8,
    hidden_size: int = 16,
    num_layers: int = 1,
    bidirectional: bool = False,
    seed: int = 0,
) -> Model:
    """A MODEL argument: a cell variant name (random weights), a bundled model's name, or a weights file."""
    from .bundled import bundled_names, load_bundled

    if is_variant_name(spec):
        return random_model(
            cell or spec,
            input_size=input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            seed=seed,
        )
    path = Path(spec)
    if spec in bundled_names() and not path.exists():
        return load_bundled(spec)
    if not path.exists() and not path.suffix:
        raise ValueError(
            f"unknown model {spec!r}: not a cell kind ({', '.join(CELL_KINDS)}), "
            f"not a bundled model ({', '.join(bundled_names())}) and no such file"
        )
    return load_model_file(path, cell=cell)


def encode_numeric(model: Model, X: np.ndarray) -> np.ndarray:
    """Numeric input as the first layer reads it (checked against the model's input size)."""
    if X.shape[1] != model.input_size:
        raise ValueError(f"input has {X.shape[1]} values per step, but the model expects {model.input_size}")
    return X

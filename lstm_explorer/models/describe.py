"""What was found in a model, in words: what ``lstm-explorer info`` prints and a window panel can show.

Qt-free: :func:`describe_model` returns (label, text) rows; several rows may share a label.
"""

from __future__ import annotations

from .model import Model

#: How many tokens of a vocabulary are shown before "…".
_SHOWN_TOKENS = 12


def _shape(model: Model, key: str) -> str:
    return "×".join(str(n) for n in model.extras[key].shape)


def _layers(model: Model) -> list[tuple[str, str]]:
    net = model.network
    rows = []
    for k in range(net.num_layers):
        weights = net.layer(k)
        text = f"input {weights.input_size} → hidden {weights.hidden_size}"
        if net.bidirectional:
            text += f", both directions (merged by {net.merge_modes[k]}) → {net.output_size(k)} out"
        elif net.backwards[k]:
            text += ", reads the sequence backwards (go_backwards) and hands on its outputs in that order"
        rows.append((f"layer {k}", text))
    return rows


def _vocabulary(model: Model) -> str:
    vocab = model.vocabulary
    if vocab is None:
        if model.embedding is not None:
            return f"none: the embedding reads ids 0..{model.token_count - 1}; give --vocab FILE to type text"
        return "none: the model reads numbers"
    shown = [repr(t)[1:-1] if vocab.is_characters else t for t in list(vocab)[:_SHOWN_TOKENS]]
    more = " …" if len(vocab) > _SHOWN_TOKENS else ""
    where = f" from {vocab.source}" if vocab.source else ""
    tokenizer = "characters" if vocab.is_characters else "words split on whitespace"
    unknown = "" if vocab.is_characters else (", unknown words → <unk>" if vocab.unknown_id is not None else "")
    return f"{len(vocab)} tokens{where} ({tokenizer}{unknown}): {' '.join(shown)}{more}"


def _readout(model: Model) -> str:
    if model.readout_keys is not None:
        weight, bias = model.readout_keys
        text = f"{weight} ({_shape(model, weight)})" + (f" + {bias}" if bias else ", no bias")
        text += "; tied to the embedding" if model.tied_weights else ""
        return text + (": softmax over the vocabulary" if model.task == "text" else ": predicted values")
    if model.readout_problem:
        return model.readout_problem
    return "none found"


def describe_model(model: Model) -> list[tuple[str, str]]:
    """Rows of (label, text): format, module, cell and how it was decided, layers, embedding,
    readout, vocabulary, every assumption and note."""
    net = model.network
    rows: list[tuple[str, str]] = [("model", model.name)]
    if model.source:
        rows.append(("format", model.source))
    if len(model.modules) > 1:
        others = ", ".join(m for m in model.modules if m != model.module)
        rows.append(("module", f"{model.module} (also in the file: {others}; choose with --module NAME)"))
    elif model.module:
        rows.append(("module", model.module))
    cell = f"{net.kind} — {net.graph.title}"
    rows.append(("cell", cell + (f", from {model.cell_source}" if model.cell_source else "")))
    directions = "bidirectional" if net.bidirectional else "one direction"
    sizes = ", ".join(str(h) for h in net.hidden_sizes)
    rows.append(("layers", f"{net.num_layers} ({directions}); hidden sizes {sizes}; input {net.input_size}"))
    rows += _layers(model)
    if model.embedding_key is not None:
        rows.append(("embedding", f"{model.embedding_key} ({_shape(model, model.embedding_key)})"))
    else:
        rows.append(("embedding", "none" + (": tokens are one-hot" if model.has_vocabulary else "")))
    rows.append(("readout", _readout(model)))
    rows.append(("vocabulary", _vocabulary(model)))
    rows.append(("task", model.task))
    for assumption in model.assumptions:
        rows.append(("assumed", assumption.message().removeprefix("assumed ")))
    if not model.assumptions:
        rows.append(("assumed", "nothing"))
    for note in model.notes:
        rows.append(("note", note))
    return rows

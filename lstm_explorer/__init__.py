"""LSTM Explorer: watch a recurrent network think, gate by gate."""

__version__ = "0.1.0"

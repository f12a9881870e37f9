"""tfsess-inspect: a terminal inspector for TensorFlow sessions."""

__version__ = "0.1.0"

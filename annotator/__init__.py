"""annotator: a keyboard-first terminal tool for building media-bias and stance datasets."""

__version__ = "0.1.0"

"""The lead's review: a queue of disagreements to settle, opened by `annotator review`."""

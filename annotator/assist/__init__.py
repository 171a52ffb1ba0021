"""Assistance that learns from the project's own labels, offline: a small model per task
(character n-gram TF-IDF and a linear classifier, so Chinese needs no tokenizer), trained by
`annotator model train`, kept in the store, and asked for a guess per unit.

scikit-learn comes with the optional extra ``annotator[assist]`` and is imported only when a
model is trained or loaded, so the rest of the tool never needs it. Nothing is downloaded.
"""

"""One task's model: character n-gram TF-IDF and a linear classifier.

Character n-grams within words (`char_wb`, 2 to 4 characters) need no tokenizer, so Chinese
and English are treated alike. scikit-learn fits the model; a guess is then one sparse
vector times the stored weights (numpy), well under a millisecond. The weights travel as
plain arrays (``to_bytes``: numpy's npz without pickle), so loading a model never runs code
from the store and a model outlives a scikit-learn upgrade.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.assist.kinds import Shape
from annotator.errors import UserError

NGRAMS = (2, 4)
MAX_FEATURES = 100_000  # keeps a model at a few MB however large the project grows
ALPHA = 1e-4  # regularisation
FORMAT = 1  # the layout of `to_bytes`; a model of another layout is retrained, not read


class AssistUnavailable(UserError):
    """scikit-learn is not installed."""


def _sklearn_text() -> Any:
    try:
        from sklearn.feature_extraction import text
    except ImportError:
        raise AssistUnavailable(
            "assistance needs scikit-learn: pip install 'annotator[assist]'"
        ) from None
    return text


def _vectorizer(vocabulary: dict[str, int] | None = None) -> Any:
    text = _sklearn_text()
    return text.TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=NGRAMS,
        lowercase=True,
        sublinear_tf=True,
        max_features=MAX_FEATURES,
        vocabulary=vocabulary,
        dtype=_np().float32,
    )


def _np() -> Any:
    import numpy as np

    return np


@dataclass
class TaskModel:
    """`classes` are the values it can guess (shape ``classes``) or the labels it decides one
    by one (``labels``); `shares` how often each was the answer in training."""

    shape: Shape
    classes: tuple[str, ...]
    shares: Any  # np.ndarray float64, one per class
    vectorizer: Any
    coef: Any  # np.ndarray float32 (outputs x features)
    intercept: Any  # np.ndarray float64 (outputs)
    _fast: Any = field(default=None, repr=False)  # see `_one`

    # --- training ------------------------------------------------------------------
    @classmethod
    def fit(cls, shape: Shape, texts: Sequence[str], targets: Sequence[Any], *, labels=()):
        """Learn from `texts` and their gold values (a value, or a list of labels for the
        ``labels`` shape, whose possible `labels` the schema gives)."""
        np = _np()
        vectorizer = _vectorizer()
        x = vectorizer.fit_transform(texts)
        if shape == "classes":
            classes = tuple(sorted({str(t) for t in targets}))
            y = np.array([classes.index(str(t)) for t in targets])
            shares = np.bincount(y, minlength=len(classes)) / len(y)
            if len(classes) < 2:
                raise ValueError("needs two different values to learn from")
            clf = _classifier().fit(x, y)
            coef, intercept = clf.coef_, clf.intercept_
        else:
            classes = tuple(labels)
            chosen = np.array([[c in set(t or ()) for c in classes] for t in targets], dtype=bool)
            shares = chosen.mean(axis=0)
            coef = np.zeros((len(classes), x.shape[1]))
            intercept = np.zeros(len(classes))
            for j in range(len(classes)):
                if 0 < chosen[:, j].sum() < len(targets):
                    clf = _classifier().fit(x, chosen[:, j])
                    coef[j], intercept[j] = clf.coef_[0], clf.intercept_[0]
                else:  # always or never chosen: the share is all there is to say
                    p = min(max(shares[j], 1e-3), 1 - 1e-3)
                    intercept[j] = np.log(p / (1 - p))
        return cls(
            shape,
            classes,
            np.asarray(shares, dtype=np.float64),
            vectorizer,
            np.asarray(coef, dtype=np.float32),
            np.asarray(intercept, dtype=np.float64),
        )

    # --- guessing ------------------------------------------------------------------
    def probabilities(self, texts: Sequence[str]) -> Any:
        """Per text: each class's probability (``classes``), or each label's chance of being
        chosen (``labels``)."""
        np = _np()
        z = np.asarray(self.vectorizer.transform(texts) @ self.coef.T, dtype=np.float64)
        return self._link(z + self.intercept)

    def _link(self, z: Any) -> Any:
        np = _np()
        p = 1.0 / (1.0 + np.exp(-z))
        if self.shape == "labels":
            return p
        if p.shape[1] == 1:  # two classes: one output, for the second
            return np.hstack([1.0 - p, p])
        # One-vs-rest outputs, normalised (as scikit-learn's own predict_proba does).
        total = p.sum(axis=1, keepdims=True)
        return np.divide(p, total, out=np.full_like(p, 1.0 / p.shape[1]), where=total > 0)

    def _one(self, unit_text: str) -> Any:
        """`probabilities` of one text without scikit-learn's per-call checks and sparse
        matrices (a tenth of the time): the same n-grams, tf-idf and norm, in numpy."""
        np = _np()
        if self._fast is None:
            v = self.vectorizer
            self._fast = (v.build_analyzer(), v.vocabulary_, np.asarray(v.idf_, np.float64))
        analyze, vocab, idf = self._fast
        counts: dict[int, int] = {}
        for gram in analyze(unit_text):
            i = vocab.get(gram)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        z = self.intercept.copy()
        if counts:
            idx = np.fromiter(counts.keys(), np.int64, len(counts))
            w = (1.0 + np.log(np.fromiter(counts.values(), np.float64, len(counts)))) * idf[idx]
            z += self.coef[:, idx] @ (w / np.sqrt(w @ w))
        return self._link(z[None, :])

    def guesses(self, probs: Any) -> list[tuple[Any, float]]:
        """(value, confidence) per row of `probabilities`. A label set's confidence is that
        of its least certain label."""
        np = _np()
        if self.shape == "classes":
            best = probs.argmax(axis=1)
            return [(self.classes[int(b)], float(p[b])) for b, p in zip(best, probs, strict=True)]
        sure = np.maximum(probs, 1.0 - probs).min(axis=1) if probs.shape[1] else np.ones(len(probs))
        return [
            ([c for c, q in zip(self.classes, p, strict=True) if q >= 0.5], float(s))
            for p, s in zip(probs, sure, strict=True)
        ]

    def suggest(self, unit_text: str) -> tuple[Any, float]:
        """The model's guess for one unit and how sure it is (0-1)."""
        return self.guesses(self._one(unit_text))[0]

    def scores(self, probs: Any) -> tuple[Any, Any]:
        """Per row: confidence (as in `guesses`) and minority, the likelihood of the rare
        answers (each answer weighted by the rarest one's share over its own, so 1 means
        "surely the rarest")."""
        np = _np()
        shares = np.clip(self.shares, 1e-6, None)
        weight = shares.min() / shares if len(shares) else shares
        if self.shape == "classes":
            confidence = probs.max(axis=1)
            minority = probs @ weight
        else:
            confidence = np.maximum(probs, 1.0 - probs).min(axis=1)
            minority = (probs * weight).max(axis=1) if len(shares) else np.zeros(len(probs))
        return confidence, minority

    # --- storage -------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        np = _np()
        vocab = self.vectorizer.vocabulary_
        terms = np.empty(len(vocab), dtype=object)
        for term, i in vocab.items():
            terms[i] = term
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            format=np.array([FORMAT]),
            shape=np.array([self.shape]),
            classes=np.array(self.classes, dtype=str),
            shares=self.shares,
            terms=terms.astype(str),
            idf=np.asarray(self.vectorizer.idf_, dtype=np.float64),
            coef=self.coef,
            intercept=self.intercept,
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TaskModel:
        """A stored model (ValueError: not one this version can read: train again)."""
        np = _np()
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                if int(z["format"][0]) != FORMAT:
                    raise ValueError(f"model layout {int(z['format'][0])}, expected {FORMAT}")
                terms = [str(t) for t in z["terms"]]
                vectorizer = _vectorizer({t: i for i, t in enumerate(terms)})
                vectorizer.idf_ = z["idf"]
                return cls(
                    str(z["shape"][0]),  # type: ignore[arg-type]
                    tuple(str(c) for c in z["classes"]),
                    z["shares"],
                    vectorizer,
                    z["coef"],
                    z["intercept"],
                )
        except (OSError, KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"unreadable model ({exc}): run `annotator model train`") from None


def _classifier() -> Any:
    try:
        from sklearn.linear_model import SGDClassifier
    except ImportError:
        _sklearn_text()  # the one message
        raise
    # Logistic loss by stochastic gradient descent: a twentieth of the time of the exact
    # solvers on char n-grams, at the same F1 on BABE (see benchmarks/bench_assist.py).
    # Balanced class weights: biased sentences are the rarer class in most corpora, and a
    # model that never guesses them would look accurate and help nobody.
    return SGDClassifier(loss="log_loss", alpha=ALPHA, class_weight="balanced", random_state=0)

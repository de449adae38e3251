"""The digits task shared by the Flower example, the tests and the benchmark.

Softmax regression (64 x 10 weights + 10 biases) on the 8x8 digits of
``crates/gradseal-cli/data/digits.csv.gz`` (1797 samples), trained with NumPy only, split
non-IID: the training set is sorted by label and cut into ``2 * clients`` shards, and each
client gets two shards (mostly two digits).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "crates" / "gradseal-cli" / "data" / "digits.csv.gz"
CLASSES, FEATURES = 10, 64


def load(path: Path = DATA) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_test, y_test): a fixed 80/20 split, pixels scaled to [0, 1]."""
    with gzip.open(path, "rt") as f:
        rows = np.loadtxt(f, delimiter=",", dtype=np.float64)
    x, y = rows[:, :FEATURES] / 16.0, rows[:, FEATURES].astype(np.int64)
    order = np.random.default_rng(0).permutation(len(y))
    x, y = x[order], y[order]
    cut = int(0.8 * len(y))
    return x[:cut], y[:cut], x[cut:], y[cut:]


def partition(y: np.ndarray, clients: int, seed: int = 1) -> list[np.ndarray]:
    """Non-IID index sets: sorted by label, 2 * clients shards, two shards per client."""
    order = np.argsort(y, kind="stable")
    shards = np.array_split(order, 2 * clients)
    perm = np.random.default_rng(seed).permutation(2 * clients)
    return [np.concatenate([shards[perm[2 * i]], shards[perm[2 * i + 1]]]) for i in range(clients)]


def init_params() -> list[np.ndarray]:
    """Zero weights and biases."""
    return [np.zeros((FEATURES, CLASSES), np.float32), np.zeros(CLASSES, np.float32)]


def train(params: list[np.ndarray], x: np.ndarray, y: np.ndarray, epochs: int = 5,
          lr: float = 0.5, batch: int = 32, seed: int = 0) -> list[np.ndarray]:
    """Mini-batch SGD on the cross-entropy; returns the new parameters (float32)."""
    w, b = params[0].astype(np.float64), params[1].astype(np.float64)
    rng = np.random.default_rng(seed)
    onehot = np.eye(CLASSES)[y]
    for _ in range(epochs):
        idx = rng.permutation(len(y))
        for s in range(0, len(y), batch):
            j = idx[s : s + batch]
            z = x[j] @ w + b
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            g = (p - onehot[j]) / len(j)
            w -= lr * x[j].T @ g
            b -= lr * g.sum(axis=0)
    return [w.astype(np.float32), b.astype(np.float32)]


def accuracy(params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    """Share of correctly classified samples."""
    return float(np.mean(np.argmax(x @ params[0] + params[1], axis=1) == y))

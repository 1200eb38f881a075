# SPDX-License-Identifier: Apache-2.0
"""Small helpers shared by the benchmark reports (report.py,
early_hints_report.py): medians that skip missing values, numbers read
from the raw TSV files, where a missing figure is an empty field, and the
--labels option ("name=label;name=label;")."""
import math
import statistics


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def parse_labels(text):
    return dict(x.split("=", 1) for x in text.split(";") if "=" in x)


def median_ci(values, level=0.95):
    """The median's distribution-free interval: the order statistics
    (k-th smallest, k-th largest) between which the true median lies with
    at least LEVEL probability, whatever the distribution (binomial tails
    of 1/2). None when there are too few values for that level (5 for
    95%)."""
    xs = sorted(v for v in values if v is not None)
    n = len(xs)
    k = 0  # the largest k with P(Binomial(n, 1/2) < k) <= (1 - level) / 2
    tail = 0.0
    while k < n:
        p = math.comb(n, k) / 2 ** n
        if tail + p > (1 - level) / 2:
            break
        tail += p
        k += 1
    if k == 0:
        return None
    return xs[k - 1], xs[n - k]

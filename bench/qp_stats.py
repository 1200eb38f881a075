# SPDX-License-Identifier: Apache-2.0
"""Small helpers shared by the benchmark reports (report.py,
early_hints_report.py): medians that skip missing values, numbers read
from the raw TSV files, where a missing figure is an empty field, and the
--labels option ("name=label;name=label;")."""
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

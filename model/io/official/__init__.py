"""Official data import: a template to fill in, reading an upload, validating it, merging it.

A planner replaces the estimated 2024 figures of the baseline with the district's real ones:

1. ``template_csv`` / ``template_xlsx`` (or ``template_frame``): one row per sector, plus the two
   estimated parts of the stainless cluster, with the current values filled in as examples.
2. ``read_upload(raw, filename)``: CSV (UTF-8, UTF-8 with BOM or GBK) or XLSX (first sheet) into a
   frame of raw cells whose index is the row number a spreadsheet shows (header = row 1).
3. ``validate(base, frame)``: every problem of the file at once (row, column, value, rule; in
   English and Chinese) as one ``OfficialDataError`` (a ``DataError``), or an ``OfficialData``.
4. ``apply_official(base, data)``: a new ``Baseline`` in which the supplied figures are ``official``
   and the model's consistency rules still hold (cluster processing = the cluster sector's output,
   output-weighted trend = published growth via the derived residual sector, trends above
   −depreciation, today's chain-extension share below the lever's maximum).

Empty cells keep the current value; so does, by default, a value equal to the current one (the
template's examples left in place are not official figures). Nothing here touches the file system
or the original baseline.

The package: ``common`` (fields, headers, ranges, names, ``OfficialData``), ``problems`` (the error),
``upload`` (reading CSV/XLSX; also the monitor's reader), ``templates`` (and the status of figures),
``validation`` and ``merge`` (``apply_official``, ``merge_uploads``, ``import_official``).
"""

from __future__ import annotations

from .common import FIELDS, HEADERS, MAX_LISTED, OfficialData, implausible
from ...core.baseline import Baseline
from .merge import apply_official, merge_uploads
from .problems import OfficialDataError, Problem
from .templates import (importable_figures, official_figures, status_counts, status_frame, template_csv,
                        template_frame, template_xlsx)
from .upload import MAX_UPLOAD_BYTES, read_upload
from .validation import validate

__all__ = [
    "MAX_UPLOAD_BYTES", "MAX_LISTED", "FIELDS", "HEADERS", "Problem", "OfficialDataError", "OfficialData",
    "template_frame", "template_csv", "template_xlsx", "read_upload", "validate", "apply_official",
    "import_official", "add_upload", "merge_uploads", "implausible", "importable_figures", "official_figures", "status_frame",
    "status_counts",
]


def import_official(base: Baseline, raw: bytes, filename: str = "", *,
                    keep_unchanged: bool = True) -> tuple[OfficialData, Baseline]:
    """``read_upload`` → ``validate`` → ``apply_official`` in one call."""
    data = validate(base, read_upload(raw, filename), keep_unchanged=keep_unchanged)
    return data, apply_official(base, data)


def add_upload(base: Baseline, raw: bytes, filename: str, earlier_json: str = "") -> tuple[OfficialData, OfficialData]:
    """A session's next upload: the file's figures and their combination with the figures uploaded
    before (``earlier_json``, ``OfficialData.to_json``; empty: none), both checked against ``base``."""
    data, _ = import_official(base, raw, filename)
    earlier = OfficialData.from_json(earlier_json) if earlier_json else None
    return data, merge_uploads(base, earlier, data)

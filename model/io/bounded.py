"""Bounded reading of untrusted JSON (uploaded scenario files, URL parameters) and compact URL values.

Every check here runs on the raw input before anything is built from it, so that the cost of a
crafted input is bounded by its size: the byte count first, then the nesting depth (found by a scan
of the text, not by recursion), then ``json.loads`` of at most ``MAX_JSON_BYTES``.

URL values that would be long are compressed: ``pack`` writes ``z:`` + URL-safe base64 of the
zlib-compressed UTF-8 text (JSON never starts with ``z``), ``unpack`` reverses it with a cap on the
decompressed size (a small value cannot unpack into a zip bomb).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from typing import Any

from ..errors import ScenarioError

#: Largest scenario document read, bytes. Sixty projects with 80-character names and 500-character
#: notes and both 4000-character descriptions take about 60 kB.
MAX_JSON_BYTES = 256 * 1024
#: Deepest nesting of arrays and objects accepted. A scenario document needs 4 levels.
MAX_DEPTH = 16
#: Values longer than this (UTF-8 bytes) are compressed in URLs.
PACK_ABOVE = 600
#: Prefix of a compressed URL value.
PACKED = "z:"

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


def too_large(n_bytes: int, limit: int, what_en: str, what_zh: str) -> ScenarioError:
    """The error for an input of ``n_bytes`` above ``limit``."""
    return ScenarioError(f"{what_en} is {n_bytes / 1024:,.0f} kB; at most {limit / 1024:,.0f} kB is accepted",
                         f"{what_zh}大小为 {n_bytes / 1024:,.0f} kB，超过上限 {limit / 1024:,.0f} kB")


def depth(text: str) -> int:
    """Deepest nesting of ``[`` / ``{`` in JSON text (brackets inside strings do not count)."""
    level = deepest = 0
    for m in _BRACKET.finditer(_STRING.sub('""', text)):
        if m.group() in "[{":
            level += 1
            deepest = max(deepest, level)
        else:
            level -= 1
    return deepest


def load_json(raw: bytes | str, what_en: str = "the document", what_zh: str = "文档", *,
              max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Parse untrusted JSON within the size and depth limits.

    Raises
    ------
    ScenarioError
        Too large, nested too deeply, not UTF-8 or not JSON; the message names ``what`` in both languages.
    """
    size = len(raw.encode("utf-8") if isinstance(raw, str) else raw)
    if size > max_bytes:
        raise too_large(size, max_bytes, what_en, what_zh)
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ScenarioError(f"{what_en} is not UTF-8 text", f"{what_zh}不是 UTF-8 编码的文本") from None
    if depth(raw) > max_depth:
        raise ScenarioError(f"{what_en} is nested more than {max_depth} levels deep",
                            f"{what_zh}嵌套超过 {max_depth} 层")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{what_en}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                            f"{what_zh}：JSON 格式错误(第 {exc.lineno} 行第 {exc.colno} 列)：{exc.msg}") from None
    except (RecursionError, ValueError):  # a number with thousands of digits
        raise ScenarioError(f"{what_en} holds an absurd number", f"{what_zh}含有异常数字") from None


def pack(text: str) -> str:
    """A URL value for ``text``: as it is when short, else ``z:`` + base64url(zlib(text))."""
    data = text.encode("utf-8")
    if len(data) <= PACK_ABOVE:
        return text
    return PACKED + base64.urlsafe_b64encode(zlib.compress(data, 9)).decode("ascii").rstrip("=")


def unpack(value: str, what_en: str = "the link value", what_zh: str = "链接参数", *,
           max_bytes: int = MAX_JSON_BYTES) -> str:
    """Inverse of ``pack``; the decompressed text is capped at ``max_bytes``.

    Raises
    ------
    ScenarioError
        The value is not a readable packed value or unpacks to more than ``max_bytes``.
    """
    if not value.startswith(PACKED):
        return value
    bad = ScenarioError(f"{what_en} is not a readable compressed value", f"{what_zh}不是可读取的压缩数据")
    body = value[len(PACKED):]
    try:
        data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        z = zlib.decompressobj()
        out = z.decompress(data, max_bytes + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise bad from None
    if len(out) > max_bytes or z.unconsumed_tail:
        raise too_large(max(len(out), max_bytes + 1), max_bytes, what_en, what_zh)
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        raise bad from None

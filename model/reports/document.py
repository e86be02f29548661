"""Word documents (python-docx), their PDF (LibreOffice headless) and charts drawn offline (vl-convert).

One document is built, in Word: real headings, tables, figures and a page-number field, so that an
official can open and edit it in Word or WPS. The PDF is that same document printed by LibreOffice
(``soffice --headless --convert-to pdf``), which embeds the subset of every font used (Noto Sans CJK
for Chinese) and keeps the text selectable; one layout, never two renderings that could disagree.

Charts are the page's Vega-Lite specs (``model.reports.charts``) with their data inline, rendered to
PNG by vl-convert (a bundled Deno/Vega runtime: no browser, no network) with the Noto CJK fonts
registered, so Chinese labels render.

Every text goes into the document as a run of plain text: python-docx escapes it, so a participant's
"<b>", "=SUM(A1)" or "**x**" is printed as typed and never becomes markup, a field or a formula.
"""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Sequence

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..errors import SimulatorError

#: The document's typeface, Latin and East Asian: Debian's fonts-noto-cjk (what LibreOffice embeds in the
#: PDF). Word or WPS without it substitutes its own CJK face.
FONT = "Noto Sans CJK SC"
#: Folders searched for the CJK fonts that vl-convert draws the charts' labels with.
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto")
#: Width of a chart on the page (A4 minus margins) and its pixel width before the 2× scale.
CHART_WIDTH_CM = 16.0
CHART_WIDTH_PX = 640
#: Seconds LibreOffice may take to print one document.
PDF_TIMEOUT_S = 60
ACCENT = RGBColor(0x1F, 0x5F, 0xA8)
#: Characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF): dropped from text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ReportError(SimulatorError):
    """A document could not be made (no LibreOffice, a conversion that failed or timed out)."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en, zh)


def plain(text: object) -> str:
    """Text as it may stand in a document: a string without the characters XML cannot hold."""
    return _NOT_XML.sub("", str(text))


# --------------------------------------------------------------------------- charts

_FONTS_LOCK = threading.Lock()
_fonts_registered = False


def _register_fonts() -> None:
    global _fonts_registered
    import vl_convert as vlc

    with _FONTS_LOCK:
        if not _fonts_registered:
            for d in FONT_DIRS:
                if os.path.isdir(d):
                    vlc.register_font_directory(d)
            _fonts_registered = True


def _records(df: pd.DataFrame) -> list[dict]:
    """A frame as Vega-Lite inline values (NaN → null)."""
    rows = df.to_dict(orient="records")
    return [{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()} for r in rows]


def chart_png(spec: dict, data: dict[str, pd.DataFrame], width: int = CHART_WIDTH_PX, scale: float = 2.0) -> bytes:
    """A template spec of ``model.reports.charts`` with its frames, drawn as PNG (offline, CJK labels)."""
    import vl_convert as vlc

    _register_fonts()
    full = {**spec, "width": width, "datasets": {name: _records(df) for name, df in data.items()}}
    full.setdefault("background", "white")
    return vlc.vegalite_to_png(full, scale=scale)


# --------------------------------------------------------------------------- Word

def _set_font(style, size: float | None = None, bold: bool | None = None, color: RGBColor | None = None) -> None:
    style.font.name = FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):  # a theme font would win
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if color is not None:
        style.font.color.rgb = color


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) in a paragraph: Word, WPS and LibreOffice fill it in when laid out."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    num = OxmlElement("w:t")
    num.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, instr, sep, num, end):
        run._r.append(el)


class Doc:
    """A Word document in the house layout: A4 portrait, Noto Sans CJK, headings, tables, figures, and a
    footer with a line of text and "page X of Y"."""

    def __init__(self, lang: str, footer: str, page_text: str) -> None:
        self.lang = lang
        self.doc = Document()
        sec = self.doc.sections[0]
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
        sec.left_margin = sec.right_margin = Cm(2.0)
        sec.top_margin, sec.bottom_margin = Cm(1.8), Cm(1.8)
        styles = self.doc.styles
        _set_font(styles["Normal"], 10)
        # Chinese text is laid out (and Noto's region-specific glyph forms chosen) as Simplified Chinese.
        lang_el = OxmlElement("w:lang")
        lang_el.set(qn("w:val"), "zh-CN" if lang == "zh" else "en-GB")
        lang_el.set(qn("w:eastAsia"), "zh-CN")
        styles["Normal"].element.get_or_add_rPr().append(lang_el)
        styles["Normal"].paragraph_format.space_after = Pt(4)
        styles["Normal"].paragraph_format.line_spacing = 1.15
        _set_font(styles["Title"], 18, True, ACCENT)
        _set_font(styles["Heading 1"], 13, True, ACCENT)
        _set_font(styles["Heading 2"], 11, True, ACCENT)
        _set_font(styles["Caption"], 9, False, RGBColor(0x44, 0x44, 0x44))
        styles["Caption"].font.italic = False
        for name in ("Heading 1", "Heading 2"):
            styles[name].paragraph_format.space_before = Pt(10)
            styles[name].paragraph_format.space_after = Pt(4)
            styles[name].paragraph_format.keep_with_next = True
        styles["Title"].paragraph_format.space_after = Pt(2)
        _set_font(styles["Footer"], 8)
        self._footer(footer, page_text)
        self.figures = 0

    def _footer(self, text: str, page_text: str) -> None:
        p = self.doc.sections[0].footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(plain(text) + "    ")
        run.font.size = Pt(8)
        # "第 {page} 页，共 {pages} 页" / "Page {page} of {pages}": text around two fields.
        parts = re.split(r"(\{page\}|\{pages\})", page_text)
        for part in parts:
            if part == "{page}":
                _field(p, "PAGE")
            elif part == "{pages}":
                _field(p, "NUMPAGES")
            elif part:
                p.add_run(part).font.size = Pt(8)
        for r in p.runs:
            r.font.size = Pt(8)

    def title(self, text: str, subtitle: str) -> None:
        self.doc.add_paragraph(plain(text), style="Title")
        sub = self.doc.add_paragraph()
        r = sub.add_run(plain(subtitle))
        r.font.size = Pt(9.5)
        r.font.color.rgb = RGBColor(0x55, 0x55, 0x55)

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(plain(text), level=level)

    def para(self, text: str, bold: bool = False, size: float | None = None, italic: bool = False,
             color: RGBColor | None = None, style: str | None = None):
        p = self.doc.add_paragraph(style=style)
        r = p.add_run(plain(text))
        r.bold, r.italic = bold, italic
        if size is not None:
            r.font.size = Pt(size)
        if color is not None:
            r.font.color.rgb = color
        return p

    def bullets(self, items: Sequence[str], size: float | None = None) -> None:
        for item in items:
            p = self.doc.add_paragraph(style="List Bullet")
            r = p.add_run(plain(item))
            if size is not None:
                r.font.size = Pt(size)
            p.paragraph_format.space_after = Pt(1)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]], widths_cm: Sequence[float] | None = None,
              size: float = 9, align_right: Sequence[int] = ()) -> None:
        """A table with a header row repeated on every page; cells hold plain text."""
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        head = table.rows[0]
        trpr = head._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        trpr.append(repeat)
        for cell, text in zip(head.cells, headers):
            self._cell(cell, text, size, bold=True, shade="E8F0FA")
        spans = []
        for row in rows:
            cells = table.add_row().cells
            if len(row) == 1:  # a row of one text across the table (e.g. a key project)
                spans.append(cells)
                self._cell(cells[0], row[0], size)
                continue
            for k, (cell, text) in enumerate(zip(cells, row)):
                self._cell(cell, text, size, right=k in align_right)
        if widths_cm:
            table.autofit = False
            for col, w in zip(table.columns, widths_cm):
                col.width = Cm(w)  # the grid, which LibreOffice reads
            for row in table.rows:
                for cell, w in zip(row.cells, widths_cm):
                    cell.width = Cm(w)  # the cells, which Word reads
        for cells in spans:
            cells[0].merge(cells[-1])
        self.doc.add_paragraph().paragraph_format.space_after = Pt(2)

    @staticmethod
    def _cell(cell, text: object, size: float, bold: bool = False, shade: str | None = None, right: bool = False) -> None:
        p = cell.paragraphs[0]
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.line_spacing = 1.0
        if right:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        r = p.add_run(plain("" if text is None else text))
        r.font.size = Pt(size)
        r.bold = bold
        if shade:
            tcpr = cell._tc.get_or_add_tcPr()
            shd = OxmlElement("w:shd")
            shd.set(qn("w:val"), "clear")
            shd.set(qn("w:color"), "auto")
            shd.set(qn("w:fill"), shade)
            tcpr.append(shd)

    def figure(self, png: bytes, caption: str, width_cm: float = CHART_WIDTH_CM) -> None:
        self.figures += 1
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.space_after = Pt(0)
        p.add_run().add_picture(io.BytesIO(png), width=Cm(width_cm))
        self.doc.add_paragraph(plain(caption), style="Caption")

    def bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


# --------------------------------------------------------------------------- PDF

def soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes, timeout: float = PDF_TIMEOUT_S) -> bytes:
    """The PDF of a Word document, printed by LibreOffice headless (fonts embedded, text selectable).

    Each call has its own temporary folder and LibreOffice profile, so reports made at once (two
    sessions, two servers) never share a lock; nothing is left behind.
    """
    program = soffice()
    if program is None:
        raise ReportError("LibreOffice (soffice) is not installed, so no PDF can be made; the Word document can",
                          "本机未安装 LibreOffice，无法生成 PDF（可生成 Word 文档）")
    with tempfile.TemporaryDirectory(prefix="zc-report-") as tmp:
        src = Path(tmp) / "report.docx"
        src.write_bytes(docx)
        profile = Path(tmp, "profile").as_uri()
        cmd = [program, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf",
               "--outdir", tmp, str(src)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired:
            raise ReportError(f"LibreOffice took more than {timeout:g} s to print the document",
                              f"LibreOffice 生成 PDF 超过 {timeout:g} 秒") from None
        out = Path(tmp) / "report.pdf"
        if proc.returncode != 0 or not out.exists():
            detail = plain(proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"])
            raise ReportError(f"LibreOffice could not print the document ({detail[:200]})",
                              f"LibreOffice 无法生成 PDF（{detail[:200]}）")
        return out.read_bytes()

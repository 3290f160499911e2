"""Laying out the statistics report as PDF pages (matplotlib only, no LaTeX)."""

from __future__ import annotations

import math
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

from analysis.figures import A4  # noqa: E402

MARGIN = 0.6  # inches
ROW = 0.2  # inches per table row
FONT = 7.5
WRAP = 115  # characters per line at 8.5 pt


class PageWriter:
    """Flows headings, paragraphs and tables down A4 pages, starting new ones as needed."""

    def __init__(self, pdf: PdfPages, footer: str):
        self.pdf, self.footer = pdf, footer
        self.fig = None
        self.y = 0.0  # inches from the top of the current page
        self.pages = 0

    def _new_page(self) -> None:
        self.close_page()
        self.fig = plt.figure(figsize=A4)
        self.pages += 1
        self.y = MARGIN
        self.fig.text(
            0.5, 0.25 / A4[1], f"{self.footer} - page {self.pages}", ha="center", fontsize=7, color="0.4"
        )

    def close_page(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            plt.close(self.fig)
            self.fig = None

    def _room(self, height: float) -> None:
        if self.fig is None or self.y + height > A4[1] - MARGIN:
            self._new_page()

    def _text(self, text: str, size: float, height: float, **kw) -> None:
        self._room(height)
        self.fig.text(MARGIN / A4[0], 1 - (self.y + height * 0.75) / A4[1], text, fontsize=size, **kw)
        self.y += height

    def heading(self, text: str, level: int = 1) -> None:
        if level == 1:
            self._room(1.2)  # keep a heading with what follows it
            self.y += 0.1
        self._text(text, 14 if level == 1 else 10.5, 0.42 if level == 1 else 0.32, weight="bold")

    def paragraph(self, lines, size: float = 8.5) -> None:
        """Each item of ``lines`` starts a new line; long ones wrap to the page width."""
        width = int(WRAP * 8.5 / size)
        for line in [lines] if isinstance(lines, str) else lines:
            for part in textwrap.wrap(line, width) or [""]:
                self._text(part, size, 0.19 * size / 8.5)
        self.y += 0.06

    def table(self, frame: pd.DataFrame, widths=None) -> None:
        """Draw ``frame`` (already formatted as text) as a table; long tables continue on new pages."""
        cells = frame.astype(str).to_numpy().tolist()
        labels = [str(c) for c in frame.columns]
        if widths is None:
            lengths = [max([len(labels[j])] + [len(r[j]) for r in cells]) for j in range(len(labels))]
            widths = [max(n, 3) / sum(max(n, 3) for n in lengths) for n in lengths]
        start = 0
        while start < len(cells) or start == 0:
            self._room(ROW * 3)
            fit = max(1, int((A4[1] - MARGIN - self.y) / ROW) - 1)
            chunk = cells[start : start + fit]
            height = ROW * (len(chunk) + 1)
            ax = self.fig.add_axes(
                [MARGIN / A4[0], 1 - (self.y + height) / A4[1], 1 - 2 * MARGIN / A4[0], height / A4[1]]
            )
            ax.axis("off")
            t = ax.table(cellText=chunk or [[""] * len(labels)], colLabels=labels, colWidths=widths,
                         loc="upper center", bbox=[0, 0, 1, 1], cellLoc="center")  # fmt: skip
            t.auto_set_font_size(False)
            t.set_fontsize(FONT)
            for (r, _), cell in t.get_celld().items():
                cell.set_linewidth(0.3)
                if r == 0:
                    cell.set_facecolor("0.9")
                    cell.set_text_props(weight="bold")
            self.y += height + 0.15
            start += fit
            if start >= len(cells):
                break

    def figure(self, fig) -> None:
        """A full page holding a finished figure."""
        self.close_page()
        self.pdf.savefig(fig)
        plt.close(fig)
        self.pages += 1


def number(value, digits: int = 3) -> str:
    """Table text for a number: '-' for missing, integers plainly, else ``digits`` decimals."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)) or value is pd.NA:
        return "-"
    if isinstance(value, int | np.integer):
        return f"{int(value)}"
    return f"{value:.{digits}f}"


def p_text(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return "< .001" if value < 0.001 else f"{value:.3f}".replace("0.", ".", 1)

"""Bar charts drawn on the server, without JavaScript or any outside service.

A chart is laid out once into a ``Scene`` of rectangles, lines and text; the scene is
then written as SVG (HTML, PDF through WeasyPrint, the dashboard) or painted as PNG with
Pillow (DOCX and XLSX, which cannot show SVG). Both outputs therefore show the same
chart. The colours are the Okabe-Ito palette, readable with colour-blindness, and every
chart also carries its numbers as text.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#999999", "#000000"]
FONT_FAMILY = "DejaVu Sans, Verdana, sans-serif"
TEXT = "#222222"
GRID = "#d0d0d0"
# The tallest plot area of a horizontal chart, in chart pixels (640 wide): with the title,
# scale and legend the chart stays within an A4 page's text area.
MAX_PLOT_HEIGHT = 760.0


@dataclass
class Series:
    name: str
    values: list[float]


@dataclass
class BarChart:
    key: str
    title: str
    categories: list[str]
    series: list[Series]
    stacked: bool = False
    horizontal: bool = False
    unit: str = ""
    width: int = 640
    # On paper a chart must fit on a page (a taller picture is cut off): the rows of a
    # horizontal chart with many categories are made thinner. On screen it may scroll.
    fit_page: bool = False
    colors: list[str] = field(default_factory=lambda: list(PALETTE))

    def description(self) -> str:
        """The chart's numbers as a sentence, for screen readers."""
        parts = []
        for i, category in enumerate(self.categories):
            values = ", ".join(f"{s.name} {_number(s.values[i], self.unit)}" for s in self.series)
            parts.append(f"{category}: {values}")
        return "; ".join(parts)


@dataclass
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    label: str = ""


@dataclass
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = GRID


@dataclass
class Text:
    x: float
    y: float
    text: str
    size: float = 11
    anchor: str = "start"  # start | middle | end, as in SVG; y is the baseline
    bold: bool = False
    fill: str = TEXT


@dataclass
class Scene:
    width: float
    height: float
    items: list[Rect | Line | Text]


def _number(value: float, unit: str = "") -> str:
    text = f"{value:.1f}" if unit == "%" else f"{int(round(value)):,}".replace(",", "\u00a0")
    return f"{text}{unit}"


def _text_width(text: str, size: float) -> float:
    # DejaVu Sans averages a little over half an em per character.
    return len(text) * size * 0.58


def _nice_step(maximum: float, ticks: int = 5, *, whole: bool = False) -> float:
    """The distance between two gridlines: 1, 2, 2.5 or 5 times a power of ten. With
    ``whole`` (counts, which are printed without decimals) it is a whole number of at
    least 1, so the axis never reads "0, 0, 1, 2, 2"."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = 10 * magnitude
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            step = multiple * magnitude
            break
    return max(1, math.ceil(step)) if whole else step


def _scale_max(chart: BarChart) -> tuple[float, float]:
    if chart.stacked:
        peak = max(
            (sum(s.values[i] for s in chart.series) for i in range(len(chart.categories))),
            default=0,
        )
    else:
        peak = max((v for s in chart.series for v in s.values), default=0)
    # Percentages print one decimal; every other chart counts things, printed whole.
    step = _nice_step(peak, whole=chart.unit != "%")
    top = max(step, math.ceil(peak / step) * step)
    return top, step


def _legend(chart: BarChart, y: float) -> tuple[list[Rect | Text], float]:
    items: list[Rect | Text] = []
    x, left, right = 16.0, 16.0, chart.width - 16
    if len(chart.series) < 2:
        return items, y
    for i, series in enumerate(chart.series):
        width = 14 + _text_width(series.name, 11) + 16
        if x + width > right and x > left:
            x, y = left, y + 18
        items.append(Rect(x, y - 9, 10, 10, chart.colors[i % len(chart.colors)]))
        items.append(Text(x + 14, y, series.name, 11))
        x += width
    return items, y + 18


def layout(chart: BarChart) -> Scene:
    return _layout_horizontal(chart) if chart.horizontal else _layout_vertical(chart)


def _layout_vertical(chart: BarChart) -> Scene:
    width = chart.width
    n = max(len(chart.categories), 1)
    top, step = _scale_max(chart)
    x0, x1, y0 = 56.0, width - 16.0, 44.0
    plot_h = 200.0
    y1 = y0 + plot_h
    items: list[Rect | Line | Text] = [Text(width / 2, 22, chart.title, 13, "middle", bold=True)]
    value = 0.0
    while value <= top + 1e-9:
        y = y1 - value / top * plot_h
        items.append(Line(x0, y, x1, y))
        items.append(Text(x0 - 6, y + 4, _number(value, chart.unit), 10, "end"))
        value += step
    group_w = (x1 - x0) / n
    bars = len(chart.series)
    show_values = n * (1 if chart.stacked else bars) <= 36
    label_every = max(1, math.ceil(n / 16))
    for i, category in enumerate(chart.categories):
        gx = x0 + i * group_w
        if chart.stacked:
            bar_w = group_w * 0.6
            base = y1
            for j, series in enumerate(chart.series):
                h = series.values[i] / top * plot_h
                if h > 0:
                    items.append(
                        Rect(gx + (group_w - bar_w) / 2, base - h, bar_w, h,
                             chart.colors[j % len(chart.colors)],
                             f"{category}, {series.name}: {_number(series.values[i], chart.unit)}")
                    )  # fmt: skip
                base -= h
            total = sum(s.values[i] for s in chart.series)
            if show_values and total:
                items.append(Text(gx + group_w / 2, base - 4, _number(total, chart.unit), 10,
                                  "middle"))  # fmt: skip
        else:
            bar_w = group_w * 0.8 / bars
            for j, series in enumerate(chart.series):
                v = series.values[i]
                h = v / top * plot_h
                bx = gx + group_w * 0.1 + j * bar_w
                items.append(
                    Rect(bx, y1 - h, bar_w, h, chart.colors[j % len(chart.colors)],
                         f"{category}, {series.name}: {_number(v, chart.unit)}")
                )  # fmt: skip
                if show_values:
                    items.append(Text(bx + bar_w / 2, y1 - h - 4, _number(v, chart.unit), 9,
                                      "middle"))  # fmt: skip
        if i % label_every == 0:
            items.append(Text(gx + group_w / 2, y1 + 16, category, 10, "middle"))
    items.append(Line(x0, y1, x1, y1, TEXT))
    legend, bottom = _legend(chart, y1 + 40)
    items.extend(legend)
    return Scene(width, bottom + 4, items)


def _layout_horizontal(chart: BarChart) -> Scene:
    width = chart.width
    top, step = _scale_max(chart)
    n = len(chart.categories)
    bars = 1 if chart.stacked else len(chart.series)
    # Rows shrink when there are many categories (sixty TECs) and the chart must fit on
    # a page.
    k = min(1.0, MAX_PLOT_HEIGHT / ((8 + 14 * bars) * max(n, 1))) if chart.fit_page else 1.0
    row_h, gap, bar_step = (8 + 14 * bars) * k, 8 * k, 14 * k
    bar_h = row_h - gap if chart.stacked else bar_step - 2 * k
    label_size = min(11.0, max(6.0, round(row_h - 3)))
    value_size = min(10.0, max(7.0, round(bar_h - 2)))
    # Thinned rows have no room for their numbers, which the chart's table tells anyway.
    show_values = k == 1.0 or n * bars <= 36
    label_w = min(240.0, max((_text_width(c, label_size) for c in chart.categories),
                             default=40) + 12)  # fmt: skip
    x0, x1, y0 = label_w + 8, width - 56.0, 56.0
    y1 = y0 + row_h * n
    items: list[Rect | Line | Text] = [Text(width / 2, 22, chart.title, 13, "middle", bold=True)]
    value = 0.0
    while value <= top + 1e-9:
        x = x0 + value / top * (x1 - x0)
        items.append(Line(x, y0 - 6, x, y1))
        items.append(Text(x, y0 - 12, _number(value, chart.unit), 10, "middle"))
        value += step
    for i, category in enumerate(chart.categories):
        ry = y0 + i * row_h + gap / 2
        middle = ry + (row_h - gap) / 2
        items.append(Text(x0 - 8, middle + label_size * 0.36, category, label_size, "end"))
        base = x0
        for j, series in enumerate(chart.series):
            v = series.values[i]
            w = v / top * (x1 - x0)
            by = ry if chart.stacked else ry + j * bar_step
            color = chart.colors[j % len(chart.colors)]
            label = f"{category}, {series.name}: {_number(v, chart.unit)}"
            if chart.stacked:
                if w > 0:
                    items.append(Rect(base, by, w, bar_h, color, label))
                    text = _number(v, chart.unit)
                    if show_values and _text_width(text, value_size) + 8 < w:
                        items.append(Text(base + 4, middle + value_size * 0.36, text, value_size,
                                          fill="#ffffff"))  # fmt: skip
                base += w
            else:
                items.append(Rect(x0, by, w, bar_h, color, label))
                if show_values:
                    items.append(Text(x0 + w + 4, by + bar_h * 0.8, _number(v, chart.unit),
                                      min(9.0, value_size)))  # fmt: skip
        if show_values and chart.stacked and chart.unit != "%":
            total = sum(s.values[i] for s in chart.series)
            items.append(Text(base + 4, middle + value_size * 0.36, _number(total, chart.unit),
                              value_size))  # fmt: skip
    items.append(Line(x0, y0 - 6, x0, y1, TEXT))
    legend, bottom = _legend(chart, y1 + 22)
    items.extend(legend)
    return Scene(width, bottom + 4, items)


# --- output -----------------------------------------------------------------------------


def to_svg(chart: BarChart, *, tooltips: bool = True) -> str:
    """``tooltips``: each bar's label as its ``<title>`` (shown on hover in a browser;
    of no use on paper, where the chart's numbers are printed)."""
    scene = layout(chart)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {scene.width:.0f} {scene.height:.0f}" '
        f'width="{scene.width:.0f}" height="{scene.height:.0f}" '
        f'aria-labelledby="chart-{chart.key}-title chart-{chart.key}-desc" '
        f'font-family="{FONT_FAMILY}">',
        f'<title id="chart-{chart.key}-title">{escape(chart.title)}</title>',
        f'<desc id="chart-{chart.key}-desc">{escape(chart.description())}</desc>',
        f'<rect x="0" y="0" width="{scene.width:.0f}" height="{scene.height:.0f}" fill="#fff"/>',
    ]
    for item in scene.items:
        if isinstance(item, Rect):
            title = f"<title>{escape(item.label)}</title>" if item.label and tooltips else ""
            out.append(
                f'<rect x="{item.x:.1f}" y="{item.y:.1f}" width="{item.w:.1f}" '
                f'height="{item.h:.1f}" fill="{item.fill}">{title}</rect>'
            )
        elif isinstance(item, Line):
            out.append(
                f'<line x1="{item.x1:.1f}" y1="{item.y1:.1f}" x2="{item.x2:.1f}" '
                f'y2="{item.y2:.1f}" stroke="{item.stroke}" stroke-width="1"/>'
            )
        else:
            weight = ' font-weight="bold"' if item.bold else ""
            out.append(
                f'<text x="{item.x:.1f}" y="{item.y:.1f}" font-size="{item.size:g}" '
                f'text-anchor="{item.anchor}" fill="{item.fill}"{weight}>{escape(item.text)}</text>'
            )
    out.append("</svg>")
    return "".join(out)


@cache
def _font(size: int, bold: bool):
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = Path(getattr(settings, "REPORT_FONT_DIR", "/usr/share/fonts/truetype/dejavu")) / name
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:
        return ImageFont.load_default(size)


def to_png(chart: BarChart, scale: int = 2) -> bytes:
    """The same scene painted with Pillow, for Word and Excel."""
    from PIL import Image, ImageDraw

    scene = layout(chart)
    image = Image.new("RGB", (int(scene.width * scale), int(scene.height * scale)), "white")
    draw = ImageDraw.Draw(image)
    anchors = {"start": "ls", "middle": "ms", "end": "rs"}
    for item in scene.items:
        if isinstance(item, Rect):
            if item.w > 0 and item.h > 0:
                draw.rectangle(
                    [item.x * scale, item.y * scale,
                     (item.x + item.w) * scale, (item.y + item.h) * scale],
                    fill=item.fill,
                )  # fmt: skip
        elif isinstance(item, Line):
            draw.line(
                [item.x1 * scale, item.y1 * scale, item.x2 * scale, item.y2 * scale],
                fill=item.stroke,
                width=max(1, scale // 2),
            )
        else:
            draw.text(
                (item.x * scale, item.y * scale),
                item.text,
                fill=item.fill,
                font=_font(int(item.size * scale), item.bold),
                anchor=anchors[item.anchor],
            )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()

#!/usr/bin/env python3
"""Turn a terminal capture with its colours (`tmux capture-pane -e -p`) into an SVG picture of
that terminal, on a dark or a light background: how a screen looks on a black or a white
projector. Used by scripts/theme_images.sh for the README's theme pictures.

    ansi_to_svg.py --background dark|light < capture.ansi > screen.svg

The 16 named colours use GNOME Terminal's default (Tango) palette on both backgrounds, as a
terminal keeps its palette when only its background is changed; the 256-colour cube and greys
are xterm's, which every terminal shares.
"""

import argparse
import re
import sys
import unicodedata
from html import escape

TANGO = [
    "#2e3436", "#cc0000", "#4e9a06", "#c4a000", "#3465a4", "#75507b", "#06989a", "#d3d7cf",
    "#555753", "#ef2929", "#8ae234", "#fce94f", "#729fcf", "#ad7fa8", "#34e2e2", "#eeeeec",
]
BACKGROUNDS = {"dark": ("#000000", "#e5e5e5"), "light": ("#ffffff", "#000000")}
CELL_W, CELL_H, FONT = 10, 20, 16


def xterm(i):
    if i < 16:
        return TANGO[i]
    if i < 232:
        k = i - 16
        levels = [0, 95, 135, 175, 215, 255]
        r, g, b = levels[k // 36], levels[k // 6 % 6], levels[k % 6]
        return f"#{r:02x}{g:02x}{b:02x}"
    g = 8 + 10 * (i - 232)
    return f"#{g:02x}{g:02x}{g:02x}"


class Pen:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = self.dim = self.italic = self.reverse = False

    def sgr(self, params):
        ps = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(ps):
            p = ps[i]
            if p == 0:
                self.reset()
            elif p == 1:
                self.bold = True
            elif p == 2:
                self.dim = True
            elif p == 3:
                self.italic = True
            elif p == 7:
                self.reverse = True
            elif p == 22:
                self.bold = self.dim = False
            elif p == 23:
                self.italic = False
            elif p == 27:
                self.reverse = False
            elif 30 <= p <= 37:
                self.fg = xterm(p - 30)
            elif 90 <= p <= 97:
                self.fg = xterm(p - 90 + 8)
            elif 40 <= p <= 47:
                self.bg = xterm(p - 40)
            elif 100 <= p <= 107:
                self.bg = xterm(p - 100 + 8)
            elif p == 39:
                self.fg = None
            elif p == 49:
                self.bg = None
            elif p in (38, 48) and i + 1 < len(ps):
                if ps[i + 1] == 5 and i + 2 < len(ps):
                    colour = xterm(ps[i + 2])
                    i += 2
                elif ps[i + 1] == 2 and i + 4 < len(ps):
                    colour = "#%02x%02x%02x" % tuple(ps[i + 2 : i + 5])
                    i += 4
                else:
                    colour = None
                if p == 38:
                    self.fg = colour
                else:
                    self.bg = colour
            i += 1


def width(ch):
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def convert(text, background):
    paper, ink = BACKGROUNDS[background]
    rows = text.rstrip("\n").split("\n")
    pen = Pen()
    cells = []  # (x, y, ch, w, fg, bg, bold, italic, dim)
    cols = 0
    for y, line in enumerate(rows):
        x = 0
        for part in re.split(r"(\x1b\[[0-9;:]*[A-Za-z])", line):
            if part.startswith("\x1b["):
                if part.endswith("m"):
                    pen.sgr(part[2:-1].replace(":", ";"))
                continue
            for ch in part:
                w = width(ch)
                fg, bg = pen.fg or ink, pen.bg
                if pen.reverse:
                    fg, bg = (pen.bg or paper), (pen.fg or ink)
                cells.append((x, y, ch, w, fg, bg, pen.bold, pen.italic, pen.dim))
                x += w
        cols = max(cols, x)
    w_px, h_px = int(cols * CELL_W) + 16, len(rows) * CELL_H + 16
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w_px}" height="{h_px}" '
        f'font-family="\'DejaVu Sans Mono\', \'Noto Sans Mono CJK KR\', \'Noto Sans CJK KR\', '
        f'\'NanumGothicCoding\', monospace" font-size="{FONT}">',
        f'<rect width="100%" height="100%" fill="{paper}"/>',
        '<g transform="translate(8,8)" shape-rendering="crispEdges">',
    ]
    for x, y, ch, w, fg, bg, bold, italic, dim in cells:
        if bg:
            out.append(
                f'<rect x="{x * CELL_W:.1f}" y="{y * CELL_H}" width="{w * CELL_W}" '
                f'height="{CELL_H}" fill="{bg}"/>'
            )
    for x, y, ch, w, fg, bg, bold, italic, dim in cells:
        if ch == " ":
            continue
        attrs = f'fill="{fg}"'
        if bold:
            attrs += ' font-weight="bold"'
        if italic:
            attrs += ' font-style="italic"'
        if dim:
            attrs += ' opacity="0.6"'
        # Box drawing stretched to the cell, so lines join; text placed by cell.
        out.append(
            f'<text x="{x * CELL_W:.1f}" y="{y * CELL_H + 15}" textLength="{w * CELL_W:.1f}" '
            f'lengthAdjust="spacingAndGlyphs" {attrs}>{escape(ch)}</text>'
        )
    out.append("</g></svg>")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--background", choices=sorted(BACKGROUNDS), default="dark")
    args = ap.parse_args()
    sys.stdout.write(convert(sys.stdin.read(), args.background))


if __name__ == "__main__":
    main()

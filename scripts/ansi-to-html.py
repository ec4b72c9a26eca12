#!/usr/bin/env python3
"""A terminal screen captured with ANSI colours (`tmux capture-pane -e -p`) as one HTML page,
for a screenshot of what the terminal shows (scripts/editor-screenshot.sh). Reads standard
input, writes standard output. Handles the SGR codes tmux emits: resets, bold, reverse, the
16 and 256 colours and 24-bit colours."""

import html
import re
import sys

BASIC = ["#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
         "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff"]
FG, BG = "#d4d4d4", "#1e1e1e"


def color256(n: int) -> str:
    if n < 16:
        return BASIC[n]
    if n < 232:
        n -= 16
        levels = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (levels[n // 36], levels[n // 6 % 6], levels[n % 6])
    gray = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (gray, gray, gray)


def main() -> None:
    state = {"fg": None, "bg": None, "bold": False, "reverse": False}
    out = []
    for part in re.split(r"(\x1b\[[0-9;]*m)", sys.stdin.read()):
        match = re.fullmatch(r"\x1b\[([0-9;]*)m", part)
        if not match:
            if part:
                fg, bg = state["fg"] or FG, state["bg"] or BG
                if state["reverse"]:
                    fg, bg = bg, fg
                weight = "bold" if state["bold"] else "normal"
                out.append(f'<span style="color:{fg};background:{bg};font-weight:{weight}">'
                           f"{html.escape(part)}</span>")
            continue
        codes = [int(c) if c else 0 for c in match.group(1).split(";")]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                state = {"fg": None, "bg": None, "bold": False, "reverse": False}
            elif c == 1:
                state["bold"] = True
            elif c == 22:
                state["bold"] = False
            elif c == 7:
                state["reverse"] = True
            elif c == 27:
                state["reverse"] = False
            elif 30 <= c <= 37 or 90 <= c <= 97:
                state["fg"] = BASIC[c - 30 if c < 90 else c - 82]
            elif 40 <= c <= 47 or 100 <= c <= 107:
                state["bg"] = BASIC[c - 40 if c < 100 else c - 92]
            elif c == 39:
                state["fg"] = None
            elif c == 49:
                state["bg"] = None
            elif c in (38, 48) and i + 1 < len(codes):
                key = "fg" if c == 38 else "bg"
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    state[key] = color256(codes[i + 2])
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    state[key] = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5])
                    i += 4
            i += 1
    print('<!doctype html><meta charset="utf-8"><body style="margin:0;background:%s">'
          '<pre style="margin:0;padding:8px;font:14px/1.25 \'DejaVu Sans Mono\',monospace;color:%s">%s</pre>'
          % (BG, FG, "".join(out)))


if __name__ == "__main__":
    main()

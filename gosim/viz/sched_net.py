"""Chapter 5's network panel (`gosim.widgets.sched_net`): one figure, updated in place for each frame.

Left, halfway through the run: the program's goroutines by state and the process's threads, on one fixed count
axis, so that moving from 10 to 1000 connections grows the goroutine bars while the thread bar stays a sliver.
Right, over the whole run: which of netpoll's callers made the waiting goroutines runnable, as shares, with the
counts and the polls that returned any.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from .sched import WIDTH
from .style import BLUE, GREY, INK, SKY, VERMILLION, figure, styled

# the goroutine states a goroutine profile names, grouped as the figure shows them
STATE_ROWS = (("in IO wait", ("IO wait",)), ("asleep (time.Sleep)", ("sleep",)),
              ("runnable or running", ("runnable", "running")))
COUNT_MAX = 1150  # the count axis: 1000 connections' server goroutines and the accept loop, with room for text


def state_counts(states: dict) -> list[int]:
    """``states`` (a goroutine profile's counts by state) summed into `STATE_ROWS`; a state no row names is an
    error, so the figure never hides goroutines."""
    named = {s for _, group in STATE_ROWS for s in group}
    if set(states) - named:
        raise ValueError(f"states {sorted(set(states) - named)} are in none of the figure's rows {STATE_ROWS}")
    return [sum(states.get(s, 0) for s in group) for _, group in STATE_ROWS]


class NetFigure:
    """Goroutines by state and threads (left), and who made waiting goroutines runnable (right)."""

    @styled
    def __init__(self, callers: dict) -> None:
        self.callers = tuple(callers)  # {caller: its short label on the figure}
        fig = figure(WIDTH, 3.5, layout=None)
        left = fig.add_axes((0.2, 0.17, 0.27, 0.62))
        right = fig.add_axes((0.65, 0.17, 0.32, 0.62))
        rows = [name for name, _ in STATE_ROWS] + ["OS threads (Ms)"]
        ys = range(len(rows))
        colours = (BLUE, SKY, GREY, VERMILLION)
        self.state_bars = left.barh(ys, [0] * len(rows), color=colours, height=0.6)
        self.inside_colour = ["white" if c in (BLUE, VERMILLION) else INK for c in colours]
        left.set_yticks(list(ys), rows, fontsize=10)
        left.invert_yaxis()
        left.set_xlim(0, COUNT_MAX)
        left.set_xlabel("how many, halfway (at 200 ms)")
        left.set_title("goroutines by state, and threads", loc="left", fontsize=10.5)
        left.grid(axis="y", visible=False)
        self.state_text = [left.text(0, y, "", va="center", fontsize=10, color=INK) for y in ys]
        ys = range(len(self.callers))
        self.who_bars = right.barh(ys, [0] * len(ys), color=BLUE, height=0.6)
        right.set_yticks(list(ys), list(callers.values()), fontsize=10)
        right.invert_yaxis()
        right.set_xlim(0, 100)
        right.set_xlabel("share of goroutines made runnable (%)")
        right.set_title("who ran netpoll (whole run)", loc="left", fontsize=10.5)
        right.grid(axis="y", visible=False)
        self.who_text = [right.text(0, y, "", va="center", fontsize=9.5) for y in ys]
        self.fig, self.left, self.right = fig, left, right
        self.title = fig.suptitle("", x=0.01, y=0.97, ha="left", fontsize=11.5)

    def update(self, states: dict, threads: int, made: dict, polls: dict, title: str) -> Figure:
        counts = state_counts(states) + [threads]
        for bar, text, n, noun, ink in zip(self.state_bars, self.state_text, counts,
                                           ["", "", "", " threads"], self.inside_colour):
            bar.set_width(n)
            inside = n > 0.6 * COUNT_MAX  # the text over the bar, in a colour that reads on it, else beside it
            text.set_x(n - 15 if inside else n + 12)
            text.set_horizontalalignment("right" if inside else "left")
            text.set_color(ink if inside else INK)
            text.set_text(f"{n:,}{noun}")
        total = sum(made.values())
        for bar, text, who in zip(self.who_bars, self.who_text, self.callers):
            share = 100 * made[who] / total if total else 0.0
            bar.set_width(share)
            shown = "<0.1" if 0 < share < 0.1 else ">99.9" if 99.9 < share < 100 else f"{share:.1f}"
            many = "poll" if polls[who] == 1 else "polls"
            words = f"{shown}%: {made[who]:,} in {polls[who]:,} {many}" if made[who] else "none"
            inside = share > 45  # the text over the bar, in white, else beside it
            text.set_x(2 if inside else share + 1.5)
            text.set_color("white" if inside else INK)
            text.set_text(words)
        self.title.set_text(title)
        return self.fig

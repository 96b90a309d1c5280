"""The book's exercises: the reader predicts, the model and the real runtime judge.

One `Exercise` per question, registered under ``"chapter.number"``::

    from gosim import exercises
    ex = exercises.get("3.1")
    ex.question          # the question (markdown)
    ex.answer()          # the right answer, computed: from a real run (source "runtime") or the model
    ex.source            # "runtime" or "model"
    ex.wrong             # plausible wrong answers (off by one, the Go 1.10 value, the model without the rule)
    fb = ex.check(value) # Feedback: fb.correct, fb.message; shows itself in Jupyter
    ex.verify(solution)  # the book's solution cell: its Feedback, or an AssertionError naming both answers
    exercises.all()      # every exercise, in book order

An answer never depends on the machine: the question fixes GOMAXPROCS and every other setting it needs. An
exercise that needs a tool this machine lacks (gdb, Go 1.19) raises `Skipped` from `answer()`, and `check` says
what is skipped instead of judging. A wrong answer gets a hint that points to the section or the quantity to look
at, never the answer. The kinds of answer (`Number`, `Choice`, `Order`) say what a reader may type: ``48``,
``"48 B"`` or ``"48B"`` for a size; a list of names or a multi-line string for an order.

On the static site the same exercise renders as an offline self-check question (`quiz.html`), whose correct answer
is ``answer()`` computed when the book is built.

The definitions live in ``ch1.py`` … ``ch5.py``, one module per chapter; this layer may use the models, the
toolchain and the checks (like a notebook), and nothing below it imports it.
"""

from __future__ import annotations

import html
import importlib
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from ..units import KiB, MiB, GiB, TiB, parse_duration

__all__ = ["Choice", "Exercise", "Feedback", "Number", "Order", "Skipped", "all", "get", "register", "show"]

CHAPTERS = ("ch1", "ch2", "ch3", "ch4", "ch5")


class Skipped(Exception):
    """An exercise whose answer needs a tool this machine lacks (the message says which, and what to install)."""


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer. ``answered`` is False for a placeholder (``...`` or None); ``skipped`` when the
    exercise cannot be judged here."""

    correct: bool
    message: str
    answered: bool = True
    skipped: bool = False

    def __str__(self) -> str:
        mark = "✓" if self.correct else ("–" if not self.answered or self.skipped else "✗")
        return f"{mark} {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        if self.correct:
            colour, border = "#0b6b2f", "#0b6b2f"
        elif not self.answered or self.skipped:
            colour, border = "#555", "#999"
        else:
            colour, border = "#9b1c1c", "#9b1c1c"
        state = "correct" if self.correct else ("unanswered" if not self.answered or self.skipped else "wrong")
        return (f'<div class="gosim-feedback gosim-feedback-{state}" style="border-left:4px solid {border};'
                f'padding:4px 10px;color:{colour}">{html.escape(str(self))}</div>')


# ---- kinds of answer --------------------------------------------------------------------------------------------

_UNITS = {"b": 1, "byte": 1, "bytes": 1, "kib": KiB, "mib": MiB, "gib": GiB, "tib": TiB,
          "kb": 1000, "mb": 1000 ** 2, "gb": 1000 ** 3}
_NUMBER = re.compile(r"^\s*([-+]?(?:\d[\d_,]*(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)\s*([a-zµμ%]*)\s*$", re.I)


class Number:
    """A number, optionally with a unit: ``unit="B"`` accepts ``48``, ``"48 B"``, ``"48B"``, ``"1 KiB"``;
    ``unit="s"`` accepts ``0.02``, ``"20ms"``, ``"20 ms"``; ``unit="%"`` accepts ``25``, ``"25 %"``.
    ``tolerance`` is absolute (in the unit's base: bytes, seconds); ``rel`` is relative to the answer."""

    name = "number"

    def __init__(self, unit: str | None = None, tolerance: float = 0.0, rel: float = 0.0):
        self.unit, self.tolerance, self.rel = unit, tolerance, rel

    def parse(self, value: Any) -> float:
        if isinstance(value, bool):
            raise ValueError("a number, not True or False")
        if isinstance(value, (int, float)):
            return float(value)
        text = str(value).strip()
        if self.unit == "s":
            compact = text.replace(" ", "")
            try:
                return parse_duration(compact)
            except ValueError:
                pass
        match = _NUMBER.match(text)
        if not match:
            raise ValueError(f"{value!r} is not a number" + (f" (of {self.unit})" if self.unit else ""))
        number = float(match[1].replace("_", "").replace(",", ""))
        suffix = match[2].lower()
        if not suffix or suffix == (self.unit or "").lower():
            return number
        if self.unit == "B" and suffix in _UNITS:
            return number * _UNITS[suffix]
        raise ValueError(f"{value!r}: the unit {match[2]!r} does not fit; answer in {self.unit or 'a plain number'}")

    def equal(self, given: float, right: float) -> bool:
        return abs(given - right) <= max(self.tolerance, self.rel * abs(right)) + 1e-12

    def show(self, value: float) -> str:
        number = int(value) if float(value).is_integer() else value
        if self.unit == "s":
            return f"{value * 1e3:g} ms" if value < 1 else f"{value:g} s"
        return f"{number}" + (f" {self.unit}" if self.unit else "")


def _normal(text: Any) -> str:
    """Names compared as a reader would type them: case, backquotes, a ``runtime.`` prefix, ``()`` and spacing
    do not matter."""
    text = str(text).strip().strip("`").strip()
    text = re.sub(r"\(\)$", "", text)
    text = re.sub(r"^runtime[.·]", "", text)
    return re.sub(r"\s+", " ", text).lower()


class Choice:
    """One of ``options`` (strings); the reader types the option (case and backquotes do not matter) or its
    letter, ``"a"``, ``"b"``, ... in the order shown."""

    name = "choice"

    def __init__(self, options: Sequence[str]):
        self.options = list(options)

    def parse(self, value: Any) -> str:
        text = _normal(value)
        for option in self.options:
            if _normal(option) == text:
                return option
        letters = "abcdefghijklmnopqrstuvwxyz"
        if len(text) == 1 and text in letters[:len(self.options)]:
            return self.options[letters.index(text)]
        listed = ", ".join(f"{letters[i]}) {o}" for i, o in enumerate(self.options))
        raise ValueError(f"{value!r} is not one of the options: {listed}")

    def equal(self, given: str, right: str) -> bool:
        return _normal(given) == _normal(right)

    def show(self, value: str) -> str:
        return str(value)


class Order:
    """A sequence of names: a list, or a string with one name per line (or separated by commas or arrows)."""

    name = "order"

    def parse(self, value: Any) -> list[str]:
        if isinstance(value, str):
            items = re.split(r"\n|,|→|->|=>", value)
        elif isinstance(value, (list, tuple)) or hasattr(value, "__iter__"):
            items = list(value)
        else:
            raise ValueError(f"an order is a list of names or a string with one name per line, got {value!r}")
        names = [str(i).strip() for i in items if str(i).strip()]
        if not names:
            raise ValueError("the order is empty")
        return names

    def equal(self, given: list[str], right: list[str]) -> bool:
        return [_normal(g) for g in given] == [_normal(r) for r in right]

    def show(self, value: list[str]) -> str:
        return " → ".join(value)


# ---- the exercise -----------------------------------------------------------------------------------------------


@dataclass
class Exercise:
    """One exercise. ``solve()`` computes the right answer (from a real run if ``source == "runtime"``);
    ``model()``, for a runtime exercise, gives the model's prediction, which `agreement` compares with the run.
    ``wrong`` maps each plausible wrong answer to the hint it gets; ``hint`` is the hint for any other wrong
    answer. ``needs`` names the tools it cannot do without (``"gdb"``, ``"go1.19"``)."""

    id: str
    question: str
    kind: Number | Choice | Order
    solve: Callable[[], Any]
    source: str
    hint: str
    wrong_hints: dict[Any, str] = field(default_factory=dict)
    model: Callable[[], Any] | None = None
    disagreement: str | None = None  # why the model's answer differs from the run's, when it does
    transfer: bool = False  # applies the idea to a situation the text did not show
    needs: tuple[str, ...] = ()
    _answer: Any = field(default=None, repr=False)

    def __post_init__(self):
        if not re.fullmatch(r"[1-5]\.\d+", self.id):
            raise ValueError(f"exercise id must be 'chapter.number' like '3.1', got {self.id!r}")
        if self.source not in ("runtime", "model"):
            raise ValueError(f"source must be 'runtime' or 'model', got {self.source!r}")
        if self.source == "runtime" and self.model is None and self.disagreement is None:
            raise ValueError(f"exercise {self.id}: a runtime exercise needs model= (the model's prediction)")

    @property
    def chapter(self) -> int:
        return int(self.id.split(".")[0])

    @property
    def wrong(self) -> list[Any]:
        """Plausible wrong answers, each rejected by `check` with its own hint."""
        return list(self.wrong_hints)

    def answer(self) -> Any:
        """The right answer, computed (once per process): from a real run for a runtime exercise."""
        if self._answer is None:
            self._answer = self.kind.parse(self.solve())
        return self._answer

    def model_answer(self) -> Any:
        """What the model predicts (for a model exercise, the answer itself)."""
        if self.model is None:
            return self.answer()
        return self.kind.parse(self.model())

    def agreement(self) -> bool | None:
        """For a runtime exercise: does the model's prediction equal the run's answer? None for model exercises
        or where ``disagreement`` explains why they differ."""
        if self.source != "runtime" or self.model is None:
            return None
        return self.kind.equal(self.model_answer(), self.answer())

    def check(self, value: Any) -> Feedback:
        """Judge the reader's answer."""
        if value is None or value is Ellipsis or (isinstance(value, str) and value.strip() in ("", "...")):
            return Feedback(False, f"Exercise {self.id}: not answered yet. Replace ... with your answer.",
                            answered=False)
        try:
            right = self.answer()
        except Skipped as exc:
            return Feedback(False, f"Exercise {self.id} is skipped here: {exc}", skipped=True)
        try:
            given = self.kind.parse(value)
        except ValueError as exc:
            return Feedback(False, f"Exercise {self.id}: {exc}")
        if self.kind.equal(given, right):
            how = "the runtime agrees" if self.source == "runtime" else "the model agrees"
            return Feedback(True, f"Exercise {self.id}: right, {self.kind.show(right)}; {how}.")
        for wrong, hint in self.wrong_hints.items():
            try:
                if self.kind.equal(given, self.kind.parse(wrong)):
                    return Feedback(False, f"Exercise {self.id}: not quite. {hint}")
            except ValueError:
                continue
        return Feedback(False, f"Exercise {self.id}: not quite. {self.hint}")

    def verify(self, solution: Any) -> Feedback:
        """Judge the book's own solution: its feedback when right or skipped here; otherwise an AssertionError
        that names what the runtime (or the model) computed, so a failing solution cell says by how much."""
        fb = self.check(solution)
        if fb.correct or fb.skipped:
            return fb
        show = self.kind.show
        detail = f"the book's solution {solution!r}, the {self.source}'s answer {show(self.answer())}"
        if self.source == "runtime" and self.model is not None:
            detail += f", the model's {show(self.model_answer())}"
        raise AssertionError(f"{fb} ({detail})")

    # Display: the question (markdown); on the static site also the self-check question.
    def _repr_markdown_(self) -> str:
        return f"**Exercise {self.id}.** {self.question}"

    def quiz_html(self) -> str:
        """The offline self-check question for the static site (see `gosim.exercises.quiz`)."""
        from .quiz import render

        return render(self)


_REGISTRY: dict[str, Exercise] = {}
_LOADED = False


def register(ex: Exercise) -> Exercise:
    if ex.id in _REGISTRY:
        raise ValueError(f"exercise {ex.id} is registered twice")
    _REGISTRY[ex.id] = ex
    return ex


def _load() -> None:
    global _LOADED
    if not _LOADED:
        _LOADED = True
        for name in CHAPTERS:
            try:
                importlib.import_module(f"{__name__}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{__name__}.{name}":
                    raise


def _key(ex_id: str) -> tuple[int, int]:
    chapter, number = ex_id.split(".")
    return int(chapter), int(number)


def get(ex_id: str) -> Exercise:
    """The exercise ``"chapter.number"``."""
    _load()
    if ex_id not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY, key=_key)) or "none"
        raise KeyError(f"no exercise {ex_id!r}; the exercises are {known}")
    return _REGISTRY[ex_id]


def all() -> list[Exercise]:  # noqa: A001 (the contract's name)
    """Every exercise, in book order."""
    _load()
    return [_REGISTRY[k] for k in sorted(_REGISTRY, key=_key)]


def show(ex_id: str) -> None:
    """Display exercise ``ex_id`` in a chapter: the question, and on the static site (``GOSIM_STATIC_WIDGETS=1``,
    set by ``make book``) the offline self-check question under it. In JupyterLab the reader answers in the next
    cell, through `Exercise.check`."""
    import os

    from IPython.display import HTML, Markdown, display

    ex = get(ex_id)
    display(Markdown(ex._repr_markdown_()))
    if os.environ.get("GOSIM_STATIC_WIDGETS") == "1":
        try:
            display(HTML(ex.quiz_html()))
        except Skipped as exc:
            display(Markdown(f"*The self-check question is skipped on this build: {exc}*"))

"""An exercise as an offline self-check question on the static site: HTML plus a small script, no kernel, no
network. The correct answer (and the hints for the known wrong answers) come from `Exercise.answer()` and
`Exercise.wrong_hints` when the book is built, never typed into the page by hand.

The outer element has the class ``gosim-quiz`` and ``data-exercise="3.1"``; the feedback element
``gosim-quiz-feedback`` gets the class ``correct`` or ``wrong`` and says why. The script parses what the reader
types as `gosim.exercises` does (a size with or without ``B``/``KiB``; a duration in ``ms``/``µs``/``s``; an
option or its letter; an order, one name per line or separated by commas or arrows).
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import Exercise

_SCRIPT = r"""
(function () {
  if (window.gosimQuiz) { window.gosimQuiz.init(); return; }
  var UNITS = {"b": 1, "byte": 1, "bytes": 1, "kib": 1024, "mib": 1048576, "gib": 1073741824,
               "tib": 1099511627776, "kb": 1e3, "mb": 1e6, "gb": 1e9};
  var DUR = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600};
  function norm(t) {
    t = String(t).trim().replace(/^`+|`+$/g, "").trim().replace(/\(\)$/, "");
    return t.replace(/^runtime[.·]/, "").replace(/\s+/g, " ").toLowerCase();
  }
  function num(text, unit) {
    var t = String(text).trim();
    if (unit === "s") {
      var c = t.replace(/\s+/g, ""), re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g, m, pos = 0, total = 0;
      while ((m = re.exec(c)) && m.index === pos) { total += parseFloat(m[1]) * DUR[m[2]]; pos = re.lastIndex; }
      if (pos === c.length && pos > 0) return total;
    }
    var m2 = /^\s*([-+]?(?:\d[\d_,]*(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)\s*([a-zµμ%]*)\s*$/i.exec(t);
    if (!m2) return null;
    var n = parseFloat(m2[1].replace(/[_,]/g, "")), s = m2[2].toLowerCase();
    if (!s || s === String(unit || "").toLowerCase()) return n;
    if (unit === "B" && UNITS.hasOwnProperty(s)) return n * UNITS[s];
    return null;
  }
  function list(text) {
    return String(text).split(/\n|,|→|->|=>/).map(function (s) { return s.trim(); })
      .filter(function (s) { return s.length; });
  }
  function same(kind, q, given, right) {
    if (kind === "number") {
      var tol = Math.max(q.tolerance, q.rel * Math.abs(right)) + 1e-12;
      return Math.abs(given - right) <= tol;
    }
    if (kind === "order") {
      return given.length === right.length &&
        given.every(function (g, i) { return norm(g) === norm(right[i]); });
    }
    return norm(given) === norm(right);
  }
  function judge(box) {
    var q = JSON.parse(box.querySelector("script.gosim-quiz-data").textContent), given;
    var out = box.querySelector(".gosim-quiz-feedback");
    if (q.kind === "choice") {
      var picked = box.querySelector("input[type=radio]:checked");
      given = picked ? picked.value : null;
    } else {
      var raw = box.querySelector(".gosim-quiz-input").value;
      if (!raw.trim()) given = null;
      else if (q.kind === "number") given = num(raw, q.unit);
      else given = list(raw);
      if (q.kind === "number" && raw.trim() && given === null) {
        out.className = "gosim-quiz-feedback wrong";
        out.textContent = "✗ That is not a number" + (q.unit ? " of " + q.unit : "") + ".";
        return;
      }
    }
    if (given === null || (Array.isArray(given) && !given.length)) {
      out.className = "gosim-quiz-feedback unanswered";
      out.textContent = "– Not answered yet.";
      return;
    }
    if (same(q.kind, q, given, q.answer)) {
      out.className = "gosim-quiz-feedback correct";
      out.textContent = "✓ Right: " + q.shown + ". " + q.why;
      return;
    }
    var hint = q.hint;
    for (var i = 0; i < q.wrong.length; i++) {
      var w = q.wrong[i][0];
      if (q.kind === "order") w = Array.isArray(w) ? w : list(w);
      if (q.kind === "number") w = num(w, q.unit);
      if (w !== null && same(q.kind, q, given, w)) { hint = q.wrong[i][1]; break; }
    }
    out.className = "gosim-quiz-feedback wrong";
    out.textContent = "✗ Not quite. " + hint;
  }
  window.gosimQuiz = {
    judge: judge,
    init: function () {
      document.querySelectorAll(".gosim-quiz:not([data-ready])").forEach(function (box) {
        box.setAttribute("data-ready", "1");
        box.querySelector(".gosim-quiz-check").addEventListener("click", function () { judge(box); });
        var input = box.querySelector(".gosim-quiz-input");
        if (input && input.tagName === "INPUT") {
          input.addEventListener("keydown", function (e) { if (e.key === "Enter") judge(box); });
        }
      });
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", window.gosimQuiz.init);
  else window.gosimQuiz.init();
})();
"""

_STYLE = """
.gosim-quiz{border:1px solid #c9c9c9;border-left:4px solid #0072B2;border-radius:4px;padding:8px 12px;
 margin:8px 0 16px 0;font-size:95%}
.gosim-quiz-head{font-weight:600;color:#0072B2;margin-bottom:4px}
.gosim-quiz input.gosim-quiz-input{width:14em;padding:2px 6px;font-family:monospace}
.gosim-quiz textarea.gosim-quiz-input{width:100%;max-width:30em;font-family:monospace}
.gosim-quiz label{display:block;margin:2px 0;cursor:pointer}
.gosim-quiz button{margin-left:6px;padding:2px 12px;cursor:pointer}
.gosim-quiz-feedback{margin-top:6px;min-height:1.2em}
.gosim-quiz-feedback.correct{color:#0b6b2f}.gosim-quiz-feedback.wrong{color:#9b1c1c}
.gosim-quiz-feedback.unanswered{color:#555}
"""


def _jsonable(kind, value):
    if kind.name == "number":
        return float(value)
    if kind.name == "order":
        return list(kind.parse(value))
    return str(value)


def render(ex: Exercise) -> str:
    """The self-check question for ``ex`` (HTML with its script and style inline, so it works from file://)."""
    kind = ex.kind
    right = ex.answer()
    why = ("A real run of the runtime gives this answer." if ex.source == "runtime"
           else "The model gives this answer.")
    data = {
        "id": ex.id, "kind": kind.name, "answer": _jsonable(kind, right), "shown": kind.show(right),
        "unit": getattr(kind, "unit", None), "tolerance": getattr(kind, "tolerance", 0.0),
        "rel": getattr(kind, "rel", 0.0), "hint": ex.hint, "why": why,
        "wrong": [[_jsonable(kind, kind.parse(w)), h] for w, h in ex.wrong_hints.items()],
    }
    ident = f"gosim-quiz-{ex.id.replace('.', '-')}"
    if kind.name == "choice":
        letters = "abcdefghijklmnopqrstuvwxyz"
        field = "".join(
            f'<label><input type="radio" name="{ident}" value="{html.escape(o)}"> '
            f"{letters[i]}) {html.escape(o)}</label>" for i, o in enumerate(kind.options))
    elif kind.name == "order":
        field = (f'<textarea class="gosim-quiz-input" rows="4" aria-label="your answer, one name per line" '
                 f'placeholder="one name per line"></textarea>')
    else:
        unit = f" ({kind.unit})" if kind.unit else ""
        field = (f'<input class="gosim-quiz-input" type="text" aria-label="your answer{unit}" '
                 f'placeholder="your answer{unit}">')
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return (f"<style>{_STYLE}</style>"
            f'<div class="gosim-quiz" id="{ident}" data-exercise="{ex.id}" data-kind="{kind.name}">'
            f'<div class="gosim-quiz-head">Check yourself: exercise {ex.id}</div>'
            f'{field}<button type="button" class="gosim-quiz-check">Check</button>'
            f'<div class="gosim-quiz-feedback" aria-live="polite"></div>'
            f'<script type="application/json" class="gosim-quiz-data">{payload}</script>'
            f"<script>{_SCRIPT}</script></div>")

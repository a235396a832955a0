"""What a class got right and wrong, for the instructor: the score distribution, and which
properties failed for how many students, most common first, each with one representative
failing run (the smallest any student's code failed on): what to teach again.

Made from the gradebook's records, so a summary after a resumed run covers the whole class.
``text_summary`` is for the terminal, ``html_summary`` for ``OUT/summary.html`` (its picture
inline).
"""

from __future__ import annotations

import dataclasses
import html
import statistics

from ..render import fit_width
from ..words import word
from .catalog import EXERCISES

__all__ = ["ClassSummary", "html_summary", "summarize", "text_summary"]

_BINS = 10


@dataclasses.dataclass(frozen=True)
class Property:
    exercise: str
    group: str
    failed: int
    """Students whose code failed it (a wrong answer, or code that stopped)."""
    attempted: int
    """Students who attempted its exercise."""
    example: dict
    """The representative failure: the smallest example, then the first student."""
    student: str

    def name(self, lang: str) -> str:
        ex = next(ex for ex in EXERCISES if ex.key == self.exercise)
        return f"{word('check.exercise', lang, number=ex.number)}: {ex.group(self.group).name(lang)}"


@dataclasses.dataclass(frozen=True)
class ClassSummary:
    entries: int
    graded: list[dict]
    """The records of the students graded."""
    not_graded: list[tuple[str, str]]
    """(entry, why) for the entries that could not be graded."""
    max_score: int
    properties: list[Property]

    @property
    def scores(self) -> list[int]:
        return [record["score"] for record in self.graded]

    def histogram(self) -> list[tuple[int, int, int]]:
        """(low, high, students) for ten bins of the score range (the last includes full marks)."""
        width = max(1, self.max_score // _BINS)
        bins = [[low, low + width - 1, 0] for low in range(0, self.max_score - width + 1, width)]
        bins[-1][1] = self.max_score
        for score in self.scores:
            for bin_ in bins:
                if bin_[0] <= score <= bin_[1]:
                    bin_[2] += 1
                    break
        return [tuple(bin_) for bin_ in bins]


def summarize(records: list[dict], not_graded: list[tuple[str, str]], entries: int) -> ClassSummary:
    graded = [record for record in records if not record.get("problem")]
    counts: dict[tuple[str, str], int] = {}
    best: dict[tuple[str, str], tuple[list, str, dict]] = {}
    for record in graded:
        attempted = {exercise["key"] for exercise in record["exercises"] if exercise.get("attempted")}
        for exercise in record["exercises"]:
            if exercise["key"] not in attempted:  # a stub as handed out is not a misunderstanding
                continue
            for group in exercise["groups"]:
                if group["status"] in ("failed", "error"):
                    key = (exercise["key"], group["key"])
                    counts[key] = counts.get(key, 0) + 1
        for failure in record["failures"]:
            if failure["exercise"] not in attempted:
                continue
            key = (failure["exercise"], failure["group"])
            candidate = (failure["size"], record["student"], failure)
            if key not in best or candidate[:2] < best[key][:2]:
                best[key] = candidate
    tried = {
        ex.key: sum(1 for r in graded for e in r["exercises"] if e["key"] == ex.key and e.get("attempted"))
        for ex in EXERCISES
    }
    order = {(ex.key, group.key): n for n, (ex, group) in enumerate((ex, g) for ex in EXERCISES for g in ex.groups)}
    properties = [
        Property(
            key[0],
            key[1],
            count,
            tried[key[0]],
            best[key][2] if key in best else {},
            best[key][1] if key in best else "",
        )
        for key, count in sorted(counts.items(), key=lambda item: (-item[1], order.get(item[0], 0)))
    ]
    return ClassSummary(entries, graded, not_graded, sum(ex.points for ex in EXERCISES), properties)


def text_summary(summary: ClassSummary, lang: str = "en", top: int = 10) -> str:
    lines = [word("grade.summary_count", lang, graded=len(summary.graded), entries=summary.entries)]
    for entry, why in summary.not_graded:
        lines.append(f"  {entry}: {why}")
    scores = summary.scores
    if scores:
        lines.append(
            word(
                "grade.summary_scores",
                lang,
                points=summary.max_score,
                mean=f"{statistics.fmean(scores):.1f}",
                median=f"{statistics.median(scores):g}",
            )
        )
        most = max(count for _, _, count in summary.histogram()) or 1
        for low, high, count in summary.histogram():
            bar = "#" * round(30 * count / most)
            lines.append(f"  {low:>3}-{high:<3} {bar:<30} {count}")
    if summary.properties:
        lines.append(word("grade.summary_failed", lang))
        for prop in summary.properties[:top]:
            students = word("grade.students", lang, count=prop.failed, attempted=prop.attempted)
            lines.append(f"  {students:>20}  {prop.name(lang)}")
    return "\n".join(lines) + "\n"


def html_summary(summary: ClassSummary, lang: str = "en") -> str:
    title = word("grade.summary_title", lang)
    parts = [
        f"<!DOCTYPE html>\n<html lang='{lang}'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;font-size:14px;max-width:1100px;margin:auto;padding:8px}"
        "pre{background:#f6f6f6;padding:6px;overflow-x:auto;font-size:12px}"
        "table{border-collapse:collapse}td,th{padding:3px 10px;text-align:left;border-bottom:1px solid #ddd}"
        ".property{border-left:3px solid #b00020;padding:4px 10px;margin:14px 0}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(word('grade.summary_count', lang, graded=len(summary.graded), entries=summary.entries))}</p>",
    ]
    if summary.not_graded:
        parts.append("<ul>")
        parts += [f"<li>{html.escape(entry)}: {html.escape(why)}</li>" for entry, why in summary.not_graded]
        parts.append("</ul>")
    if summary.scores:
        scores = summary.scores
        parts.append(
            f"<h2>{html.escape(word('grade.distribution', lang))}</h2><p>"
            + html.escape(
                word(
                    "grade.summary_scores",
                    lang,
                    points=summary.max_score,
                    mean=f"{statistics.fmean(scores):.1f}",
                    median=f"{statistics.median(scores):g}",
                )
            )
            + "</p>"
        )
        parts.append(fit_width(histogram_svg(summary.histogram(), lang)))
        parts.append(_exercise_table(summary, lang))
    if summary.properties:
        parts.append(f"<h2>{html.escape(word('grade.summary_failed', lang))}</h2>")
        parts.append(f"<p>{html.escape(word('grade.representative', lang))}</p>")
        for prop in summary.properties:
            students = word("grade.students", lang, count=prop.failed, attempted=prop.attempted)
            parts.append(f"<div class='property'><h3>{html.escape(prop.name(lang))} — {html.escape(students)}</h3>")
            if prop.example:
                who = word("grade.example_from", lang, student=prop.student)
                parts.append(f"<p><small>{html.escape(who)}</small></p><pre>{html.escape(prop.example['text'])}</pre>")
                if prop.example.get("script"):
                    parts.append(f"<details><summary>{html.escape(word('check.script', lang))}</summary>")
                    parts.append(f"<pre>{html.escape(prop.example['script'])}</pre></details>")
                for caption, svg in prop.example.get("pictures", []):
                    parts.append(f"<div><b>{html.escape(caption)}</b>{fit_width(svg)}</div>")
            parts.append("</div>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _exercise_table(summary: ClassSummary, lang: str) -> str:
    columns = ("grade.exercise", "grade.mean", "grade.full")
    heads = "".join(f"<th>{html.escape(word(key, lang))}</th>" for key in columns)
    rows = [f"<table><tr>{heads}</tr>"]
    for ex in EXERCISES:
        scores = [e["score"] for r in summary.graded for e in r["exercises"] if e["key"] == ex.key]
        full = sum(1 for score in scores if score == ex.points)
        name = f"{word('check.exercise', lang, number=ex.number)}: {ex.name(lang)}"
        mean = f"{statistics.fmean(scores):.1f}/{ex.points}" if scores else "-"
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{mean}</td><td>{full}</td></tr>")
    rows.append("</table>")
    return "\n".join(rows)


def histogram_svg(bins: list[tuple[int, int, int]], lang: str = "en") -> str:
    """The score distribution as bars: students per score range."""
    width, height, left, bottom, top = 640, 260, 40, 40, 16
    bar = (width - left - 10) / max(1, len(bins))
    most = max((count for _, _, count in bins), default=0) or 1
    shapes = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' font-family='sans-serif' font-size='11'>",
        f"<line x1='{left}' y1='{height - bottom}' x2='{width - 10}' y2='{height - bottom}' stroke='#333'/>",
    ]
    for n, (low, high, count) in enumerate(bins):
        x = left + n * bar
        h = (height - bottom - top) * count / most
        y = height - bottom - h
        shapes.append(
            f"<rect x='{x + 2:.1f}' y='{y:.1f}' width='{bar - 4:.1f}' height='{h:.1f}' fill='#3b6ea8'>"
            f"<title>{low}-{high}: {count}</title></rect>"
        )
        shapes.append(f"<text x='{x + bar / 2:.1f}' y='{y - 3:.1f}' text-anchor='middle'>{count}</text>")
        label = f"{low}" if low == high else f"{low}-{high}"
        shapes.append(f"<text x='{x + bar / 2:.1f}' y='{height - bottom + 14}' text-anchor='middle'>{label}</text>")
    axis = html.escape(word("grade.axis", lang))
    shapes.append(f"<text x='{width / 2:.0f}' y='{height - 8}' text-anchor='middle'>{axis}</text>")
    shapes.append("</svg>")
    return "\n".join(shapes)

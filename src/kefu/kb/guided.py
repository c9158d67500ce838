"""Guided answers (引导式问答): a small decision tree written as an indented outline.

    ? Which device are you using?
      - iPhone
        ? Is the app up to date?
          - Yes
            ! Restart the phone, then sign in again.
          - No
            ! Update the app from the App Store.
      - Android
        ! Clear the app's cache in Settings.

``?`` asks a question, ``-`` is one of its options (indented under it), ``!`` is an answer
(Markdown). Every option leads to exactly one question or answer, indented under the option.
A customer's position is the list of option numbers chosen so far (the "path").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_DEPTH = 12
MAX_OPTIONS = 12


class FlowError(ValueError):
    """The outline is not a valid decision tree; the message names the line."""


@dataclass
class Step:
    kind: str  # "question" or "answer"
    text: str
    options: list[tuple[str, Step]] = field(default_factory=list)

    def to_json(self) -> dict:
        data: dict = {"kind": self.kind, "text": self.text}
        if self.options:
            data["options"] = [
                {"label": label, "next": nxt.to_json()} for label, nxt in self.options
            ]
        return data


def _lines(outline: str) -> list[tuple[int, int, str, str]]:
    parsed = []
    for number, raw in enumerate(outline.splitlines(), start=1):
        if not raw.strip():
            continue
        expanded = raw.replace("\t", "    ")
        indent = len(expanded) - len(expanded.lstrip(" "))
        stripped = expanded.strip()
        marker, text = stripped[0], stripped[1:].strip()
        if marker not in "?-!":
            raise FlowError(
                _("Line %(line)d: start with ? (question), - (option) or ! (answer).")
                % {"line": number}
            )
        if not text:
            raise FlowError(_("Line %(line)d is empty after its mark.") % {"line": number})
        parsed.append((number, indent, marker, text))
    return parsed


def parse_flow(outline: str) -> Step:
    lines = _lines(outline)
    if not lines:
        raise FlowError(_("Write at least one question with options."))
    position, step = _parse_step(lines, 0, lines[0][1], depth=0)
    if position != len(lines):
        raise FlowError(
            _("Line %(line)d is outside the tree: indent it under an option.")
            % {"line": lines[position][0]}
        )
    if step.kind != "question":
        raise FlowError(_("A guided answer starts with a question (?)."))
    return step


def _parse_step(lines, position: int, indent: int, depth: int) -> tuple[int, Step]:
    if depth > MAX_DEPTH:
        raise FlowError(_("The tree is more than %(max)d questions deep.") % {"max": MAX_DEPTH})
    number, line_indent, marker, text = lines[position]
    if line_indent != indent or marker == "-":
        raise FlowError(
            _("Line %(line)d: expected a question or an answer here.") % {"line": number}
        )
    if marker == "!":
        return position + 1, Step("answer", text)
    question = Step("question", text)
    position += 1
    while position < len(lines) and lines[position][1] > indent:
        option_number, option_indent, option_marker, label = lines[position]
        if option_marker != "-":
            raise FlowError(
                _("Line %(line)d: a question's next lines are its options (-).")
                % {"line": option_number}
            )
        if position + 1 >= len(lines) or lines[position + 1][1] <= option_indent:
            raise FlowError(
                _("Line %(line)d: this option leads nowhere; add a ? or ! under it.")
                % {"line": option_number}
            )
        position, nxt = _parse_step(lines, position + 1, lines[position + 1][1], depth + 1)
        question.options.append((label, nxt))
        if position < len(lines) and option_indent > lines[position][1] > indent:
            raise FlowError(_("Line %(line)d is indented unevenly.") % {"line": lines[position][0]})
    if len(question.options) < 2:
        raise FlowError(
            _("Line %(line)d: a question needs at least two options.") % {"line": number}
        )
    if len(question.options) > MAX_OPTIONS:
        raise FlowError(
            _("Line %(line)d: at most %(max)d options.") % {"line": number, "max": MAX_OPTIONS}
        )
    return position, question


def walk(flow: dict, path: list[int]) -> tuple[dict, list[str]]:
    """The step reached by following ``path`` (option numbers) and the labels chosen.
    A path that does not exist stops where it stops being valid."""
    step, labels = flow, []
    for choice in path:
        options = step.get("options") or []
        if not 0 <= choice < len(options):
            break
        labels.append(options[choice]["label"])
        step = options[choice]["next"]
    return step, labels


def flow_text(step: dict) -> list[str]:
    """Every question, option and answer text (for search and the plain body)."""
    texts = [step["text"]]
    for option in step.get("options") or []:
        texts.append(option["label"])
        texts.extend(flow_text(option["next"]))
    return texts

"""Conditional formatting of a worksheet, evaluated for one cell as Excel would show it.

A follow-up export often stores a code or a word and lets a conditional-formatting rule paint
the traffic light. The rules openpyxl loads are evaluated here for a cell's value: ``cellIs``
(equal, between, greaterThan …), ``expression`` rules that compare cells to values
(``$D5=1``, ``AND(D5>=2,D5<3)``), text rules (containsText, beginsWith, endsWith), blank
tests, and traffic-light icon sets (3TrafficLights, 3Signs, 3Symbols, 3Flags, 3Arrows,
4TrafficLights) with number, percent and percentile thresholds. The first true rule by
priority that shows a colour wins. A rule of a kind not evaluated here (colour scales,
formulas with functions) is reported as a problem for the cell, never silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from openpyxl.utils.cell import column_index_from_string, range_boundaries

from pipelines.read.cell_colours import RGB, Palette

Value = object
Getter = Callable[[int, int], Value]  # (row, column), 1-based → cell value

_REF = re.compile(r"^(\$?)([A-Z]{1,3})(\$?)(\d+)$")
_COMPARE = re.compile(r"^(.+?)(<>|>=|<=|=|>|<)(.+)$")
# Icon colours from the lowest values to the highest, per traffic-light icon set.
_RED, _YELLOW, _GREEN, _BLACK = (
    (0xFF, 0x00, 0x00),
    (0xFF, 0xC0, 0x00),
    (0x00, 0xB0, 0x50),
    (0, 0, 0),
)
_ICON_COLOURS = {
    name: [_RED, _YELLOW, _GREEN]
    for name in (
        "3TrafficLights1",
        "3TrafficLights2",
        "3Signs",
        "3Symbols",
        "3Symbols2",
        "3Flags",
        "3Arrows",
    )
} | {"4TrafficLights": [_BLACK, _RED, _YELLOW, _GREEN]}
_OPERATORS = {
    "equal": "=",
    "notEqual": "<>",
    "greaterThan": ">",
    "greaterThanOrEqual": ">=",
    "lessThan": "<",
    "lessThanOrEqual": "<=",
}


class Unsupported(Exception):
    """A rule this module does not evaluate."""


@dataclass
class Hit:
    """The colours a true rule gives the cell (either may be None) and which rule it was."""

    fill: RGB | None
    font: RGB | None
    rule: str
    problem: str | None = None
    icon: RGB | None = None  # the colour of a traffic-light icon an icon set shows


@dataclass
class _Rule:
    ranges: list[tuple[int, int, int, int]]  # min_col, min_row, max_col, max_row
    rule: object
    priority: int


class ConditionalFormats:
    """The conditional-formatting rules of one worksheet."""

    def __init__(self, worksheet, palette: Palette, values: dict | None = None):
        self.palette = palette
        self.values = values or {}  # (row, column) → cell with .value: for icon thresholds
        self._thresholds: dict[int, list[float]] = {}
        self.rules: list[_Rule] = []
        for formatting in getattr(worksheet, "conditional_formatting", []):
            ranges = []
            for cell_range in str(formatting.sqref).split():
                try:
                    ranges.append(range_boundaries(cell_range))
                except ValueError:
                    continue
            for rule in formatting.rules:
                self.rules.append(_Rule(ranges, rule, rule.priority or 0))
        self.rules.sort(key=lambda r: r.priority)

    def __bool__(self) -> bool:
        return bool(self.rules)

    def evaluate(self, row: int, column: int, get: Getter) -> Hit | None:
        """The first true colouring rule for the cell at (row, column), or None.

        A rule that cannot be evaluated and covers the cell gives a Hit with ``problem`` set
        (and no colours) when no later rule decides.
        """
        problem = None
        for entry in self.rules:
            origin = _covering(entry.ranges, row, column)
            if origin is None:
                continue
            rule = entry.rule
            if rule.type == "iconSet":
                try:
                    icon = self._icon(entry, get(row, column))
                except Unsupported as why:
                    problem = problem or f"an icon set not evaluated: {why}"
                    continue
                if icon is not None:
                    return Hit(None, None, f"icon set {rule.iconSet.iconSet}", icon=icon)
                continue
            fill, font = self._colours(rule)
            if fill is None and font is None:
                if rule.type in {"colorScale", "dataBar"}:
                    problem = problem or f"a {rule.type} rule (not evaluated)"
                continue
            try:
                true = _is_true(rule, get(row, column), (row - origin[0], column - origin[1]), get)
            except Unsupported as why:
                formula = ", ".join(rule.formula or []) or rule.type
                problem = problem or f"an {rule.type} rule ({formula}) not evaluated: {why}"
                continue
            if true:
                return Hit(fill, font, _describe(rule))
        if problem:
            return Hit(None, None, "", problem)
        return None

    def _icon(self, entry: _Rule, value: Value) -> RGB | None:
        """The traffic-light colour of the icon shown for ``value``, None for no icon."""
        icons = entry.rule.iconSet
        colours = _ICON_COLOURS.get(str(icons.iconSet or "3TrafficLights1"))
        if colours is None:
            raise Unsupported(f"{icons.iconSet} does not show traffic lights")
        if not _is_number(value):
            return None  # icon sets show nothing on text or blank cells
        key = id(entry)
        if key not in self._thresholds:  # computed once per rule, not per cell
            self._thresholds[key] = [self._threshold(entry, cfvo) for cfvo in icons.cfvo or []]
        thresholds = self._thresholds[key]
        if len(thresholds) != len(colours):
            raise Unsupported(f"{len(thresholds)} thresholds for {len(colours)} icons")
        shown = 0
        for index, (threshold, cfvo) in enumerate(zip(thresholds, icons.cfvo, strict=True)):
            gte = cfvo.gte is None or bool(cfvo.gte)
            if index == 0 or (value >= threshold if gte else value > threshold):
                shown = index
        if icons.reverse:
            shown = len(colours) - 1 - shown
        return colours[shown]

    def _threshold(self, entry: _Rule, cfvo) -> float:
        kind = cfvo.type
        if kind == "num":
            try:
                return float(cfvo.val)
            except (TypeError, ValueError) as exc:
                raise Unsupported(f"threshold {cfvo.val!r}") from exc
        numbers = sorted(
            float(cell.value)
            for (row, column), cell in self.values.items()
            if _is_number(cell.value) and _covering(entry.ranges, row, column) is not None
        )
        if not numbers:
            return 0.0
        if kind == "min":
            return numbers[0]
        if kind == "max":
            return numbers[-1]
        share = float(cfvo.val or 0) / 100
        if kind == "percent":
            return numbers[0] + (numbers[-1] - numbers[0]) * share
        if kind == "percentile":
            position = share * (len(numbers) - 1)
            low = int(position)
            high = min(low + 1, len(numbers) - 1)
            return numbers[low] + (numbers[high] - numbers[low]) * (position - low)
        raise Unsupported(f"threshold of type {kind}")

    def _colours(self, rule) -> tuple[RGB | None, RGB | None]:
        style = getattr(rule, "dxf", None)
        if style is None:
            return None, None
        fill = None
        pattern = getattr(style, "fill", None)
        if pattern is not None:
            # Excel writes a dxf's solid fill as bgColor; other writers use fgColor.
            for colour in (getattr(pattern, "bgColor", None), getattr(pattern, "fgColor", None)):
                if _is_set(colour):
                    fill, _ = self.palette.resolve(colour)
                    if fill:
                        break
        font = None
        if getattr(style, "font", None) is not None and _is_set(style.font.color):
            font, _ = self.palette.resolve(style.font.color)
        return fill, font


def _is_set(colour) -> bool:
    if colour is None:
        return False
    if getattr(colour, "type", None) == "rgb":
        return colour.rgb not in (None, "00000000")
    return getattr(colour, "type", None) in {"theme", "indexed"}


def _covering(ranges, row: int, column: int) -> tuple[int, int] | None:
    """Top-left (row, column) of the rule's first range, if any range covers the cell."""
    if not ranges:
        return None
    for min_col, min_row, max_col, max_row in ranges:
        if min_row <= row <= max_row and min_col <= column <= max_col:
            first = ranges[0]
            return first[1], first[0]
    return None


def _describe(rule) -> str:
    formula = ", ".join(rule.formula or [])
    if rule.type == "cellIs":
        return f"cellIs {rule.operator} {formula}"
    if rule.type == "expression":
        return f"expression {formula}"
    return f"{rule.type} {rule.text or formula}".strip()


def _is_true(rule, value: Value, offset: tuple[int, int], get: Getter) -> bool:
    kind = rule.type
    if kind == "cellIs":
        operands = [_operand(f, offset, get) for f in rule.formula or []]
        if rule.operator in _OPERATORS and operands:
            return _compare(value, _OPERATORS[rule.operator], operands[0])
        if rule.operator in {"between", "notBetween"} and len(operands) == 2:
            low, high = sorted(operands, key=_sort_key)
            inside = _compare(value, ">=", low) and _compare(value, "<=", high)
            return inside if rule.operator == "between" else not inside
        raise Unsupported(f"operator {rule.operator}")
    if kind == "expression":
        if not rule.formula:
            raise Unsupported("no formula")
        return _truth(_expression(rule.formula[0], offset, get))
    text = "" if value is None else str(value).casefold()
    needle = (rule.text or "").casefold()
    if kind == "containsText":
        return needle in text
    if kind == "notContainsText":
        return needle not in text
    if kind == "beginsWith":
        return text.startswith(needle)
    if kind == "endsWith":
        return text.endswith(needle)
    if kind == "containsBlanks":
        return not text.strip()
    if kind == "notContainsBlanks":
        return bool(text.strip())
    raise Unsupported(kind)


def _split_arguments(text: str) -> list[str]:
    parts, depth, quoted, current = [], 0, False, ""
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and char in ",;":
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    return parts


def _expression(formula: str, offset: tuple[int, int], get: Getter) -> Value:
    text = formula.strip().lstrip("=").strip()
    function = re.match(r"^(AND|OR|NOT)\((.*)\)$", text, re.I | re.S)
    if function:
        name = function.group(1).upper()
        values = [_truth(_expression(a, offset, get)) for a in _split_arguments(function.group(2))]
        if name == "AND":
            return all(values)
        if name == "OR":
            return any(values)
        if len(values) == 1:
            return not values[0]
        raise Unsupported("NOT with several arguments")
    if not text.startswith('"'):
        compare = _COMPARE.match(text)
        if compare and '"' not in compare.group(1):
            left = _operand(compare.group(1), offset, get)
            right = _operand(compare.group(3), offset, get)
            return _compare(left, compare.group(2), right)
    return _operand(text, offset, get)


def _operand(text: str, offset: tuple[int, int], get: Getter) -> Value:
    text = text.strip()
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        return text[1:-1].replace('""', '"')
    if text.upper() in {"TRUE", "FALSE"}:
        return text.upper() == "TRUE"
    try:
        return float(text.replace(",", ".")) if "," in text and "." not in text else float(text)
    except ValueError:
        pass
    ref = _REF.match(text.upper())
    if ref:
        column = column_index_from_string(ref.group(2))
        row = int(ref.group(4))
        if not ref.group(3):
            row += offset[0]
        if not ref.group(1):
            column += offset[1]
        return get(row, column)
    raise Unsupported(f"{text!r} is not a value, cell or comparison")


def _truth(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    raise Unsupported(f"{value!r} is not a condition")


def _sort_key(value: Value):
    return (0, float(value)) if _is_number(value) else (1, str(value).casefold())


def _is_number(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _compare(left: Value, operator: str, right: Value) -> bool:
    """Excel's comparison: blank is 0 or "", numbers below text, text case-insensitive."""
    if left is None:
        left = 0 if _is_number(right) else ""
    if right is None:
        right = 0 if _is_number(left) else ""
    if _is_number(left) and _is_number(right):
        a, b = float(left), float(right)
    elif _is_number(left) or _is_number(right):
        # Excel orders every number before every text; equality across types is false.
        a, b = (0, 1) if _is_number(left) else (1, 0)
    else:
        a, b = str(left).casefold(), str(right).casefold()
    return {
        "=": a == b,
        "<>": a != b,
        ">": a > b,
        ">=": a >= b,
        "<": a < b,
        "<=": a <= b,
    }[operator]

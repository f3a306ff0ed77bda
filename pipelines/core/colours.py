"""Traffic-light colours: map any fill colour (RGB, CMYK, grey) to the nearest status."""

from __future__ import annotations

# Office shades seen in follow-up reports, per status (RGB 0-255).
REFERENCE = {
    "green": [(0x00, 0xB0, 0x50), (0x92, 0xD0, 0x50), (0x00, 0x80, 0x00), (0x70, 0xAD, 0x47)],
    "yellow": [(0xFF, 0xFF, 0x00), (0xFF, 0xC0, 0x00), (0xFF, 0xD9, 0x66), (0xFF, 0xE6, 0x99)],
    "red": [(0xFF, 0x00, 0x00), (0xC0, 0x00, 0x00), (0xE0, 0x40, 0x40), (0xFF, 0x50, 0x50)],
}
MAX_DISTANCE = 120.0  # farther than this from every reference colour: not a traffic light


def parse_hex(text: str) -> tuple[int, int, int] | None:
    """``FF00B050`` (ARGB), ``00B050`` or ``#00B050`` to an RGB tuple."""
    digits = text.lstrip("#")
    if len(digits) == 8:
        digits = digits[2:]
    if len(digits) != 6:
        return None
    try:
        return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]
    except ValueError:
        return None


def to_rgb(colour: tuple[float, ...] | list[float] | None) -> tuple[int, int, int] | None:
    """A PDF colour (grey 1-tuple, RGB 3-tuple or CMYK 4-tuple, components 0–1) to RGB 0–255."""
    if colour is None:
        return None
    if isinstance(colour, int | float):  # some producers give a bare grey level
        colour = (colour,)
    try:
        values = [min(1.0, max(0.0, float(v))) for v in colour]
    except (TypeError, ValueError):  # a pattern name or other non-numeric colour
        return None
    if len(values) == 1:
        grey = round(values[0] * 255)
        return (grey, grey, grey)
    if len(values) == 3:
        return tuple(round(v * 255) for v in values)  # type: ignore[return-value]
    if len(values) == 4:
        c, m, y, k = values
        return tuple(round(255 * (1 - v) * (1 - k)) for v in (c, m, y))  # type: ignore[return-value]
    return None


def nearest_status(rgb: tuple[int, int, int]) -> str | None:
    """The status whose reference colour is nearest, or None when nothing is near (white, grey)."""
    best, best_distance = None, MAX_DISTANCE
    for status, shades in REFERENCE.items():
        for shade in shades:
            distance = sum((a - b) ** 2 for a, b in zip(rgb, shade, strict=True)) ** 0.5
            if distance < best_distance:
                best, best_distance = status, distance
    return best


def to_hex(rgb: tuple[int, int, int]) -> str:
    """RGB 0–255 to ``#RRGGBB`` (how a colour is kept in ``status_raw``)."""
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def is_neutral(rgb: tuple[int, int, int], tolerance: int = 24) -> bool:
    """White, black or a grey (no hue): a header or background fill, never a traffic light."""
    return max(rgb) - min(rgb) <= tolerance

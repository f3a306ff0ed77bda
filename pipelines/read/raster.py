"""Page images of a scanned report: PDF pages rasterised with pypdfium2, image files as they
are (PNG, JPEG, multi-page TIFF), and a deskew that straightens a slightly rotated scan.

Images are numpy arrays, RGB, ``uint8``, rows × columns × 3. The skew is measured on the
table's ruling lines (long straight dark segments), which every report page has; a page
without any keeps its angle.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from pipelines.core.errors import ReportFormatError

DEFAULT_DPI = 200  # for a PDF page that holds no scan (a text PDF read as one)
DPI_RANGE = (150, 300)  # a scanned page is rendered at its own resolution, within this
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
MAX_SKEW_DEGREES = 5.0  # a scan turned further than this is not straightened (likely no table)
MIN_SKEW_DEGREES = 0.05  # below this, rotating would only blur the page


def is_image(head: bytes) -> bool:
    """PNG, JPEG or TIFF, by their first bytes."""
    return (
        head.startswith(b"\x89PNG\r\n\x1a\n")
        or head.startswith(b"\xff\xd8\xff")
        or head[:4] in (b"II*\x00", b"MM\x00*")
    )


def page_count(path: Path) -> int:
    """Pages of a PDF, or frames of an image file."""
    if _is_pdf(path):
        pdf = _open_pdf(path)
        try:
            return len(pdf)
        finally:
            pdf.close()

    with _open_image(path) as image:
        return getattr(image, "n_frames", 1)


def _is_pdf(path: Path) -> bool:
    with path.open("rb") as handle:
        return b"%PDF-" in handle.read(1024)


def _open_pdf(path: Path):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise ReportFormatError(
            f"{path.name}: not a readable PDF ({exc}); the file may be truncated or damaged"
        ) from exc


def _open_image(path: Path):
    from PIL import Image, UnidentifiedImageError

    try:
        return Image.open(path)
    except (UnidentifiedImageError, OSError) as exc:
        raise ReportFormatError(
            f"{path.name}: not a readable PNG, JPEG or TIFF image; the file may be damaged"
        ) from exc


def page_image(path: Path, index: int, dpi: int = DEFAULT_DPI) -> tuple[np.ndarray, float]:
    """Page ``index`` (0-based) as an RGB array, and the resolution it has in dots per inch.

    A PDF page is rendered at ``dpi``; an image keeps its own pixels and says its resolution
    (its DPI tag, else ``dpi`` is assumed).
    """
    if _is_pdf(path):
        pdf = _open_pdf(path)
        try:
            page = pdf[index]
            dpi = native_dpi(page) or dpi
            bitmap = page.render(scale=dpi / 72, may_draw_forms=True)
            array = np.array(bitmap.to_pil().convert("RGB"))
            page.close()
        finally:
            pdf.close()
        return array, float(dpi)
    with _open_image(path) as image:
        image.seek(index)
        own = image.info.get("dpi")
        resolution = float(own[0]) if own and own[0] and own[0] > 30 else float(dpi)
        return np.array(image.convert("RGB")), resolution


def native_dpi(page) -> int | None:
    """The resolution of the scan a PDF page holds (its largest image, covering most of the
    page), within :data:`DPI_RANGE`; None for a page that is no scan. Rendering at the scan's
    own resolution loses nothing and costs no more pixels than the scan has."""
    import pypdfium2.raw as pdfium_raw

    width, height = page.get_size()
    best = None
    for obj in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        if (right - left) * (top - bottom) < 0.5 * width * height:
            continue
        pixels = obj.get_px_size()[0]
        dpi = pixels / ((right - left) / 72)
        best = max(best or 0, dpi)
    if best is None:
        return None
    return int(round(min(max(best, DPI_RANGE[0]), DPI_RANGE[1])))


def skew_angle(rgb: np.ndarray) -> float:
    """The page's skew in degrees (counter-clockwise positive), from its long dark lines.

    Horizontal rules survive an opening with a short flat kernel even when turned a few
    degrees (as a staircase); a straight line fitted through each long one gives its angle,
    and the length-weighted median over the page is the skew.
    """
    import cv2

    from pipelines.read.grid import ink_mask

    ink = ink_mask(rgb)
    width = ink.shape[1]
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(10, width // 80), 1))
    lines = cv2.dilate(cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel), np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    angles, weights = [], []
    for label in range(1, count):
        x, y, w, h, _area = stats[label]
        if w < width // 4 or h > w * math.tan(math.radians(MAX_SKEW_DEGREES)) + 8:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == label)
        slope = np.polyfit(xs.astype(float), ys.astype(float), 1)[0]
        angles.append(-math.degrees(math.atan(slope)))  # image rows grow downwards
        weights.append(float(w))
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cumulative = np.cumsum(np.asarray(weights)[order])
    median = int(np.searchsorted(cumulative, cumulative[-1] / 2))
    return float(np.asarray(angles)[order][median])


def deskew(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """The page turned straight (white fills the corners), and the angle it was turned by."""
    import cv2

    angle = skew_angle(rgb)
    if abs(angle) < MIN_SKEW_DEGREES:
        return rgb, 0.0
    height, width = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), -angle, 1.0)
    straight = cv2.warpAffine(
        rgb,
        matrix,
        (width, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(255, 255, 255),
    )
    return straight, angle

"""A corpus of bad inputs: each gets one actionable line (exit 2) and leaves the lake as it was."""

import io
import os
import random
import zipfile
from pathlib import Path

import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen.canvas import Canvas

from pipelines.cli import main
from tests.read.pdf_factory import make_report_pdf, sample_rows
from tests.reliability.lake_state import lake_files


def _scanned_letter(path: Path) -> None:
    """An image-only PDF of a letter: a scan, but no table."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1240, 1754), "white")
    ImageDraw.Draw(image).text((100, 100), "Kallelse till sammanträde", fill="black")
    image.save(path, "PDF", resolution=150)


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(300):  # 300 MiB inflated, ~300 KiB on disk
                member.write(block)


def _no_sheets(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><sheets/></workbook>',
        )


def _write(name: str, content: bytes):
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    return make


def _built(name: str, builder):
    def make(folder: Path) -> Path:
        path = folder / name
        builder(path)
        return path

    return make


def _big_junk(folder: Path) -> Path:
    path = folder / "big_2022-07-07.csv"
    path.write_bytes(os.urandom(1 << 20) * 50)  # 50 MiB of binary junk named .csv
    return path


def _huge_sparse(folder: Path) -> Path:
    path = folder / "huge_2022-07-07.csv"
    with path.open("wb") as handle:
        handle.truncate(101 * 2**20)
    return path


def _truncated_pdf(path: Path) -> None:
    make_report_pdf(path, sample_rows(12), rows_per_page=4)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # an interrupted download


def _password_pdf(path: Path) -> None:
    # The table is there, but only behind the password (reportlab's RC4 encryption).
    canvas = Canvas(str(path), encrypt=StandardEncryption("hemligt", ownerPassword="ägare"))
    canvas.drawString(72, 720, "AKTIVITETER MÅLOMRÅDE - Ett tillgängligt Västmanland")
    canvas.drawString(72, 700, "Aktivitet   Verksamhet   Status   Kommentar")
    canvas.showPage()
    canvas.save()


def _not_a_report_pdf(path: Path) -> None:
    canvas = Canvas(str(path))
    canvas.drawString(72, 720, "Faktura 2022-118 — Region Exempel")
    canvas.rect(72, 600, 400, 80)  # a ruled box, but no activity table
    canvas.drawString(80, 650, "Att betala: 12 500 kr")
    canvas.showPage()
    canvas.save()


def _garbage_ocr(path: Path) -> None:
    """Headings and column markers survived the OCR, every cell came out as debris."""
    rng = random.Random(5)

    def debris() -> str:
        return "".join(rng.choice("¤#%&@$^~*+=<>|{}[]0123456789 ") for _ in range(30))

    lines = []
    for _ in range(3):
        lines += ["AKTIVITETER MALOMRADE - " + debris(), ""]
        lines += [debris(), debris(), "", "Verksamhet", "", debris(), "", "Kommentar", ""]
        lines += [debris(), debris(), "", "2022-07-07", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


GOOD = b"Aktivitet;Status\nA;Gr\xc3\xb6nt\n"

CASES = {
    "empty file": (_write("e_2022-07-07.csv", b""), [], "the file is empty"),
    "binary junk named .xlsx": (
        _write("j_2022-07-07.xlsx", os.urandom(4096)),
        [],
        "the content is not an XLSX workbook despite its name",
    ),
    "binary junk named .csv": (
        _write("j_2022-07-07.csv", b"\x00\x01\x02\xff" * 100),
        [],
        "binary data, not a CSV",
    ),
    "xlsx zip bomb": (_built("b_2022-07-07.xlsx", _zip_bomb), [], "refusing (zip bomb?)"),
    "xlsx without sheets": (
        _built("n_2022-07-07.xlsx", _no_sheets),
        [],
        "the workbook has no sheets",
    ),
    "missing required columns": (
        _write("m_2022-07-07.csv", b"Verksamhet;Status\nV;Gult\n"),
        [],
        "no header row with an activity column",
    ),
    "period label that does not parse": (
        _write("p.csv", GOOD),
        ["--period", "2022-Q7"],
        "'2022-Q7' is not a period label",
    ),
    "report date in the future": (
        _write("f.csv", GOOD),
        ["--report-date", "2099-01-01"],
        "is in the future",
    ),
    "report date that is no date": (
        _write("d.csv", GOOD),
        ["--report-date", "2022-13-45"],
        "is not a date like",
    ),
    "org name with path characters": (
        _write("o_2022-07-07.csv", GOOD),
        ["--org", "../../etc"],
        "is not a valid organisation name",
    ),
    "50 MB of junk": (_big_junk, [], "binary data, not a CSV"),
    "file over the size limit": (_huge_sparse, [], "more than a follow-up report can be"),
    "no such file": (lambda folder: folder / "missing.csv", [], "no such file"),
    "truncated PDF": (
        _built("t_2022-07-07.pdf", _truncated_pdf),
        [],
        "t_2022-07-07.pdf: not a readable PDF (PdfminerException); the file may be truncated or "
        "damaged — download or export it again",
    ),
    "password-protected PDF": (
        _built("pw_2022-07-07.pdf", _password_pdf),
        [],
        "pw_2022-07-07.pdf: the PDF is password-protected; save an unprotected copy (print to "
        "PDF without a password) and ingest that",
    ),
    "scanned PDF that is not a report": (
        _built("scan_2022-07-07.pdf", _scanned_letter),
        [],
        "scan_2022-07-07.pdf: no ruled table with activities found in the scan (1 page(s)); is "
        "this a follow-up report?",
    ),
    "PDF that is not a report": (
        _built("inv_2022-07-07.pdf", _not_a_report_pdf),
        [],
        "inv_2022-07-07.pdf: no activity table (a ruled table with an activity column beside "
        "a unit, status or comment column, e.g. Aktivitet | Verksamhet | Status | Kommentar or "
        "Åtgärd | Ansvar | Bedömning); is this a follow-up report?",
    ),
    "binary junk named .pdf": (
        _write("j_2022-07-07.pdf", random.Random(2).randbytes(4096)),
        [],
        "j_2022-07-07.pdf: the content is not a PDF despite its name; is the file damaged or "
        "misnamed?",
    ),
    "random text named .txt": (
        _write(
            "r_2022-07-07.txt",
            "Lorem ipsum dolor sit amet.\nKära dagbok, i dag regnade det på Västerås.\n".encode(),
        ),
        [],
        "r_2022-07-07.txt: text, but not an OCR'd follow-up report (no 'AKTIVITETER …' page "
        "heading with Verksamhet and Kommentar columns near the start); is this the right file?",
    ),
    "random text read as OCR text": (
        _write("r_2022-07-07.txt", "Kära dagbok, i dag regnade det.\n".encode()),
        ["--format", "ocr-text"],
        "r_2022-07-07.txt: neither a goal-area heading nor a column marker (Verksamhet, "
        "Kommentar …); not an OCR'd follow-up report",
    ),
    "PDF read with --format csv": (
        _built("f_2022-07-07.pdf", lambda path: make_report_pdf(path, sample_rows(3))),
        ["--format", "csv"],
        "f_2022-07-07.pdf: --format csv, but the file is a PDF; use --format pdf or leave "
        "--format out",
    ),
    "CSV read with --format pdf": (
        _write("c_2022-07-07.csv", GOOD),
        ["--format", "pdf"],
        "c_2022-07-07.csv: --format pdf, but the file is not a PDF; leave out --format to "
        "detect the format",
    ),
    "OCR text whose pages are all garbage": (
        _built("g_2022-07-07.txt", _garbage_ocr),
        [],
        "g_2022-07-07.txt: there is no unit cell and hardly a real word: the OCR output is "
        "garbage; OCR the scan again in Swedish (e.g. "
        "`tesseract page.png out -l swe`)",
    ),
}


@pytest.fixture(scope="module")
def populated_lake(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lake")
    good = folder / "good_2022-07-07.csv"
    good.write_bytes(GOOD)
    assert main(["ingest", str(good), "--org", "region-x", "--lake", str(folder / "lake")]) == 0
    return folder / "lake"


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_in_one_line_and_the_lake_is_unchanged(
    case, populated_lake, tmp_path, capsys
):
    make, options, message = CASES[case]
    path = make(tmp_path)
    args = ["ingest", str(path), "--lake", str(populated_lake)]
    if "--org" not in options:
        args += ["--org", "region-x"]
    before = lake_files(populated_lake)
    capsys.readouterr()
    code = main(args + options)
    captured = capsys.readouterr()
    assert code == 2, captured
    assert message in captured.err
    assert len(captured.err.strip().splitlines()) == 1, captured.err
    assert "Traceback" not in captured.err
    assert lake_files(populated_lake) == before


def test_unknown_status_words_are_quarantined_not_refused(populated_lake, tmp_path, capsys):
    path = tmp_path / "s_2022-10-12.csv"
    path.write_text("Aktivitet;Status\nA;Grönt\nB;Grönt\nC;lila\n", encoding="utf-8")
    assert main(["ingest", str(path), "--org", "region-x", "--lake", str(populated_lake)]) == 0
    assert "1 quarantined" in capsys.readouterr().out


def test_cp1252_and_utf16_reports_are_ingested(populated_lake, tmp_path, capsys):
    text = "Aktivitet;Verksamhet;Status\nStödja små företag;Välfärd;Gult\n"
    for index, encoding in enumerate(["cp1252", "utf-16"], start=1):
        path = tmp_path / f"e{index}_2023-0{3 * index + 1}-15.csv"
        path.write_bytes(text.encode(encoding))
        assert main(["ingest", str(path), "--org", "region-y", "--lake", str(populated_lake)]) == 0
    assert io.StringIO(capsys.readouterr().out).getvalue().count(" new ") == 2


def test_a_report_with_one_garbage_page_is_read_not_refused(tmp_path):
    """Only a report that is garbage throughout is refused; one bad page costs its own rows."""
    from pipelines.read import read_report

    real = Path(__file__).parents[2] / "pipelines/sample_data/region-vastmanland_2022-07-07_ocr.txt"
    garbage = tmp_path / "g.txt"
    _garbage_ocr(garbage)
    mixed = tmp_path / "region-vastmanland_2022-07-07_mixed.txt"  # the same org: its aliases
    mixed.write_text(real.read_text(encoding="utf-8") + "\n" + garbage.read_text("utf-8"), "utf-8")
    alone = read_report(real, "ocr-text").rows
    rows = read_report(mixed, "ocr-text").rows
    assert rows.height > alone.height
    assert rows.head(alone.height - 1).equals(alone.head(alone.height - 1))

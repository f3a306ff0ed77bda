"""Goal-area headings in their many forms (pipelines/read/goal_areas.py)."""

from __future__ import annotations

import pytest

from pipelines.read.goal_areas import TextLine, clean_heading, heading_above, is_legend


@pytest.mark.parametrize(
    ("heading", "goal_area"),
    [
        ("AKTIVITETER MÅLOMRÅDE - Trygg uppväxt", "Trygg uppväxt"),
        ("forts. AKTIVITETER MÅLOMRÅDE - Trygg uppväxt", "Trygg uppväxt"),
        ("AKTIVITETER VISIONSMÅLET — Friska hav", "Friska hav"),
        ("Målområde 2: Attraktiv landsbygd", "Attraktiv landsbygd"),
        ("Fokusområde – Hållbar tillväxt", "Hållbar tillväxt"),
        ("Strategiskt mål 3 – Digital välfärd", "Digital välfärd"),
        ("3. Jämställd service", "Jämställd service"),
        ("Klimatneutral kommun 2035 (forts.)", "Klimatneutral kommun 2035"),
        ("Målinriktad förvaltning", "Målinriktad förvaltning"),  # a name, not the word "mål"
        ("Målområde:", None),
    ],
)
def test_clean_heading(heading, goal_area):
    assert clean_heading(heading) == goal_area


@pytest.mark.parametrize(
    ("text", "marks", "expected"),
    [
        ("Gult = avvikelse Grönt = enligt plan Rött = når ej målet", 0, True),
        ("Grön: enligt plan  Gul: risk  Röd: stoppad", 0, True),
        ("Enligt plan   Risk för avvikelse   Kommer inte att nås", 3, True),
        ("Grönt = enligt plan", 1, True),
        ("Målområde: Trygg uppväxt", 0, False),
        ("Uppföljning av verksamhetsplan 2024", 0, False),
    ],
)
def test_is_legend(text, marks, expected):
    assert is_legend(text, marks) is expected


def test_a_data_row_with_one_status_word_is_no_legend_inside_a_table():
    assert not is_legend("G: Välfärd", 1, in_table=True)
    assert is_legend("Gult = risk Grönt = ok Rött = stopp", 3, in_table=True)


def test_the_heading_nearest_the_table_wins_over_a_title_and_dates():
    lines = [
        TextLine("2024-08-31", 9, False, 20),
        TextLine("Uppföljning av verksamhetsplan 2024", 18, True, 40),
        TextLine("Målområde 1: Ett inkluderande", 13, True, 70),
        TextLine("arbetsliv", 13, True, 86),
        TextLine("Grönt = enligt plan Gult = avvikelse", 9, False, 110, coloured_marks=2),
        TextLine("Sida 1 av 4", 9, False, 125),
    ]
    assert heading_above(lines, body_size=9) == "Ett inkluderande arbetsliv"


def test_no_heading_without_a_larger_bold_or_goal_area_line():
    lines = [TextLine("Norrvikens kommun", 9, False, 20), TextLine("2024-08-31", 9, False, 40)]
    assert heading_above(lines, body_size=9) is None
    lines.append(TextLine("Målområde: Friska hav", 9, False, 60))
    assert heading_above(lines, body_size=9) == "Friska hav"

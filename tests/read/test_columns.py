from pipelines.core.status import normalise_status
from pipelines.read.columns import assign_columns, header_field, is_header_row


def _by_field(choices):
    return {c.field: c.index for c in choices}


def test_header_synonyms_of_other_templates():
    assert header_field("Åtgärd") == "activity"
    assert header_field("  ANSVARIG FÖRVALTNING: ") == "unit"
    assert header_field("Måluppfyllelse") == "status"
    assert header_field("Analys") == "comment"
    assert header_field("Budget") is None
    assert is_header_row(["", "Ansvar", "", "Uppföljning"])


def test_blank_headers_are_decided_by_content():
    # The real layout: only the unit and comment columns have header text.
    header = ["", "Verksamhet", "", "Kommentar"]
    body = [
        ["Inventera gång- och cykelvägar", "Trafik", "", "Arbetet pågår enligt plan."],
        ["Ta fram en plan för skolskjuts", "Utbildning", "", "Försenat på grund av upphandling."],
    ]
    coloured = [[False, False, True, False], [False, False, True, False]]
    choices = assign_columns(header, body, coloured)
    assert _by_field(choices) == {"activity": 0, "unit": 1, "status": 2, "comment": 3}
    reasons = {c.field: c.reason for c in choices}
    assert reasons["activity"].startswith("content") and reasons["status"].startswith("content")
    assert reasons["unit"] == "header 'Verksamhet'"
    assert next(c for c in choices if c.field == "activity").confidence < 1


def test_no_header_at_all_columns_in_another_order():
    body = [
        [
            "Pågår",
            "Digitala möten i hemtjänsten",
            "Omsorg",
            "Införandet har startat i två av tre områden och fortsätter under hösten.",
        ],
        [
            "Försenad",
            "Ny lekplats i centrum",
            "Teknik",
            "Upphandlingen överklagades och byggstarten flyttas till våren.",
        ],
        [
            "Klar",
            "Rutin för avvikelser",
            "Omsorg",
            "Rutinen är beslutad och införd i alla verksamheter sedan mars.",
        ],
    ]
    status_words = {"pågår", "försenad", "klar"}
    choices = assign_columns(
        None, body, None, lambda t: t.casefold() in status_words or normalise_status(t) is not None
    )
    assert _by_field(choices) == {"status": 0, "activity": 1, "unit": 2, "comment": 3}

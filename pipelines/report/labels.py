"""Every user-visible word of the report, in Swedish (the default) and English.

Templates use ``{period}`` (this report's period), ``{previous}`` (the one compared with) and
``{org}``.
"""

from __future__ import annotations

from pipelines.core.errors import FollowupError

LANGUAGES = ("sv", "en")

LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Uppföljning: {org}",
        "subtitle": "{period} jämfört med {previous}",
        "subtitle_single": "{period} (ingen tidigare rapport att jämföra med)",
        "compared": "Jämförda rapporter",
        "role_current": "Denna rapport",
        "role_previous": "Föregående rapport",
        "role": "Rapport",
        "period": "Period",
        "report_date": "Rapportdatum",
        "source_file": "Fil",
        "rows": "Aktiviteter",
        "green": "Grönt",
        "yellow": "Gult",
        "red": "Rött",
        "unknown": "Okänt",
        "inferred_mark": "*",
        "inferred_note": "* härledd från kommentaren (ingen färg i rapporten)",
        "goal_area": "Målområde",
        "no_goal_area": "(utan målområde)",
        "activity": "Aktivitet",
        "unit": "Verksamhet",
        "status": "Status",
        "comment": "Kommentar",
        "col_previous": "{previous}",
        "col_current": "{period}",
        "col_change": "Förändring",
        "total": "Totalt",
        "inferred_current": "Härledda",
        "inferred_share": "Andel härledda",
        "status_previous": "Status {previous}",
        "status_current": "Status {period}",
        "comment_previous": "Kommentar {previous}",
        "comment_current": "Kommentar {period}",
        "matrix_stub": "Status {previous}",
        "matrix_spanner": "Status {period}",
        "new": "Ny",
        "dropped": "Borta",
        "periods_off_plan": "Perioder utanför plan",
        "off_plan_since": "Utanför plan sedan",
        "days_off_plan": "Dagar utanför plan",
        "promised_in": "Lovat i",
        "expression": "Löfte",
        "promised_by": "Lovat till",
        "outcome": "Utfall",
        "outcome_slipped": "Ej hållet",
        "outcome_moved": "Flyttat",
        "days_slipped": "Dagar sent",
        "completed": "Avslutad",
        "yes": "Ja",
        "no": "Nej",
        "none": "Inga.",
        "sec_summary": "Sammanfattning per målområde",
        "sec_matrix": "Statusförändringar",
        "sec_worsened": "Försämrade aktiviteter",
        "sec_improved": "Förbättrade aktiviteter",
        "sec_off_plan": "Längst utanför plan",
        "sec_slipped": "Löften som inte hållits",
        "sec_new": "Nya aktiviteter",
        "sec_dropped": "Aktiviteter som inte längre rapporteras",
        "sec_strip": "Statushistorik",
        "intro_summary": "Antal aktiviteter per status, {previous} och {period}, och förändringen.",
        "intro_matrix": "Hur många aktiviteter som gick från en status ({previous}, rader) "
        "till en annan ({period}, kolumner).",
        "intro_worsened": "Aktiviteter vars status blev sämre sedan {previous}, med båda "
        "periodernas kommentarer.",
        "intro_improved": "Aktiviteter vars status blev bättre sedan {previous}.",
        "intro_off_plan": "Aktiviteter som är gula eller röda i {period}, de som varit utanför "
        "plan längst först.",
        "intro_slipped": "Tidslöften i kommentarerna vars tid har passerat utan att aktiviteten "
        "blev klar.",
        "intro_new": "Aktiviteter i {period} som inte fanns i {previous}.",
        "intro_dropped": "Aktiviteter i {previous} som saknas i {period}.",
        "intro_strip": "Status per period för alla aktiviteter som förekommit.",
        "sheet_compared": "Rapporter",
        "sheet_summary": "Sammanfattning",
        "sheet_matrix": "Övergångar",
        "sheet_worsened": "Försämrade",
        "sheet_improved": "Förbättrade",
        "sheet_off_plan": "Utanför plan",
        "sheet_slipped": "Löften",
        "sheet_new": "Nya",
        "sheet_dropped": "Borta",
        "sheet_strip": "Statushistorik",
    },
    "en": {
        "title": "Follow-up: {org}",
        "subtitle": "{period} compared with {previous}",
        "subtitle_single": "{period} (no earlier report to compare with)",
        "compared": "Reports compared",
        "role_current": "This report",
        "role_previous": "Previous report",
        "role": "Report",
        "period": "Period",
        "report_date": "Report date",
        "source_file": "File",
        "rows": "Activities",
        "green": "Green",
        "yellow": "Yellow",
        "red": "Red",
        "unknown": "Unknown",
        "inferred_mark": "*",
        "inferred_note": "* inferred from the comment (no colour in the report)",
        "goal_area": "Goal area",
        "no_goal_area": "(no goal area)",
        "activity": "Activity",
        "unit": "Unit",
        "status": "Status",
        "comment": "Comment",
        "col_previous": "{previous}",
        "col_current": "{period}",
        "col_change": "Change",
        "total": "Total",
        "inferred_current": "Inferred",
        "inferred_share": "Share inferred",
        "status_previous": "Status {previous}",
        "status_current": "Status {period}",
        "comment_previous": "Comment {previous}",
        "comment_current": "Comment {period}",
        "matrix_stub": "Status {previous}",
        "matrix_spanner": "Status {period}",
        "new": "New",
        "dropped": "Gone",
        "periods_off_plan": "Periods off plan",
        "off_plan_since": "Off plan since",
        "days_off_plan": "Days off plan",
        "promised_in": "Promised in",
        "expression": "Promise",
        "promised_by": "Promised by",
        "outcome": "Outcome",
        "outcome_slipped": "Slipped",
        "outcome_moved": "Moved",
        "days_slipped": "Days late",
        "completed": "Completed",
        "yes": "Yes",
        "no": "No",
        "none": "None.",
        "sec_summary": "Summary by goal area",
        "sec_matrix": "Status transitions",
        "sec_worsened": "Worsened activities",
        "sec_improved": "Improved activities",
        "sec_off_plan": "Longest off plan",
        "sec_slipped": "Slipped promises",
        "sec_new": "New activities",
        "sec_dropped": "Activities no longer reported",
        "sec_strip": "Status history",
        "intro_summary": "Activities per status, {previous} and {period}, and the change.",
        "intro_matrix": "How many activities went from one status ({previous}, rows) to another "
        "({period}, columns).",
        "intro_worsened": "Activities whose status got worse since {previous}, with both "
        "periods' comments.",
        "intro_improved": "Activities whose status got better since {previous}.",
        "intro_off_plan": "Activities yellow or red in {period}, longest off plan first.",
        "intro_slipped": "Time promises in the comments whose date has passed without the "
        "activity being done.",
        "intro_new": "Activities in {period} that were not in {previous}.",
        "intro_dropped": "Activities in {previous} missing from {period}.",
        "intro_strip": "Status per period for every activity ever reported.",
        "sheet_compared": "Reports",
        "sheet_summary": "Summary",
        "sheet_matrix": "Transitions",
        "sheet_worsened": "Worsened",
        "sheet_improved": "Improved",
        "sheet_off_plan": "Off plan",
        "sheet_slipped": "Promises",
        "sheet_new": "New",
        "sheet_dropped": "Gone",
        "sheet_strip": "Status history",
    },
}


class Labels:
    """Look up a label in one language, filling in the report's periods and org."""

    def __init__(self, lang: str, **context: str | None) -> None:
        if lang not in LABELS:
            raise FollowupError(f"language {lang!r} is not available; use one of: sv, en")
        self.lang = lang
        self._words = LABELS[lang]
        self._context = {k: (v if v is not None else "–") for k, v in context.items()}

    def __call__(self, key: str) -> str:
        return self._words[key].format(**self._context)

    def status(self, code: str | None, source: str | None = None) -> str:
        """``Gult`` for a reported yellow, ``Gult*`` for one inferred from the comment."""
        if code is None:
            return ""
        word = self._words.get(code, code)
        return word + self._words["inferred_mark"] if source == "inferred" else word

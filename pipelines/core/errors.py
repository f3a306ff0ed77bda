"""The project's own error type: a one-line, actionable message for the user."""


class FollowupError(Exception):
    """A problem the user can fix (bad input, wrong option). Shown as one line, exit code 2."""


class ReportFormatError(FollowupError):
    """A report file that cannot be read in the format asked for."""

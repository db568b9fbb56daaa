"""Forms of the indicators screens, one module per screen family. They collect what was typed;
indicators.services validates and stores it."""

from indicators.forms.entry import SubmissionEntryForm

__all__ = ["SubmissionEntryForm"]

"""The sections of the preliminary report, in the seed's order (docs/architecture.md#glossary).

Every section has narrative written by the analyst. Some also have content computed from
the other apps (``COMPUTED``); the narrative of those is shown before the tables."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ABBREVIATIONS = "abbreviations"
SUMMARY = "summary"
INTRODUCTION = "introduction"
ABOUT_ELECTIONS = "about_elections"
SOCIO_POLITICAL = "socio_political"
COMMISSIONS = "commissions"
VOTER_REGISTRATION = "voter_registration"
CAMPAIGN = "campaign"
VIOLATIONS = "violations"
RECOMMENDATIONS = "recommendations"

SECTION_CHOICES = [
    (ABBREVIATIONS, _("Abbreviations and acronyms")),
    (SUMMARY, _("Summary")),
    (INTRODUCTION, _("Introduction")),
    (ABOUT_ELECTIONS, _("About the elections")),
    (SOCIO_POLITICAL, _("Socio-political situation")),
    (COMMISSIONS, _("Activities of election commissions")),
    (VOTER_REGISTRATION, _("Voter registration")),
    (CAMPAIGN, _("Election campaign")),
    (VIOLATIONS, _("Violations and complaints")),
    (RECOMMENDATIONS, _("Recommendations")),
]
SECTION_KEYS = [key for key, _label in SECTION_CHOICES]
SECTION_TITLES = dict(SECTION_CHOICES)

# Sections whose tables and charts are computed from stored data.
COMPUTED = frozenset({ABOUT_ELECTIONS, COMMISSIONS, VOTER_REGISTRATION, CAMPAIGN, VIOLATIONS})


def section_number(key: str) -> int | None:
    """The seed numbers sections 1-9; the abbreviations come first, unnumbered."""
    index = SECTION_KEYS.index(key)
    return index or None

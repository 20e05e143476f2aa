"""Demo data of reports: one draft preliminary report on the demo election.

The tables come from the other apps' demo data; the narrative and recommendations here
are short texts of our own (not the seed's sentences). Idempotent: the report is found
by election and title; narrative is written only into empty sections, so an analyst's
edits survive a second ``load_demo``.
"""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.contrib.auth import get_user_model
from django.db import transaction

from observation.demo import demo_election
from reports.models import Abbreviation, Recommendation, Report, ReportSection
from reports.sections import SECTION_KEYS

TITLE = (
    "Preliminary report on the long-term observation of the repeat elections of deputies "
    "to the city keneshes of Bishkek, Osh and Tokmok, 11 July 2021"
)
PERIOD = (dt.date(2021, 6, 21), dt.date(2021, 7, 4))

ABBREVIATIONS = [
    ("LTO", "Long-term observer"),
    ("JK of the KR", "Jogorku Kenesh of the Kyrgyz Republic"),
    ("RRCG", "Rapid Response Coordination Group"),
    ("KR", "Kyrgyz Republic"),
    ("Keneshes", "Councils"),
    ("PIN", "Personal Identification Number"),
    ("PP", "Political Party"),
    ("President of the KR", "President of the Kyrgyz Republic"),
    ("Media", "Mass media"),
    ("TEC", "Territorial Election Commission"),
    ("CEC", "Central Commission for Elections and Referenda of the Kyrgyz Republic"),
    ("PEC", "Precinct Election Commission"),
    ("Foundation", "The Common Cause Public Foundation"),
]

RECOMMENDATIONS = [
    (
        "election_commissions",
        "Tell voters in Bishkek, Osh and Tokmok clearly and early when and where the repeat "
        "vote takes place, and keep health-protection measures at every commission meeting.",
    ),
    (
        "election_commissions",
        "Decide complaints within the statutory deadlines and publish the decisions promptly.",
    ),
    (
        "law_enforcement",
        "Act quickly on reports of misused administrative resources and of vote buying, and "
        "tell the public what came of each case.",
    ),
    (
        "political_parties",
        "Campaign only in the ways the electoral law allows and avoid disputed practices such "
        "as enlisting heads of house and quarter committees.",
    ),
    (
        "political_parties",
        "Follow the sanitary rules at every campaign event.",
    ),
    (
        "others",
        "Media and civil society: help voters check their registration before the list is closed.",
    ),
]

NARRATIVE = {
    "summary": (
        "This preliminary report covers what the Foundation's long-term observers saw "
        "between 21 June and 4 July 2021 in the run-up to the repeat city council elections "
        "in Bishkek, Osh and Tokmok.\n\n"
        "The campaign is quiet: voters know little about the repeat vote, and parties report "
        "that campaigning is hard under the present health situation. Observers again "
        "recorded misuse of administrative resources and attempts to buy votes."
    ),
    "introduction": (
        "The Foundation is a non-partisan organisation that observes elections in the "
        "Kyrgyz Republic. Its long-term observers follow the territorial election "
        "commissions, meet political parties and report violations on three incident forms:\n\n"
        "- administrative resources, pressure, threats and violence;\n"
        "- vote buying;\n"
        "- campaign rules."
    ),
    "about_elections": (
        "The results of the April 2021 city council elections in the three cities were "
        "annulled, and repeat elections were called for 11 July 2021."
    ),
    "socio_political": (
        "The repeat elections take place during a surge of COVID-19 cases and in the summer "
        "holiday season, which is expected to keep turnout low."
    ),
    "commissions": (
        "The territorial commissions of Osh and Tokmok were re-formed after the April "
        "elections, and a new CEC was elected during the observation period."
    ),
    "voter_registration": (
        "Voters could check their registration online and by text message until the lists "
        "were closed."
    ),
    "campaign": (
        "Parties told observers that voters are poorly informed and that much campaigning "
        "has moved to social networks."
    ),
    "violations": "The numbers below count every incident form that was not rejected or "
    "merged as a duplicate.",
    "recommendations": "",
}


def load(stdout: TextIO) -> None:
    with transaction.atomic():
        election = demo_election()
        analyst = get_user_model().objects.filter(username="analyst").first()
        report, created = Report.objects.get_or_create(
            election=election,
            title=TITLE,
            defaults={
                "period_start": PERIOD[0],
                "period_end": PERIOD[1],
                "language": Report.Language.EN,
                "created_by": analyst,
            },
        )
        for order, key in enumerate(SECTION_KEYS):
            section, _ = ReportSection.objects.get_or_create(
                report=report, key=key, defaults={"order": order}
            )
            if not section.body and NARRATIVE.get(key) and not report.is_published:
                section.body = NARRATIVE[key]
                section.save(update_fields=["body", "updated_at"])
        if not report.is_published:
            for order, (short, meaning) in enumerate(ABBREVIATIONS, 1):
                Abbreviation.objects.update_or_create(
                    report=report, short=short, defaults={"meaning": meaning, "order": order}
                )
            for order, (addressee, text) in enumerate(RECOMMENDATIONS, 1):
                Recommendation.objects.get_or_create(
                    report=report, addressee=addressee, text=text, defaults={"order": order}
                )
    stdout.write(
        f"reports: {'created' if created else 'kept'} the draft report #{report.pk} "
        f"({len(ABBREVIATIONS)} abbreviations, {len(RECOMMENDATIONS)} recommendations)\n"
    )

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
from reports.models import (
    Abbreviation,
    ContextFigure,
    Publisher,
    Recommendation,
    Report,
    ReportSection,
)
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

# Exactly the four recommendations of the 2021 preliminary report, in our words: one to
# the election commissions, one to law enforcement, two to the political parties.
RECOMMENDATIONS = [
    (
        "election_commissions",
        "Do more to tell the people of Bishkek, Osh and Tokmok about the repeat elections of "
        "city council deputies, and insist that COVID-19 prevention measures are strictly "
        "kept.",
    ),
    (
        "law_enforcement",
        "Respond promptly to reports of misused administrative resources and of vote "
        "buying, and examine the complaints about them as fast as possible.",
    ),
    (
        "political_parties",
        "Keep strictly to the election law and stay away from unlawful or questionable "
        "ways of campaigning.",
    ),
    (
        "political_parties",
        "Follow the COVID-19 sanitary and epidemiological rules at every campaign event.",
    ),
]

PUBLISHER = {
    "name": "Common Cause Public Foundation",
    "website": "https://commoncause.kg/",
}
ISSUED_ON = dt.date(2021, 7, 5)  # July 2021; the cut-off of the figures is 4 July

# The COVID-19 figures of 5 July 2021 (§4), entered as an analyst would, charted as
# Chart 1 so the voter charts are Charts 2 and 3.
CONTEXT_FIGURES = [
    {
        "section": "socio_political",
        "title": "COVID-19 in the Kyrgyz Republic as of 5 July 2021",
        "source": "Ministry of Health of the Kyrgyz Republic",
        "rows": [
            ["Confirmed cases in total", 132070],
            ["New cases in the last 24 hours", 1432],
            ["of them in Bishkek", 924],
            ["of them in Osh", 71],
            ["of them in Chui region", 142],
            ["Deaths in total", 2046],
        ],
        "chart": "horizontal",
    },
]

NARRATIVE = {
    "summary": (
        "This preliminary report covers what the Foundation's long-term observers saw "
        "between 21 June and 4 July 2021 in the run-up to the repeat city council elections "
        "in Bishkek, Osh and Tokmok.\n\n"
        "The campaign is quiet: voters know little about the repeat vote, and parties report "
        "that campaigning is hard under the present health situation. Observers again "
        "recorded misuse of administrative resources and attempts to buy votes. Election "
        "day and the count will be run by the newly elected CEC."
    ),
    "introduction": (
        "The Foundation[^about] is a non-partisan organisation that observes elections in "
        "the Kyrgyz Republic. For these elections it informs voters of their rights, "
        "observes the preparations over the long term, sends short-term observers on "
        "election day and follows election disputes. Its long-term observers follow the "
        "territorial election commissions, meet political parties and report violations.\n\n"
        "[^about]: <https://commoncause.kg/about>"
    ),
    "about_elections": (
        "The results of the April 2021 city council elections in the three cities were "
        "annulled, and repeat elections were called for 11 July 2021. Because the elections "
        "are repeated, the legal time limits are a third shorter. 121 seats are to be filled "
        "in the three city councils; a party needs 7 per cent of the vote."
    ),
    "socio_political": (
        "The repeat elections take place at the peak of the third wave of COVID-19[^moh] "
        "and in the summer holiday season, which is expected to keep turnout low. Rising "
        "food prices, drought, power and gas cuts and unemployment add to the tension.\n\n"
        "[^moh]: Ministry of Health data."
    ),
    "commissions": (
        "The territorial commissions of Osh and Tokmok were disbanded after the April "
        "elections and re-formed in new compositions. A new CEC of twelve members was "
        "elected by the Jogorku Kenesh on 30 June 2021, during the observation period; four "
        "of its members were re-elected. The Bishkek TEC was followed remotely because of "
        "the epidemic; in Osh and Tokmok observers attended in person and saw the sanitary "
        "rules only partly observed."
    ),
    "voter_registration": (
        "Voters could check their registration on the Tizme portal, through the short "
        "number 1255 or by sending their PIN by SMS to 119."
    ),
    "campaign": (
        "Observers met five of the eighteen parties standing in Bishkek on 2 June 2021. "
        "Some of the parties met also said that, despite the annulment of the April "
        "results, administrative resources are still misused, votes are still bought and "
        "heads of house and quarter committees are still drawn into campaigning in all "
        "three cities; they did not say which parties do so."
    ),
    "violations": "",
    "recommendations": "",
}


def load(stdout: TextIO) -> None:
    with transaction.atomic():
        election = demo_election()
        analyst = get_user_model().objects.filter(username="analyst").first()
        publisher, _ = Publisher.objects.get_or_create(
            name=PUBLISHER["name"], defaults={"website": PUBLISHER["website"]}
        )
        report, created = Report.objects.get_or_create(
            election=election,
            title=TITLE,
            defaults={
                "period_start": PERIOD[0],
                "period_end": PERIOD[1],
                "language": Report.Language.EN,
                "created_by": analyst,
                "publisher": publisher,
                "issued_on": ISSUED_ON,
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
            for order, figure in enumerate(CONTEXT_FIGURES, 1):
                ContextFigure.objects.get_or_create(
                    report=report, title=figure["title"], defaults={**figure, "order": order}
                )
    stdout.write(
        f"reports: {'created' if created else 'kept'} the draft report #{report.pk} "
        f"({len(ABBREVIATIONS)} abbreviations, {len(RECOMMENDATIONS)} recommendations)\n"
    )

"""Demo data of commissions: section 5 of the seed report (the CEC and the three TECs the
mission followed, their meetings, decisions and complaints).

What the seed does not state is assumed, and said so here:
- Kairat Mamatov's term as chair of the Bishkek TEC: the seed says only that he left it for
  the CEC. His term is recorded from 2021-02-01 (before the annulled April elections) to
  2021-06-29, the eve of the Jogorku Kenesh vote electing the new CEC on 2021-06-30.
- The new Bishkek TEC chair and secretary take office on 2021-06-30, when he left.
- Meeting dates other than the Bishkek TEC meeting of 2021-07-03, the dates of the two
  "no violation" decisions, and every complaint except those the seed describes are
  illustrative; complainants of those complaints are synthetic.
- The seed gives no roles inside the CEC, so its twelve members are recorded as members.
- The outgoing CEC: the seed says its term of office expired and names only the four
  members re-elected on 2021-06-30. Their earlier terms are recorded with no first day
  (not in the seed), ending 2021-06-29, the eve of the vote; who nominated them then and
  their roles are not in the seed either ("not recorded", member). The other members of
  the outgoing CEC are not named, so they are not recorded: the report says how many of
  the outgoing composition the record holds and never more.

PECs are not created one by one: the seed gives only how many each TEC has (228, 78,
20), and that number is the TEC's ``pec_count``. Rows with invented PEC names would only
add noise; real PECs can be added under their TEC at any time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.db import models

from commissions.models import (
    Commission,
    CommissionDecision,
    CommissionMeeting,
    CommissionMember,
    Complaint,
)
from observation.demo import demo_election
from observation.models import Candidate, District, Party

D = dt.date
CEC_NAME = "Central Commission for Elections and Referenda (CEC)"
CEC_VOTE = D(2021, 6, 30)  # the Jogorku Kenesh elected the new CEC that day

REFORMED = (
    "Disbanded after the annulled elections of 11 April 2021, for which the TEC was held "
    "responsible, and re-formed in a new composition before the repeat elections."
)

# (district code, name, number of PECs, note)
TECS = [
    ("BSK", "Bishkek TEC", 228, ""),
    ("OSH", "Osh TEC", 78, REFORMED),
    ("TKM", "Tokmok TEC", 20, REFORMED),
]

# (full name, nominated by, party as named, party in the register or None, re-elected, note)
PARLIAMENT, PRESIDENT = (
    CommissionMember.NominatedBy.PARLIAMENT,
    CommissionMember.NominatedBy.PRESIDENT,
)
CEC_MEMBERS = [
    ("Uzarbek Zhylykbaev", PARLIAMENT, "SDPK", None, False, ""),
    ("Akylbek Eshimov", PARLIAMENT, "Kyrgyzstan", None, True, ""),
    ("Kairat Mamatov", PARLIAMENT, "Republic - Ata-Zhurt", None, False,
     "Chaired the Bishkek TEC until he joined the CEC."),
    ("Tynchtyk Shainazarov", PARLIAMENT, "", "Onuguu-Progress", True, ""),
    ("Abdyzhapar Bekmatov", PARLIAMENT, "", "Bir Bol", True, ""),
    ("Iskender Gaypkulov", PARLIAMENT, "Ata Meken", None, False, ""),
    ("Nurzhan Shildabekova", PRESIDENT, "", None, True, ""),
    ("Mars Naspekov", PRESIDENT, "", None, False, ""),
    ("Anar Dubanbaeva", PRESIDENT, "", None, False, ""),
    ("Nurlan Koichukeyev", PRESIDENT, "", None, False, ""),
    ("Akbalik Zhumalieva", PRESIDENT, "", None, False, ""),
    ("Aidana Zhupueva", PRESIDENT, "", None, False, ""),
]  # fmt: skip

MemberRole = CommissionMember.MemberRole
OUTGOING_CEC_NOTE = (
    "Member of the outgoing CEC, whose term of office expired; re-elected on 30 June 2021. "
    "First day, role and nominating body of this term are not in the source."
)
# (full name, role, term start, term end, note)
BISHKEK_TEC_MEMBERS = [
    ("Kairat Mamatov", MemberRole.CHAIR, D(2021, 2, 1), D(2021, 6, 29),
     "Left to join the CEC. Term dates are a demo assumption: the seed gives none."),
    ("Stamov Aibek Kubatovich", MemberRole.CHAIR, CEC_VOTE, None,
     "Elected chair after Kairat Mamatov left; the TEC was completed from its reserve."),
    ("Bakhadyr Arunovich Konurov", MemberRole.SECRETARY, CEC_VOTE, None,
     "Elected secretary when the TEC was completed from its reserve."),
]  # fmt: skip

LAW = "Law of the Kyrgyz Republic “On elections of deputies of local keneshes”"
PREMATURE = (
    "The TEC working group on campaign compliance examined signals passed on by the CEC's "
    "Rapid Response Coordination Group and social-network posts showing campaigning before "
    "the campaign period opened, and warned the {subject} not to break the campaigning rules."
)


def _upsert(model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    """Create or bring up to date the row ``lookup`` names, checking every rule."""
    row = model.objects.filter(**lookup).first() or model(**lookup)
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    return row


def _user(username: str) -> Any:
    return get_user_model().objects.filter(username=username).first()


def load(stdout: TextIO) -> None:
    election = demo_election()
    districts = {d.code: d for d in District.objects.filter(election=election)}
    parties = {p.name: p for p in Party.objects.all()}

    cec = _upsert(
        Commission,
        {"election": election, "level": Commission.Level.CEC},
        {"name": CEC_NAME, "note": "New composition elected on 30 June 2021, during the campaign."},
    )
    tecs = {}
    for code, name, pec_count, note in TECS:
        tecs[code] = _upsert(
            Commission,
            {"election": election, "level": Commission.Level.TEC, "district": districts[code]},
            {"name": name, "parent": cec, "pec_count": pec_count, "note": note},
        )

    for full_name, nominated_by, label, party, re_elected, note in CEC_MEMBERS:
        _upsert(
            CommissionMember,
            {"commission": cec, "full_name": full_name, "term_start": CEC_VOTE},
            {
                "role": MemberRole.MEMBER,
                "nominated_by": nominated_by,
                "party": parties[party] if party else None,
                "party_label": label,
                "re_elected": re_elected,
                "note": note,
            },
        )
    # The outgoing CEC as far as the seed names it: the four members it re-elected.
    outgoing = [row[0] for row in CEC_MEMBERS if row[4]]
    for full_name in outgoing:
        _upsert(
            CommissionMember,
            {"commission": cec, "full_name": full_name, "term_start": None},
            {
                "role": MemberRole.MEMBER,
                "nominated_by": CommissionMember.NominatedBy.UNKNOWN,
                "term_end": CEC_VOTE - dt.timedelta(days=1),
                "note": OUTGOING_CEC_NOTE,
            },
        )
    for full_name, role, start, end, note in BISHKEK_TEC_MEMBERS:
        _upsert(
            CommissionMember,
            {"commission": tecs["BSK"], "full_name": full_name, "term_start": start},
            {"role": role, "term_end": end, "note": note, "nominated_by": "other"},
        )

    meetings = _load_meetings(tecs)
    complaints = _load_complaints(tecs)
    _load_decisions(tecs, districts, parties, meetings, complaints)
    decisions = CommissionDecision.objects.filter(commission__election=election).count()
    stdout.write(
        f"commissions: CEC with {len(CEC_MEMBERS)} members ({len(outgoing)} of the outgoing "
        f"CEC recorded), {len(TECS)} TECs "
        f"({', '.join(str(n) for _, _, n, _ in TECS)} PECs), {len(meetings)} meetings, "
        f"{len(complaints)} complaints, {decisions} decisions\n"
    )


def _load_meetings(tecs: dict[str, Commission]) -> dict[str, CommissionMeeting]:
    In, Remote = CommissionMeeting.Mode.IN_PERSON, CommissionMeeting.Mode.REMOTE
    Partial = CommissionMeeting.Sanitary.PARTIAL
    rows = {
        # Bishkek meetings were followed remotely because of the COVID-19 situation.
        "BSK": (tecs["BSK"], D(2021, 7, 3), Remote, "", "lto-bishkek-1",
                "Followed online. The TEC examined the applications about Bizdin Kyrgyzstan's "
                "campaign materials."),
        "OSH": (tecs["OSH"], D(2021, 6, 25), In, Partial, "lto-osh-1",
                "Attended in person; masks and distancing only partly kept. Some election "
                "officials were absent in isolation."),
        "TKM": (tecs["TKM"], D(2021, 6, 26), In, Partial, "lto-tokmok-1",
                "Attended in person; sanitary measures only partly kept."),
    }  # fmt: skip
    meetings = {}
    for key, (commission, date, mode, sanitary, observer, notes) in rows.items():
        meetings[key] = _upsert(
            CommissionMeeting,
            {"commission": commission, "date": date},
            {
                "mode": mode,
                "quorum": True,
                "notified": True,
                "notified_how": CommissionMeeting.Notification.IN_PERSON,
                "sanitary_rules": sanitary,
                "observer": _user(observer),
                "notes": notes,
            },
        )
    return meetings


def _load_complaints(tecs: dict[str, Commission]) -> dict[str, Complaint]:
    Decided, Review = Complaint.Status.DECIDED, Complaint.Status.UNDER_REVIEW
    rows = {
        "sd_new_parties": (
            tecs["BSK"], "Social Democrats (party)",
            "Asks the TEC to refuse registration to parties that did not stand in the "
            "annulled April elections.",
            D(2021, 6, 14), D(2021, 6, 14), D(2021, 6, 19), Decided, D(2021, 6, 18),
            "Refused: the law sets no limit on new parties taking part in repeat elections.",
        ),
        "bizdin_photo": (
            tecs["BSK"], "Several applicants",
            "Bizdin Kyrgyzstan's campaign materials show a politician of a foreign state.",
            D(2021, 6, 30), D(2021, 6, 30), D(2021, 7, 5), Decided, D(2021, 7, 3),
            "Written warning to the party (see the decision of 3 July 2021).",
        ),
        "reform_video": (
            tecs["BSK"], "Reform (party)",
            "A Kelechek-Future candidate speaks for legalising polygamy in a video posted "
            "on social networks; the statement cites the Constitution, the Criminal Code "
            "and the election law.",
            D(2021, 6, 28), D(2021, 6, 28), D(2021, 7, 3), Decided, D(2021, 7, 2),
            "No violation of the election law; the applicant may turn to law enforcement.",
        ),
        # The seed says only that the Osh TEC decided complaints late: these two rows
        # carry that and nothing more (no subject, no complainant beyond the city).
        "osh_late": (
            tecs["OSH"], "A complainant in Osh (demo record)",
            "[Demo] A complaint to the Osh TEC; its subject is not part of the demo data.",
            D(2021, 6, 22), D(2021, 6, 22), D(2021, 6, 27), Decided, D(2021, 7, 1),
            "[Demo] Decided after its deadline.",
        ),
        "osh_pending": (
            tecs["OSH"], "A complainant in Osh (demo record)",
            "[Demo] A complaint to the Osh TEC; its subject is not part of the demo data.",
            D(2021, 6, 24), D(2021, 6, 24), D(2021, 6, 29), Review, None, "",
        ),
    }  # fmt: skip
    complaints = {}
    for key, row in rows.items():
        commission, complainant, subject, filed, received, deadline, status, decided, text = row
        complaints[key] = _upsert(
            Complaint,
            {"commission": commission, "complainant": complainant, "received_on": received},
            {
                "subject": subject,
                "filed_on": filed,
                "deadline": deadline,
                "status": status,
                "decided_on": decided,
                "decision": text,
            },
        )
    return complaints


def _load_decisions(
    tecs: dict[str, Commission],
    districts: dict[str, District],
    parties: dict[str, Party],
    meetings: dict[str, CommissionMeeting],
    complaints: dict[str, Complaint],
) -> None:
    bishkek = tecs["BSK"]
    warning = CommissionDecision.Kind.VERBAL_WARNING

    def candidate(party: str, surname: str) -> Candidate | None:
        # The demo candidates are synthetic; link the real one only if it was loaded.
        return Candidate.objects.filter(
            party_list__party=parties[party],
            party_list__district=districts["BSK"],
            full_name__icontains=surname,
        ).first()

    rows = [
        # (date, kind, party, candidate surname, candidate as named, meeting, complaint,
        #  legal basis, summary)
        (D(2021, 6, 23), warning, "Ata-Jurt Kyrgyzstan", "Kongantiev", "K.K. Kongantiev",
         None, None, LAW, PREMATURE.format(subject="party's candidate")),
        (D(2021, 6, 23), warning, "Ishenim", None, "", None, None, LAW,
         PREMATURE.format(subject="party")),
        (D(2021, 6, 23), warning, "Reform", None, "", None, None, LAW,
         PREMATURE.format(subject="party")),
        # The seed's "Democratic Party" is taken to be the Social Democrats' list.
        (D(2021, 6, 23), warning, "Social Democrats", None, "", None, None, LAW,
         PREMATURE.format(subject="party")),
        (D(2021, 6, 23), warning, "Stolitsa (Capital)", None, "", None, None, LAW,
         PREMATURE.format(subject="party")),
        (D(2021, 7, 3), CommissionDecision.Kind.WRITTEN_WARNING, "Bizdin Kyrgyzstan", None, "",
         meetings["BSK"], complaints["bizdin_photo"], f"Part 2 of Article 28, {LAW}",
         "The party's campaign materials used a photograph of a politician of another "
         "state. Further breaches may lead to harsher sanctions, up to cancelling the "
         "registration of a candidate or of the party's list."),
        (D(2021, 7, 2), CommissionDecision.Kind.NO_VIOLATION, "Kelechek-Future", "Abdykaimova",
         "N. Abdykaimova", None, complaints["reform_video"], LAW,
         "No breach of the election law in the candidate's video. The applicant was advised "
         "to ask law enforcement whether it shows signs of a crime, and the candidate to take "
         "the video down to avoid stirring public opinion."),
        (D(2021, 7, 2), CommissionDecision.Kind.NO_VIOLATION, "Emgek", "Doolotbakov",
         "S. Doolotbakov", None, None, LAW,
         "A video of the candidate painting a courtyard bench in Oktyabrsky district, and "
         "photos with children, were examined with further footage the candidate supplied; "
         "no breach of the campaigning rules was found."),
        (D(2021, 6, 18), CommissionDecision.Kind.REFUSAL, "Social Democrats", None, "",
         None, complaints["sd_new_parties"], LAW,
         "The application to bar parties new to these elections was refused: the law does "
         "not limit who may take part in repeat elections to local keneshes."),
    ]  # fmt: skip
    for date, kind, party, surname, named, meeting, complaint, basis, summary in rows:
        found = candidate(party, surname) if surname else None
        _upsert(
            CommissionDecision,
            {"commission": bishkek, "date": date, "kind": kind, "party": parties[party]},
            {
                "candidate": found,
                "candidate_name": "" if found else named,
                "meeting": meeting,
                "complaint": complaint,
                "legal_basis": basis,
                "summary": summary,
            },
        )

"""Benchmark: build and render the preliminary report at national scale (docs/benchmarks.md).

    .venv/bin/python bench/report_bench.py               # full scale, throwaway SQLite
    .venv/bin/python bench/report_bench.py --scale 0.1   # a tenth of everything
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baikoo_bench \\
        .venv/bin/python bench/report_bench.py           # throwaway PostgreSQL database

Full scale is 60 districts, 2,500 PECs (as the TECs' ``pec_count``), 40,000 candidates
and 100,000 incidents. A real report at that size also has what the seed's report has,
and so does the bench's: narrative about as long as the seed's in every section, 13
abbreviations, 6 recommendations, eleven members per TEC with one leaving and one joining
during the period, four decisions per TEC and five party meetings per district
(``--bare`` leaves all that out, as the first version of this bench did).

The data goes into a throwaway test database (``test_<name>``, created and destroyed
here; nothing else is touched). Prints the time to load the data, the number of queries
and the time to compute the report's data, and the time to render the HTML and the PDF
(budgets: HTML < 2 s, PDF < 15 s; the DOCX and XLSX once each, without a budget) as wall
time and as this process's CPU time, with the machine's load average: on a shared machine
the wall time of the same run can double.
No assertions: it reports.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observation.config.settings")

FULL = {"districts": 60, "pecs": 2500, "candidates": 40_000, "incidents": 100_000}


NARRATIVE_SENTENCES = [
    "Long-term observers followed the territorial election commissions, met the parties' "
    "headquarters and reported what they saw on the mission's incident forms.",
    "Several commissions decided complaints after the statutory deadline, which left "
    "the complainants without a timely remedy.",
    "Parties told observers that voters know little about the elections and that much of "
    "the campaign has moved to social networks.",
    "Observers again recorded the misuse of administrative resources and attempts to buy "
    "votes, in more hidden forms than in earlier elections.",
    "The commissions' meetings were announced in advance and had a quorum, although "
    "sanitary rules were only partly observed.",
    "Voters could check their registration online, by telephone and by text message until "
    "the lists were closed.",
]
NARRATIVE_PARAGRAPHS = {  # about as long as the seed's narrative, section by section
    "summary": 8,
    "introduction": 10,
    "about_elections": 8,
    "socio_political": 5,
    "commissions": 12,
    "voter_registration": 5,
    "campaign": 12,
    "violations": 6,
    "recommendations": 1,
}


def _narrative(key: str) -> str:
    paragraphs = []
    for i in range(NARRATIVE_PARAGRAPHS.get(key, 0)):
        sentences = [NARRATIVE_SENTENCES[(i + j) % len(NARRATIVE_SENTENCES)] for j in range(4)]
        paragraphs.append(" ".join(sentences))
        if i == 2:
            paragraphs.append("\n".join(f"- **Point {n}**: {s}" for n, s in
                                        enumerate(NARRATIVE_SENTENCES[:4], 1)))  # fmt: skip
    return "\n\n".join(paragraphs)


def _add_report_content(
    report, election, districts, tecs, lists_by_district, parties, user
) -> None:
    """What a real report at this scale also has besides the four sizes docs/benchmarks.md
    names: narrative, the TECs' compositions and changes, decisions, party meetings,
    abbreviations and recommendations."""
    from commissions.models import CommissionDecision, CommissionMember
    from observation.models import PartyMeeting
    from reports.models import Abbreviation, Recommendation, ReportSection

    for section in ReportSection.objects.filter(report=report):
        section.body = _narrative(section.key)
        section.save(update_fields=["body"])
    Abbreviation.objects.bulk_create(
        Abbreviation(report=report, short=f"ABB{i}", meaning=f"Abbreviation number {i}", order=i)
        for i in range(13)
    )
    Recommendation.objects.bulk_create(
        Recommendation(report=report, addressee=addressee, text=NARRATIVE_SENTENCES[i], order=i)
        for i, addressee in enumerate(["election_commissions", "election_commissions",
                                       "law_enforcement", "political_parties",
                                       "political_parties", "others"])
    )  # fmt: skip
    roles = ["chair", "deputy_chair", "secretary", *["member"] * 8]
    nominators = ["president", "parliament", "party", "other"]
    members = []
    for t, tec in enumerate(tecs):
        district_lists = lists_by_district[tec.district_id]
        for m, role in enumerate(roles):
            nominated_by = nominators[(t + m) % len(nominators)]
            members.append(CommissionMember(
                commission=tec, full_name=f"Member {t}-{m}", role=role,
                nominated_by=nominated_by, term_start=dt.date(2026, 5, 1),
                party=district_lists[m % len(district_lists)].party
                if nominated_by == "party" else None,
                re_elected=m % 3 == 0,
            ))  # fmt: skip
        # one member left during the period and another took the seat
        members.append(CommissionMember(
            commission=tec, full_name=f"Member {t}-left", term_start=dt.date(2026, 5, 1),
            term_end=dt.date(2026, 6, 14) + dt.timedelta(days=t % 20),
        ))  # fmt: skip
        members.append(CommissionMember(
            commission=tec, full_name=f"Member {t}-joined",
            term_start=dt.date(2026, 6, 15) + dt.timedelta(days=t % 20),
        ))  # fmt: skip
    CommissionMember.objects.bulk_create(members)
    kinds = ["verbal_warning", "written_warning", "no_violation", "refusal"]
    CommissionDecision.objects.bulk_create(
        CommissionDecision(
            commission=tec, date=dt.date(2026, 6, 3) + dt.timedelta(days=(t * 4 + k) % 35),
            kind=kinds[k], party=lists_by_district[tec.district_id][k].party,
            summary=NARRATIVE_SENTENCES[(t + k) % len(NARRATIVE_SENTENCES)],
        )
        for t, tec in enumerate(tecs)
        for k in range(4)
    )  # fmt: skip
    PartyMeeting.objects.bulk_create(
        PartyMeeting(
            party=lists_by_district[district.pk][k].party, district=district,
            date=dt.date(2026, 6, 2) + dt.timedelta(days=(d + k) % 30),
            concerns=" ".join(NARRATIVE_SENTENCES[(d + k) % 6 : (d + k) % 6 + 2]),
            recorded_by=user,
        )
        for d, district in enumerate(districts)
        for k in range(5)
    )  # fmt: skip


def _build(scale: float, bare: bool = False) -> int:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from commissions.models import Commission, CommissionMember
    from incidents.models import Escalation, Incident
    from observation.models import Candidate, District, Election, Party, PartyList
    from reports import services
    from voters.models import VoterListSnapshot

    n_districts = max(1, round(FULL["districts"] * scale))
    n_pecs = max(n_districts, round(FULL["pecs"] * scale))
    n_candidates = max(n_districts, round(FULL["candidates"] * scale))
    n_incidents = max(1, round(FULL["incidents"] * scale))
    print(f"scale {scale}: {n_districts} districts, {n_pecs} PECs, {n_candidates} candidates, "
          f"{n_incidents} incidents")  # fmt: skip

    with transaction.atomic():
        user = get_user_model().objects.create_user("bench-analyst", password=uuid.uuid4().hex)
        election = Election.objects.create(
            name="National bench election",
            kind="parliamentary",
            election_day=dt.date(2026, 7, 11),
            observation_start=dt.date(2026, 6, 1),
            observation_end=dt.date(2026, 7, 10),
        )
        districts = District.objects.bulk_create(
            District(election=election, name=f"District {i:02d}", code=f"D{i:03d}", mandates=31,
                     threshold_percent=Decimal("5.00"))
            for i in range(n_districts)
        )  # fmt: skip
        parties = Party.objects.bulk_create(Party(name=f"Bench party {i:03d}") for i in range(80))
        lists = PartyList.objects.bulk_create(
            PartyList(party=parties[(d * 7 + k) % len(parties)], district=district,
                      nominated_count=30)
            for d, district in enumerate(districts)
            for k in range(25)
        )  # fmt: skip
        Candidate.objects.bulk_create(
            (
                Candidate(
                    party_list=lists[i % len(lists)],
                    full_name=f"Candidate {i}",
                    gender="MF"[i % 2],
                    position=i // len(lists) + 1,
                )
                for i in range(n_candidates)
            ),
            batch_size=5000,
        )
        cec = Commission.objects.create(election=election, level="CEC", name="CEC")
        CommissionMember.objects.bulk_create(
            CommissionMember(
                commission=cec, full_name=f"Member {i}", term_start=dt.date(2026, 6, 5)
            )
            for i in range(12)
        )
        per_tec = n_pecs // n_districts
        tecs = Commission.objects.bulk_create(
            Commission(election=election, level="TEC", name=f"{d.name} TEC", parent=cec,
                       district=d, pec_count=per_tec + (1 if i < n_pecs % n_districts else 0))
            for i, d in enumerate(districts)
        )  # fmt: skip
        snapshots = []
        for tec in tecs:
            snapshots.append(
                VoterListSnapshot(
                    commission=tec, stage="preliminary", as_of=dt.date(2026, 6, 9), total=100_000
                )
            )
            snapshots.append(VoterListSnapshot(
                commission=tec, stage="control", as_of=dt.date(2026, 6, 20), total=100_120,
                male=47_000, female=53_120, age_18_29=25_000, age_30_39=22_000,
                age_40_49=18_000, age_50_59=16_000, age_60_69=12_000, age_70_plus=7_120,
            ))  # fmt: skip
        VoterListSnapshot.objects.bulk_create(snapshots)
        start = timezone.make_aware(dt.datetime(2026, 6, 1, 8))
        kinds = ["admin_resource", "vote_buying", "campaign_rules"]
        statuses = ["submitted", "verified", "verified", "closed", "rejected"]
        incidents = Incident.objects.bulk_create(
            (
                Incident(
                    id=uuid.uuid4(),
                    ref=f"B{i:07d}",
                    number=i + 1,
                    election=election,
                    district=districts[i % n_districts],
                    kind=kinds[i % 3],
                    occurred_at=start + dt.timedelta(minutes=(i * 37) % (39 * 24 * 60)),
                    reported_by=user,
                    location="Bench",
                    party=None if i % 11 == 0 else parties[i % len(parties)],
                    description="Bench incident",
                    source="direct_observation",
                    status=statuses[i % len(statuses)],
                    fingerprint=uuid.uuid4().hex,
                )
                for i in range(n_incidents)
            ),
            batch_size=5000,
        )
        Escalation.objects.bulk_create(
            Escalation(incident=incident, created_by=user, reason="Bench", status="delivered")
            for incident in incidents[:: max(1, n_incidents // 200)]
        )
        report = services.report_create(actor=user, election=election, title="Bench report")
        if not bare:
            lists_by_district = {}
            for party_list in lists:
                lists_by_district.setdefault(party_list.district_id, []).append(party_list)
            _add_report_content(report, election, districts, tecs, lists_by_district, parties,
                                user)  # fmt: skip
    return report.pk


def _time(label: str, func, repeat: int) -> object:
    """Wall time (what the budget is about) and this process's CPU time, which tells a
    slow run from a busy machine: on a shared box the two part ways."""
    timings, cpu, result = [], [], None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = func()
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    print(f"{label:<28} median {statistics.median(timings):7.3f} s   "
          f"min {min(timings):7.3f} s   cpu {statistics.median(cpu):7.3f} s   "
          f"({repeat} runs)")  # fmt: skip
    return result


def _load() -> str:
    try:
        return (
            "load average "
            + " ".join(f"{v:.2f}" for v in os.getloadavg())
            + (f" on {os.cpu_count()} CPUs")
        )
    except OSError:
        return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of national scale")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF rendering")
    parser.add_argument("--no-office", action="store_true", help="skip the DOCX and XLSX")
    parser.add_argument(
        "--bare",
        action="store_true",
        help="only the four sizes of docs/benchmarks.md: no narrative, TEC members, decisions, "
        "party meetings, abbreviations or recommendations",
    )
    args = parser.parse_args()

    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pypdf import PdfReader

    from reports import compute, queries
    from reports.exports import render_export

    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"throwaway database: {test_name} ({connection.vendor}); {_load()}")
    try:
        started = time.perf_counter()
        report_id = _build(args.scale, bare=args.bare)
        print(f"{'load data':<28} {time.perf_counter() - started:7.3f} s")
        report = queries.report_with_parts().get(pk=report_id)
        with CaptureQueriesContext(connection) as captured:
            data = compute.report_data(report)
        print(f"{'queries to compute data':<28} {len(captured)}")
        print(f"counted incidents {data['violations']['total']}, "
              f"candidates {data['districts']['totals']['candidates']}")  # fmt: skip
        _time("compute data", lambda: compute.report_data(report), args.repeat)

        def html() -> bytes:
            return render_export(queries.report_document(report), "html")

        size = len(_time("data + HTML (budget 2 s)", html, args.repeat))
        print(f"{'HTML size':<28} {size / 1024:7.0f} KiB")
        if not args.no_pdf:

            def pdf() -> bytes:
                return render_export(queries.report_document(report), "pdf")

            content = _time("data + PDF (budget 15 s)", pdf, max(1, args.repeat - 2))
            pages = len(PdfReader(io.BytesIO(content)).pages)
            print(f"{'PDF size':<28} {len(content) / 1024:7.0f} KiB, {pages} pages")
        if not args.no_office:
            for export_format in ("docx", "xlsx"):

                def office(export_format: str = export_format) -> bytes:
                    return render_export(queries.report_document(report), export_format)

                _time(f"data + {export_format.upper()} (no budget)", office, 1)
        print(_load())
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

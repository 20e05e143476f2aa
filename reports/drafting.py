"""Draft sentences written from a section's numbers, in the report's language.

The analyst may insert any of them into the narrative and then edit it like any other
text; they are suggestions and are never added on their own.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports import sections as S
from reports.document import KIND_LABELS, STAGE_LABELS, changes_outside_renewal
from reports.formatting import fmt_date, fmt_int, fmt_pct


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def draft_sentences(key: str, data: dict[str, Any], language: str) -> list[str]:
    writer = {
        S.ABOUT_ELECTIONS: _about_elections,
        S.COMMISSIONS: _commissions,
        S.VOTER_REGISTRATION: _voter_registration,
        S.CAMPAIGN: _campaign,
        S.VIOLATIONS: _violations,
    }.get(key)
    if writer is None:
        return []
    with translation.override(language):
        return [sentence for sentence in writer(data) if sentence]


def _about_elections(data: dict[str, Any]) -> list[str]:
    rows, totals = data["districts"]["rows"], data["districts"]["totals"]
    if not rows:
        return []
    sentences = [
        ngettext(
            "On %(day)s, %(mandates)s deputies are to be elected in %(count)s district: "
            "%(districts)s.",
            "On %(day)s, %(mandates)s deputies are to be elected in %(count)s districts: "
            "%(districts)s.",
            totals["districts"],
        )
        % {
            "day": fmt_date(data["election"]["election_day"]),
            "mandates": fmt_int(totals["mandates"]),
            "count": totals["districts"],
            "districts": _join(
                [
                    _("%(district)s (%(mandates)s mandates)")
                    % {"district": r["district"], "mandates": fmt_int(r["mandates"])}
                    for r in rows
                ]
            ),
        },
        _(
            "%(parties)s parties registered %(lists)s lists with %(candidates)s candidates "
            "in all: %(male)s men and %(female)s women."
        )
        % {
            "parties": fmt_int(totals["parties"]),
            "lists": fmt_int(totals["lists"]),
            "candidates": fmt_int(totals["candidates"]),
            "male": fmt_int(totals["male"]),
            "female": fmt_int(totals["female"]),
        },
    ]
    thresholds = {r["threshold_percent"] for r in rows}
    if len(thresholds) == 1:
        sentences.append(
            _("A party needs at least %(threshold)s of the votes to win seats.")
            % {"threshold": fmt_pct(thresholds.pop())}
        )
    for r in rows:
        if r["denied"]:
            sentences.append(
                _(
                    "In %(district)s, %(parties)s parties nominated %(nominated)s candidates; "
                    "%(registered)s were registered and %(denied)s were denied registration."
                )
                % {
                    "district": r["district"],
                    "parties": fmt_int(r["parties"]),
                    "nominated": fmt_int(r["nominated"]),
                    "registered": fmt_int(r["candidates"]),
                    "denied": fmt_int(r["denied"]),
                }
            )
    for item in data["districts"]["parties_in_several_districts"]:
        sentences.append(
            _("%(party)s stands in %(count)s districts: %(districts)s.")
            % {
                "party": item["party"],
                "count": len(item["districts"]),
                "districts": _join(item["districts"]),
            }
        )
    return sentences


def _commissions(data: dict[str, Any]) -> list[str]:
    sentences = []
    end = fmt_date(data["report"]["period_end"])
    for commission in [*data["commissions"]["cec"], *data["commissions"]["tecs"]]:
        members = commission["members"]
        if members:
            re_elected = sum(1 for m in members if m["re_elected"])
            sentence = ngettext(
                "On %(date)s, %(commission)s had %(count)s member",
                "On %(date)s, %(commission)s had %(count)s members",
                len(members),
            ) % {"date": end, "commission": commission["commission"], "count": len(members)}
            if re_elected:
                sentence += ngettext(
                    "; %(count)s of them was re-elected",
                    "; %(count)s of them were re-elected",
                    re_elected,
                ) % {"count": re_elected}
            sentences.append(sentence + ".")
        renewal = commission.get("renewal")
        if renewal:
            sentences += _renewal(commission["commission"], renewal)
        changes = changes_outside_renewal(commission)
        joined = [c for c in changes if c["change"] == "joined"]
        left = [c for c in changes if c["change"] == "left"]
        if joined or left:
            sentences.append(
                _("During the period, %(joined)s joined and %(left)s left %(commission)s.")
                % {
                    "joined": ngettext("%(n)s member", "%(n)s members", len(joined))
                    % {"n": len(joined)},
                    "left": ngettext("%(n)s member", "%(n)s members", len(left)) % {"n": len(left)},
                    "commission": commission["commission"],
                }
            )
        if commission["pec_count"]:
            sentences.append(
                _("%(commission)s oversees %(count)s precinct election commissions.")
                % {
                    "commission": commission["commission"],
                    "count": fmt_int(commission["pec_count"]),
                }
            )
    return sentences


def _renewal(name: str, renewal: dict[str, Any]) -> list[str]:
    """What the two compositions printed side by side hold: every number is a count of
    their rows, and the outgoing one is said to be what the record holds."""
    incoming = [m["change"] for m in renewal["incoming"]]
    sentence = ngettext(
        "On %(date)s a new composition of %(commission)s took office: %(count)s member",
        "On %(date)s a new composition of %(commission)s took office: %(count)s members",
        len(incoming),
    ) % {"date": fmt_date(renewal["date"]), "commission": name, "count": len(incoming)}
    re_elected, joined, stayed = (incoming.count(c) for c in ("re_elected", "joined", "stayed"))
    parts = []
    if re_elected:
        n = re_elected
        parts.append(ngettext("%(n)s re-elected", "%(n)s re-elected", n) % {"n": n})
    if joined:
        parts.append(ngettext("%(n)s new", "%(n)s new", joined) % {"n": joined})
    if stayed:
        parts.append(ngettext("%(n)s still serving", "%(n)s still serving", stayed) % {"n": stayed})
    if parts:
        sentence += " (" + _join(parts) + ")"
    outgoing = renewal["outgoing"]
    if not outgoing:
        return [sentence + ".", _("No member of the outgoing composition is recorded.")]
    left = sum(1 for m in outgoing if m["change"] == "left")
    held = ngettext(
        "The record holds %(count)s member of the outgoing composition",
        "The record holds %(count)s members of the outgoing composition",
        len(outgoing),
    ) % {"count": len(outgoing)}
    if left:
        held += ngettext("; %(n)s of them left", "; %(n)s of them left", left) % {"n": left}
    return [sentence + ".", held + "."]


def _voter_registration(data: dict[str, Any]) -> list[str]:
    sentences = []
    for r in data["voter_registration"]["rows"]:
        if r["male"] is None:
            continue
        sentence = _(
            "The %(list)s of %(commission)s has %(total)s voters: %(male)s men and %(female)s "
            "women, or %(male_pct)s and %(female_pct)s respectively"
        ) % {
            "list": str(STAGE_LABELS[r["split_stage"]]).lower(),
            "commission": r["commission"],
            "total": fmt_int(r["split_total"]),
            "male": fmt_int(r["male"]),
            "female": fmt_int(r["female"]),
            "male_pct": fmt_pct(r["male_percent"]),
            "female_pct": fmt_pct(r["female_percent"]),
        }
        change = r["change"] if r["split_stage"] == "control" else None
        if change:
            sentence += (
                ngettext(
                    "; the list grew by %(n)s voter since the preliminary list",
                    "; the list grew by %(n)s voters since the preliminary list",
                    abs(change),
                )
                if change > 0
                else ngettext(
                    "; the list shrank by %(n)s voter since the preliminary list",
                    "; the list shrank by %(n)s voters since the preliminary list",
                    abs(change),
                )
            ) % {"n": fmt_int(abs(change))}
        elif change == 0:
            sentence += _("; the list is the same size as the preliminary list")
        sentences.append(sentence + ".")
    return sentences


def _campaign(data: dict[str, Any]) -> list[str]:
    rows = data["districts"]["rows"]
    sentences = []
    if rows:
        sentences.append(
            _("Lists of %(total)s parties were registered: %(per_district)s.")
            % {
                "total": fmt_int(data["districts"]["totals"]["parties"]),
                "per_district": _join(
                    [
                        ngettext("%(n)s in %(district)s", "%(n)s in %(district)s", r["parties"])
                        % {"n": r["parties"], "district": r["district"]}
                        for r in rows
                    ]
                ),
            }
        )
        for r in rows:
            if r["candidates"]:
                sentences.append(
                    _(
                        "In %(district)s, %(candidates)s candidates stand for %(mandates)s "
                        "mandates; %(female_pct)s of them are women."
                    )
                    % {
                        "district": r["district"],
                        "candidates": fmt_int(r["candidates"]),
                        "mandates": fmt_int(r["mandates"]),
                        "female_pct": fmt_pct(round(r["female"] * 100 / r["candidates"], 1)),
                    }
                )
    meetings = data["campaign"]["party_meetings"]
    if meetings:
        parties = sorted({m["party"] for m in meetings})
        sentences.append(
            ngettext(
                "Observers met representatives of %(count)s party: %(parties)s.",
                "Observers met representatives of %(count)s parties: %(parties)s.",
                len(parties),
            )
            % {"count": len(parties), "parties": _join(parties)}
        )
    return sentences


def _violations(data: dict[str, Any]) -> list[str]:
    v = data["violations"]
    report = data["report"]
    sentences = [
        ngettext(
            "From %(start)s to %(end)s, observers reported %(total)s violation: %(kinds)s.",
            "From %(start)s to %(end)s, observers reported %(total)s violations: %(kinds)s.",
            v["total"],
        )
        % {
            "start": fmt_date(report["period_start"]),
            "end": fmt_date(report["period_end"]),
            "total": fmt_int(v["total"]),
            "kinds": _join(
                [
                    _("%(n)s of %(kind)s") % {"n": fmt_int(n), "kind": str(KIND_LABELS[k]).lower()}
                    for k, n in v["by_kind"].items()
                ]
            ),
        }
    ]
    if v["escalated"]:
        sentences.append(
            ngettext(
                "Information on %(n)s violation was transferred to the RRCG.",
                "Information on %(n)s violations was transferred to the RRCG.",
                v["escalated"],
            )
            % {"n": fmt_int(v["escalated"])}
        )
    for kind, label in KIND_LABELS.items():
        if not v["by_kind"][kind]:
            continue
        by_party = [
            f"{party if party != 'unknown' else _('party not known')} – {fmt_int(n)}"
            for party, n in sorted(v["by_kind_and_party"][kind].items(), key=lambda i: -i[1])
            if n
        ]
        by_district = [
            f"{d} – {fmt_int(n)}" for d, n in v["by_kind_and_district"][kind].items() if n
        ]
        sentences.append(
            _("%(kind)s by party: %(parties)s. By district: %(districts)s.")
            % {"kind": label, "parties": "; ".join(by_party), "districts": "; ".join(by_district)}
        )
    return sentences

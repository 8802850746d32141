"""Step 3 of verification, across claims: repeat claims of one placement, then each
placement's points shared among everyone credited for it."""

from __future__ import annotations

from collections import defaultdict

from shanggao.rules import EXCERPT_KINDS, Rules
from shanggao.verify.model import Claim, Evidence, Verdict, fmt_article, placement_key

UNNAMED_CLAIMANT = "（未填申报人）"


def settle_duplicates(claims: list[Claim], verdicts: dict[str, Verdict], evidence: Evidence) -> None:
    """Mark repeat claims of one placement; co-authors keep their own claims."""
    for members in _claims_by_placement(claims, verdicts).values():
        if len(members) >= 2:
            _settle_placement(members, verdicts, evidence)


def _claims_by_placement(claims: list[Claim], verdicts: dict[str, Verdict]) -> dict[tuple, list[Claim]]:
    """Claims grouped by the placement they are about, each group in filing order."""
    groups: dict[tuple, list[Claim]] = defaultdict(list)
    for claim in sorted(claims, key=lambda c: c.order):
        key = placement_key(verdicts[claim.claim_id], claim)
        if key:
            groups[key].append(claim)
    return groups


def _settle_placement(members: list[Claim], verdicts: dict[str, Verdict], evidence: Evidence) -> None:
    """The first claim keeps the placement; later ones are co-authors' own claims or duplicates."""
    keeper = members[0]
    credited = set(keeper.claimants)
    ms = evidence.manuscripts.get(verdicts[keeper.claim_id].manuscript_id or "")
    article = verdicts[keeper.claim_id].article
    coauthors = set(ms.authors if ms else ()) | set(article.authors if article else ())
    byline = (article.byline or "") if article else ""
    for claim in members[1:]:
        verdict = verdicts[claim.claim_id]
        people = set(claim.claimants)
        what = f"{verdict.placement and fmt_article(verdict.placement.article, evidence.outlets) or '同一上稿'}"
        if not people or people & credited:
            reason = f"与 {keeper.claim_id}（{'、'.join(keeper.claimants)}）重复申报{what}"
        elif all(p in coauthors or p in byline for p in people):
            credited |= people
            verdict.warnings.append(f"合作作者分别申报（另见 {keeper.claim_id}），积分按规则分配")
            continue
        else:
            reason = (f"{what}已由 {'、'.join(keeper.claimants)}（{keeper.claim_id}）申报，"
                      f"{'、'.join(sorted(people - coauthors))} 不在稿件作者中")
        verdicts[claim.claim_id] = Verdict(
            claim.claim_id, "duplicate_claim", [reason, *verdict.reasons[:1]], verdict.manuscript_id,
            verdict.outlet_slug, verdict.article, verdict.placement, verdict.discrepancies, verdict.warnings,
            duplicate_of=keeper.claim_id,
        )


def assign_points(claims: list[Claim], verdicts: dict[str, Verdict], evidence: Evidence, rules: Rules) -> None:
    """verdicts.points per the rules: each placement's points shared among everyone credited for it."""
    for members in _paying_placements(claims, verdicts, rules).values():
        first = verdicts[members[0].claim_id]
        if first.unrated_outlet is not None:  # no tier yet: verified, scored once registered
            total, detail = 0.0, f"媒体“{first.unrated_outlet}”尚未定级，暂不计分"
        else:
            total, detail = _placement_points(first, evidence, rules)
        _share_points(members, verdicts, evidence, rules, total, detail)


def _paying_placements(claims: list[Claim], verdicts: dict[str, Verdict], rules: Rules) -> dict[tuple, list[Claim]]:
    """Claims with evidence whose status pays, grouped by placement in filing order."""
    by_placement: dict[tuple, list[Claim]] = defaultdict(list)
    for claim in sorted(claims, key=lambda c: c.order):
        verdict = verdicts[claim.claim_id]
        key = placement_key(verdict, claim) if verdict.placement is not None else None
        if key is not None and verdict.status in rules.paying_statuses:
            by_placement[key].append(claim)
    return by_placement


def _placement_points(first: Verdict, evidence: Evidence, rules: Rules) -> tuple[float, str]:
    """(points, how they were computed) of the placement that ``first`` cites."""
    placement = first.placement
    assert placement is not None, "only placements that pay are priced"
    article = placement.article
    slug = first.scored_outlet or article.outlet
    outlet = evidence.outlets.get(slug)
    placed = article.body_chars
    if (placement.kind in EXCERPT_KINDS or placement.kind == "page") and placement.article_coverage:
        placed = round(article.body_chars * placement.article_coverage)
    return rules.placement_points(
        outlet_slug=slug, tier=outlet.tier if outlet else None, outlet_kind=outlet.kind if outlet else None,
        page_no=article.page_no, placed_chars=placed, match_kind=placement.kind,
    )


def _share_points(members: list[Claim], verdicts: dict[str, Verdict], evidence: Evidence, rules: Rules,
                  total: float, detail: str) -> None:
    """Split ``total`` among the placement's people (the manuscript's first author leading)."""
    people: list[str] = []
    for claim in members:
        people.extend(p for p in (claim.claimants or (UNNAMED_CLAIMANT,)) if p not in people)
    ms = evidence.manuscripts.get(verdicts[members[0].claim_id].manuscript_id or "")
    shares = rules.shares(total, people, ms.authors[0] if ms and ms.authors else None)
    split = f"；{len(people)}人按“{rules.split}”分配" if len(people) > 1 else ""
    for claim in members:
        verdict = verdicts[claim.claim_id]
        mine = {p: shares[p] for p in (claim.claimants or (UNNAMED_CLAIMANT,)) if p in shares}
        verdict.person_points = mine
        verdict.points = round(sum(mine.values()), 2)
        verdict.points_detail = detail + split

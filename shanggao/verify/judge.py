"""Step 2 of verification: one claim against the loaded evidence gives one verdict."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from rapidfuzz import fuzz

from shanggao.db.outlets import PLATFORM_SLUGS, suggest_slug
from shanggao.rules import EXCERPT_KINDS, Rules
from shanggao.shell import shanggao_command
from shanggao.spiders.text import parse_page_label
from shanggao.verify.model import (
    EVIDENCE_SOURCE_LABELS,
    MATCH_KIND_LABELS,
    Article,
    Claim,
    Evidence,
    Manuscript,
    Placement,
    Verdict,
    fmt_article,
)
from shanggao.verify.text import names_someone, normalize_title, normalize_url, unit_variants


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# The remedy of a claim nothing but its link can settle, when it has none.
ASK_FOR_LINK = "请向申报人索要链接"


def _with_elsewhere(reason: str, elsewhere: str | None) -> list[str]:
    """A verdict's reasons: the reason, then where else the manuscript appeared."""
    return [reason, elsewhere] if elsewhere else [reason]


class Judge:
    """Judges claims one at a time against the loaded evidence."""

    def __init__(self, evidence: Evidence, rules: Rules):
        self.ev = evidence
        self.rules = rules
        self._blockers: dict[str, str | None] = {}

    def crawlable(self, slug: str) -> bool:
        """Can `shanggao crawl` collect this outlet's days (a spider, or an outlet file that is ready)?"""
        if slug not in self._blockers:
            from shanggao.spiders.plan import crawl_blocker

            info = self.ev.outlets.get(slug)
            self._blockers[slug] = crawl_blocker(info) if info is not None else "not registered"
        return self._blockers[slug] is None

    def covered(self, slug: str, day: dt.date) -> bool:
        if (slug, day) in self.ev.article_days:
            return True
        return any(first <= day <= last for first, last in self.ev.crawled.get(slug, ()))

    def outlet_name(self, slug: str | None) -> str:
        return self.ev.outlets[slug].name if slug is not None and slug in self.ev.outlets else (slug or "")

    def judge(self, claim: Claim) -> Verdict:
        warnings: list[str] = []
        ms = self._manuscript(claim, warnings)
        if ms is None:
            return self._unknown_manuscript(claim, warnings)
        slug = self._outlet(claim, warnings)
        if slug is None:
            return self._unregistered_outlet(claim, ms, warnings)
        placement, url_article = self._find_placement(claim, ms, slug)
        base = dict(manuscript_id=ms.manuscript_id, outlet_slug=slug, warnings=warnings)
        if placement is None:
            return self._no_placement(claim, ms, slug, url_article, base)
        return self._with_placement(claim, ms, slug, placement, base)

    # -- which manuscript, which outlet ---------------------------------------------------------

    def _manuscript(self, claim: Claim, warnings: list[str]) -> Manuscript | None:
        if claim.manuscript_id in self.ev.manuscripts:
            return self.ev.manuscripts[claim.manuscript_id]
        same_title = self.ev.titles.get(normalize_title(claim.title), []) if claim.title else []
        if len(same_title) == 1:
            found = self.ev.manuscripts[same_title[0]]
            missing = f"稿件编号 {claim.manuscript_id} 不在稿件库" if claim.manuscript_id else "申报未填稿件编号"
            warnings.append(f"{missing}，按标题对应到稿件 {found.manuscript_id}《{found.title}》")
            return found
        return None

    def _outlet(self, claim: Claim, warnings: list[str]) -> str | None:
        """The registered outlet the claim names: its written name as the store's registry
        reads it now (an outlet or alias the office added since the import counts), else the
        slug stored at import, else the claimed link's host."""
        outlets = self.ev.outlets
        resolution = outlets.resolve(claim.outlet) if claim.outlet else None
        if resolution and resolution.slug and resolution.confident:
            return resolution.slug
        if claim.outlet_slug and claim.outlet_slug in outlets:
            if resolution and resolution.slug == claim.outlet_slug and not resolution.confident:
                warnings.append(resolution.note)
            return claim.outlet_slug
        if resolution and resolution.slug:
            warnings.append(resolution.note)
            return resolution.slug
        if claim.url:
            info = outlets.for_url(claim.url)
            if info:
                written = f"媒体“{claim.outlet}”未能识别" if claim.outlet else "申报未填媒体"
                warnings.append(f"{written}，按链接域名认定为{info.name}")
                return info.slug
        return None

    def _unknown_manuscript(self, claim: Claim, warnings: list[str]) -> Verdict:
        which = f"稿件编号 {claim.manuscript_id}" if claim.manuscript_id else "申报未填稿件编号"
        same_title = self.ev.titles.get(normalize_title(claim.title), []) if claim.title else []
        if len(same_title) > 1:  # say so rather than pretend the manuscript is missing
            named = "、".join(sorted(same_title))
            reason = (f"{which}，标题《{claim.title}》对应 {len(same_title)} 篇稿件（{named}），无法确定是哪一篇；"
                      "请在登记表填写稿件编号后重新导入")
            return Verdict(claim.claim_id, "unknown_manuscript", [reason], warnings=warnings)
        title = f"，标题《{claim.title}》也对不上稿件" if claim.title else ""
        missing = f"{which} 不在稿件库" if claim.manuscript_id else which
        return Verdict(claim.claim_id, "unknown_manuscript",
                       [f"{missing}{title}；请先导入该稿件（shanggao manuscripts import）再核验"],
                       warnings=warnings)

    def _unregistered_outlet(self, claim: Claim, ms: Manuscript, warnings: list[str]) -> Verdict:
        """A claim naming an outlet the registry lacks.  Its link settles it like any other:
        when the stored page carries the manuscript it is a placement — verified, listed as
        a tier not yet assigned, scored once the office registers the outlet."""
        written = claim.outlet or "（未填）"
        base: dict[str, Any] = dict(manuscript_id=ms.manuscript_id, outlet_slug=None, warnings=warnings)
        elsewhere = self._elsewhere(ms)
        placement, url_article = self._placement_at_claimed_link(claim, ms)
        if placement is not None:
            verdict = self._with_placement(claim, ms, None, placement, base)
            remedy = self._register_remedy(claim, placement.article)
            verdict.unrated_outlet = claim.outlet or placement.article.outlet
            verdict.suggestion = remedy
            verdict.warnings.append(f"媒体“{written}”不在媒体名录，尚未定级，暂不计分；用 `{remedy}` 登记"
                                    "（--tier 按该媒体的实际级别填写）后重新核验即可计分")
            return verdict
        if url_article is not None:
            return self._text_mismatch(claim, ms, url_article, elsewhere, base)
        if claim.url:
            fetch = shanggao_command("fetch", claim.url)
            reason = f"媒体“{written}”不在媒体名录，申报链接尚未抓取；运行 `{fetch}` 后重新核验"
            return Verdict(claim.claim_id, "not_covered", _with_elsewhere(reason, elsewhere), suggestion=fetch,
                           **base)
        reason = (f"媒体“{written}”不在媒体名录，申报也没有链接，无法核验；{ASK_FOR_LINK}"
                  f"（该媒体可用 `{shanggao_command('outlets', 'add', '--help')}` 所示方法登记）")
        return Verdict(claim.claim_id, "unknown_outlet", _with_elsewhere(reason, elsewhere), ms.manuscript_id,
                       warnings=warnings, suggestion=ASK_FOR_LINK)

    def _register_remedy(self, claim: Claim, article: Article) -> str:
        """The `shanggao outlets add …` that registers the outlet of an unrated placement."""
        host = (urlsplit(article.url).hostname or "").lower() if article.url.startswith("http") else ""
        name = (claim.outlet or "").strip() or host or article.outlet
        slug = suggest_slug(host or article.outlet, self.ev.outlets)
        words = ["outlets", "add", slug, "--name", name, "--tier", "other"]
        if host:
            words += ["--domain", host]
        return shanggao_command(*words)

    def _placement_at_claimed_link(self, claim: Claim, ms: Manuscript) -> tuple[Placement | None, Article | None]:
        """(the placement at the claimed link or the evidence file the claim names, the article stored there)."""
        links = self.ev.placements.get(ms.manuscript_id, [])
        url_article = self.ev.articles_by_url.get(normalize_url(claim.url)) if claim.url else None
        # A scan, PDF or screenshot the claim names (claims import 佐证 column, evidence add --claim)
        # settles it like a claimed link; the link itself still counts when it carries the manuscript.
        named = self.ev.articles_by_url.get(normalize_url(claim.evidence_url)) if claim.evidence_url else None
        for article in (url_article, named):
            if article is not None:
                for link in links:
                    if link.article.article_id == article.article_id:
                        return link, article
        return None, url_article or named

    # -- the evidence -----------------------------------------------------------------------------

    def _same_group(self, slug: str, outlet: str) -> bool:
        """Is ``outlet`` the claimed outlet or another of its media group?"""
        group = self.ev.outlets[slug].media_group if slug in self.ev.outlets else None
        return outlet == slug or bool(group and outlet in self.ev.outlets
                                      and self.ev.outlets[outlet].media_group == group)

    def _find_placement(self, claim: Claim, ms: Manuscript, slug: str) -> tuple[Placement | None, Article | None]:
        """(placement that answers the claim, article stored at the claimed URL)."""
        found, url_article = self._placement_at_claimed_link(claim, ms)
        if found is not None:
            return found, url_article
        links = self.ev.placements.get(ms.manuscript_id, [])
        window = self.rules.search_window_days

        def distance(link: Placement) -> int:
            if claim.published_date is None or link.article.published_date is None:
                return 0 if claim.published_date is None else window + 1
            return abs((link.article.published_date - claim.published_date).days)

        candidates = [p for p in links if self._same_group(slug, p.article.outlet) and distance(p) <= window]
        candidates.sort(key=lambda p: (p.article.outlet != slug, distance(p), -p.score))
        return (candidates[0] if candidates else None), url_article

    def _elsewhere(self, ms: Manuscript, exclude: int | None = None) -> str | None:
        links = [p for p in self.ev.placements.get(ms.manuscript_id, []) if p.article.article_id != exclude]
        if not links:
            return None
        listed = "；".join(fmt_article(p.article, self.ev.outlets) for p in links[:3])
        more = f" 等 {len(links)} 处" if len(links) > 3 else ""
        return f"该稿件另见于：{listed}{more}"

    # -- no placement: another article at the URL, not crawled, or not found ----------------------

    def _no_placement(self, claim: Claim, ms: Manuscript, slug: str, url_article: Article | None,
                      base: dict) -> Verdict:
        elsewhere = self._elsewhere(ms)
        if url_article is not None:
            return self._text_mismatch(claim, ms, url_article, elsewhere, base)
        if claim.published_date is None:
            return self._undated(claim, slug, elsewhere, base)
        return self._searched_days(claim, ms, slug, elsewhere, base)

    def _text_mismatch(self, claim: Claim, ms: Manuscript, url_article: Article, elsewhere: str | None,
                       base: dict) -> Verdict:
        what = "申报所附佐证" if url_article.is_evidence_file else "申报链接所载为"
        reason = f"{what} {fmt_article(url_article, self.ev.outlets)}，并非稿件《{ms.title}》"
        if url_article.is_evidence_file:
            reason = (f"申报所附佐证（{url_article.title}）中未找到稿件《{ms.title}》的文字"
                      f"（{EVIDENCE_SOURCE_LABELS[url_article.source]}）")
        quoted = self.ev.quotation_only.get((ms.manuscript_id, url_article.article_id))
        if quoted is not None:
            why = "；".join(quoted[:3]) + (f" 等 {len(quoted)} 处" if len(quoted) > 3 else "")
            reason = (f"仅引文相同：{what} {fmt_article(url_article, self.ev.outlets)}，与稿件《{ms.title}》"
                      f"相同的只有引用、转引或与他稿共有的文字（{why}），没有稿件自己的文字")
        return Verdict(claim.claim_id, "text_mismatch", _with_elsewhere(reason, elsewhere), article=url_article,
                       **base)

    def _undated(self, claim: Claim, slug: str, elsewhere: str | None, base: dict) -> Verdict:
        fix = f"`{shanggao_command('fetch', claim.url)}` 可以判定" if claim.url else "请补填刊发日期后重新核验"
        reason = f"申报未填刊发日期，无法确定应查{self.outlet_name(slug)}哪一天；{fix}"
        return Verdict(claim.claim_id, "not_covered", _with_elsewhere(reason, elsewhere),
                       suggestion=shanggao_command("fetch", claim.url) if claim.url else None, **base)

    def _searched_days(self, claim: Claim, ms: Manuscript, slug: str, elsewhere: str | None,
                       base: dict) -> Verdict:
        """The claimed day ± the tolerance: fetch the URL, crawl the missing days, or not found."""
        name = self.outlet_name(slug)
        tol = dt.timedelta(days=self.rules.date_tolerance_days)
        claimed = claim.published_date
        assert claimed is not None, "_no_placement sends undated claims to _undated"
        days = _days(claimed - tol, claimed + tol)
        missing = [d for d in days if not self.covered(slug, d)]
        crawl = (shanggao_command("crawl", slug, "--from", min(missing).isoformat(), "--to", max(missing).isoformat())
                 if missing else None)
        if claim.url:
            suggestion = shanggao_command("fetch", claim.url)
            reason = (f"申报链接尚未抓取，{name} {claim.published_date} 前后也未找到该稿件；"
                      f"运行 `{suggestion}` 即可判定")
            return Verdict(claim.claim_id, "not_covered", _with_elsewhere(reason, elsewhere), suggestion=suggestion,
                           **base)
        info = self.ev.outlets.get(slug)
        if info is not None and info.crawl != "print" and not self.crawlable(slug):
            # No spider walks this outlet: days stored from earlier fetches say nothing about the
            # rest of its output, so only the claimed link can settle the claim.
            reason = f"{name}没有爬虫，只能凭申报链接核验（shanggao fetch 该链接）；申报没有链接：{ASK_FOR_LINK}"
            return Verdict(claim.claim_id, "not_covered", _with_elsewhere(reason, elsewhere),
                           suggestion=ASK_FOR_LINK, **base)
        if info is not None and info.crawl == "print" and claim.published_date in missing:
            remedy = shanggao_command("evidence", "add", "page.jpg", "--outlet", slug, "--date",
                                      claim.published_date.isoformat(), "--claim", claim.claim_id)
            reason = (f"{name}只有纸质版，网上无从抓取；请把刊登该稿件的版面（PDF、扫描件或照片）"
                      f"用 `{remedy}` 加入后重新核验（page.jpg 换成该文件）")
            return Verdict(claim.claim_id, "not_covered", _with_elsewhere(reason, elsewhere), suggestion=remedy,
                           **base)
        if claim.published_date in missing:
            reason = f"尚未抓取{name} {'、'.join(d.isoformat() for d in missing)}，无法判定；运行 `{crawl}` 后重新核验"
            return Verdict(claim.claim_id, "not_covered", _with_elsewhere(reason, elsewhere), suggestion=crawl, **base)
        checked = [d for d in days if d not in missing]
        if missing:
            base["warnings"].append(f"相邻日期 {'、'.join(d.isoformat() for d in missing)} 未抓取（`{crawl}`）")
        reason = f"已抓取{name} {'、'.join(d.isoformat() for d in checked)}，未发现稿件《{ms.title}》"
        return Verdict(claim.claim_id, "not_found", _with_elsewhere(reason, elsewhere), suggestion=crawl, **base)

    # -- with a placement: differences, byline, submission date -----------------------------------

    def _with_placement(self, claim: Claim, ms: Manuscript, slug: str | None, placement: Placement,
                        base: dict) -> Verdict:
        article = placement.article
        warnings = base["warnings"]
        scored = self._scored_outlet(claim, slug, article, warnings)
        if scored is not None:
            base = dict(base, scored_outlet=scored)
        kind = MATCH_KIND_LABELS.get(placement.kind, placement.kind)
        evidence = f"见 {fmt_article(article, self.ev.outlets)}，匹配度 {placement.score:.0f}（{kind}）"
        if article.is_evidence_file:
            evidence = f"{EVIDENCE_SOURCE_LABELS[article.source]}：{evidence}"
        differences = self._differences(claim, ms, slug, article, warnings, scored)
        kw = dict(base, article=article, placement=placement, discrepancies=differences)
        if ms.submitted_date and article.published_date and article.published_date < ms.submitted_date:
            return Verdict(claim.claim_id, "before_submission",
                           [evidence,
                            f"见报日期 {article.published_date} 早于稿件报送日期 {ms.submitted_date}，请核查"],
                           **kw)
        byline_problem = self._byline_problem(claim, ms, placement, warnings)
        if byline_problem:
            return Verdict(claim.claim_id, "byline_mismatch", [evidence, byline_problem], **kw)
        if differences:
            return Verdict(claim.claim_id, "verified_with_discrepancy", [evidence, *differences], **kw)
        return Verdict(claim.claim_id, "verified", [evidence], **kw)

    def _differences(self, claim: Claim, ms: Manuscript, slug: str | None, article: Article,
                     warnings: list[str], scored: str | None = None) -> list[str]:
        """Where the claim and the article disagree (outlet, date, page, title, URL); smaller
        things go to ``warnings``."""
        found = [
            self._outlet_difference(slug, article, scored),
            self._date_difference(claim, article, warnings),
            self._page_difference(claim, article, warnings),
            self._title_difference(claim, ms, article, warnings),
            self._url_difference(claim, article),
        ]
        return [d for d in found if d]

    def _scored_outlet(self, claim: Claim, slug: str | None, article: Article, warnings: list[str]) -> str | None:
        """The claimed outlet, when the page at the claimed link is on a platform (a WeChat
        post, a 今日头条 account) or a host no outlet owns: the link is the claim's own
        evidence, and the outlet the claim names is the account that published it."""
        if slug is None or article.outlet == slug or not claim.url:
            return None
        if normalize_url(claim.url) != normalize_url(article.url):
            return None
        if article.outlet in PLATFORM_SLUGS:
            warnings.append(f"申报链接在{self.outlet_name(article.outlet)}平台上，按申报媒体{self.outlet_name(slug)}"
                            "计分；请核对发布账号")
            return slug
        if article.outlet not in self.ev.outlets:
            register = shanggao_command("outlets", "alias", slug, "--domain", article.outlet)
            warnings.append(f"申报链接的域名 {article.outlet} 未登记为{self.outlet_name(slug)}的网址，"
                            f"按申报媒体{self.outlet_name(slug)}计分；确是其网址的，用 `{register}` 登记")
            return slug
        return None

    def _outlet_difference(self, slug: str | None, article: Article, scored: str | None = None) -> str | None:
        if slug is None or article.outlet == slug or scored == slug:
            return None
        group = self.ev.outlets[slug].media_group if slug in self.ev.outlets else None
        same = f"同属{group}的" if group and self._same_group(slug, article.outlet) else ""
        return f"媒体：申报{self.outlet_name(slug)}，实际刊于{same}{self.outlet_name(article.outlet)}"

    def _date_difference(self, claim: Claim, article: Article, warnings: list[str]) -> str | None:
        if not (claim.published_date and article.published_date):
            return None
        gap = (article.published_date - claim.published_date).days
        if abs(gap) > self.rules.date_tolerance_days:
            return f"日期：申报 {claim.published_date}，实际 {article.published_date}"
        if gap:
            warnings.append(f"实际刊发 {article.published_date}，与申报相差 {abs(gap)} 天（在容差内）")
        return None

    @staticmethod
    def _page_difference(claim: Claim, article: Article, warnings: list[str]) -> str | None:
        claimed_page = parse_page_label(claim.page)[0]
        if claim.page and claimed_page is None:
            warnings.append(f"版次“{claim.page}”无法识别")
        if claimed_page and article.page_no and claimed_page != article.page_no:
            return f"版次：申报第{claimed_page}版，实际第{article.page_no}版"
        return None

    def _title_difference(self, claim: Claim, ms: Manuscript, article: Article, warnings: list[str]) -> str | None:
        if article.is_evidence_file:
            return None   # a page image's stored title is shanggao's label, not the printed headline
        if not claim.title or self._title_fits(claim.title, article):
            return None
        if self._title_fits(claim.title, None, ms.title):
            warnings.append(f"申报为原稿标题，见报标题为《{article.title}》")
            return None
        return f"标题：申报《{claim.title}》，见报《{article.title}》"

    @staticmethod
    def _url_difference(claim: Claim, article: Article) -> str | None:
        if article.is_evidence_file:
            return None   # a scan has no link; the claim's link (if any) is the web copy's
        if claim.url and normalize_url(claim.url) != normalize_url(article.url):
            return f"链接：申报 {claim.url}，实际 {article.url}"
        return None

    @staticmethod
    def _title_fits(claimed: str, article: Article | None, other: str | None = None) -> bool:
        want = normalize_title(claimed)
        if not want:
            return True
        titles = [other] if article is None else [article.title, *(article.subtitle or "").split("\n")]
        for title in filter(None, titles):
            have = normalize_title(title)
            if have and (want == have or want in have or have in want or fuzz.ratio(want, have) >= 90):
                return True
        return False

    def _byline_problem(self, claim: Claim, ms: Manuscript, placement: Placement, warnings: list[str]) -> str | None:
        article = placement.article
        text = " ".join(filter(None, [article.byline, *article.authors]))
        if placement.kind in EXCERPT_KINDS:
            return None  # a 综合稿 carries the editor's byline, not the county writer's
        if article.is_evidence_file:
            warnings.append("佐证为版面图像或PDF，署名请对照原件核对")
            return None
        if not text.strip() or not names_someone(text):
            warnings.append("见报稿未署作者，无法核对署名")
            return None
        names = set(claim.claimants) | set(ms.authors)
        prefixes = self.rules.quotas.county_prefixes
        units = unit_variants(claim.unit, prefixes) | unit_variants(ms.unit, prefixes)
        if any(n in text for n in names if n) or any(u in text for u in units):
            return None
        who = "、".join(claim.claimants) or "（未填）"
        byline = article.byline or "、".join(article.authors)
        return f"署名“{byline}”中没有申报人（{who}）或单位（{claim.unit or '未填'}）"

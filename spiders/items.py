"""What spiders yield: a parsed article, or a problem worth recording.

Spiders never write to the store themselves; ``spiders.pipelines.StorePipeline``
turns these items into ``articles`` / ``article_versions`` / ``crawl_problems``
rows in batches.
"""

from __future__ import annotations

import scrapy

PROBLEM_KINDS = (
    "http_error",
    "timeout",
    "offsite_redirect",
    "interstitial",
    "not_article",
    "no_links",
    "missing_field",
    "robots",
    "blocked_address",   # an internal address refused by the SSRF guard (spiders.address_guard)
    "too_large",         # the response (or its decompressed body) exceeded max_response_mb
    "redirect_loop",     # too many redirects, or a redirect back to a URL already visited
    "dns_error",         # the host name does not resolve
    "connection_error",  # refused, reset or dropped before a whole response arrived
    "too_many_links",    # a listing page offered more links than max_links_per_page; the rest were skipped
    "other",
)

# Problems that mean "the site's markup or URL scheme no longer matches the spider".
DRIFT_PROBLEMS = ("no_links", "missing_field")


class ArticleItem(scrapy.Item):
    url = scrapy.Field()             # canonical article URL (what `articles.url` holds)
    outlet = scrapy.Field()          # outlet slug (shanggao.db.outlets) or a free slug for unknown sites
    title = scrapy.Field()
    subtitle = scrapy.Field()        # 引题 / 副题, "\n"-joined, or None
    byline = scrapy.Field()          # as printed, or None
    authors = scrapy.Field()         # list[str] of reporter / correspondent names
    published_date = scrapy.Field()  # datetime.date or None
    page_no = scrapy.Field()         # e-papers: 版次 (int) or None
    page_name = scrapy.Field()       # e-papers: 版名 or None
    page_url = scrapy.Field()        # the 版面 / listing page the article was found on, or None
    body = scrapy.Field()            # paragraphs joined by "\n"
    response_url = scrapy.Field()    # the fetched URL whose archived response is the evidence


class ProblemItem(scrapy.Item):
    url = scrapy.Field()
    outlet = scrapy.Field()
    problem = scrapy.Field()         # one of PROBLEM_KINDS
    detail = scrapy.Field()          # short text

"""The item pipeline: articles and problems go to the crawl's RunRecorder, which
writes them to DuckDB in batches (see spiders.recorder)."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from shanggao.spiders.items import ArticleItem, ProblemItem
from shanggao.spiders.recorder import RunRecorder


class StorePipeline:
    def __init__(self, crawler: Crawler):
        self.recorder = RunRecorder.for_crawler(crawler)
        self.source = "fetch" if crawler.settings.get("SHANGGAO_COMMAND") == "fetch" else "crawl"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def process_item(self, item: object) -> object:
        if isinstance(item, ArticleItem):
            self.recorder.record_article(item, source=self.source)
        elif isinstance(item, ProblemItem):
            self.recorder.record_problem_item(item)
        else:
            raise DropItem(f"not a shanggao item: {type(item).__name__}")
        return item

"""Builds loopback mirrors of the e-papers for the spider tests and the crawl benchmark.

The markup follows the templates in tests/fixtures/spiders/ (real class names
and URL schemes from docs/outlets.md and the real 2024-12-25
People's Daily page); every word of article text is made up here.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from string import Template

from cli_support import shanggao_command

from shanggao.spiders.replay import add_page

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "spiders"
REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"

# Made-up sentences about county work, combined per article.
SENTENCES = (
    "泸溪县坚持把抓基层打基础作为长远之计，推动组织力持续提升。",
    "今年以来，全县各级党组织围绕乡村振兴开展结对帮扶，办成一批民生实事。",
    "在浦市镇，驻村工作队帮助群众发展椪柑产业，合作社年销售额明显增长。",
    "县委组织部组织年轻干部到信访、征拆一线历练，提升解决实际问题的能力。",
    "武溪镇的党员志愿服务队每周走访独居老人，帮助他们解决生活难题。",
    "当地把村级议事协商纳入基层治理清单，群众的事由群众商量着办。",
    "各乡镇建立人才回引台账，吸引在外创业人员回乡参与产业发展。",
    "潭溪镇依托红色资源打造党性教育基地，接待各地党员干部参观学习。",
    "县里推行干部下沉网格，做到小事不出村、大事不出镇。",
    "一批返乡大学生走上村级后备力量岗位，为基层注入新鲜血液。",
    "洗溪镇把产业链党建延伸到合作社和企业，带动农户稳定增收。",
    "兴隆场镇开展“屋场会”活动，面对面听取意见建议。",
)


def paragraphs(seed: int, count: int = 4) -> list[str]:
    return [SENTENCES[(seed * 5 + i * 7) % len(SENTENCES)] + SENTENCES[(seed + i * 3) % len(SENTENCES)]
            for i in range(count)]


def template(name: str) -> Template:
    return Template((FIXTURES / name).read_text(encoding="utf-8"))


def cn_date(day: date) -> str:
    weekdays = "一二三四五六日"
    return f"{day:%Y年%m月%d日} 星期{weekdays[day.weekday()]}"


@dataclass
class Expected:
    url: str
    outlet: str
    title: str
    published_date: date
    page_no: int
    page_name: str
    authors: list[str]
    subtitle: str | None = None
    body_start: str = ""
    fetch_url: str = ""


@dataclass
class Mirror:
    root: Path
    articles: dict[str, Expected] = field(default_factory=dict)
    index_pages: list[str] = field(default_factory=list)
    article_fetch_urls: dict[str, str] = field(default_factory=dict)   # canonical -> URL as linked
    counter: int = 30100000

    def _next_id(self) -> int:
        self.counter += 1
        return self.counter

    # -- 人民日报 ---------------------------------------------------------------------

    def rmrb_day(self, day: date, pages: int = 3, drifted: bool = False, per_page: int | None = None,
                 body_paragraphs: int = 4) -> None:
        new = day >= date(2024, 12, 1)
        ym, dd = (f"{day:%Y%m}", f"{day:%d}") if new else (f"{day:%Y-%m}", f"{day:%d}")
        if new:
            base = f"https://paper.people.com.cn/rmrb/pc/layout/{ym}/{dd}/"
            page_file = "node_{:02d}.html".format
        else:
            base = f"http://paper.people.com.cn/rmrb/html/{ym}/{dd}/"
            page_file = "nbs.D110000renmrb_{:02d}.htm".format
        names = ["要闻", "评论", "广告", "地方", "理论"][:pages]
        slides = "\n".join(
            f'\t\t\t\t\t\t\t<div class="swiper-slide">\n\t\t\t\t\t\t\t\t<a id="pageLink" href="{page_file(n)}">'
            f'{n:02d}版：{name}</a>\n\t\t\t\t\t\t\t</div>' for n, name in enumerate(names, 1))
        for n, name in enumerate(names, 1):
            count = 0 if name == "广告" else (per_page or (3 if n == 1 else 2))
            items, areas = [], []
            for k in range(1, count + 1):
                if new:
                    aid = self._next_id()
                    href = f"../../../content/{ym}/{dd}/content_{aid}.html"
                    url = f"https://paper.people.com.cn/rmrb/pc/content/{ym}/{dd}/content_{aid}.html"
                    fetch_url = url
                else:
                    href = f"nw.D110000renmrb_{day:%Y%m%d}_{k}-{n:02d}.htm"
                    fetch_url = base + href
                    url = fetch_url.replace("http://", "https://")
                title = f"{names[n - 1]}第{k}篇：泸溪{day.day}日基层治理新观察{n}{k}"
                wire = k == 2
                authors = ["王海燕"] if wire else ["张晓明", "李思远"]
                body = paragraphs(day.toordinal() + n * 10 + k, body_paragraphs)
                if wire:
                    body[0] = f"本报长沙{day.month}月{day.day}日电　（记者王海燕）" + body[0]
                page = template("rmrb_content.html").substitute(
                    title=title, pretitle="引题：扎根基层" if k == 1 else "", subtitle=f"副题{n}-{k}" if k == 1 else "",
                    sec="" if wire else "本报记者　张晓明　李思远", cndate=f"{day:%Y年%m月%d日}",
                    pageno=f"{n:02d}", paragraphs="\n".join(f"<p>　　{p}</p>" for p in body))
                if drifted:  # the article template moved: no h1, no #ozoom
                    page = page.replace("<h1>", "<div class='t'>").replace("</h1>", "</div>").replace(
                        'id="ozoom"', 'id="content-body"')
                add_page(self.root, fetch_url, page)
                # k == 3 is linked only from the image map (the list omits it)
                if k != 3:
                    items.append(f'\t\t\t\t\t\t\t<li>\n\t\t\t\t\t\t\t\t<span>·</span>\n'
                                 f'\t\t\t\t\t\t\t\t<a href="{href}"> {title} </a>\n\t\t\t\t\t\t\t</li>')
                areas.append(f'<Area coords="3,9{k},194,92,194,323" shape="polygon" href="{href}">')
                self.articles[url] = Expected(
                    url, "rmrb", title, day, n, name, authors,
                    subtitle="引题：扎根基层\n" + f"副题{n}-{k}" if k == 1 else None,
                    # the full-width space after the dateline reads as a plain space in the stored body
                    body_start=f"本报长沙{day.month}月{day.day}日电 （记者王海燕）" if wire else body[0][:12],
                    fetch_url=fetch_url)
            if count:
                # an editor credit linked like an article: must be dropped
                credit_id = self._next_id()
                credit_href = (f"../../../content/{ym}/{dd}/content_{credit_id}.html" if new
                               else f"nw.D110000renmrb_{day:%Y%m%d}_99-{n:02d}.htm")
                items.append(f'\t\t\t\t\t\t\t<li><span>·</span><a href="{credit_href}"> '
                             '本版责编：赵一鸣　钱二丫 </a></li>')
                credit_url = (f"https://paper.people.com.cn/rmrb/pc/content/{ym}/{dd}/content_{credit_id}.html"
                              if new else base + credit_href)
                add_page(self.root, credit_url, "<html><body><h1>本版责编：赵一鸣　钱二丫</h1></body></html>")
            layout = template("rmrb_layout.html").substitute(
                areas="".join(areas), ym=ym.replace("-", ""), dd=dd, label=f"第{n:02d}版：{name}",
                cndate=f"{day:%Y年%m月%d日} Wed", slides=slides, items="\n".join(items))
            if drifted:  # the index template moved: the article list and the map are gone
                layout = layout.replace('class="news-list"', 'class="story-index"').replace(
                    '<MAP NAME="PagePicMap">', '<div class="hotspots">').replace("</MAP>", "</div>")
            index_url = base + page_file(n)
            add_page(self.root, index_url, layout)
            self.index_pages.append(index_url)

    # -- 湖南日报 ---------------------------------------------------------------------

    def hnrb_day(self, day: date, mislabel: bool = False) -> None:
        old = day < date(2025, 1, 1)
        ym, dd = f"{day:%Y-%m}", f"{day:%d}"
        if old:
            base = f"https://hnrb.voc.com.cn/hnrb_epaper/html/{ym}/{dd}/"
            nodes = ["node_201.htm", "node_202.htm"]
            charset, encoding = "gb2312", "gbk"
        else:
            base = f"https://epaper.voc.com.cn/hnrb/html/{ym}/{dd}/"
            nodes = ["node_101.htm", "node_102.htm"]
            charset, encoding = "utf-8", "utf-8"
        names = ["头版", "市州"]
        rows = "\n".join(
            f'        <tr><td><a id="pageLink" href="{node}">第{n:02d}版：{name}</a></td>'
            f'<td><a href="../../../images/{ym}/{dd}/{n:02d}/{day:%Y%m%d}{n:02d}_pdf.pdf">PDF</a></td></tr>'
            for n, (node, name) in enumerate(zip(nodes, names, strict=False), 1))
        for n, (node, name) in enumerate(zip(nodes, names, strict=False), 1):
            items, areas = [], []
            for k in range(1, 3):
                aid = self._next_id() - 28000000
                href = f"content_{aid}.htm?div=-1"
                fetch_url = base + href
                url = base + f"content_{aid}.htm"
                title = f"湘西州{day.day}日喆镕基层党建观察{n}{k}" if old else f"湖南{day.day}日基层党建观察{n}{k}"
                body = paragraphs(day.toordinal() + n * 3 + k)
                if k == 1:
                    authors = ["周帙恒", "向红"]
                    body.insert(0, "湖南日报全媒体记者 周帙恒 通讯员 向红")
                    byline_html = ""
                    body_start = "湖南日报全媒体记者 周帙恒 通讯员 向红"
                else:
                    authors = ["孙敏坚", "黄晗"]
                    body[0] = f"湖南日报{day.month}月{day.day}日讯（全媒体记者 孙敏坚 黄晗）" + body[0]
                    byline_html = ""
                    body_start = f"湖南日报{day.month}月{day.day}日讯（全媒体记者 孙敏坚 黄晗）"
                page = template("hnrb_content.html").substitute(
                    charset=charset, title=title, subtitle=f"——{name}版副题{k}", cndate=cn_date(day),
                    label=f"第{n:02d}版：{name}",
                    paragraphs=byline_html + "\n".join(f"<P>　　{p}</P>" for p in body))
                sidecar = {}
                if mislabel and n == 2:  # header claims UTF-8, bytes are GBK
                    sidecar = {"charset": "utf-8"}
                add_page(self.root, fetch_url, page.encode(encoding), **sidecar)
                items.append(f'          <li><a href="{href}">{title}</a></li>')
                areas.append(f'<Area coords="1,2,3,4" shape="rect" href="{href}">')
                self.articles[url] = Expected(url, "hnrb", title, day, n, name, authors,
                                              subtitle=f"——{name}版副题{k}", body_start=body_start,
                                              fetch_url=fetch_url)
            page = template("hnrb_node.html").substitute(
                charset=charset, cndate=cn_date(day), label=f"第{n:02d}版：{name}", areas="".join(areas),
                ym=ym, dd=dd, pagerows=rows, items="\n".join(items))
            add_page(self.root, base + node, page.encode(encoding))
            self.index_pages.append(base + node)

    def hnrb_period(self, days: list[date]) -> None:
        periods = "".join(
            f"<period id=\"{i}\"><period_name>{d:%Y-%m-%d}</period_name><period_date>{d:%Y-%m-%d}</period_date>"
            f"<front_page>node_101.htm</front_page></period>" for i, d in enumerate(days))
        month = days[0]
        add_page(self.root, f"https://epaper.voc.com.cn/hnrb/html/{month:%Y-%m}/period.xml",
                 f'<?xml version="1.0" encoding="UTF-8"?><periodlist>{periods}</periodlist>')

    # -- 团结报 -------------------------------------------------------------------------

    def tjb_day(self, day: date) -> None:
        base = f"http://www.xxnet.com.cn/szb/tjbpc/{day:%Y%m}/{day:%d}/"
        names = ["要闻", "县市新闻"]
        nav = "\n".join(f'      <li><a href="l{n:02d}.html">第{n:02d}版</a></li>' for n in range(1, 3))
        for n, name in enumerate(names, 1):
            items = []
            for k in range(1, 3):
                aid = self._next_id() - 29000000
                url = base + f"c{aid}.html"
                title = f"泸溪县{day.day}日喆村基层组织建设纪实{n}{k}"
                body = paragraphs(day.toordinal() + n + k * 2)
                body.insert(0, "团结报全媒体记者 彭云 通讯员 田雨")
                page = template("tjb_content.html").substitute(
                    title=title, paragraphs="\n".join(f"<p>　　{p}</p>" for p in body))
                add_page(self.root, url, page.encode("gbk"))
                items.append(f'      <li><a href="c{aid}.html">{title}</a></li>')
                self.articles[url] = Expected(url, "tjb", title, day, n, name, ["彭云", "田雨"],
                                              body_start="团结报全媒体记者 彭云 通讯员 田雨", fetch_url=url)
            page = template("tjb_l.html").substitute(navitems=nav, label=name, items="\n".join(items))
            add_page(self.root, base + f"l{n:02d}.html", page.encode("gbk"))
            self.index_pages.append(base + f"l{n:02d}.html")


def write_fast_config(path: Path) -> Path:
    """A shanggao.toml with politeness off (loopback only)."""
    path.write_text(
        "[shanggao]\ndownload_delay = 0.0\nautothrottle = false\nconcurrency_per_domain = 8\n"
        'contact = "mailto:test@example.invalid"\n', encoding="utf-8")
    return path


def run_cli(args: list[str], db: Path, config: Path, env_extra: dict[str, str], timeout: float = 120):
    """Run the installed `shanggao` CLI in a subprocess (the reactor starts once per process)."""
    env = {**os.environ, **env_extra, "SHANGGAO_DB": str(db), "SHANGGAO_LOCK_TIMEOUT": "30"}
    cmd = [*shanggao_command(), "--db", str(db), "--config", str(config), *args]
    return subprocess.run(cmd, env=env, cwd=str(db.parent), capture_output=True, text=True, timeout=timeout)

"""The outlet registry: who publishes what, at which tier, under which hosts.

This is the metadata half of each outlet (loaded into the ``outlets`` table by
``shanggao init``); the parser half lives in ``spiders/outlets/`` and refers to
these entries by slug.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TIERS = ("central", "provincial", "prefectural", "county", "other")
KINDS = ("epaper", "portal", "wechat", "print")


@dataclass(frozen=True)
class OutletInfo:
    slug: str
    name: str
    tier: str
    kind: str
    home_url: str
    media_group: str
    domains: tuple[str, ...]
    aliases: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        assert self.tier in TIERS, self.tier
        assert self.kind in KINDS, self.kind


OUTLETS: dict[str, OutletInfo] = {
    o.slug: o
    for o in (
        OutletInfo("rmrb", "人民日报", "central", "epaper", "https://paper.people.com.cn/rmrb/",
                   "人民日报社", ("paper.people.com.cn",), ("人民日报社", "人民日报海外版")),
        OutletInfo("peoplecn", "人民网", "central", "portal", "http://www.people.com.cn/",
                   "人民日报社", ("people.com.cn", "www.people.com.cn", "hn.people.com.cn"), ("人民网湖南频道",)),
        OutletInfo("zzrsb", "中国组织人事报", "central", "epaper", "https://www.zuzhirenshi.com/",
                   "中国组织人事报社", ("www.zuzhirenshi.com", "zuzhirenshi.com", "paper.zzrsb.cn"),
                   ("组织人事报", "中国组织人事报社")),
        OutletInfo("chinanews", "中国新闻网", "central", "portal", "https://www.chinanews.com.cn/",
                   "中国新闻社", ("www.chinanews.com.cn", "www.chinanews.com", "www.hn.chinanews.com.cn",
                                "www.hn.chinanews.com"), ("中新网", "中新网湖南", "中国新闻社")),
        OutletInfo("12371", "共产党员网", "central", "portal", "https://www.12371.cn/",
                   "共产党员网", ("www.12371.cn", "news.12371.cn", "12371.cn"), ("12371", "共产党员网站")),
        OutletInfo("hnrb", "湖南日报", "provincial", "epaper", "https://epaper.voc.com.cn/hnrb/",
                   "湖南日报社", ("epaper.voc.com.cn", "hnrb.voc.com.cn"), ("湖南日报社", "湖南日报电子版")),
        OutletInfo("xinhunan", "新湖南", "provincial", "portal", "https://www.hunantoday.cn/",
                   "湖南日报社", ("www.hunantoday.cn", "m.voc.com.cn", "www.voc.com.cn", "hunantoday.cn"),
                   ("新湖南客户端", "华声在线", "湖南在线")),
        OutletInfo("rednet", "红网", "provincial", "portal", "https://www.rednet.cn/",
                   "红网", ("rednet.cn", "www.rednet.cn", "hn.rednet.cn", "xx.rednet.cn", "news.rednet.cn"),
                   ("红网湘西站", "红网湘西频道", "红网时刻", "时刻新闻")),
        OutletInfo("hxw", "红星网", "provincial", "portal", "https://www.hxw.gov.cn/",
                   "中共湖南省委组织部", ("www.hxw.gov.cn", "hxw.gov.cn"), ("湖南红星网",)),
        OutletInfo("tjb", "团结报", "prefectural", "epaper", "http://www.xxnet.com.cn/szb/tjbpc/",
                   "团结报社", ("www.xxnet.com.cn",), ("湘西团结报", "团结报社")),
        OutletInfo("xxnet", "湘西网", "prefectural", "portal", "http://www.xxnet.com.cn/",
                   "团结报社", ("m.xxnet.com.cn", "search.xxnet.com.cn"), ("湘西新闻网",)),
        OutletInfo("luxi", "泸溪县人民政府网", "county", "portal", "",
                   "泸溪县人民政府", (), ("泸溪县政府网", "泸溪政府网")),
        OutletInfo("wechat", "微信公众号", "other", "wechat", "https://mp.weixin.qq.com/",
                   "微信", ("mp.weixin.qq.com",), ("微信", "公众号")),
    )
}


def outlet_for_host(host: str) -> OutletInfo | None:
    """The registered outlet owning a host (exact host or a parent domain)."""
    host = host.lower().split(":")[0]
    for info in OUTLETS.values():
        for domain in info.domains:
            if host == domain or host.endswith("." + domain):
                return info
    return None

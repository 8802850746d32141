"""A small hand-written corpus for the matcher tests (our own text, not the dev set's).

Two manuscripts in the county party-building genre, six generic officialese
sentences used as the corpus's stock phrasing, and a generator of filler
articles so that the stock sentences are frequent across the corpus — which is
how the matcher learns that they prove nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from shanggao.dates import utc_now

STOCK = [
    "坚持把抓基层打基础作为长远之计和固本之策。",
    "切实增强基层党组织的政治功能和组织力。",
    "以党建高质量发展引领县域经济高质量发展。",
    "持续推动各项决策部署落地见效。",
    "不断提升群众的获得感、幸福感、安全感。",
    "为全面推进乡村振兴提供坚强组织保证。",
]

TEA = [
    "浦市镇马王溪村地处沅水东岸，过去村里青壮年大多外出务工，茶园荒了不少。"
    "去年春天，村党支部牵头成立黄金茶专业合作社，把散落在农户手中的三百多亩老茶园统一流转过来，"
    "请来县农业农村局的技术员手把手教大家修剪、施肥和采摘。",
    "合作社实行“支部+合作社+农户”的模式，党员带头入股，村民以土地和劳力折价参股，年底按股分红。"
    "为了解决销路问题，支部书记向春林带着样茶跑了怀化、长沙等地的十几家茶企，最终与两家企业签下了长期收购协议。",
    "今年清明前后，合作社第一批明前茶上市，每斤卖到800元，比往年散户自己卖高出近一倍。"
    "村民张秀英在家门口的茶园务工，一个采茶季就挣了6000多元，她说：“以前守着茶园没收入，现在不出村也能挣钱。”",
    "截至目前，合作社已带动120多户农户增收，其中脱贫户41户，户均增收3000多元。"
    "下一步，村里计划建设一座小型茶叶加工厂，把鲜叶加工成干茶和茶饮料，让茶产业链条在村里延伸得更长。",
]

NIGHT_SCHOOL = [
    "白沙镇新城社区是全县最大的易地扶贫搬迁安置点，住着来自十二个乡镇的一千三百多户搬迁群众。"
    "搬得出还要稳得住，社区党总支把目光投向了群众最关心的就业问题。",
    "今年三月，社区利用党群服务中心的闲置教室开办了“四点半夜校”，每周二、四晚上开课，"
    "请县人社局和职业学校的老师讲授电工、家政、电商直播等实用技能，课程结束后还组织学员参加技能等级考试。",
    "在夜校学习电商直播的搬迁户李小燕，如今在网上帮邻居们卖腊肉、酸鱼和椪柑，最多的一天卖出两百多单。"
    "社区还与附近的扶贫车间签订用工协议，夜校结业的学员可以优先上岗。",
    "半年来，夜校共开班十八期，培训群众六百多人次，帮助二百一十人实现家门口就业。"
    "社区党总支书记说，接下来将根据企业用工需求调整课程，让更多搬迁群众学到一技之长。",
]

CHROME_HEAD = "首页 > 基层动态 > 乡镇传真\n来源：县融媒体中心　责任编辑：值班编辑\n"
CHROME_TAIL = "\n【版权声明】本站所载内容仅供参考，转载请注明出处。联系电话：0743-0000000"

_TOWNS = ["兴隆场镇", "潭溪镇", "达岚镇", "合水镇", "武溪镇", "石榴坪乡", "解放岩乡", "小章乡"]
_DEEDS = ["修缮了村级活动场所", "硬化了通组公路", "新建了农产品冷库", "开通了便民服务热线",
          "组织了消防安全演练", "举办了农民丰收节", "改造了老旧供水管网", "设立了法律援助工作站"]


def manuscript_text(paragraphs: list[str], stock: list[str]) -> str:
    """Paragraphs with stock sentences woven in, as real manuscripts are."""
    out = []
    for i, para in enumerate(paragraphs):
        out.append(para + (stock[i] if i < len(stock) else ""))
    return "\n".join(out)


TEA_TEXT = manuscript_text(TEA, [STOCK[0], STOCK[2]])
NIGHT_TEXT = manuscript_text(NIGHT_SCHOOL, [STOCK[1], STOCK[4]])


def filler_article(seed: int) -> str:
    """An unrelated article of the genre: its own facts plus four stock sentences."""
    rng = random.Random(seed)
    town = rng.choice(_TOWNS)
    facts = []
    for _ in range(4):
        village = "".join(rng.choice("青石桥木林溪岩坪塘山湾") for _ in range(2)) + "村"
        facts.append(f"{town}{village}{rng.choice(_DEEDS)}，投入资金{rng.randint(3, 90)}万元，"
                     f"惠及群众{rng.randint(50, 900)}户，第{rng.randint(1, 9)}季度完成验收。")
    stock = rng.sample(STOCK, 4)
    return "".join(f + s for f, s in zip(facts, stock, strict=False))


def background(n: int = 40) -> list[str]:
    return [filler_article(i) for i in range(n)]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def insert_articles(store, rows: list[tuple[str, str, str]], published: dt.date = dt.date(2024, 5, 1)) -> None:
    """(url, title, body) rows straight into `articles` (the importers are tested elsewhere)."""
    now = utc_now()
    with store.write() as con:
        con.executemany(
            "INSERT INTO articles (url, outlet, title, body, body_hash, body_chars, source, published_date, "
            "first_fetched_at, last_fetched_at) VALUES (?, 'test', ?, ?, ?, ?, 'import', ?, ?, ?)",
            [(url, title, body, sha(title + body), len(body), published, now, now) for url, title, body in rows])


def insert_manuscripts(store, rows: list[tuple[str, str, str]]) -> None:
    """(manuscript_id, title, body) rows straight into `manuscripts`."""
    now = utc_now()
    with store.write() as con:
        con.executemany(
            "INSERT INTO manuscripts (manuscript_id, title, body, body_hash, imported_at) VALUES (?, ?, ?, ?, ?)",
            [(mid, title, body, sha(title + body), now) for mid, title, body in rows])

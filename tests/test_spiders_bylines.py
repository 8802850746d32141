"""Byline reading (spiders.text): printed forms seen on the outlets' pages, names made up."""

from __future__ import annotations

import pytest

from shanggao.spiders.text import extract_byline, names_in_byline


@pytest.mark.parametrize("lead, byline, authors", [
    # 报道 / 摄 / 供稿 close a byline; the word before 报道 is a place, not a person
    ("红网时刻新闻通讯员 瞿红梅 泸溪报道", "红网时刻新闻通讯员 瞿红梅 泸溪报道", ["瞿红梅"]),
    ("红网时刻新闻通讯员 彭凯 龙山报道", "红网时刻新闻通讯员 彭凯 龙山报道", ["彭凯"]),
    ("红网时刻新闻记者 刘璐 长沙报道", "红网时刻新闻记者 刘璐 长沙报道", ["刘璐"]),
    ("记者 田小雨 通讯员 向明 报道。", "记者 田小雨 通讯员 向明 报道", ["田小雨", "向明"]),
    ("记者 张晓明 摄", "记者 张晓明 摄", ["张晓明"]),
    ("记者 张晓明摄", "记者 张晓明摄", ["张晓明"]),
    ("通讯员 向明远 供稿", "通讯员 向明远 供稿", ["向明远"]),
    # two-character names padded to three columns are one name
    ("通讯员　符　军", "通讯员 符 军", ["符军"]),
    ("本报记者　张　三　李思远", "本报记者 张 三 李思远", ["张三", "李思远"]),
    ("红网时刻新闻记者 龙秋玲 通讯员 符　军 泸溪报道", "红网时刻新闻记者 龙秋玲 通讯员 符 军 泸溪报道",
     ["龙秋玲", "符军"]),
    ("通讯员 符　军　摄", "通讯员 符 军 摄", ["符军"]),
    # the usual forms
    ("本报记者 吴秋余 赵展慧", "本报记者 吴秋余 赵展慧", ["吴秋余", "赵展慧"]),
    ("通讯员　吴昊", "通讯员 吴昊", ["吴昊"]),
    ("本报讯（通讯员 张晓明 李思远）近日，泸溪县召开", "本报讯（通讯员 张晓明 李思远）", ["张晓明", "李思远"]),
    ("（记者 王海燕 通讯员 向明远）泸溪县武溪镇", "（记者 王海燕 通讯员 向明远）", ["王海燕", "向明远"]),
    ("湖南日报全媒体记者 龙雨婷", "湖南日报全媒体记者 龙雨婷", ["龙雨婷"]),
    ("湖南日报全媒体记者 谢雨晨 通讯员 肖红", "湖南日报全媒体记者 谢雨晨 通讯员 肖红", ["谢雨晨", "肖红"]),
    ("文/图 张晓明", "文/图 张晓明", ["张晓明"]),
    ("文／图　张　三", "文／图 张 三", ["张三"]),
    # an editor is not an author
    ("【编辑:周小青】", None, []),
    ("【编辑:周小青】（记者 王五）今天", "（记者 王五）", ["王五"]),
    ("泸溪县委宣传部供稿", None, []),
])
def test_byline_forms(lead, byline, authors):
    assert extract_byline([lead]) == (byline, authors)


@pytest.mark.parametrize("element, names", [
    ("彭凯 龙山报道", ["彭凯"]),
    ("符　军", ["符军"]),
    ("张　三 李思远", ["张三", "李思远"]),
    ("本报记者 吴秋余 赵展慧", ["吴秋余", "赵展慧"]),
    ("瞿红梅 泸溪报道", ["瞿红梅"]),
    ("", []),
])
def test_names_in_a_byline_element(element, names):
    assert names_in_byline(element) == names

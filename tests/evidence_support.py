"""Texts and files for the evidence tests: a manuscript, an unrelated neighbour on the
same printed page, and small PDFs written byte by byte."""

from __future__ import annotations

import io

MANUSCRIPT_TITLE = "浦市镇推行党员“红黄绿”三色积分管理"
MANUSCRIPT_BODY = """\
今年以来，浦市镇在全镇四十二个村（社区）推行党员“红黄绿”三色积分管理，把无职党员参与矛盾调解、河道巡查、留守老人帮扶等事项逐项量化，按月公示，季度评星。
积分达到九十分以上的党员亮红牌，在村务公开栏张贴照片；六十分以下的亮绿牌，由支部书记上门谈心，帮助查找原因、制定改进计划。
镇党委还把积分结果与评先评优、发展党员推荐挂钩，今年上半年已有十七名积分靠前的青年党员被推荐为村级后备干部。
铁山村老党员向光明说：“过去开会坐一坐、听一听就算完事，现在每做一件实事都记在本子上，大家比着干，村里的事情推得快多了。”
据统计，推行三色积分以来，全镇党员累计认领微心愿三百八十余个，化解邻里纠纷一百二十六起，清理河道垃圾四十多吨。"""

NEIGHBOUR_TITLE = "县图书馆流动书车开进偏远村寨"
NEIGHBOUR_BODY = """\
六月中旬，县图书馆的流动书车沿着盘山公路开进了达岚镇的几个偏远村寨，车上装载着农业技术、儿童绘本和历史读物共两千余册。
村民们在晒谷坪上排起长队办理借书证，不少孩子当场就坐在树荫下读了起来。馆员介绍，书车每月往返一次，借阅的图书可以在下一次到访时归还。
今年图书馆还计划在十个村设立图书漂流点，由村里的返乡大学生担任管理员，让山里的孩子在家门口也能读到新书。"""

OTHER_TITLE = "白沙镇开展夏季防溺水安全宣传"
OTHER_BODY = """\
进入夏季以来，白沙镇组织学校老师和网格员走村入户，向家长发放防溺水告知书，在沿河危险水域设置警示牌和救生杆。
镇里还在中小学开展了防溺水主题班会和应急演练，教孩子们识别危险水域、掌握正确的自救方法，守护学生平安度夏。"""


def pdf_with_text(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (ASCII, Helvetica), written by hand."""
    stream = "BT /F1 14 Tf 72 720 Td 18 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return _pdf(objects)


def encrypted_pdf() -> bytes:
    """A PDF protected by a user password (standard security handler, RC4 40-bit)."""
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        "<< /Filter /Standard /V 1 /R 2 /P -44 /O <" + "11" * 32 + "> /U <" + "22" * 32 + "> >>",
    ]
    return _pdf(objects, trailer_extra="/Encrypt 4 0 R /ID [<00112233445566778899aabbccddeeff> "
                                       "<00112233445566778899aabbccddeeff>]")


def _pdf(objects: list[str], trailer_extra: str = "") -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {trailer_extra} >>\n"
              f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()

"""Evidence in hand: `shanggao evidence add` on PDFs, scans and bad files.

OCR is slow (seconds a page), so one rendered scan is OCR'd once per session
(``ocr_store``) and copied for each test that needs it; every other test reads
text layers or fails before any OCR, and passes an OCR function that must not
be called.
"""

from __future__ import annotations

import importlib.util
import io
import shutil
from pathlib import Path

import pytest
from evidence_support import (
    MANUSCRIPT_BODY,
    MANUSCRIPT_TITLE,
    NEIGHBOUR_BODY,
    NEIGHBOUR_TITLE,
    OTHER_BODY,
    OTHER_TITLE,
    encrypted_pdf,
    pdf_with_text,
)
from PIL import Image
from verify_support import Scenario, new_store

from shanggao.db import Store
from shanggao.evidence import EvidenceError, Limits, read_evidence
from shanggao.evidence.add import add_evidence
from shanggao.evidence.specimen import Story, cjk_font_available, degrade, render_page

HAVE_OCR = importlib.util.find_spec("rapidocr_onnxruntime") is not None
needs_ocr = pytest.mark.skipif(not HAVE_OCR,
                               reason="rapidocr-onnxruntime is not installed (pip install rapidocr-onnxruntime)")
needs_font = pytest.mark.skipif(not cjk_font_available(), reason="no CJK font (apt-get install fonts-noto-cjk)")


def no_ocr(image):
    raise AssertionError("OCR must not run here")


def count(store: Store, table: str) -> int:
    with store.read() as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# -- reading files ------------------------------------------------------------------------------

def test_pdf_text_layer_is_read_without_ocr(tmp_path: Path) -> None:
    path = tmp_path / "journal.pdf"
    path.write_bytes(pdf_with_text(["Luxi county placement evidence", "second line of the text layer"]))
    evidence = read_evidence(path, ocr=no_ocr)
    assert evidence.source_kind == "pdf" and evidence.media_type == "application/pdf"
    assert [p.method for p in evidence.pages] == ["text-layer"]
    assert evidence.text == "Luxi county placement evidence\nsecond line of the text layer"


def test_pdf_page_without_text_is_rendered_for_ocr(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    Image.new("L", (400, 300), 255).save(path, "PDF", resolution=72)
    seen = []

    def fake_ocr(image: Image.Image) -> str:
        seen.append(image.size)
        return "版面文字"

    evidence = read_evidence(path, Limits(render_dpi=144), ocr=fake_ocr)
    assert [p.method for p in evidence.pages] == ["ocr"] and evidence.text == "版面文字"
    assert seen == [(800, 600)]   # rendered at 144 dpi


@pytest.mark.parametrize("name, content, message", [
    ("page.pdf", "png", "the name says .pdf but the content is a PNG image; rename it to page.png"),
    ("page.jpg", b"just some text, not a picture", "not a JPEG image"),
    ("notes.docx", b"PK\x03\x04 a word file", "neither a PDF nor an image"),
    ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "not a readable PDF"),
    ("locked.pdf", "encrypted", "the PDF is encrypted (password protected)"),
    ("empty.png", b"", "the file is empty"),
    ("cut.png", "truncated", "damaged"),
])
def test_unusable_files_are_one_line_errors(tmp_path: Path, name: str, content, message: str) -> None:
    path = tmp_path / name
    if content == "png":
        buffer = io.BytesIO()
        Image.new("L", (20, 20), 255).save(buffer, "PNG")
        content = buffer.getvalue()
    elif content == "encrypted":
        content = encrypted_pdf()
    elif content == "truncated":
        buffer = io.BytesIO()
        Image.effect_noise((300, 300), 60).save(buffer, "PNG")
        content = buffer.getvalue()[:2000]
    path.write_bytes(content)
    with pytest.raises(EvidenceError) as caught:
        read_evidence(path, ocr=no_ocr)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_page_and_pixel_limits_are_checked_before_any_work(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for _ in range(500):
        pdf.new_page(595, 842)
    big_pdf = tmp_path / "whole-year.pdf"
    pdf.save(big_pdf)
    with pytest.raises(EvidenceError, match="500 pages is over the limit of 100"):
        read_evidence(big_pdf, ocr=no_ocr)

    bomb = tmp_path / "bomb.png"           # 100 megapixels of white: a few kilobytes on disk
    Image.new("1", (10_000, 10_000), 1).save(bomb, optimize=True)
    assert bomb.stat().st_size < 100_000
    with pytest.raises(EvidenceError, match="100 megapixels is over the limit of 50"):
        read_evidence(bomb, ocr=no_ocr)

    huge = tmp_path / "huge.png"           # past Pillow's own bomb guard (2 × 89 MP)
    Image.new("1", (20_000, 10_000), 1).save(huge, optimize=True)
    with pytest.raises(EvidenceError, match="over the limit"):
        read_evidence(huge, Limits(max_pixels=300_000_000), ocr=no_ocr)

    small = tmp_path / "photo.jpg"
    Image.new("RGB", (1000, 800), "white").save(small)
    with pytest.raises(EvidenceError, match="1 megapixels is over the limit of 0"):
        read_evidence(small, Limits(max_pixels=500_000), ocr=no_ocr)


@needs_ocr
def test_an_image_without_text_is_refused(tmp_path: Path) -> None:
    blank = tmp_path / "blank.jpg"
    Image.new("RGB", (600, 800), (250, 250, 245)).save(blank)
    with pytest.raises(EvidenceError, match="no text found"):
        read_evidence(blank)


# -- the CLI ------------------------------------------------------------------------------------

def test_evidence_add_stores_a_pdf_once_and_reports_bad_files(tmp_path: Path, cli, db_path: Path) -> None:
    cli("init")
    good = tmp_path / "湘组研究2022第6期.pdf"
    good.write_bytes(pdf_with_text(["Pushi town red yellow green points for party members"]))
    bad = tmp_path / "photo.pdf"
    Image.new("L", (20, 20), 255).save(bad, "PNG")
    result = cli("evidence", "add", good, bad, "--outlet", "湘组研究", "--date", "2022年6月15日", "--page", "12",
                 expect=1)
    assert "stored as article" in result.output and "(pdf, 1 page," in result.output
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert errors == [f"Error: {bad}: the name says .pdf but the content is a PNG image; rename it to photo.png"]
    store = Store(db_path)
    with store.read() as con:
        article = con.execute("SELECT outlet, published_date::VARCHAR, page_no, source, body, url, imported_from, "
                              "evidence_page_id FROM articles").fetchall()
        page = con.execute("SELECT page_id, url, sha256, page_kind, content_type, archived_file, outlet "
                           "FROM pages").fetchall()
    assert len(article) == 1 and len(page) == 1
    outlet, day, page_no, source, body, url, imported_from, page_id = article[0]
    assert (outlet, day, page_no, source, imported_from) == ("xzyj", "2022-06-15", 12, "pdf", good.name)
    assert body == "Pushi town red yellow green points for party members"
    assert page[0][0] == page_id and page[0][1] == url == f"evidence:{page[0][2]}"
    assert page[0][3:5] == ("evidence", "application/pdf") and page[0][6] == "xzyj"
    archived = store.archive_dir / page[0][5]
    assert archived.read_bytes() == good.read_bytes() and page[0][2] in archived.name

    again = cli("evidence", "add", good, "--outlet", "xzyj", "--date", "2022-06-15")
    assert "already stored as article" in again.output
    assert count(store, "articles") == 1 and count(store, "pages") == 1


def test_evidence_add_refuses_an_unknown_outlet_or_claim(tmp_path: Path, cli) -> None:
    cli("init")
    good = tmp_path / "page.pdf"
    good.write_bytes(pdf_with_text(["some text on the page of a journal"]))
    result = cli("evidence", "add", good, "--outlet", "不存在的杂志", "--date", "2022-06-15", expect=1)
    assert result.stderr.startswith("Error: unknown outlet '不存在的杂志'") and "湘组研究(xzyj)" in result.stderr
    result = cli("evidence", "add", good, "--outlet", "xzyj", "--date", "2022-06-15", "--claim", "C-404", expect=1)
    assert "unknown claim 'C-404'" in result.stderr


def test_config_limits_apply(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "shanggao.toml"
    config.write_text("[shanggao]\nevidence_max_pixels = 1000\n", encoding="utf-8")
    photo = tmp_path / "photo.png"
    Image.new("RGB", (100, 100), "white").save(photo)
    cli("init")
    result = cli("--config", config, "evidence", "add", photo, "--outlet", "tjb", "--date", "2022-06-24", expect=1)
    assert "over the limit of 0" in result.stderr and result.stderr.count("\n") == 1


# -- a scanned page, OCR'd once ------------------------------------------------------------------

@pytest.fixture(scope="session")
def scanned_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A photographed two-column page: the manuscript between two unrelated stories."""
    if not HAVE_OCR:
        pytest.skip("rapidocr-onnxruntime is not installed (pip install rapidocr-onnxruntime)")
    if not cjk_font_available():
        pytest.skip("no CJK font (apt-get install fonts-noto-cjk)")
    image, _ = render_page([Story(NEIGHBOUR_TITLE, NEIGHBOUR_BODY), Story(MANUSCRIPT_TITLE, MANUSCRIPT_BODY),
                            Story(OTHER_TITLE, OTHER_BODY)], masthead="团结报", columns=2, width=1100,
                           height=1500, body_size=22, seed=3)
    path = tmp_path_factory.mktemp("scan") / "团结报0624第3版.jpg"
    path.write_bytes(degrade(image, seed=3, rotation=1.5))
    return path


@pytest.fixture(scope="session")
def ocr_store(tmp_path_factory: pytest.TempPathFactory, scanned_page: Path) -> Store:
    """A store holding the manuscript and the scanned page (OCR'd once for the session)."""
    base = tmp_path_factory.mktemp("ocr-store")
    store = new_store(base)
    Scenario(store).manuscript("LX-2022-061", MANUSCRIPT_TITLE, "浦市镇", ["向红"], "2022-06-10",
                               body=MANUSCRIPT_BODY)
    add_evidence(store, scanned_page, outlet="tjb", published=__import__("datetime").date(2022, 6, 24), page_no=3)
    return store


@pytest.fixture
def scan_store(ocr_store: Store, tmp_path: Path) -> Store:
    shutil.copy(ocr_store.path, tmp_path / ocr_store.path.name)
    shutil.copytree(ocr_store.archive_dir, tmp_path / ocr_store.archive_dir.name)
    return Store(tmp_path / ocr_store.path.name)


@needs_ocr
@needs_font
def test_a_scanned_page_is_ocrd_in_column_order(scan_store: Store) -> None:
    with scan_store.read() as con:
        source, body = con.execute("SELECT source, body FROM articles").fetchone()
    assert source == "scan"
    flat = "".join(body.split())
    # the manuscript's sentences come out whole, not cut into column-width pieces
    assert "积分达到九十分以上的党员亮红牌" in flat
    assert flat.index("流动书车") < flat.index("三色积分") < flat.index("防溺水")


@needs_ocr
@needs_font
def test_the_matcher_finds_the_manuscript_on_the_page(scan_store: Store) -> None:
    from shanggao.matcher import match_store

    match_store(scan_store)
    with scan_store.read() as con:
        rows = con.execute("SELECT manuscript_id, kind, score FROM matches").fetchall()
    assert [(m, k) for m, k, _ in rows] == [("LX-2022-061", "page")]
    assert rows[0][2] >= 50


# -- verification against evidence --------------------------------------------------------------

def verdicts_of(store: Store) -> dict[str, tuple]:
    from shanggao.rules import load_rules
    from shanggao.verify import verify_claims

    verify_claims(store, None, None, load_rules())
    with store.read() as con:
        rows = con.execute("SELECT claim_id, status, reasons, suggestion, match_kind, evidence_file, points "
                           "FROM verdicts ORDER BY claim_id").fetchall()
    return {row[0]: row[1:] for row in rows}


@needs_ocr
@needs_font
def test_a_claim_is_verified_from_the_scan(scan_store: Store) -> None:
    from shanggao.matcher import match_store

    match_store(scan_store)
    scenario = Scenario(scan_store)
    scenario.claim("C-scan", "LX-2022-061", ["向红"], "浦市镇", "团结报", "2022-06-24", page="第3版",
                   title=MANUSCRIPT_TITLE)
    status, reasons, _, kind, evidence_file, points = verdicts_of(scan_store)["C-scan"]
    assert status == "verified" and kind == "page" and points > 0
    assert reasons[0].startswith("凭扫描件核实：见 团结报 2022-06-24 第3版")
    assert Path(evidence_file).is_file() and Path(evidence_file).suffix == ".jpg"
    assert Path(evidence_file).parent.parent == scan_store.archive_dir.resolve() / "evidence"


def test_print_only_claims_without_evidence_say_how_to_add_it(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    scenario = Scenario(store)
    scenario.manuscript("LX-2022-070", MANUSCRIPT_TITLE, "浦市镇", ["向红"], "2022-06-01", body=MANUSCRIPT_BODY)
    scenario.claim("C-print", "LX-2022-070", ["向红"], "浦市镇", "《湘组研究》", "2022-06-15")
    status, reasons, suggestion, *_ = verdicts_of(store)["C-print"]
    assert status == "not_covered"
    assert suggestion == "shanggao evidence add page.jpg --outlet xzyj --date 2022-06-15 --claim C-print"
    assert "只有纸质版" in reasons[0] and suggestion in reasons[0]


def test_evidence_that_does_not_carry_the_manuscript_is_a_text_mismatch(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    scenario = Scenario(store)
    scenario.manuscript("LX-2022-071", MANUSCRIPT_TITLE, "浦市镇", ["向红"], "2022-06-01", body=MANUSCRIPT_BODY)
    scenario.claim("C-wrong", "LX-2022-071", ["向红"], "浦市镇", "湘组研究", "2022-06-15")
    other = tmp_path / "另一期.pdf"
    other.write_bytes(pdf_with_text(["An issue of the journal that carries other articles only"]))
    add_evidence(store, other, outlet="xzyj", published=__import__("datetime").date(2022, 6, 15),
                 claim_id="C-wrong", ocr=no_ocr)
    status, reasons, *_ = verdicts_of(store)["C-wrong"]
    assert status == "text_mismatch" and reasons[0].startswith("申报所附佐证（湘组研究 2022-06-15（PDF 另一期.pdf））")


def test_claims_import_adds_the_evidence_column(tmp_path: Path, cli, db_path: Path) -> None:
    cli("init")
    folder = tmp_path / "6月"
    (folder / "佐证").mkdir(parents=True)
    (folder / "佐证" / "湘组研究第6期.pdf").write_bytes(pdf_with_text(["Pushi town points for party members"]))
    (folder / "佐证" / "坏文件.pdf").write_bytes(b"%PDF-1.4 not really")
    register = folder / "登记.csv"
    register.write_text("申报编号,稿件编号,作者,单位,媒体,刊发日期,版次,佐证\n"
                        "C1,LX-1,向红,浦市镇,湘组研究,2022-06-15,第12版,佐证/湘组研究第6期.pdf\n"
                        "C2,LX-2,向红,浦市镇,湘组研究,2022-06-15,,佐证/坏文件.pdf\n"
                        "C3,LX-3,向红,浦市镇,团结报,2022-06-24,,\n", encoding="utf-8")
    result = cli("claims", "import", register, expect=1)
    assert "3 claims added" in result.output
    assert f"{register}:3: 佐证 佐证/坏文件.pdf not added (the claim is imported): " in result.stderr
    with Store(db_path).read() as con:
        rows = con.execute("SELECT c.claim_id, a.outlet, a.page_no, a.source FROM claims c "
                           "LEFT JOIN articles a ON a.url = c.evidence_url ORDER BY 1").fetchall()
    assert rows == [("C1", "xzyj", 12, "pdf"), ("C2", None, None, None), ("C3", None, None, None)]


@needs_ocr
@needs_font
def test_the_report_says_checked_against_a_scan_and_links_it(scan_store: Store, tmp_path: Path, cli) -> None:
    from shanggao.matcher import match_store

    match_store(scan_store)
    Scenario(scan_store).claim("C-scan", "LX-2022-061", ["向红"], "浦市镇", "团结报", "2022-06-24")
    verdicts_of(scan_store)
    out = tmp_path / "通报.html"
    cli("report", "--period", "2022-06", "--format", "html", "--out", out, db=scan_store.path)
    html = out.read_text(encoding="utf-8")
    assert "凭扫描件核实" in html                     # the circulated 通报 says how it was checked
    archived = next((scan_store.archive_dir / "evidence").glob("*/*.jpg")).resolve()
    import openpyxl  # the 工作底稿 beside it links the archived file

    book = openpyxl.load_workbook(tmp_path / "通报-工作底稿.xlsx")
    links = {c.hyperlink.target for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.hyperlink}
    assert archived.as_uri() in links


def test_heic_photos_are_read_through_pillow_heif(tmp_path: Path) -> None:
    pillow_heif = pytest.importorskip("pillow_heif",
                                      reason="pillow-heif is not installed (pip install 'shanggao[heic]')")
    pillow_heif.register_heif_opener()
    photo = tmp_path / "IMG_0001.HEIC"
    Image.new("RGB", (64, 48), "white").save(photo, "HEIF")
    seen = []
    evidence = read_evidence(photo, ocr=lambda image: seen.append(image.size) or "版面文字")
    assert evidence.media_type == "image/heic" and evidence.source_kind == "scan" and seen == [(64, 48)]

"""``shanggao manuscripts import``: the office's manuscripts, as it keeps them.

* single files — .docx, .txt, .md: the first non-empty line is the title, the
  rest the body; header lines such as ``作者：张三 李四``, ``单位：白沙镇``,
  ``报送日期：2022年6月1日`` or ``编号：LX-2022-031`` right below the title are
  read and removed from the body; ``--author/--unit/--submitted`` fill in what
  a file does not say;
* folders of such files (recursively);
* registers — .xlsx, .csv, .jsonl — with columns id, title, body, authors,
  unit, submitted (or 稿件编号、标题、正文、作者、单位、报送日期).

A manuscript without an office number gets ``MS-`` + a hash of its title and
body, so importing the same file twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from shanggao.dates import parse_date
from shanggao.db import Store, utcnow
from shanggao.db.manuscripts import (
    ManuscriptRecord,
    insert_manuscript,
    keep_version,
    manuscript_from_file,
    stored_manuscript,
    update_manuscript,
)
from shanggao.importers.common import (
    BadFile,
    ImportReport,
    check_zip,
    clean_cell,
    decode_text,
    import_each,
    list_folder,
    split_names,
)
from shanggao.importers.formats import WORD_BINARY_SUFFIXES, read_pdf_text, read_word_binary, word_converter
from shanggao.importers.registers import REGISTER_SUFFIXES, RegisterSpec, check_columns, norm_header, read_register
from shanggao.unit_names import is_unit_name

SINGLE_FILE_SUFFIXES = (".docx", ".doc", ".wps", ".rtf", ".odt", ".pdf", ".txt", ".md")

REGISTER_COLUMNS = {
    "id": ("manuscript_id", "稿件编号", "编号", "稿号"),
    "row_key": ("序号", "no"),
    "title": ("标题", "稿件标题", "题目", "稿件名称", "文章标题", "稿件题目"),
    "body": ("正文", "内容", "稿件正文", "稿件内容"),
    "authors": ("author", "作者", "撰稿人", "作者姓名", "通讯员", "作者通讯员"),
    "photographers": ("摄影", "图片", "图片作者", "摄影者"),
    "unit": ("单位", "报送单位", "科室", "乡镇", "所在单位", "单位名称", "供稿单位"),
    "submitted": ("submitted_date", "报送日期", "报送时间", "日期", "投稿日期", "投稿时间"),
    "note": ("备注", "说明", "remark", "notes"),
}
REGISTER_SPEC = RegisterSpec(REGISTER_COLUMNS, ("title", "body"))

# Labels a manuscript file carries under its title or in a form-style table.
_LABELS = {
    "作者": "authors", "撰稿": "authors", "撰稿人": "authors", "通讯员": "authors", "作者姓名": "authors",
    "供稿人": "authors", "图": "photographers", "图片": "photographers", "摄影": "photographers",
    "单位": "unit", "报送单位": "unit", "所在单位": "unit", "供稿单位": "unit", "单位名称": "unit",
    "报送日期": "submitted", "报送时间": "submitted", "日期": "submitted", "投稿日期": "submitted",
    "编号": "id", "稿件编号": "id",
    "标题": "title", "稿件标题": "title", "题目": "title", "稿件名称": "title", "文章标题": "title",
    "正文": "body", "稿件内容": "body", "内容": "body", "稿件正文": "body",
}
# Header fields under the title, one or several to a line: 单位：白沙镇   报送日期：2022年6月1日   编号：LX-2022-031
# Header labels whose values a manuscript does not keep (the office's contact and review fields).
_IGNORED_LABELS = ("联系电话", "电话", "手机", "联系方式", "联系人", "审核人", "审核", "审稿人", "审稿",
                   "签发人", "签发", "责任编辑", "字数", "电子邮箱", "邮箱", "通讯地址", "地址", "备注", "栏目",
                   "稿件类型", "类别")
_TITLE_LABELS = ("标题", "稿件标题", "题目", "稿件名称", "文章标题", "稿件")
_META_LABEL = re.compile(
    r"(?<![^\s，,；;])[（(]?\s*(" + "|".join(sorted(
        ("作者", "撰稿", "撰稿人", "通讯员", "单位", "报送单位", "所在单位", "供稿单位", "报送日期", "报送时间",
         "投稿日期", "日期", "编号", "稿件编号", "摄影", *_IGNORED_LABELS, *_TITLE_LABELS),
        key=len, reverse=True)) + r")\s*[:：]"
)
# ——泸溪县推动基层治理走深走实: a subtitle under the title (kept in the body, the header goes on below it)
_SUBTITLE = re.compile(r"^[—–－-]{1,2}\s*[\u4e00-\u9fff“《]")
_SUPPLIED = ("供稿", "报送", "提供", "整理", "撰稿", "报道", "推送", "发布", "来稿")


def _meta_fields(line: str) -> list[tuple[str, str]]:
    """The (field, value) pairs of a header line made only of labelled values; [] for any other line."""
    labels = list(_META_LABEL.finditer(line))
    if not labels or line[:labels[0].start()].strip():
        return []
    fields = []
    for at, label in enumerate(labels):
        end = labels[at + 1].start() if at + 1 < len(labels) else len(line)
        value = line[label.end():end].strip(" \t，,；;")
        if at + 1 == len(labels) and value.endswith(("）", ")")) \
                and value.count("（") + value.count("(") < value.count("）") + value.count(")"):
            value = value[:-1].rstrip()   # the parenthesis closing （作者：…）
        label_text = label.group(1)
        if label_text in _IGNORED_LABELS:
            fields.append(("ignored", f"{label_text}：{value}"))   # said in a note, as written
        else:
            fields.append(("title" if label_text in _TITLE_LABELS else _LABELS[label_text], value))
    return fields


def unit_byline(line: str) -> tuple[str, list[str]] | None:
    """(unit, writers) of a line that names a unit and then one to four people without a role word
    (泸溪县委组织部 向明 田芳, （白沙镇党委 向明）), else None."""
    text = line.strip()
    if text[:1] in "（(" and text[-1:] in "）)":
        text = text[1:-1].strip()
    if len(text) > 40:
        return None
    unit, _, rest = text.partition(" ")
    if len(unit) < 3 or not is_unit_name(unit) or not re.fullmatch(r"[\u4e00-\u9fff]+", unit):
        return None
    if rest.strip() in _SUPPLIED:
        return unit, []   # （县委组织部 供稿）: the unit alone
    names = split_names(rest)
    if not 1 <= len(names) <= 4 or not all(_NAME.match(n) and not is_unit_name(n) and n not in _SUPPLIED
                                           for n in names):
        return None
    return unit, names


# A byline without a colon: 通讯员 符晓燕 覃雪 / 文/彭敏 图/杨丽 / 本报记者 张三 通讯员 李四
_BYLINE_ROLE = re.compile(
    r"(?<![^\s，,、；;])(本报记者|特约记者|记者|通讯员|作者|撰稿人?|文字|文|图片|图|摄影|摄)\s*[/:：]?\s*")
_PHOTO_ROLES = ("图片", "图", "摄影", "摄")
_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,5}$")
# Lines of a newsletter template above the real title.
_TEMPLATE_DATE = (r"[\d〇零○一二三四五六七八九十]{4}\s*年\s*[\d一二三四五六七八九十]{1,2}\s*月"
                  r"\s*[\d一二三四五六七八九十]{1,3}\s*日")
_MASTHEAD = (
    re.compile(r"^[（(]?\s*(总\s*)?第\s*[\d一二三四五六七八九十百〇零]+\s*期"),
    # the editor, often with the date on the same line: 中共泸溪县委组织部编      2022年6月20日
    re.compile(rf"^.{{2,24}}?(编|编印|主办|印发|办公室)(\s+{_TEMPLATE_DATE})?\s*$"),
    re.compile(r"^.{0,12}(信息|简报|动态|专报|快报|通讯|要情|工作交流|组工)\s*$"),
    re.compile(r"^[（(]?\s*(内部资料|内部刊物|注意保存|仅供参考|秘密)"),
    re.compile(r"^[\s\-—━_=*·.]+$"),
    re.compile(rf"^\s*{_TEMPLATE_DATE}\s*$"),
)
_TEMPLATE_DATE_IN = re.compile(_TEMPLATE_DATE)


@dataclass
class Defaults:
    """Values from the command line for what a file does not say."""

    authors: list[str]
    unit: str | None = None
    submitted: dt.date | None = None


def manuscript_hash(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


@dataclass
class Document:
    """A manuscript file's content in reading order: text lines and form fields from tables."""

    lines: list[str]
    form: dict[str, str]
    form_at: int | None = None      # index in ``lines`` where the first form table stood


def _open_docx(path: Path):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_zip(path, ".docx")
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise BadFile(f"{path}: not a readable .docx file ({exc}); open it in Word/WPS and 另存为 .docx") from exc
    except Exception as exc:  # a damaged zip raises zipfile.BadZipFile or lxml errors
        raise BadFile(f"{path}: not a readable .docx file ({exc.__class__.__name__}: {exc}); "
                      "open it in Word/WPS and 另存为 .docx") from exc


def _table_rows(table) -> list[list[str]]:
    """Cell texts per row, a merged cell once (python-docx repeats it)."""
    rows = []
    for row in table.rows:
        cells: list[str] = []
        last = None
        for cell in row.cells:
            if cell._tc is last:
                continue
            last = cell._tc
            cells.append(cell.text.replace("\u3000", " ").strip())
        rows.append(cells)
    return rows


def _form_fields(rows: list[list[str]]) -> dict[str, str] | None:
    """A form-style table (稿件标题 | … / 作者 | … | 单位 | …) as fields; None for an ordinary table."""
    fields: dict[str, str] = {}
    for cells in rows:
        for i in range(0, len(cells) - 1, 2):
            name = _LABELS.get(norm_header(cells[i]))
            if name and cells[i + 1]:
                fields.setdefault(name, cells[i + 1])
    return fields or None


def _docx_content(document) -> Document:
    lines: list[str] = []
    form: dict[str, str] = {}
    form_at = None
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            rows = _table_rows(block)
            fields = _form_fields(rows)
            if fields:
                for name, value in fields.items():
                    form.setdefault(name, value)
                form_at = len(lines) if form_at is None else form_at
            else:  # a table inside the article: its text is part of the body
                lines.extend(" ".join(c for c in cells if c) for cells in rows)
        else:
            lines.extend(block.text.split("\n"))
    return Document(lines, form, form_at)


def read_document(path: Path) -> Document:
    """The text (and form fields) of one manuscript file of any accepted type."""
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise BadFile(f"{path}: empty file")
    if suffix == ".docx":
        return _docx_content(_open_docx(path))
    if suffix in WORD_BINARY_SUFFIXES:
        return _docx_content(read_word_binary(path))
    if suffix == ".pdf":
        return Document(read_pdf_text(path).split("\n"), {})
    text = decode_text(path.read_bytes(), path)
    lines = text.replace("\r\n", "\n").split("\n")
    if suffix == ".md":
        lines = [_clean_markdown(line) for line in lines]
    return Document(lines, {})


def _clean_markdown(line: str) -> str:
    return re.sub(r"^\s{0,3}#{1,6}\s*", "", line).replace("**", "").strip()


def is_masthead(line: str) -> bool:
    """A newsletter template's line (泸溪组工信息 / 第15期 / 中共泸溪县委组织部编 / a date)."""
    return any(p.match(line) for p in _MASTHEAD)


def parse_byline(line: str) -> tuple[list[str], list[str]] | None:
    """(authors, photographers) of a byline line, or None when the line is not one.

    ``（作者：向 明  田 芳）`` → 向明、田芳; ``通讯员 符晓燕 覃雪``; ``文/彭敏 图/杨丽`` → author
    彭敏, photographer 杨丽 (图/摄影 name who took the pictures, not who wrote).
    """
    text = line.strip().strip("（）()[]【】").strip()
    roles = list(_BYLINE_ROLE.finditer(text))
    if not roles or roles[0].start() != 0:
        return None
    authors: list[str] = []
    photographers: list[str] = []
    for i, m in enumerate(roles):
        role = m.group(1)
        if role in ("文", "图") and not re.search(r"[/:：]", m.group(0)):
            return None  # 文化… / 图书… begin sentences; 文/ and 图/ begin bylines
        chunk = text[m.end(): roles[i + 1].start() if i + 1 < len(roles) else len(text)]
        names = split_names(chunk)
        if not names or not all(_NAME.match(n) for n in names):
            return None
        found = photographers if role in _PHOTO_ROLES else authors
        found.extend(n for n in names if n not in found)
    return authors, photographers


def _add(names: list[str], more: list[str]) -> None:
    names.extend(n for n in more if n not in names)


def parse_manuscript_text(document: Document | str, path: Path, defaults: Defaults,
                          report: ImportReport | None = None) -> dict:
    """Title, body and header fields of one manuscript file's content."""
    if isinstance(document, str):
        document = Document(document.replace("\r\n", "\n").split("\n"), {})
    form = document.form
    raw_lines = document.lines
    if form.get("title") and document.form_at is not None:
        raw_lines = raw_lines[document.form_at:]  # above the form: its heading (稿件报送单), not the article
    lines = [line for line in (line.replace("\u3000", " ").strip() for line in raw_lines) if line]
    fields: dict[str, str] = {k: v for k, v in form.items() if k not in ("body", "authors", "photographers")}
    authors = split_names(form.get("authors"))
    photographers = split_names(form.get("photographers"))
    masthead: list[str] = []
    if form.get("title"):
        title, rest = form["title"], lines
    else:
        leading = 0
        while leading < len(lines) - 1 and is_masthead(lines[leading]):
            leading += 1
        # a template has an issue number (第15期) or an editor line (…编); a title like 白沙镇工作动态 alone is a title
        if any(_MASTHEAD[0].match(line) or _MASTHEAD[1].match(line) for line in lines[:leading]):
            masthead, lines = lines[:leading], lines[leading:]
        if not lines:
            raise BadFile(f"{path}: empty file (no title line)")
        title, rest = lines[0], lines[1:]
        labelled_title = dict(_meta_fields(title))
        if labelled_title.get("title"):   # 标题：白沙镇屋场会开到家门口
            title = labelled_title["title"]
            fields.update({k: v for k, v in labelled_title.items() if k not in ("title", "ignored", "authors",
                                                                                 "photographers")})
    if report is not None:
        if masthead:
            report.note(path, f"newsletter template lines above the title skipped: {' / '.join(masthead)}")
        if is_masthead(title):
            report.note(path, f"title {title!r} looks like a newsletter masthead; check the title")
    body_lines: list[str] = []
    subtitles: list[str] = []
    unused: list[str] = []
    in_header = True   # only the header block counts: a "日期：" deep inside the body is text
    for line in rest:
        if in_header:
            byline = parse_byline(line)
            if byline:
                _add(authors, byline[0])
                _add(photographers, byline[1])
                continue
            labelled = _meta_fields(line)
            for name, value in labelled:
                if name == "authors":
                    _add(authors, split_names(value))
                elif name == "photographers":
                    _add(photographers, split_names(value))
                elif name == "ignored":
                    unused.append(value)
                elif name != "title":
                    fields.setdefault(name, value)
            if labelled:
                continue
            writers = unit_byline(line)
            if writers:
                fields.setdefault("unit", writers[0])
                _add(authors, writers[1])
                continue
            if _SUBTITLE.match(line) and not subtitles:
                subtitles.append(line)
                continue
            in_header = False
        body_lines.append(line)
    body_lines = subtitles + body_lines
    if unused and report is not None:
        report.note(path, f"header lines not kept: {' / '.join(unused)}")
    dated = [m.group() for m in map(_TEMPLATE_DATE_IN.search, masthead) if m]
    if dated:   # the template's date, unless a labelled 报送日期 said otherwise
        fields.setdefault("submitted", dated[0])
    if len(body_lines) > 1 and body_lines[-1].startswith(("（", "(")):
        # a byline closing the article: （通讯员 符晓燕 覃雪） / （白沙镇党委 向明）
        byline, writers = parse_byline(body_lines[-1]), unit_byline(body_lines[-1])
        if byline:
            body_lines.pop()
            _add(authors, byline[0])
            _add(photographers, byline[1])
        elif writers:
            body_lines.pop()
            fields.setdefault("unit", writers[0])
            _add(authors, writers[1])
    if form.get("body"):
        body_lines = [line.strip() for line in form["body"].split("\n") if line.strip()] + body_lines
    if not body_lines:
        raise BadFile(f"{path}: no body below the title {title!r}")
    try:
        submitted = parse_date(fields["submitted"]) if fields.get("submitted") else defaults.submitted
    except ValueError as exc:
        raise BadFile(f"{path}: {exc}") from exc
    return {
        "id": fields.get("id") or None,
        "title": title,
        "body": "\n".join(body_lines),
        "authors": authors or list(defaults.authors),
        "photographers": photographers,
        "unit": fields.get("unit") or defaults.unit,
        "submitted": submitted,
    }


def _register_rows(path: Path, defaults: Defaults, report: ImportReport, options: RegisterOptions
                   ) -> Iterator[tuple[int, dict]]:
    for table in read_register(path, REGISTER_SPEC, report, columns=options.columns, sheet=options.sheet,
                               year=options.year):
        for number, cell in table.rows:
            title, body = clean_cell(cell["title"]), clean_cell(cell["body"])
            if not title or not body:
                report.reject(path, number, "empty " + " and ".join(n for n, v in (("title", title), ("body", body))
                                                                     if not v), table.sheet)
                continue
            ok, submitted = table.date(cell["submitted"], report, number, "报送日期")
            if not ok:
                continue
            yield number, {
                "id": clean_cell(cell["id"]),
                "title": title,
                "body": str(cell["body"]).replace("\r\n", "\n").strip(),
                "authors": split_names(cell["authors"]) or list(defaults.authors),
                "photographers": split_names(cell["photographers"]),
                "unit": clean_cell(cell["unit"]) or defaults.unit,
                "submitted": submitted or defaults.submitted,
                "sheet": table.sheet,
            }


def _write(store: Store, path: Path, rows: list[tuple[int | None, dict]], report: ImportReport) -> None:
    """One transaction per file: new manuscripts are added; an edited one (same 编号, or
    same file) replaces its earlier version, which is kept in manuscript_versions."""
    now = utcnow()
    source_path = str(path.resolve())
    seen: dict[str, int | None] = {}
    with store.write() as con:
        for number, m in rows:
            digest = manuscript_hash(m["title"], m["body"])
            if m["id"]:
                earlier = stored_manuscript(con, m["id"])
            else:
                earlier = manuscript_from_file(con, source_path, None if number is None else m["title"]) \
                    or stored_manuscript(con, f"MS-{digest[:12]}")  # the same text from another file
            manuscript_id = earlier.manuscript_id if earlier else (m["id"] or f"MS-{digest[:12]}")
            if manuscript_id in seen:
                where = f"row {seen[manuscript_id]}" if seen[manuscript_id] else "this file"
                report.reject(path, number, f"duplicate manuscript id {manuscript_id} (already in {where})",
                              m.get("sheet"))
                continue
            seen[manuscript_id] = number
            record = ManuscriptRecord(manuscript_id, m["title"], m["body"], m["authors"], m["unit"], m["submitted"],
                                      digest, path.name, number, now, m.get("photographers") or [], source_path)
            if earlier is None:
                insert_manuscript(con, record)
                report.added += 1
                continue
            # what the file (and the command line) leaves empty keeps its stored value
            record = record._replace(authors=record.authors or earlier.authors or [],
                                     photographers=record.photographers or earlier.photographers or [],
                                     unit=record.unit or earlier.unit,
                                     submitted_date=record.submitted_date or earlier.submitted_date,
                                     version=earlier.version or 1)
            if earlier.body_hash == digest and (list(earlier.authors or []), list(earlier.photographers or []),
                                                earlier.unit, earlier.submitted_date) == \
                    (record.authors, record.photographers, record.unit, record.submitted_date):
                report.unchanged += 1
                continue
            if earlier.body_hash != digest:  # a new text: the earlier one is kept for the record
                keep_version(con, manuscript_id, now)
                record = record._replace(version=record.version + 1)
                report.note(path, f"manuscript {manuscript_id} replaced by its edited text (version {record.version}); "
                                  "the earlier text is kept in manuscript_versions; "
                                  "run `shanggao match` to re-match it",
                            m.get("sheet"), number)
            update_manuscript(con, record)
            report.updated += 1


@dataclass
class RegisterOptions:
    """How to read registers: the office's own column names, one sheet, the year of yearless dates."""

    columns: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    year: int | None = None


def import_manuscript_file(store: Store, path: Path, defaults: Defaults,
                           options: RegisterOptions | None = None) -> ImportReport:
    report = ImportReport(files=1)
    suffix = path.suffix.lower()
    if suffix in REGISTER_SUFFIXES:
        rows: list[tuple[int | None, dict]] = list(_register_rows(path, defaults, report, options or RegisterOptions()))
    elif suffix in SINGLE_FILE_SUFFIXES:
        rows = [(None, parse_manuscript_text(read_document(path), path, defaults, report))]
    else:
        raise BadFile(
            f"{path}: unsupported file type {suffix or '(none)'!r}; "
            f"use {', '.join(SINGLE_FILE_SUFFIXES)} files or {', '.join(REGISTER_SUFFIXES)} registers "
            "(or 另存为 .docx)"
        )
    if rows:
        _write(store, path, rows, report)
    return report


def import_manuscripts(store: Store, paths: Iterable[Path], defaults: Defaults,
                       options: RegisterOptions | None = None) -> ImportReport:
    """Import files, or folders of them: every file is imported or named as skipped with the remedy."""
    options = options or RegisterOptions()
    options.columns = check_columns(options.columns, tuple(REGISTER_COLUMNS), "manuscripts register columns")
    report = ImportReport()
    files = list_folder(paths, SINGLE_FILE_SUFFIXES + REGISTER_SUFFIXES, report,
                        "a manuscript (.docx/.doc/.wps/.pdf/.txt/.md) or a register; 另存为 .docx")
    with word_converter(files):  # one LibreOffice start for a folder's .doc/.wps files
        report.merge(import_each(files, lambda path: import_manuscript_file(store, path, defaults, options)))
    return report

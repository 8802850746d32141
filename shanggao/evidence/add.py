"""Adding evidence to the store: archive the file, store its text as an article.

The file is kept whole in the archive folder under its sha256
(``evidence/<2 hex>/<sha256>.<ext>``), recorded in ``pages`` (url
``evidence:<sha256>``, ``page_kind`` 'evidence', ``archived_file``), and its
text becomes an article of the given outlet and date with ``source`` pdf / scan
/ screenshot and the same url.  A file already stored (same sha256) is not read
again: adding it twice is a no-op (apart from linking it to a claim).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from shanggao.db import Store, utcnow
from shanggao.db.articles import STAGED_SCHEMA, article_id_at, upsert_staged_articles
from shanggao.db.claims import claim_exists, set_evidence_url
from shanggao.db.crawls import insert_evidence_page
from shanggao.db.evidence import evidence_file_article
from shanggao.db.outlets import load_registry
from shanggao.evidence.read import (
    SOURCE_KINDS,
    EvidenceError,
    Limits,
    OcrFunction,
    extension_for,
    read_evidence,
)

EVIDENCE_PAGE_KIND = "evidence"
KIND_LABELS = {"pdf": "PDF", "scan": "扫描件", "screenshot": "截图"}


def evidence_url(sha256: str) -> str:
    """The url of an evidence file's pages row and article."""
    return f"evidence:{sha256}"


@dataclass
class Added:
    file: str                 # as given
    url: str                  # evidence:<sha256>
    article_id: int
    source_kind: str
    chars: int
    pages: int
    ocr_pages: int
    archived_file: str        # relative to the archive folder
    new: bool                 # False: the same file was already stored


def resolve_outlet_slug(store: Store, outlet: str) -> str:
    """The registered outlet ``outlet`` names (slug, name or alias); EvidenceError otherwise."""
    with store.read() as con:
        registry = load_registry(con)
    if outlet in registry:
        return outlet
    found = registry.resolve(outlet)
    if found.slug is None or not found.confident:
        known = "、".join(f"{info.name}({info.slug})" for info in registry.ordered() if info.crawl == "print")
        raise EvidenceError(f"unknown outlet {outlet!r}: give a registered slug or name "
                            f"(`shanggao outlets` lists them{'; print-only: ' + known if known else ''})")
    return found.slug


def add_evidence(store: Store, path: Path | str, *, outlet: str, published: dt.date, page_no: int | None = None,
                 title: str | None = None, claim_id: str | None = None, source_kind: str | None = None,
                 limits: Limits = Limits(), ocr: OcrFunction | None = None) -> Added:
    """Read, archive and store one evidence file; raise EvidenceError (nothing stored) when unusable.

    ``outlet`` must be a registered slug (see :func:`resolve_outlet_slug`).
    """
    path = Path(path)
    if source_kind is not None and source_kind not in SOURCE_KINDS:
        raise EvidenceError(f"source kind {source_kind!r}: one of {', '.join(SOURCE_KINDS)}")
    store.ensure()
    if claim_id is not None:
        with store.read() as con:
            if not claim_exists(con, claim_id):
                raise EvidenceError(f"unknown claim {claim_id!r} (import the claims register first)")
    try:
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    except OSError:
        sha256 = None   # read_evidence says why in one line
    if sha256 is not None:
        known = _stored(store, sha256)
        if known is not None:
            if claim_id is not None:
                with store.write() as con:
                    set_evidence_url(con, claim_id, known.url)
            known.file = str(path)
            return known
    evidence = read_evidence(path, limits, ocr)
    kind = source_kind or evidence.source_kind
    relative = f"evidence/{evidence.sha256[:2]}/{evidence.sha256}{extension_for(evidence.media_type)}"
    _archive_copy(path, store.archive_dir / relative, evidence.sha256)
    url = evidence_url(evidence.sha256)
    now = utcnow()
    with store.read() as con:
        registry = load_registry(con)
    outlet_name = registry.name(outlet)
    if not title:
        page = f" 第{page_no}版" if page_no else ""
        title = f"{outlet_name} {published:%Y-%m-%d}{page}（{KIND_LABELS[kind]} {path.name}）"
    with store.write() as con:
        page_id = insert_evidence_page(
            con, url=url, now=now, headers=json.dumps({"file_name": path.name, "pages": len(evidence.pages),
                                                       "ocr_pages": evidence.ocr_pages}, ensure_ascii=False),
            sha256=evidence.sha256, size=evidence.size, media_type=evidence.media_type, outlet=outlet,
            page_kind=EVIDENCE_PAGE_KIND, archived_file=relative)
        staged = pa.Table.from_pylist([{
            "url": url, "outlet": outlet, "title": title, "subtitle": None, "byline": None, "authors": [],
            "published_date": published, "page_no": page_no, "page_name": None, "page_url": None,
            "body": evidence.text, "source": kind, "evidence_page_id": page_id, "fetched_at": now,
            "imported_from": path.name,
        }], schema=STAGED_SCHEMA)
        upsert_staged_articles(con, staged)
        article_id = article_id_at(con, url)
        assert article_id is not None, "the article was stored just above"
        if claim_id is not None:
            set_evidence_url(con, claim_id, url)
    return Added(str(path), url, article_id, kind, len(evidence.text), len(evidence.pages), evidence.ocr_pages,
                 relative, True)


def _stored(store: Store, sha256: str) -> Added | None:
    with store.read() as con:
        row = evidence_file_article(con, sha256, EVIDENCE_PAGE_KIND)
    if row is None:
        return None
    url, article_id, kind, chars, headers, relative = row
    meta = json.loads(headers) if headers else {}
    return Added("", url, article_id, kind, chars or 0, meta.get("pages", 0), meta.get("ocr_pages", 0),
                 relative, False)


def _archive_copy(source: Path, target: Path, sha256: str) -> None:
    """Copy the file into the archive (atomically; an existing copy with the right hash stays)."""
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == sha256:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    data = source.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise EvidenceError(f"{source}: the file changed while it was being read; add it again")
    with open(partial, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(partial, target)


def archived_path(store: Store, relative: str) -> Path:
    """The archived file of an evidence pages row."""
    return store.archive_dir / relative

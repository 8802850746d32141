-- 0003: the matcher's persistent index and its notes on manuscripts.
-- Written by `shanggao match` (matcher/index.py, matcher/pipeline.py).
--
-- The index lives in the store itself rather than in a sidecar file: it is
-- then always in step with articles/manuscripts (same file, same backups, same
-- transactions), inspectable with `shanggao query`, and candidate generation and
-- document frequencies are plain DuckDB joins over it.

-- Fingerprints (sampled, hashed character 5-grams of the normalised body) of
-- each indexed article / manuscript; one row per distinct (document, fp).
CREATE TABLE matcher_article_fp (
    article_id  BIGINT NOT NULL,
    fp          BIGINT NOT NULL
);
CREATE TABLE matcher_manuscript_fp (
    manuscript_id VARCHAR NOT NULL,
    fp            BIGINT NOT NULL
);

-- Which text of each document the index holds, and when it was last matched.
CREATE TABLE matcher_documents (
    doc_kind     VARCHAR NOT NULL CHECK (doc_kind IN ('article', 'manuscript')),
    doc_id       VARCHAR NOT NULL,           -- article_id as text, or manuscript_id
    body_hash    VARCHAR NOT NULL,           -- the body_hash that was indexed
    norm_hash    VARCHAR NOT NULL,           -- hash of the normalised body (equal = duplicate text)
    norm_chars   INTEGER NOT NULL,           -- length of the normalised body
    fingerprints INTEGER NOT NULL,
    indexed_at   TIMESTAMP NOT NULL,
    matched_at   TIMESTAMP,                  -- NULL until matched against the other side
    matcher_version VARCHAR,                 -- version that last matched it
    PRIMARY KEY (doc_kind, doc_id)
);

-- Manuscripts the matcher could not judge or that repeat another one.
CREATE TABLE manuscript_flags (
    manuscript_id VARCHAR NOT NULL,
    flag          VARCHAR NOT NULL CHECK (flag IN ('empty', 'unverifiable', 'duplicate')),
    detail        VARCHAR,                   -- why, in words (distinctive characters found, twin's id ...)
    flagged_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (manuscript_id, flag)
);

-- 0005: evidence in hand — a PDF, a scan, a phone photo or a screenshot of a page
-- (`shanggao evidence add`, shanggao/evidence/).
--
-- The file is kept whole under the archive folder, named by its sha256
-- (evidence/<2 hex>/<sha256>.<ext>); its pages row (url 'evidence:<sha256>',
-- page_kind 'evidence') says where.  Its text is an article with source
-- pdf / scan / screenshot and the same url.
ALTER TABLE pages ADD COLUMN archived_file VARCHAR;      -- evidence files: path relative to the archive folder
ALTER TABLE claims ADD COLUMN evidence_url VARCHAR;      -- the evidence article a claim names (register column 佐证/附件/扫描件, or evidence add --claim)
ALTER TABLE verdicts ADD COLUMN evidence_file VARCHAR;   -- the archived file a verdict was checked against (凭扫描件核实)

-- A printed page (or a journal's PDF) carries several articles: the matcher finds
-- the manuscript's part in it, kind 'page'.  DuckDB cannot alter a CHECK, so the
-- table is rebuilt (the views that read it bind by name and need no change).
CREATE TABLE matches_0005 (
    manuscript_id       VARCHAR NOT NULL,
    article_id          BIGINT NOT NULL,
    score               DOUBLE NOT NULL,     -- 0..100
    kind                VARCHAR NOT NULL CHECK (kind IN ('full', 'edited', 'excerpt', 'roundup', 'page')),
    manuscript_coverage DOUBLE,              -- share of the manuscript's distinctive text found in the article
    article_coverage    DOUBLE,              -- share of the article that came from the manuscript
    evidence            JSON,                -- aligned passages with offsets
    matcher_version     VARCHAR NOT NULL,
    matched_at          TIMESTAMP NOT NULL,
    PRIMARY KEY (manuscript_id, article_id)
);
INSERT INTO matches_0005 SELECT * FROM matches;
DROP TABLE matches;
ALTER TABLE matches_0005 RENAME TO matches;

CREATE OR REPLACE VIEW claim_verdicts AS
SELECT c.claim_id, c.manuscript_id AS claimed_manuscript_id, c.claimant, c.unit, c.outlet AS claimed_outlet,
       c.published_date AS claimed_date, c.page AS claimed_page, c.url AS claimed_url, c.title AS claimed_title,
       v.status, v.reasons, v.discrepancies, v.warnings, v.suggestion, v.duplicate_of, v.points,
       v.manuscript_id, v.outlet_slug, v.article_id, v.evidence_url, v.evidence_outlet,
       o.name AS evidence_outlet_name, o.tier AS evidence_tier, v.evidence_date, v.evidence_page,
       v.evidence_title, v.match_score, v.match_kind, v.points_detail, v.person_points, v.rules_hash, v.verified_at,
       c.evidence_url AS claimed_evidence, v.evidence_file
FROM claims c
LEFT JOIN verdicts v ON v.claim_id = c.claim_id
LEFT JOIN outlets o ON o.slug = v.evidence_outlet;

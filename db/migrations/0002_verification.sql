-- 0002: what verification records beside the 0001 verdict columns, and the
-- unclaimed-placements view.  Written by `shanggao verify` (shanggao/verify.py).

ALTER TABLE verdicts ADD COLUMN manuscript_id VARCHAR;      -- manuscript the verdict is about (the claim's, or found by title)
ALTER TABLE verdicts ADD COLUMN outlet_slug VARCHAR;        -- claimed outlet resolved against outlets (NULL = unknown)
ALTER TABLE verdicts ADD COLUMN evidence_url VARCHAR;       -- the article that settles the claim
ALTER TABLE verdicts ADD COLUMN evidence_outlet VARCHAR;    -- its outlet slug
ALTER TABLE verdicts ADD COLUMN evidence_date DATE;         -- its published_date
ALTER TABLE verdicts ADD COLUMN evidence_page INTEGER;      -- its page_no (e-papers)
ALTER TABLE verdicts ADD COLUMN evidence_title VARCHAR;     -- its title
ALTER TABLE verdicts ADD COLUMN match_score DOUBLE;         -- matches.score of manuscript x evidence article
ALTER TABLE verdicts ADD COLUMN match_kind VARCHAR;         -- matches.kind (full / edited / excerpt / roundup)
ALTER TABLE verdicts ADD COLUMN discrepancies VARCHAR[];    -- verified_with_discrepancy: one entry per difference
ALTER TABLE verdicts ADD COLUMN warnings VARCHAR[];         -- things to know that do not change the status (loose outlet name ...)
ALTER TABLE verdicts ADD COLUMN suggestion VARCHAR;         -- not_covered: the command that would settle it
ALTER TABLE verdicts ADD COLUMN duplicate_of VARCHAR;       -- duplicate_claim: the claim that keeps the placement
ALTER TABLE verdicts ADD COLUMN points_detail VARCHAR;      -- how points were computed, in words
ALTER TABLE verdicts ADD COLUMN rules_hash VARCHAR;         -- sha256 (first 12 hex) of the rules in force
ALTER TABLE verdicts ADD COLUMN rules_source VARCHAR;       -- the rules file (or "default")
ALTER TABLE verdicts ADD COLUMN person_points JSON;         -- {"张三": 5.0, …}: each claimant's share of points

-- Placements the matcher found that no claim mentions: no claim of that
-- manuscript names the article's URL, or its outlet (slug, else name/alias)
-- within a day of its date, and no verdict cites it as evidence.
CREATE VIEW unclaimed_placements AS
SELECT m.manuscript_id, ms.title AS manuscript_title, ms.unit, ms.authors, ms.submitted_date,
       m.article_id, a.outlet, o.name AS outlet_name, o.tier, a.published_date, a.page_no, a.page_name,
       a.title, a.byline, a.url, m.score, m.kind
FROM matches m
JOIN articles a ON a.article_id = m.article_id
LEFT JOIN outlets o ON o.slug = a.outlet
LEFT JOIN manuscripts ms ON ms.manuscript_id = m.manuscript_id
WHERE NOT EXISTS (
        SELECT 1 FROM claims c
        WHERE c.manuscript_id = m.manuscript_id
          AND (c.url = a.url
               OR ((c.outlet_slug = a.outlet
                    OR (c.outlet_slug IS NULL AND (c.outlet = o.name OR list_contains(o.aliases, c.outlet))))
                   AND abs(date_diff('day', c.published_date, a.published_date)) <= 1)))
  AND NOT EXISTS (
        SELECT 1 FROM verdicts v
        WHERE v.article_id = m.article_id AND v.manuscript_id = m.manuscript_id);

-- One row per claim with its verdict (NULL status = not verified yet).
CREATE VIEW claim_verdicts AS
SELECT c.claim_id, c.manuscript_id AS claimed_manuscript_id, c.claimant, c.unit, c.outlet AS claimed_outlet,
       c.published_date AS claimed_date, c.page AS claimed_page, c.url AS claimed_url, c.title AS claimed_title,
       v.status, v.reasons, v.discrepancies, v.warnings, v.suggestion, v.duplicate_of, v.points,
       v.manuscript_id, v.outlet_slug, v.article_id, v.evidence_url, v.evidence_outlet,
       o.name AS evidence_outlet_name, o.tier AS evidence_tier, v.evidence_date, v.evidence_page,
       v.evidence_title, v.match_score, v.match_kind, v.points_detail, v.person_points, v.rules_hash, v.verified_at
FROM claims c
LEFT JOIN verdicts v ON v.claim_id = c.claim_id
LEFT JOIN outlets o ON o.slug = v.evidence_outlet;

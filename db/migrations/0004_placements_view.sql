-- 0004: the question people ask most — where did our manuscripts appear? — as one view.

CREATE VIEW placements AS
SELECT m.manuscript_id, ms.title AS manuscript_title, ms.unit, ms.authors, ms.submitted_date,
       a.article_id, a.outlet, o.name AS outlet_name, o.tier, a.published_date, a.page_no, a.page_name,
       a.title, a.byline, a.url, m.kind, m.score, m.manuscript_coverage, m.article_coverage
FROM matches m
JOIN articles a ON a.article_id = m.article_id
LEFT JOIN outlets o ON o.slug = a.outlet
LEFT JOIN manuscripts ms ON ms.manuscript_id = m.manuscript_id;

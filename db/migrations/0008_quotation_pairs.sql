-- 0008: pairs the matcher refused because all they share is quoted text.
-- Written by `shanggao match` (matcher/quotes.py, matcher/pipeline.py); read by `shanggao verify`,
-- whose text_mismatch verdict then says 仅引文相同.
--
-- A manuscript and an article whose common text would have made a link, but
-- whose common text is only the manuscript's discounted spans (a quotation
-- introduced by 强调/指出…, text attributed to 新华社/《…》, a passage found in an
-- earlier archive article or in another manuscript).  `detail` lists the spans and why.
CREATE TABLE matcher_quotation_pairs (
    manuscript_id VARCHAR NOT NULL,
    article_id    BIGINT NOT NULL,
    detail        JSON,
    matched_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (manuscript_id, article_id)
);

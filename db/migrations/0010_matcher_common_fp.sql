-- 0010: document frequencies of the fingerprints that are not rare, kept with the index.
-- Written by `shanggao match` (matcher/index.py sync_index, db/matcher_index.py) and by
-- `manuscripts delete`; read by the candidate join and the weighing of every run.
--
-- Counting document frequencies from matcher_article_fp at every run means two scans of the
-- largest table (hundreds of millions of rows at a province's scale).  The rows here are
-- every fingerprint held by more than `held_above` indexed documents (articles and
-- manuscripts together), with that number; a fingerprint not listed is held by at most
-- `held_above` documents, which weighs the same as 1 for the scorer (matcher/score.py).
-- Every write of the fingerprint tables keeps the counts exact in the same transaction.
CREATE TABLE matcher_common_fp (
    fp BIGINT NOT NULL,
    df INTEGER NOT NULL
);

-- One row when matcher_common_fp is complete (no row: rebuilt by the next index sync).
CREATE TABLE matcher_common_state (
    held_above INTEGER NOT NULL
);

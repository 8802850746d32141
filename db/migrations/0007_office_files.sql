-- 0007: the office's files as they are, and corrections of what was imported.
-- Written by `shanggao manuscripts import` / `shanggao claims import` (shanggao/importers/).

-- Manuscripts: who took the pictures (图/摄影 in a byline) is not an author; the
-- file a manuscript came from, so an edited file replaces its earlier version.
ALTER TABLE manuscripts ADD COLUMN photographers VARCHAR[];
ALTER TABLE manuscripts ADD COLUMN source_path VARCHAR;         -- full path of the imported file
ALTER TABLE manuscripts ADD COLUMN version INTEGER DEFAULT 1;   -- 1, then +1 each time an edited text replaced it

-- Earlier texts of manuscripts that an edited file replaced (the latest stays in
-- manuscripts and is the one matched and verified; version N here was replaced by N+1).
CREATE TABLE manuscript_versions (
    manuscript_id  VARCHAR NOT NULL,
    version        INTEGER NOT NULL,
    title          VARCHAR,
    body           VARCHAR,
    authors        VARCHAR[],
    photographers  VARCHAR[],
    unit           VARCHAR,
    submitted_date DATE,
    body_hash      VARCHAR,
    source_file    VARCHAR,
    source_path    VARCHAR,
    imported_at    TIMESTAMP,
    replaced_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (manuscript_id, version)
);

-- Claims: identified by their register and row, so a corrected register updates its rows.
ALTER TABLE claims ADD COLUMN register VARCHAR;   -- the register (file name, or `claims import --register NAME`)
ALTER TABLE claims ADD COLUMN sheet VARCHAR;      -- worksheet name (NULL for .csv/.jsonl)
ALTER TABLE claims ADD COLUMN row_key VARCHAR;    -- the row's 序号 when the register has one
ALTER TABLE claims ADD COLUMN note VARCHAR;       -- 备注

-- Claims whose row disappeared from a corrected register, or that were deleted:
-- no longer verified, kept for the record.
CREATE TABLE withdrawn_claims (
    claim_id       VARCHAR NOT NULL,
    manuscript_id  VARCHAR,
    claimant       VARCHAR[],
    unit           VARCHAR,
    outlet         VARCHAR,
    published_date DATE,
    page           VARCHAR,
    url            VARCHAR,
    title          VARCHAR,
    register       VARCHAR,
    sheet          VARCHAR,
    row_key        VARCHAR,
    source_row     INTEGER,
    withdrawn_at   TIMESTAMP NOT NULL,
    reason         VARCHAR NOT NULL      -- why, in words (行已从登记表删除 …)
);

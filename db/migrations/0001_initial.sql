-- 0001: the system of record. Column names here are a contract: saved queries depend on them.

CREATE TABLE outlets (
    slug        VARCHAR PRIMARY KEY,          -- short id used everywhere: rmrb, hnrb, tjb, ...
    name        VARCHAR NOT NULL,             -- Chinese name: 人民日报
    tier        VARCHAR NOT NULL CHECK (tier IN ('central', 'provincial', 'prefectural', 'county', 'other')),
    kind        VARCHAR NOT NULL CHECK (kind IN ('epaper', 'portal', 'wechat', 'print')),
    home_url    VARCHAR,
    media_group VARCHAR,                      -- outlets of one publisher (人民日报 / 人民网) share it
    aliases     VARCHAR[],                    -- loose spellings seen in claims: 《人民日报》, 人民日报社
    domains     VARCHAR[]                     -- hosts whose URLs belong to this outlet
);

CREATE SEQUENCE crawl_run_ids START 1;
CREATE TABLE crawl_runs (
    run_id         BIGINT PRIMARY KEY DEFAULT nextval('crawl_run_ids'),
    job_id         VARCHAR NOT NULL,          -- one invocation (crawl/fetch/nightly) groups its outlets
    command        VARCHAR NOT NULL,          -- crawl | fetch | nightly | demo
    outlet         VARCHAR,                   -- NULL for a fetch of arbitrary URLs
    window_start   DATE,
    window_end     DATE,
    started_at     TIMESTAMP NOT NULL,
    finished_at    TIMESTAMP,
    status         VARCHAR NOT NULL DEFAULT 'running'
                   CHECK (status IN ('running', 'ok', 'drift', 'failed', 'killed')),
    pages          INTEGER DEFAULT 0,         -- responses archived
    articles       INTEGER DEFAULT 0,         -- articles parsed
    new_articles   INTEGER DEFAULT 0,         -- articles (or versions) that were new to the store
    errors         INTEGER DEFAULT 0,
    drift_warnings INTEGER DEFAULT 0,
    pid            INTEGER,
    message        VARCHAR
);

CREATE SEQUENCE crawl_problem_ids START 1;
CREATE TABLE crawl_problems (
    problem_id  BIGINT PRIMARY KEY DEFAULT nextval('crawl_problem_ids'),
    run_id      BIGINT,
    outlet      VARCHAR,
    url         VARCHAR NOT NULL,
    problem     VARCHAR NOT NULL,            -- http_error | timeout | offsite_redirect | interstitial | not_article | no_links | missing_field | robots | other
    detail      VARCHAR,
    seen_at     TIMESTAMP NOT NULL
);

CREATE SEQUENCE page_ids START 1;
CREATE TABLE pages (
    page_id        BIGINT PRIMARY KEY DEFAULT nextval('page_ids'),
    url            VARCHAR NOT NULL,
    fetched_at     TIMESTAMP NOT NULL,        -- first time these exact bytes were fetched
    last_seen_at   TIMESTAMP NOT NULL,        -- last time the same bytes came back
    status         INTEGER,
    headers        JSON,
    sha256         VARCHAR NOT NULL,          -- of the raw body bytes
    content_length BIGINT,
    content_type   VARCHAR,
    outlet         VARCHAR,
    page_kind      VARCHAR,                   -- index | article | listing | other
    run_id         BIGINT,
    warc_file      VARCHAR,                   -- WARC file (relative to the archive folder) holding the response record
    warc_offset    BIGINT,
    warc_length    BIGINT,
    UNIQUE (url, sha256)
);

CREATE SEQUENCE article_ids START 1;
CREATE TABLE articles (
    article_id       BIGINT PRIMARY KEY DEFAULT nextval('article_ids'),
    url              VARCHAR NOT NULL UNIQUE, -- canonical
    outlet           VARCHAR NOT NULL,        -- outlets.slug (or a free slug for unknown sites)
    title            VARCHAR NOT NULL,
    subtitle         VARCHAR,                 -- 引题 / 副题 joined by a newline when both exist
    byline           VARCHAR,                 -- as printed
    authors          VARCHAR[],
    published_date   DATE,
    page_no          INTEGER,                 -- e-papers: 版次
    page_name        VARCHAR,                 -- e-papers: 版名
    page_url         VARCHAR,                 -- e-papers: the 版面 index page the article was found on
    body             VARCHAR NOT NULL,        -- paragraphs separated by newlines
    body_hash        VARCHAR NOT NULL,        -- sha256 of title + body, hex
    body_chars       INTEGER,
    version          INTEGER NOT NULL DEFAULT 1,
    source           VARCHAR NOT NULL,        -- crawl | fetch | import
    evidence_page_id BIGINT,                  -- pages.page_id of the response it was parsed from
    first_fetched_at TIMESTAMP NOT NULL,
    last_fetched_at  TIMESTAMP NOT NULL,
    imported_from    VARCHAR                  -- file name for imports
);

-- Earlier texts of articles that changed after they were first stored (the current
-- text stays in articles; version N here was replaced by version N+1).
CREATE TABLE article_versions (
    article_id       BIGINT NOT NULL,
    version          INTEGER NOT NULL,
    title            VARCHAR,
    subtitle         VARCHAR,
    byline           VARCHAR,
    body             VARCHAR,
    body_hash        VARCHAR,
    evidence_page_id BIGINT,
    seen_from        TIMESTAMP,              -- first fetch that returned this version
    replaced_at      TIMESTAMP NOT NULL,     -- when a fetch or import brought a different text
    PRIMARY KEY (article_id, version)
);

CREATE TABLE manuscripts (
    manuscript_id  VARCHAR PRIMARY KEY,      -- the office's number, or 'MS-' + hash of title and body
    title          VARCHAR NOT NULL,
    body           VARCHAR NOT NULL,
    authors        VARCHAR[],
    unit           VARCHAR,                  -- 科室 or 乡镇
    submitted_date DATE,
    body_hash      VARCHAR NOT NULL,
    source_file    VARCHAR,
    source_row     INTEGER,                  -- row in a register; NULL for single files
    imported_at    TIMESTAMP NOT NULL
);

CREATE TABLE claims (
    claim_id       VARCHAR PRIMARY KEY,      -- register's own id, or 'C-' + hash of the row
    manuscript_id  VARCHAR,
    claimant       VARCHAR[],                -- one or more names
    unit           VARCHAR,
    outlet         VARCHAR,                  -- as written in the register
    outlet_slug    VARCHAR,                  -- resolved against outlets (NULL when unknown)
    published_date DATE,                     -- as claimed
    page           VARCHAR,                  -- 版次 as written
    url            VARCHAR,
    title          VARCHAR,
    source_file    VARCHAR,
    source_row     INTEGER,
    imported_at    TIMESTAMP NOT NULL
);

CREATE TABLE matches (
    manuscript_id       VARCHAR NOT NULL,
    article_id          BIGINT NOT NULL,
    score               DOUBLE NOT NULL,     -- 0..100
    kind                VARCHAR NOT NULL CHECK (kind IN ('full', 'edited', 'excerpt', 'roundup')),
    manuscript_coverage DOUBLE,              -- share of the manuscript's distinctive text found in the article
    article_coverage    DOUBLE,              -- share of the article that came from the manuscript
    evidence            JSON,                -- aligned passages with offsets
    matcher_version     VARCHAR NOT NULL,
    matched_at          TIMESTAMP NOT NULL,
    PRIMARY KEY (manuscript_id, article_id)
);

CREATE TABLE verdicts (
    claim_id      VARCHAR PRIMARY KEY,
    status        VARCHAR NOT NULL,
    article_id    BIGINT,
    reasons       VARCHAR[],
    points        DOUBLE,
    verified_at   TIMESTAMP NOT NULL
);

CREATE VIEW article_summary AS
SELECT a.article_id, a.published_date, o.name AS outlet_name, a.outlet, o.tier,
       a.page_no, a.page_name, a.title, a.byline, a.body_chars, a.url
FROM articles a LEFT JOIN outlets o ON o.slug = a.outlet;

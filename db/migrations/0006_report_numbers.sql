-- 0006: 发文字号 given to each period's 通报 (GB/T 9704-2012 7.2.4), so a re-written report keeps its number
-- and the next period's report takes the next one.

CREATE TABLE report_numbers (
    period          VARCHAR PRIMARY KEY,   -- 2022-06, 2022, 2022-06-01..2022-06-15
    year            INTEGER NOT NULL,      -- the year the number counts in
    n               INTEGER NOT NULL,      -- the counter
    document_number VARCHAR,               -- as printed: 县组通〔2022〕12号
    assigned_at     TIMESTAMP NOT NULL     -- UTC
);

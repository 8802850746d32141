-- 0011: hosts the office adds to an outlet (shanggao outlets alias SLUG --domain HOST), built-ins too:
-- kept when the built-ins' rows are refreshed from code.  Written by shanggao.db.outlets.

ALTER TABLE outlets ADD COLUMN office_domains VARCHAR[];

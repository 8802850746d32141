-- 0009: the registry the office extends (shanggao outlets add / alias, the config's [outlet.SLUG]).
-- Written by shanggao.db.outlets.

ALTER TABLE outlets ADD COLUMN crawl VARCHAR;            -- spider | generic | fetch | print (how articles are collected)
ALTER TABLE outlets ADD COLUMN origin VARCHAR;           -- builtin | office | config | outlet_file
ALTER TABLE outlets ADD COLUMN office_aliases VARCHAR[]; -- spellings the office added (kept when built-ins are refreshed)

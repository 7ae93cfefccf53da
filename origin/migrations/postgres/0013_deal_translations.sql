-- A deal's name and description in the shop's other languages: a JSON object by language tag,
-- {"ko": {"name": …, "description": …}, …}, read and written whole ('{}' when none are given).
ALTER TABLE deals ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';

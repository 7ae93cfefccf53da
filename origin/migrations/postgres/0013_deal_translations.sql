-- A deal's name and description in the shop's other languages: a JSON list,
-- [{"lang": "ko", "name": …, "description": …}, …], read and written whole ('[]': none given).
ALTER TABLE deals ADD COLUMN translations TEXT NOT NULL DEFAULT '[]';

-- The text searched beyond a record's name moves from FTS5's own copy into
-- a column of `entity`; the full-text table becomes an index over `entity`
-- (external content) and keeps no per-record sizes (nothing ranks with
-- BM25 any more: see ARCHITECTURE.md, `crates/store`). A record is then
-- written once to the table and once to the index, instead of three times.
-- The store keeps the index in step itself (crates/store/src/write.rs), not
-- with triggers: a trigger's savepoint makes FTS5 flush its pending terms
-- for every record, which made a 100,000-row import three times slower.

ALTER TABLE entity ADD COLUMN search TEXT NOT NULL DEFAULT '';
UPDATE entity SET search = coalesce((SELECT f.body FROM entity_fts f WHERE f.rowid = entity.rowid), '');
DROP TABLE entity_fts;
CREATE VIRTUAL TABLE entity_fts USING fts5(
    name, search,
    content = 'entity', content_rowid = 'rowid',
    columnsize = 0,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO entity_fts (entity_fts) VALUES ('rebuild');


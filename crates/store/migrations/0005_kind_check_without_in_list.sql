-- The check on `entity.kind` is written as comparisons joined by OR
-- instead of `kind IN (…)`. SQLite evaluates an IN list of more than two
-- values by building a temporary B-tree, and it did so for every row
-- inserted or updated: about a seventh of the work of writing a record
-- (measured with callgrind on an import). The set of allowed kinds is the
-- same.
--
-- SQLite cannot change a constraint in place: the table is rebuilt with
-- the same columns, rowids (which the full-text index and relations rely
-- on) and indexes, following SQLite's procedure for schema changes (the
-- migration runner turns foreign keys off meanwhile and checks them
-- before committing).

CREATE TABLE entity_new (
    rowid       INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind = 'territory' OR kind = 'actor' OR kind = 'place' OR kind = 'commons'),
    name        TEXT NOT NULL,
    subkind     TEXT,             -- actor kind, commons kind, territory level
    territory   TEXT REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,
    owner       TEXT REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED, -- place: actor running it; territory: parent
    lat         REAL,
    lon         REAL,
    source      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    data        TEXT NOT NULL,    -- the record as JSON, less what the columns hold
    search      TEXT NOT NULL DEFAULT '' -- text searched besides the name
);
INSERT INTO entity_new (rowid, id, kind, name, subkind, territory, owner, lat, lon,
                        source, created_at, updated_at, data, search)
    SELECT rowid, id, kind, name, subkind, territory, owner, lat, lon,
           source, created_at, updated_at, data, search
    FROM entity ORDER BY rowid;
DROP TABLE entity;
ALTER TABLE entity_new RENAME TO entity;

CREATE INDEX entity_kind ON entity(kind, subkind);
CREATE INDEX entity_territory ON entity(territory);
CREATE INDEX entity_owner ON entity(owner);
CREATE INDEX entity_updated ON entity(updated_at);
CREATE INDEX entity_geo ON entity(lat, lon) WHERE lat IS NOT NULL;

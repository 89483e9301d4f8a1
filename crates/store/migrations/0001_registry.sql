-- The registry: every record (territory, actor, place, commons) is a row of
-- `entity`; relations have their own table. Columns hold what is filtered,
-- joined or sorted on; `data` holds the whole record as JSON, so nothing is
-- lost and the schema need not change for every new optional field.

CREATE TABLE entity (
    rowid       INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('territory', 'actor', 'place', 'commons')),
    name        TEXT NOT NULL,
    subkind     TEXT,             -- actor kind, commons kind, territory level
    territory   TEXT REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,
    owner       TEXT REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED, -- place: actor running it; territory: parent
    lat         REAL,
    lon         REAL,
    source      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    data        TEXT NOT NULL
);
CREATE INDEX entity_kind ON entity(kind, subkind);
CREATE INDEX entity_territory ON entity(territory);
CREATE INDEX entity_owner ON entity(owner);
CREATE INDEX entity_updated ON entity(updated_at);
CREATE INDEX entity_geo ON entity(lat, lon) WHERE lat IS NOT NULL;

CREATE TABLE relation (
    rowid       INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    subject     TEXT NOT NULL REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,
    kind        TEXT NOT NULL,
    object      TEXT NOT NULL REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,
    role        TEXT,
    since       TEXT,
    until       TEXT,
    source      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    data        TEXT NOT NULL
);
CREATE INDEX relation_subject ON relation(subject, kind);
CREATE INDEX relation_object ON relation(object, kind);

-- Full-text search over names and descriptions. `remove_diacritics 2`
-- folds accents, so "mediatheque" finds "Médiathèque". The FTS rowid is
-- the entity's rowid.
CREATE VIRTUAL TABLE entity_fts USING fts5(
    name, body,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- One row per import or other batch of writes, for "latest changes".
CREATE TABLE batch (
    rowid       INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    format      TEXT NOT NULL,
    file        TEXT,
    started_at  TEXT NOT NULL,
    inserted    INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0
);

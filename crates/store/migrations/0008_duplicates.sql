-- One record per real-world thing (issue 16): merges of duplicates and
-- pairs a person said are distinct.
--
-- A merge moves the absorbed record's relations (the places it runs, its
-- referents) to the kept record, fills what the kept record lacked, and removes the
-- absorbed record, all in one batch (`batch`, action `merge`). The states
-- it replaced are the `version` rows that batch replaced, which is what
-- an undo writes back. The row stays after an undo (`undone_by`), so the
-- log is complete; while it is not undone, the absorbed id resolves to
-- the kept one (an alias), and `absorbed_state` keeps the absorbed
-- record whole with its provenance (its facts and its source's).
CREATE TABLE merge (
    id              INTEGER PRIMARY KEY,
    kept            TEXT NOT NULL,
    absorbed        TEXT NOT NULL,
    absorbed_state  TEXT NOT NULL,
    -- `sure` (a shared register identifier, `archipel duplicates
    -- --apply-sure`) or `review` (a person's decision).
    how             TEXT NOT NULL CHECK (how = 'sure' OR how = 'review'),
    -- Why: the keys that matched, as a JSON array (`["siret"]`).
    why             TEXT NOT NULL,
    batch           INTEGER NOT NULL REFERENCES batch(rowid),
    -- The absorbed actor's referents the merge moved to the kept actor, as
    -- a JSON array of {account, created_by, created_at, added} (`added`:
    -- the account was not already the kept actor's referent), for the undo.
    referents       TEXT NOT NULL DEFAULT '[]',
    account         INTEGER REFERENCES account(id),
    at              TEXT NOT NULL,
    undone_by       INTEGER REFERENCES batch(rowid),
    undone_at       TEXT
);
CREATE INDEX merge_absorbed ON merge(absorbed);
CREATE INDEX merge_kept ON merge(kept);

-- Two records a person said are different things: never proposed again
-- as duplicates. `a` sorts before `b`.
CREATE TABLE distinct_pair (
    a           TEXT NOT NULL,
    b           TEXT NOT NULL,
    account     INTEGER REFERENCES account(id),
    at          TEXT NOT NULL,
    CHECK (a < b),
    PRIMARY KEY (a, b)
) WITHOUT ROWID;

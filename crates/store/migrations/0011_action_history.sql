-- History of public action records (issue 17), kept as the entities' is
-- (migration 0007): a state a batch replaced goes to `action_version`
-- with the batch that wrote it and the batch that replaced it; a record's
-- history is the chain of its rows followed by its current row in
-- `action`. A table of its own, so that whatever reads `version` (the
-- registry at a date, a merge's undo) keeps reading entities only.
CREATE TABLE action_version (
    id          INTEGER PRIMARY KEY,
    record      TEXT NOT NULL,
    state       TEXT NOT NULL,
    batch       INTEGER REFERENCES batch(rowid),
    replaced_by INTEGER NOT NULL REFERENCES batch(rowid)
);
CREATE INDEX action_version_record ON action_version(record, id);

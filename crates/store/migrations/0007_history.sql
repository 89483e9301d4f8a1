-- History, proposals and referents (issue 14).
--
-- History is an undo log. `entity` and `relation` hold each record's
-- current state and, in `batch`, the change (a row of `batch`) that wrote
-- it. When a change replaces or removes a state, that state goes to
-- `version` with the change that had written it and the change that
-- replaced it. A record's creation is its first state: an import that only
-- creates records writes no `version` row at all, and a record's history
-- is the chain of `version` rows ending with its current row (or, when it
-- was removed, with nothing). Rows from before this migration have no
-- batch (NULL): their first state's change is unknown.

ALTER TABLE entity ADD COLUMN batch INTEGER;
ALTER TABLE relation ADD COLUMN batch INTEGER;

-- Every write transaction is a batch now: an import, a decision on a
-- proposal, a referent's edit, a restore. `action` says which, `account`
-- who (NULL: the command line or an import), `note` what it decided
-- (`proposal:12`, `restore:3`), `records` the ids it changed when they are
-- few (a JSON array; NULL when over 64: an import's).
ALTER TABLE batch ADD COLUMN action TEXT NOT NULL DEFAULT 'import';
ALTER TABLE batch ADD COLUMN account INTEGER REFERENCES account(id);
ALTER TABLE batch ADD COLUMN note TEXT;
ALTER TABLE batch ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batch ADD COLUMN records TEXT;

-- A state a change replaced or removed: the whole record as JSON, the
-- batch that wrote it (NULL: before history was kept) and the batch that
-- replaced it. Rows are only ever added.
CREATE TABLE version (
    id          INTEGER PRIMARY KEY,
    record      TEXT NOT NULL,
    state       TEXT NOT NULL,
    batch       INTEGER REFERENCES batch(rowid),
    replaced_by INTEGER NOT NULL REFERENCES batch(rowid)
);
CREATE INDEX version_record ON version(record, id);

-- A proposed change to a record, waiting for a moderator (or decided).
-- `proposed` is the whole record as JSON (NULL for a report); `base` the
-- version of the record the proposer saw (its number in the record's
-- history, NULL for a creation) and `base_state` that state. `territory`
-- is the record's territory, for the moderation queue's filter.
CREATE TABLE proposal (
    id              INTEGER PRIMARY KEY,
    action          TEXT NOT NULL CHECK (action = 'create' OR action = 'edit' OR action = 'report'),
    report          TEXT CHECK (report IS NULL OR report = 'wrong' OR report = 'duplicate' OR report = 'closed'),
    kind            TEXT NOT NULL,
    record          TEXT NOT NULL,
    territory       TEXT,
    base            INTEGER,
    base_state      TEXT,
    proposed        TEXT,
    comment         TEXT,
    account         INTEGER REFERENCES account(id),
    email           TEXT,               -- an anonymous proposer's address (when allowed)
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status = 'pending' OR status = 'accepted' OR status = 'refused' OR status = 'withdrawn'),
    created_at      TEXT NOT NULL,
    decided_by      INTEGER REFERENCES account(id),
    decided_at      TEXT,
    message         TEXT,               -- the moderator's message to the proposer
    batch           INTEGER REFERENCES batch(rowid), -- the change that applied it
    CHECK (account IS NOT NULL OR email IS NOT NULL)
);
CREATE INDEX proposal_status ON proposal(status, created_at);
CREATE INDEX proposal_record ON proposal(record);
CREATE INDEX proposal_account ON proposal(account);

-- An account that speaks for an actor: its edits to that actor and the
-- actor's places are applied at once (marked `referent` in the history).
CREATE TABLE referent (
    account     INTEGER NOT NULL REFERENCES account(id),
    actor       TEXT NOT NULL,
    created_by  INTEGER REFERENCES account(id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (account, actor)
) WITHOUT ROWID;
CREATE INDEX referent_actor ON referent(actor);

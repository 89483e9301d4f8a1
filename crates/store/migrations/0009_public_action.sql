-- Public action (issue 17): calls for projects and grants now; applications,
-- in-kind support, trainings and events, dedicated posts next, as further
-- values of `kind` (a new migration widens the check).
--
-- Nothing in `entity` or `relation` points at these records; they point at
-- entities (the actor giving, the beneficiary, the territory) and at other
-- actions (a grant's call). Columns hold what is filtered, summed or
-- joined on; `data` holds the whole record as JSON (commons supported
-- included), provenance with it.

CREATE TABLE action (
    rowid        INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind = 'call' OR kind = 'grant'),
    name         TEXT NOT NULL,
    territory    TEXT REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,
    giver        TEXT REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,
    beneficiary  TEXT REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,
    call         TEXT REFERENCES action(id) DEFERRABLE INITIALLY DEFERRED,
    day          TEXT,              -- grant: dateConvention; call: opening day
    amount_cents INTEGER,           -- grant: montant; call: budget
    source       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    batch        INTEGER REFERENCES batch(rowid),
    data         TEXT NOT NULL
);
CREATE INDEX action_kind_day ON action(kind, day);
CREATE INDEX action_giver ON action(giver, day);
CREATE INDEX action_beneficiary ON action(beneficiary);
CREATE INDEX action_territory ON action(territory);
CREATE INDEX action_call ON action(call);

-- A duplicates merge (migration 0008) moves the public action records that
-- point at the absorbed record onto the kept one; their states before the
-- merge, as a JSON array of records, for the undo.
ALTER TABLE merge ADD COLUMN actions TEXT NOT NULL DEFAULT '[]';

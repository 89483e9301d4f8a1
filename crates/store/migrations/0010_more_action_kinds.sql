-- Public action (issue 17, second part): applications to calls, hardware
-- lent or given, hosting, trainings and events, dedicated posts, as
-- further values of `action.kind`. Their columns are the same as the
-- grants' and calls' (see `Action`'s accessors): `giver` is the actor
-- lending, hosting, organising or employing, `beneficiary` the applicant,
-- the recipient or the actor hosted for, `call` an application's call,
-- `day` the day it is filed under, `amount_cents` an amount asked or a
-- value; the rest (places, commons, attendance…) is in `data`.
--
-- SQLite cannot change a check in place: the table is rebuilt with the
-- same columns, rowids and indexes, as migration 0005 did for `entity`
-- (the migration runner turns foreign keys off meanwhile and checks them
-- before committing). The check compares with OR rather than `IN (…)`
-- for the reason given in 0005.

CREATE TABLE action_new (
    rowid        INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind = 'call' OR kind = 'grant' OR kind = 'application'
                                      OR kind = 'hardware' OR kind = 'hosting'
                                      OR kind = 'event' OR kind = 'post'),
    name         TEXT NOT NULL,
    territory    TEXT REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,
    giver        TEXT REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,
    beneficiary  TEXT REFERENCES entity(id) DEFERRABLE INITIALLY DEFERRED,
    call         TEXT REFERENCES action(id) DEFERRABLE INITIALLY DEFERRED,
    day          TEXT,
    amount_cents INTEGER,
    source       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    batch        INTEGER REFERENCES batch(rowid),
    data         TEXT NOT NULL
);
INSERT INTO action_new (rowid, id, kind, name, territory, giver, beneficiary, call, day,
                        amount_cents, source, created_at, updated_at, batch, data)
    SELECT rowid, id, kind, name, territory, giver, beneficiary, call, day,
           amount_cents, source, created_at, updated_at, batch, data
    FROM action ORDER BY rowid;
DROP TABLE action;
ALTER TABLE action_new RENAME TO action;

CREATE INDEX action_kind_day ON action(kind, day);
CREATE INDEX action_giver ON action(giver, day);
CREATE INDEX action_beneficiary ON action(beneficiary);
CREATE INDEX action_territory ON action(territory);
CREATE INDEX action_call ON action(call);

-- Assessments of commons (`archipel assess … --save COMMONS_ID`): the
-- figures the argument sheets quote, in columns, and the whole report as
-- JSON (schema `archipel-assess/1`, docs/assess-json.md). A commons keeps
-- every assessment saved for it; the latest by `assessed_at` is current.

CREATE TABLE assessment (
    rowid           INTEGER PRIMARY KEY,
    commons         TEXT NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
    assessed_at     TEXT NOT NULL,   -- the assessment's reference date (RFC 3339)
    saved_at        TEXT NOT NULL,
    target          TEXT NOT NULL,   -- what was assessed (folder, repository, URL)
    licence         TEXT,            -- SPDX expression detected (NULL for NONE / NOASSERTION)
    contributors    INTEGER,         -- distinct authors (NULL without history)
    organisations   INTEGER,         -- organisations behind the commits
    elephant_factor INTEGER,
    report          TEXT NOT NULL
);
CREATE INDEX assessment_commons ON assessment(commons, assessed_at);

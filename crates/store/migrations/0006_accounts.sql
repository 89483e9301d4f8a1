-- Accounts, their sign-in identities and sessions, invitations and the
-- audit log (issue 14). What the rules are (roles, passwords, tokens,
-- session lifetimes) is `archipel-accounts`'; these tables only keep.
-- Times are RFC 3339 in UTC to the second (`2026-03-01T08:00:00Z`), so
-- that comparing the text compares the times.

CREATE TABLE account (
    id            INTEGER PRIMARY KEY,
    email         TEXT UNIQUE,      -- normalised (archipel_accounts::normalise_email); NULL: known only through a provider
    password      TEXT,             -- argon2id PHC string; NULL: no password sign-in
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role = 'visitor' OR role = 'contributor' OR role = 'moderator' OR role = 'admin'),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled = 0 OR disabled = 1),
    created_at    TEXT NOT NULL
);

-- An account's identity at an OpenID Connect provider: the account key is
-- (issuer, sub); `claims` is the JSON of the claims kept at the last
-- sign-in (email, given_name, usual_name, uid, siret, organization_label,
-- idp_id), checked by archipel-accounts.
CREATE TABLE identity (
    id          INTEGER PRIMARY KEY,
    issuer      TEXT NOT NULL,
    sub         TEXT NOT NULL,
    account     INTEGER NOT NULL REFERENCES account(id),
    claims      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    UNIQUE (issuer, sub)
);
CREATE INDEX identity_account ON identity(account);
-- Agents by SIRET (an agent whose SIRET is an actor's may be its referent).
CREATE INDEX identity_siret ON identity(json_extract(claims, '$.siret'));

-- Open sessions. The key is the SHA-256 of the session id the browser
-- holds (archipel_accounts::Token::digest), never the id itself: a copy
-- of the registry opens no session.
CREATE TABLE session (
    id          TEXT PRIMARY KEY,
    account     INTEGER NOT NULL REFERENCES account(id),
    created_at  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    csrf        TEXT NOT NULL,      -- this session's anti-forgery token
    provider    TEXT,               -- the OpenID provider signed in through; NULL: a password
    id_token    TEXT                -- that provider's id_token, for its sign-out (id_token_hint)
) WITHOUT ROWID;
CREATE INDEX session_account ON session(account);
CREATE INDEX session_expires ON session(expires_at);

-- Invitations to create an account (sign-up by invitation). The key is the
-- SHA-256 of the token sent; it is used once.
CREATE TABLE invitation (
    id          TEXT PRIMARY KEY,
    email       TEXT,               -- whom it is for; NULL: whoever has the link
    role        TEXT NOT NULL CHECK (role = 'visitor' OR role = 'contributor' OR role = 'moderator' OR role = 'admin'),
    created_by  INTEGER REFERENCES account(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_by     INTEGER REFERENCES account(id),
    used_at     TEXT
) WITHOUT ROWID;

-- What was done to accounts and by whom: sign-ins, role changes,
-- disabling, and (later) moderation decisions and restores. Rows are
-- only ever added.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       INTEGER REFERENCES account(id),  -- NULL: the command line or the system
    action      TEXT NOT NULL,                   -- account.create, account.role, account.disable, session.open…
    target      TEXT,                            -- what it acted on (account:12, an e-mail, a record id)
    detail      TEXT NOT NULL DEFAULT '{}'       -- JSON
);
CREATE INDEX audit_at ON audit(at);

//! Files of `content/` that other crates parse in formats of their own
//! (qualification grids, licence facts, the affiliation table, interface
//! strings, the médiation schema), compiled into the binary here so that
//! every crate reads `content/` through this one.
//!
//! Each is checked where it is parsed: `archipel-assess` for grids and
//! report strings, `archipel-license` for licence facts,
//! `archipel-history` for the affiliation table (its actor kinds are also
//! checked against the `actor_kinds` vocabulary by [`crate::Content`]),
//! `archipel-web` for page strings, `archipel-formats` for the schema.

macro_rules! file {
    ($rel:literal) => {
        ($rel, include_str!(concat!("../../../content/", $rel)))
    };
}

/// The qualification grids: (file name under `content/`, text).
pub const GRIDS: &[(&str, &str)] = &[
    file!("grids/livre-blanc.toml"),
    file!("grids/standard-for-public-code.toml"),
    file!("grids/dpg-standard.toml"),
];

/// Interface strings of the assessment reports.
pub const ASSESS_UI: (&str, &str) = file!("ui/assess.toml");

/// Interface strings of the web pages.
pub const WEB_UI: (&str, &str) = file!("ui/strings.toml");

/// E-mail domain → organisation and actor kind.
pub const AFFILIATIONS: (&str, &str) = file!("affiliations/domains.toml");

/// What `archipel harvest` makes of the organisations a publiccode.yml
/// names (relation types and governance roles; `archipel-jobs`).
pub const PUBLICCODE_MAPPING: (&str, &str) = file!("mappings/publiccode.toml");

/// The French list of licences for administrations (CRPA D323-2-1).
pub const LICENCES_CRPA: (&str, &str) = file!("licenses/crpa-d323-2-1.toml");

/// Copyleft strength of licences.
pub const LICENCES_COPYLEFT: (&str, &str) = file!("licenses/copyleft.toml");

/// Licence names as written in the wild → SPDX ids.
pub const LICENCES_ALIASES: (&str, &str) = file!("licenses/aliases.toml");

/// The national « lieux de médiation numérique » Table Schema.
pub const MEDIATION_SCHEMA: (&str, &str) = file!("schemas/lieux-mediation-numerique.schema.json");

/// The SCDL « subventions » 2.1.1 Table Schema (grants).
pub const SCDL_SUBVENTIONS_SCHEMA: (&str, &str) = file!("schemas/scdl-subventions.schema.json");

/// The « dispositif d'aide » Table Schema (calls for projects).
pub const DISPOSITIF_SCHEMA: (&str, &str) = file!("schemas/dispositif-aide.schema.json");

/// Interface strings of the licence report.
pub const LICENSE_UI: (&str, &str) = file!("ui/license.toml");

/// Account roles: French and English labels and descriptions
/// (`archipel-accounts`).
pub const ACCOUNT_ROLES: (&str, &str) = file!("accounts/roles.toml");

/// Common passwords refused by `archipel-accounts` (one a line, NFKC and
/// lowercase; provenance in `content/accounts/README.md`).
pub const COMMON_PASSWORDS: (&str, &str) = file!("accounts/common-passwords.txt");

/// Weights of relation types in the weighted variant of a territory's
/// network (`archipel-network` parses it and checks its keys against the
/// `relation_types` vocabulary).
pub const NETWORK_WEIGHTS: (&str, &str) = file!("network/weights.toml");

/// The official French administrative divisions (regions, departments,
/// EPCI, communes with population and postcodes), derived from the npm
/// package `@etalab/decoupage-administratif` as gzip-compressed JSON
/// (`archipel-formats`' `territories` reads it; provenance, licence and
/// how it is made in `content/territories/README.md`).
pub const TERRITORIES: (&str, &[u8]) = (
    "territories/divisions.json.gz",
    include_bytes!("../../../content/territories/divisions.json.gz"),
);

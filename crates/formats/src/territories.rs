//! The official French administrative divisions — regions, departments,
//! EPCI (intercommunalités à fiscalité propre) and communes with their
//! population and postcodes — as Archipel keeps them: a gzip-compressed
//! JSON file derived from the npm package `@etalab/decoupage-administratif`
//! (`content/territories/`, built into the binary; how it is made in its
//! README and `scripts/territories-data.py`).
//!
//! [`decode`] reads and checks such a file into [`Divisions`];
//! [`Divisions::records`] makes the [`Territory`] records of a [`Scope`]
//! (everything, a region, or one territory with everything above and
//! below it); [`Communes`] finds the official commune of an address
//! (INSEE code — also an arrondissement municipal's, a commune
//! déléguée's or a former code —, else postcode and city name) among those
//! a registry holds.
//!
//! Identifiers: `territory:insee:region:53`, `territory:insee:departement:29`,
//! `territory:insee:epci:242900314` (SIREN), `territory:insee:commune:29019`.
//! A commune's parent is its EPCI, and its `department` the department it
//! lies in (an EPCI may span departments); a commune in no EPCI (a few
//! islands, the overseas collectivities) has its department as parent. An
//! EPCI's parent is the department where most of its population lives
//! (the package does not give its seat).

use archipel_domain::{
    check_insee_commune, check_postcode, echo, normalised_name, EntityId, EntityKind, Provenance,
    Territory,
};
use chrono::{DateTime, Utc};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Deserialize;
use std::io::Read;
use std::sync::{Arc, OnceLock};

/// The provenance source of the official records: what marks a
/// territory as official (`Store::ids_of`).
pub const SOURCE: &str = "decoupage-administratif";

/// The source part of the records' identifiers (the code system).
pub const ID_SOURCE: &str = "insee";

/// Largest decompressed file read (the 2026 file is 2.2 MB).
const MAX_JSON_BYTES: u64 = 64 * 1024 * 1024;

/// Why a divisions file could not be used, or a territory not found.
#[derive(Debug, thiserror::Error)]
pub enum DivisionsError {
    #[error("{file}: cannot decompress (expected a gzip file)")]
    Gzip {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: larger than {} MiB once decompressed", MAX_JSON_BYTES / (1024 * 1024))]
    TooLarge { file: String },
    #[error("{file}: not a divisions file")]
    Json {
        file: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{file}: {reason}")]
    Invalid { file: String, reason: String },
    #[error(
        "no region, department, EPCI or commune has the code {} (a commune's INSEE code, an EPCI's SIREN, a department or region code; or level:code)",
        echo(.0)
    )]
    Unknown(String),
    #[error("{0} is both a region and a department: write region:{0} or departement:{0}")]
    Ambiguous(String),
}

/// A region.
#[derive(Debug, Clone)]
pub struct Region {
    pub code: String,
    pub name: String,
}

/// A department.
#[derive(Debug, Clone)]
pub struct Departement {
    pub code: String,
    pub region: String,
    pub name: String,
}

/// An EPCI.
#[derive(Debug, Clone)]
pub struct Epci {
    /// Its SIREN.
    pub siren: String,
    pub name: String,
    /// `CC`, `CA`, `CU`, `METRO`, `MET69`.
    pub kind: String,
    /// The department where most of its population lives.
    pub departement: String,
    /// Municipal population.
    pub population: Option<u64>,
}

/// A commune (INSEE type COM).
#[derive(Debug, Clone)]
pub struct Commune {
    pub code: String,
    pub name: String,
    pub departement: String,
    /// Its EPCI's SIREN (none for a few islands and overseas).
    pub epci: Option<String>,
    /// Municipal population.
    pub population: Option<u64>,
    pub postcodes: Vec<String>,
}

/// A code that leads to a commune without being one: an arrondissement
/// municipal (Paris, Lyon, Marseille), a commune déléguée or associée, or
/// the former code of a commune that merged into it.
#[derive(Debug, Clone)]
pub struct OtherCode {
    pub code: String,
    /// The commune's code.
    pub commune: String,
    /// Its name (empty for a former code).
    pub name: String,
    /// `arrondissement-municipal`, `commune-deleguee`, `commune-associee`,
    /// `ancien-code`.
    pub kind: String,
}

/// A commune's row: code, name, department, EPCI SIREN or empty,
/// population, postcodes.
type RawCommune = (String, String, String, String, Option<u64>, Vec<String>);

/// The file as written by `scripts/territories-data.py`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    package: String,
    version: String,
    regions: Vec<(String, String)>,
    departements: Vec<(String, String, String)>,
    epci: Vec<(String, String, String, String, Option<u64>)>,
    communes: Vec<RawCommune>,
    others: Vec<(String, String, String, String)>,
}

/// The official divisions, checked and indexed.
#[derive(Debug, Clone)]
pub struct Divisions {
    /// The npm package and its version the file was made from.
    pub package: String,
    pub version: String,
    pub regions: Vec<Region>,
    pub departements: Vec<Departement>,
    pub epci: Vec<Epci>,
    pub communes: Vec<Commune>,
    pub others: Vec<OtherCode>,
    region_at: FxHashMap<String, usize>,
    departement_at: FxHashMap<String, usize>,
    epci_at: FxHashMap<String, usize>,
    commune_at: FxHashMap<String, usize>,
    other_at: FxHashMap<String, usize>,
    /// Communes by postcode.
    by_postcode: FxHashMap<String, Vec<usize>>,
}

/// What to make records of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every division.
    All,
    /// A region and everything below it.
    Region(String),
    /// A department, its region, and everything below it (its communes
    /// and their EPCI).
    Departement(String),
    /// An EPCI, its communes, their departments and regions.
    Epci(String),
    /// A commune, its EPCI, its department and its region.
    Commune(String),
}

/// The identifier of an official territory: `territory:insee:LEVEL:CODE`.
pub fn territory_id(level: &str, code: &str) -> Result<EntityId, archipel_domain::IdError> {
    EntityId::new(EntityKind::Territory, ID_SOURCE, &format!("{level}:{code}"))
}

/// The divisions built into the binary, decoded once.
pub fn official() -> Result<&'static Divisions, DivisionsError> {
    static DIVISIONS: OnceLock<Divisions> = OnceLock::new();
    if let Some(d) = DIVISIONS.get() {
        return Ok(d);
    }
    let (name, bytes) = archipel_content::embedded::TERRITORIES;
    let d = decode(bytes, &format!("content/{name}"))?;
    Ok(DIVISIONS.get_or_init(|| d))
}

/// Reads a divisions file (gzip-compressed JSON) and checks it: codes
/// well formed and unique, every reference (a department's region, a
/// commune's department and EPCI, an EPCI's department, an other code's
/// commune) known, postcodes of five digits.
pub fn decode(bytes: &[u8], file: &str) -> Result<Divisions, DivisionsError> {
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(MAX_JSON_BYTES + 1)
        .read_to_end(&mut json)
        .map_err(|source| DivisionsError::Gzip {
            file: file.to_string(),
            source,
        })?;
    if json.len() as u64 > MAX_JSON_BYTES {
        return Err(DivisionsError::TooLarge {
            file: file.to_string(),
        });
    }
    let raw: Raw = serde_json::from_slice(&json).map_err(|source| DivisionsError::Json {
        file: file.to_string(),
        source,
    })?;
    let invalid = |reason: String| DivisionsError::Invalid {
        file: file.to_string(),
        reason,
    };
    let short = |kind: &str, c: &str| -> Result<(), DivisionsError> {
        let ok = (2..=3).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_alphanumeric());
        if ok {
            Ok(())
        } else {
            Err(invalid(format!("{kind} code {} is not valid", echo(c))))
        }
    };
    let text = |what: &str, s: &str| -> Result<(), DivisionsError> {
        archipel_domain::check_text(s, archipel_domain::TextKind::Line)
            .map_err(|r| invalid(format!("{what} {}: {r}", echo(s))))
    };
    fn index<T>(
        items: &[T],
        key: impl Fn(&T) -> &str,
        what: &str,
        invalid: &dyn Fn(String) -> DivisionsError,
    ) -> Result<FxHashMap<String, usize>, DivisionsError> {
        let mut at = FxHashMap::default();
        for (i, x) in items.iter().enumerate() {
            if at.insert(key(x).to_string(), i).is_some() {
                return Err(invalid(format!("{what} {} appears twice", echo(key(x)))));
            }
        }
        Ok(at)
    }

    let mut regions = Vec::with_capacity(raw.regions.len());
    for (code, name) in raw.regions {
        short("region", &code)?;
        text("region name", &name)?;
        regions.push(Region { code, name });
    }
    let region_at = index(&regions, |r| &r.code, "region", &invalid)?;
    let mut departements = Vec::with_capacity(raw.departements.len());
    for (code, region, name) in raw.departements {
        short("department", &code)?;
        text("department name", &name)?;
        if !region_at.contains_key(&region) {
            return Err(invalid(format!(
                "department {code}: unknown region {}",
                echo(&region)
            )));
        }
        departements.push(Departement { code, region, name });
    }
    let departement_at = index(&departements, |d| &d.code, "department", &invalid)?;
    let mut epci = Vec::with_capacity(raw.epci.len());
    for (siren, name, kind, departement, population) in raw.epci {
        if siren.len() != 9 || !siren.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(format!("EPCI SIREN {} is not valid", echo(&siren))));
        }
        text("EPCI name", &name)?;
        text("EPCI type", &kind)?;
        if !departement_at.contains_key(&departement) {
            return Err(invalid(format!(
                "EPCI {siren}: unknown department {}",
                echo(&departement)
            )));
        }
        epci.push(Epci {
            siren,
            name,
            kind,
            departement,
            population,
        });
    }
    let epci_at = index(&epci, |e| &e.siren, "EPCI", &invalid)?;
    let mut communes = Vec::with_capacity(raw.communes.len());
    for (code, name, departement, epci_siren, population, postcodes) in raw.communes {
        check_insee_commune(&code).map_err(invalid)?;
        text("commune name", &name)?;
        if !departement_at.contains_key(&departement) {
            return Err(invalid(format!(
                "commune {code}: unknown department {}",
                echo(&departement)
            )));
        }
        let epci_siren = (!epci_siren.is_empty()).then_some(epci_siren);
        if let Some(s) = &epci_siren {
            if !epci_at.contains_key(s) {
                return Err(invalid(format!("commune {code}: unknown EPCI {}", echo(s))));
            }
        }
        for p in &postcodes {
            check_postcode(p).map_err(|r| invalid(format!("commune {code}: {r}")))?;
        }
        communes.push(Commune {
            code,
            name,
            departement,
            epci: epci_siren,
            population,
            postcodes,
        });
    }
    let commune_at = index(&communes, |c| &c.code, "commune", &invalid)?;
    let mut others = Vec::with_capacity(raw.others.len());
    for (code, commune, name, kind) in raw.others {
        check_insee_commune(&code).map_err(invalid)?;
        if !commune_at.contains_key(&commune) || commune_at.contains_key(&code) {
            return Err(invalid(format!(
                "code {code}: unknown commune {}, or the code is a commune's",
                echo(&commune)
            )));
        }
        text("name", &name)?;
        others.push(OtherCode {
            code,
            commune,
            name,
            kind,
        });
    }
    let other_at = index(&others, |o| &o.code, "code", &invalid)?;
    let mut by_postcode: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    for (i, c) in communes.iter().enumerate() {
        for p in &c.postcodes {
            by_postcode.entry(p.clone()).or_default().push(i);
        }
    }
    Ok(Divisions {
        package: raw.package,
        version: raw.version,
        regions,
        departements,
        epci,
        communes,
        others,
        region_at,
        departement_at,
        epci_at,
        commune_at,
        other_at,
        by_postcode,
    })
}

/// A city name as compared: accents, case and punctuation folded, `St`
/// and `Ste` written out, and from `Cedex` on left out.
fn city_key(name: &str) -> String {
    normalised_name(name)
        .split(' ')
        .take_while(|w| *w != "cedex")
        .map(|w| match w {
            "st" => "saint",
            "ste" => "sainte",
            w => w,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Divisions {
    /// The region with this code.
    pub fn region(&self, code: &str) -> Option<&Region> {
        self.region_at.get(code).map(|&i| &self.regions[i])
    }

    /// The department with this code.
    pub fn departement(&self, code: &str) -> Option<&Departement> {
        self.departement_at
            .get(code)
            .map(|&i| &self.departements[i])
    }

    /// The EPCI with this SIREN.
    pub fn epci(&self, siren: &str) -> Option<&Epci> {
        self.epci_at.get(siren).map(|&i| &self.epci[i])
    }

    /// The commune with this INSEE code, or the commune an arrondissement
    /// municipal, a commune déléguée or associée, or a former code belongs
    /// to.
    pub fn commune(&self, code: &str) -> Option<&Commune> {
        let code = match self.other_at.get(code) {
            Some(&i) => self.others[i].commune.as_str(),
            None => code,
        };
        self.commune_at.get(code).map(|&i| &self.communes[i])
    }

    /// The commune with this postcode whose name (or one of its communes
    /// déléguées') is `city`, accents, case, punctuation, `St`/`Saint`
    /// and a trailing `Cedex` aside. `None` when none is, or several are.
    pub fn commune_by_postcode(&self, postcode: &str, city: &str) -> Option<&Commune> {
        let key = city_key(city);
        if key.is_empty() {
            return None;
        }
        let candidates = self.by_postcode.get(postcode.trim())?;
        let mut found = candidates
            .iter()
            .map(|&i| &self.communes[i])
            .filter(|c| city_key(&c.name) == key);
        if let (Some(c), None) = (found.next(), found.next()) {
            return Some(c);
        }
        let codes: FxHashSet<&str> = candidates
            .iter()
            .map(|&i| self.communes[i].code.as_str())
            .collect();
        let mut found = self
            .others
            .iter()
            .filter(|o| codes.contains(o.commune.as_str()) && city_key(&o.name) == key);
        match (found.next(), found.next()) {
            (Some(o), None) => self.commune(&o.commune),
            _ => None,
        }
    }

    /// What `key` names: `region:53`, `departement:29` (or
    /// `department:29`), `epci:242900314`, `commune:29019`, an official
    /// territory's identifier, or a bare code — five characters a
    /// commune's INSEE code, nine digits an EPCI's SIREN, two or three a
    /// department's or a region's (when both have it, the level must be
    /// said).
    pub fn find(&self, key: &str) -> Result<Scope, DivisionsError> {
        let key = key.trim();
        let bare = key
            .strip_prefix("territory:insee:")
            .unwrap_or(key)
            .to_string();
        let unknown = || DivisionsError::Unknown(key.to_string());
        let (level, code) = match bare.split_once(':') {
            Some((l, c)) => (Some(l), c),
            None => (None, bare.as_str()),
        };
        let code = code.to_uppercase();
        let code = code.as_str();
        let scope = match level {
            Some("region") => self.region(code).map(|r| Scope::Region(r.code.clone())),
            Some("departement" | "department") => self
                .departement(code)
                .map(|d| Scope::Departement(d.code.clone())),
            Some("epci") => self.epci(code).map(|e| Scope::Epci(e.siren.clone())),
            Some("commune") => self
                .commune_at
                .get(code)
                .map(|&i| Scope::Commune(self.communes[i].code.clone())),
            Some(_) => None,
            None => match (self.region(code), self.departement(code)) {
                (Some(r), Some(_)) => return Err(DivisionsError::Ambiguous(r.code.clone())),
                (Some(r), None) => Some(Scope::Region(r.code.clone())),
                (None, Some(d)) => Some(Scope::Departement(d.code.clone())),
                (None, None) => match (self.epci(code), self.commune_at.get(code)) {
                    (Some(e), _) => Some(Scope::Epci(e.siren.clone())),
                    (None, Some(&i)) => Some(Scope::Commune(self.communes[i].code.clone())),
                    (None, None) => None,
                },
            },
        };
        scope.ok_or_else(unknown)
    }

    fn region_of(&self, c: &Commune) -> &str {
        self.departement(&c.departement)
            .map_or("", |d| d.region.as_str())
    }

    /// The communes of a scope, in code order.
    fn communes_of(&self, scope: &Scope) -> Vec<&Commune> {
        self.communes
            .iter()
            .filter(|c| match scope {
                Scope::All => true,
                Scope::Region(r) => self.region_of(c) == r,
                Scope::Departement(d) => &c.departement == d,
                Scope::Epci(e) => c.epci.as_ref() == Some(e),
                Scope::Commune(code) => &c.code == code,
            })
            .collect()
    }

    /// The records of `scope`: regions, then departments, EPCI and
    /// communes, each in code order, with provenance [`SOURCE`] at `now`.
    /// Every reference points at a record of the list: an EPCI whose
    /// department is not in the scope hangs under the department of the
    /// scope where most of its population in the scope lives.
    pub fn records(&self, scope: &Scope, now: DateTime<Utc>) -> Vec<Territory> {
        let communes = self.communes_of(scope);
        let mut deps: FxHashSet<&str> = communes.iter().map(|c| c.departement.as_str()).collect();
        match scope {
            Scope::All => deps.extend(self.departements.iter().map(|d| d.code.as_str())),
            Scope::Departement(d) => {
                deps.insert(d);
            }
            Scope::Region(r) => deps.extend(
                self.departements
                    .iter()
                    .filter(|d| &d.region == r)
                    .map(|d| d.code.as_str()),
            ),
            _ => {}
        }
        let mut regions: FxHashSet<&str> = deps
            .iter()
            .filter_map(|d| self.departement(d))
            .map(|d| d.region.as_str())
            .collect();
        match scope {
            Scope::All => regions.extend(self.regions.iter().map(|r| r.code.as_str())),
            Scope::Region(r) => {
                regions.insert(r);
            }
            _ => {}
        }
        // EPCI in scope, with the population of their communes in scope by
        // department.
        let mut epci: FxHashMap<&str, FxHashMap<&str, u64>> = FxHashMap::default();
        for c in &communes {
            if let Some(e) = &c.epci {
                *epci
                    .entry(e.as_str())
                    .or_default()
                    .entry(c.departement.as_str())
                    .or_default() += c.population.unwrap_or(0);
            }
        }

        // Populations of departments and regions: the sums of all their
        // communes', whatever the scope.
        let mut dep_pop: FxHashMap<&str, u64> = FxHashMap::default();
        let mut reg_pop: FxHashMap<&str, u64> = FxHashMap::default();
        for c in &self.communes {
            if let Some(p) = c.population {
                *dep_pop.entry(c.departement.as_str()).or_default() += p;
                *reg_pop.entry(self.region_of(c)).or_default() += p;
            }
        }

        let file: Arc<str> = format!("{}@{}", self.package, self.version).into();
        let provenance = Provenance {
            file: Some(file),
            ..Provenance::new(SOURCE, now)
        };
        let id = |level: &str, code: &str| territory_id(level, code).ok();
        let make = |level: &str, code: &str, name: &str| -> Option<Territory> {
            Some(Territory {
                id: id(level, code)?,
                name: name.to_string(),
                level: level.to_string(),
                code: code.to_string(),
                parent: None,
                department: None,
                population: None,
                postcodes: Vec::new(),
                fictional: false,
                provenance: provenance.clone(),
            })
        };
        let mut out = Vec::with_capacity(regions.len() + deps.len() + epci.len() + communes.len());
        for r in self
            .regions
            .iter()
            .filter(|r| regions.contains(r.code.as_str()))
        {
            out.extend(make("region", &r.code, &r.name).map(|t| Territory {
                population: reg_pop.get(r.code.as_str()).copied(),
                ..t
            }));
        }
        for d in self
            .departements
            .iter()
            .filter(|d| deps.contains(d.code.as_str()))
        {
            out.extend(make("departement", &d.code, &d.name).map(|t| Territory {
                parent: id("region", &d.region),
                population: dep_pop.get(d.code.as_str()).copied(),
                ..t
            }));
        }
        for e in self.epci.iter() {
            let Some(by_dep) = epci.get(e.siren.as_str()) else {
                continue;
            };
            let dep = if deps.contains(e.departement.as_str()) {
                e.departement.as_str()
            } else {
                by_dep
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                    .map_or("", |(d, _)| *d)
            };
            out.extend(make("epci", &e.siren, &e.name).map(|t| Territory {
                parent: id("departement", dep),
                population: e.population,
                ..t
            }));
        }
        for c in communes {
            let department = id("departement", &c.departement);
            let (parent, department) = match &c.epci {
                Some(e) => (id("epci", e), department),
                None => (department, None),
            };
            out.extend(make("commune", &c.code, &c.name).map(|t| Territory {
                parent,
                department,
                population: c.population,
                postcodes: c.postcodes.clone(),
                ..t
            }));
        }
        out
    }
}

/// The official communes a registry holds, to attach imported places and
/// actors to: [`Communes::resolve`].
#[derive(Debug)]
pub struct Communes {
    divisions: &'static Divisions,
    /// Codes of the communes the registry holds.
    present: FxHashSet<String>,
}

impl Communes {
    /// From the identifiers of the registry's official communes
    /// (`territory:insee:commune:CODE`).
    pub fn new(divisions: &'static Divisions, ids: impl IntoIterator<Item = String>) -> Self {
        let present = ids
            .into_iter()
            .filter_map(|id| {
                id.strip_prefix("territory:insee:commune:")
                    .map(str::to_string)
            })
            .collect();
        Communes { divisions, present }
    }

    /// Whether the registry holds no official commune.
    pub fn is_empty(&self) -> bool {
        self.present.is_empty()
    }

    /// The official commune of an address the registry holds: by INSEE
    /// code (an arrondissement municipal's, a commune déléguée's or a
    /// former code leads to its commune), else by postcode and city name.
    pub fn resolve(
        &self,
        insee: Option<&str>,
        postcode: Option<&str>,
        city: Option<&str>,
    ) -> Option<EntityId> {
        let d = self.divisions;
        let by_code = insee.and_then(|c| d.commune(c.trim()));
        let by_address = || match (postcode, city) {
            (Some(p), Some(c)) => d.commune_by_postcode(p, c),
            _ => None,
        };
        let c = by_code.or_else(by_address)?;
        if !self.present.contains(&c.code) {
            return None;
        }
        territory_id("commune", &c.code).ok()
    }
}

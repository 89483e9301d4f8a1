//! One record per real-world thing: finding records of different sources
//! that are the same actor, place or commons, merging them, undoing a
//! merge, and remembering pairs a person said are distinct.
//!
//! **Sure matches** share a register identifier and contradict each other
//! on none: actors the same SIRET, the same SIREN (a SIREN given alone,
//! or the first nine digits of a SIRET, met by a record that gives no
//! SIRET of its own — two different SIRETs of one SIREN are two
//! establishments, never one), the same RNA number or Wikidata item;
//! commons the same Wikidata item, normalised repository URL
//! ([`crate::catalogue_link::normalised_repository`]), SILL id or
//! Comptoir du Libre id. Records of one source are never merged
//! automatically (the source says they are two), nor records whose
//! identifiers disagree (a second SIRET, another Wikidata item…): both go
//! to the review list instead.
//!
//! **Review candidates** are never merged automatically: the same name
//! once normalised ([`archipel_domain::normalised_name`]) in the same
//! commune or within a distance (1 km by default) for actors and places,
//! the same name for commons (they have no place). Pairs whose register
//! identifiers disagree are left out (they say they are two), and so are
//! pairs a person separated ([`separate`]).
//!
//! *When sure matches are merged.* Not at import time: `archipel
//! duplicates --apply-sure` merges them, each merge its own transaction
//! and its own entry in the histories, undoable one by one. An import
//! stays a faithful copy of its file (all or nothing, its rejects file,
//! an export that gives the file back), and what will be merged can be
//! listed first (`archipel duplicates` shows the sure pairs too).
//!
//! A record a standing merge absorbed that is back — its source was
//! imported again, which makes it anew and points its relations at it
//! again — is a sure pair with the record the merge put it into (key
//! `merged_before`): `--apply-sure` merges it again, whatever made the
//! first merge.
//!
//! The record kept is the older one (created first; the smaller id when
//! both were created together): the registry keeps the id it has been
//! citing longest. It takes from the absorbed record what it lacks
//! ([`combine`]); the absorbed record stays whole, with its provenance, in
//! the merge log and in its history, and its id resolves to the kept one
//! ([`archipel_store::Store::resolve`]).

use crate::catalogue_link::normalised_repository;
use crate::Decider;
use archipel_domain::{normalised_name, Entity, EntityId, EntityKind, GeoPoint};
use archipel_store::accounts::Audit;
use archipel_store::{Change, MergeError, MergeRequest, Merged, Store, StoreError, Unmerged};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// How candidates are looked for.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Same-name records within this distance are candidates (metres).
    pub within_metres: f64,
    /// Most candidate pairs listed (sure and review together).
    pub max_pairs: usize,
    /// Most pairs of records compared in one search: memory and time
    /// stay bounded whatever the registry holds ([`Found::truncated`]
    /// then says the lists were cut).
    pub max_compared: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            within_metres: 1000.0,
            max_pairs: 10_000,
            max_compared: 2_000_000,
        }
    }
}

/// Records sharing one key beyond this many are compared only when they
/// also share a commune (a name such as "Mairie" is everywhere).
const GROUP_ALL_PAIRS: usize = 200;

/// Two records that may be one thing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// `actor`, `place` or `commons`.
    pub kind: &'static str,
    /// The record that would be kept (the older one).
    pub a: String,
    pub a_name: String,
    pub a_source: String,
    /// The record that would be absorbed.
    pub b: String,
    pub b_name: String,
    pub b_source: String,
    /// Merged without a person (`archipel duplicates --apply-sure`).
    pub sure: bool,
    /// What matches: register keys (`siret`, `siren`, `rna`, `wikidata`,
    /// `repository`, `sill`, `comptoir`) and `name`.
    pub keys: Vec<String>,
    /// Why a pair sharing a register key is not sure (`same_source`,
    /// `conflict:siret`…).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub doubts: Vec<String>,
    /// Both in the same commune (territory or INSEE code).
    pub same_commune: bool,
    /// Distance between their points, in metres, when both have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
}

/// What [`find`] found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Found {
    pub sure: Vec<Candidate>,
    pub review: Vec<Candidate>,
    /// More pairs than [`Options::max_pairs`]: the lists stop there.
    pub truncated: bool,
}

/// What a record brings to the comparison.
struct Item {
    id: EntityId,
    kind: EntityKind,
    name: String,
    norm: String,
    created: chrono::DateTime<chrono::Utc>,
    /// (key, value) for each register identifier.
    keys: Vec<(&'static str, String)>,
    commune: Option<String>,
    point: Option<GeoPoint>,
}

impl Item {
    fn of(e: &Entity) -> Option<Item> {
        let mut keys: Vec<(&'static str, String)> = Vec::new();
        let mut add = |k: &'static str, v: &Option<String>| {
            if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                keys.push((k, v.to_string()));
            }
        };
        let (commune, point) = match e {
            Entity::Actor(a) => {
                let ids = &a.identifiers;
                add("siret", &ids.siret);
                let siren = ids.siren.clone().or_else(|| {
                    ids.siret
                        .as_ref()
                        .and_then(|s| s.get(..9))
                        .map(String::from)
                });
                add("siren", &siren);
                add("rna", &ids.rna);
                add("wikidata", &ids.wikidata);
                (a.territory.as_ref().map(|t| t.to_string()), a.location)
            }
            Entity::Commons(c) => {
                let ids = &c.identifiers;
                add("wikidata", &ids.wikidata);
                add(
                    "repository",
                    &c.repository_url.as_deref().map(normalised_repository),
                );
                add("sill", &ids.sill);
                add("comptoir", &ids.comptoir_du_libre);
                (None, None)
            }
            Entity::Place(p) => (
                p.territory
                    .as_ref()
                    .map(|t| t.to_string())
                    .or_else(|| p.insee_code.clone()),
                p.location,
            ),
            Entity::Territory(_) | Entity::Relation(_) => return None,
        };
        Some(Item {
            id: e.id().clone(),
            kind: e.kind(),
            name: e.name().to_string(),
            norm: normalised_name(e.name()),
            created: e.provenance().created_at,
            keys,
            commune,
            point,
        })
    }

    fn key(&self, k: &str) -> Option<&str> {
        self.keys
            .iter()
            .find(|(x, _)| *x == k)
            .map(|(_, v)| v.as_str())
    }
}

/// Great-circle distance in metres (haversine, mean Earth radius).
fn metres(a: GeoPoint, b: GeoPoint) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().min(1.0).asin()
}

/// Keys that identify a record alone: sharing one makes a sure match.
const SURE_KEYS: &[&str] = &[
    "siret",
    "siren",
    "rna",
    "wikidata",
    "repository",
    "sill",
    "comptoir",
];
/// Keys two records of one thing cannot disagree on. SIREN is not one:
/// it follows from SIRET, which says more.
const CONFLICT_KEYS: &[&str] = &["siret", "rna", "wikidata", "repository", "sill", "comptoir"];

/// The older record first (see the module).
fn order<'i>(x: &'i Item, y: &'i Item) -> (&'i Item, &'i Item) {
    if (x.created, x.id.as_str()) <= (y.created, y.id.as_str()) {
        (x, y)
    } else {
        (y, x)
    }
}

fn compare(x: &Item, y: &Item, opts: &Options) -> Option<Candidate> {
    let (a, b) = order(x, y);
    let mut keys: Vec<String> = Vec::new();
    let mut doubts: Vec<String> = Vec::new();
    for k in SURE_KEYS {
        if let (Some(va), Some(vb)) = (a.key(k), b.key(k)) {
            if va == vb {
                keys.push((*k).to_string());
            }
        }
    }
    for k in CONFLICT_KEYS {
        if let (Some(va), Some(vb)) = (a.key(k), b.key(k)) {
            if va != vb {
                doubts.push(format!("conflict:{k}"));
            }
        }
    }
    // Two SIRETs of one SIREN are two establishments: their SIREN is
    // not a match.
    if doubts.iter().any(|d| d == "conflict:siret") {
        keys.retain(|k| k != "siren");
    }
    let same_commune = matches!((&a.commune, &b.commune), (Some(p), Some(q)) if p == q);
    let distance_m = match (a.point, b.point) {
        (Some(p), Some(q)) => Some((metres(p, q) * 10.0).round() / 10.0),
        _ => None,
    };
    let same_name = !a.norm.is_empty() && a.norm == b.norm;
    let near = a.kind == EntityKind::Commons
        || same_commune
        || distance_m.is_some_and(|d| d <= opts.within_metres);
    if same_name && near {
        keys.push("name".into());
    }
    let register = keys.iter().any(|k| k != "name");
    if !(register || (same_name && near)) {
        return None;
    }
    // A same-name pair whose register identifiers disagree says it is two
    // things: not a candidate.
    if !register && !doubts.is_empty() {
        return None;
    }
    if a.id.source() == b.id.source() {
        doubts.push("same_source".into());
    }
    let sure = register && doubts.is_empty();
    Some(Candidate {
        kind: a.kind.as_str(),
        a: a.id.to_string(),
        a_name: a.name.clone(),
        a_source: a.id.source().to_string(),
        b: b.id.to_string(),
        b_name: b.name.clone(),
        b_source: b.id.source().to_string(),
        sure,
        keys,
        doubts,
        same_commune,
        distance_m,
    })
}

/// How two records compare: a candidate (sure or for review) or `None`.
pub fn pair(a: &Entity, b: &Entity, opts: &Options) -> Option<Candidate> {
    if a.kind() != b.kind() || a.id() == b.id() {
        return None;
    }
    compare(&Item::of(a)?, &Item::of(b)?, opts)
}

/// The candidate pairs of the registry: sure ones and those for review,
/// each list in order of kind, then ids.
pub fn find(store: &Store, opts: &Options) -> Result<Found, StoreError> {
    let separated = store.separated()?;
    let mut items: Vec<Item> = Vec::new();
    store.in_snapshot(|s| -> Result<(), StoreError> {
        for kind in [EntityKind::Actor, EntityKind::Place, EntityKind::Commons] {
            s.for_each(kind, |e| -> Result<(), StoreError> {
                items.extend(Item::of(&e));
                Ok(())
            })?;
        }
        Ok(())
    })?;
    // Groups of records sharing a key (register key or normalised name),
    // per kind.
    let mut groups: HashMap<(EntityKind, &str, &str), Vec<usize>> = HashMap::new();
    for (i, it) in items.iter().enumerate() {
        for (k, v) in &it.keys {
            groups.entry((it.kind, *k, v.as_str())).or_default().push(i);
        }
        if !it.norm.is_empty() {
            groups
                .entry((it.kind, "name", it.norm.as_str()))
                .or_default()
                .push(i);
        }
    }
    // Groups in a fixed order, so that a search stopped by the budget
    // stops at the same place every time.
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_unstable_by(|x, y| x.0.cmp(&y.0));
    let mut pairs: HashSet<(usize, usize)> = HashSet::new();
    let mut over_budget = false;
    let mut push = |i: usize, j: usize| {
        if pairs.len() < opts.max_compared {
            pairs.insert((i.min(j), i.max(j)));
        } else {
            over_budget = true;
        }
    };
    for (_, members) in &groups {
        if members.len() <= GROUP_ALL_PAIRS {
            for (n, &i) in members.iter().enumerate() {
                for &j in &members[n + 1..] {
                    push(i, j);
                }
            }
        } else {
            let mut by_commune: HashMap<&str, Vec<usize>> = HashMap::new();
            for &i in members {
                if let Some(c) = &items[i].commune {
                    by_commune.entry(c.as_str()).or_default().push(i);
                }
            }
            for m in by_commune.values().filter(|m| m.len() <= GROUP_ALL_PAIRS) {
                for (n, &i) in m.iter().enumerate() {
                    for &j in &m[n + 1..] {
                        push(i, j);
                    }
                }
            }
        }
    }
    let mut found = Found {
        truncated: over_budget,
        ..Found::default()
    };
    let mut all: Vec<Candidate> = pairs
        .into_iter()
        .filter_map(|(i, j)| compare(&items[i], &items[j], opts))
        .filter(|c| {
            let (x, y) = archipel_store::merge::ordered(&c.a, &c.b);
            !separated.contains(&(x.to_string(), y.to_string()))
        })
        .collect();
    // A record a standing merge absorbed that is back (its source was
    // imported again) goes back where the merge put it.
    for again in reappeared(store, opts)? {
        all.retain(|c| {
            archipel_store::merge::ordered(&c.a, &c.b)
                != archipel_store::merge::ordered(&again.a, &again.b)
        });
        all.push(again);
    }
    all.sort_by(|p, q| (p.kind, &p.a, &p.b).cmp(&(q.kind, &q.a, &q.b)));
    if all.len() > opts.max_pairs {
        all.truncate(opts.max_pairs);
        found.truncated = true;
    }
    for c in all {
        if c.sure {
            found.sure.push(c);
        } else {
            found.review.push(c);
        }
    }
    Ok(found)
}

/// The key of a pair a standing merge already decided.
const MERGED_BEFORE: &str = "merged_before";

/// Records a standing merge absorbed that exist again, each paired with
/// the record the merge (and any later one) put it into: sure pairs.
fn reappeared(store: &Store, opts: &Options) -> Result<Vec<Candidate>, StoreError> {
    let mut out = Vec::new();
    for m in store.merges(true)? {
        let (Ok(absorbed), Ok(kept)) = (EntityId::parse(&m.absorbed), EntityId::parse(&m.kept))
        else {
            continue;
        };
        let Some(back) = store.get(&absorbed)? else {
            continue;
        };
        let Some(kept) = store.resolve(&kept)? else {
            continue;
        };
        if kept == absorbed || out.iter().any(|c: &Candidate| c.b == m.absorbed) {
            continue;
        }
        let (Some(k), Some(a)) = (
            store.get(&kept)?.as_ref().and_then(Item::of),
            Item::of(&back),
        ) else {
            continue;
        };
        let seen = compare(&k, &a, opts);
        out.push(Candidate {
            kind: k.kind.as_str(),
            a: k.id.to_string(),
            a_name: k.name.clone(),
            a_source: k.id.source().to_string(),
            b: a.id.to_string(),
            b_name: a.name.clone(),
            b_source: a.id.source().to_string(),
            sure: true,
            keys: vec![MERGED_BEFORE.to_string()],
            doubts: Vec::new(),
            same_commune: seen.as_ref().is_some_and(|c| c.same_commune),
            distance_m: seen.and_then(|c| c.distance_m),
        });
    }
    Ok(out)
}

fn fill<T>(kept: &mut Option<T>, other: Option<T>) {
    if kept.is_none() {
        *kept = other;
    }
}

fn union<T: PartialEq>(kept: &mut Vec<T>, other: Vec<T>) {
    for x in other {
        if !kept.contains(&x) {
            kept.push(x);
        }
    }
}

fn fill_map(kept: &mut BTreeMap<String, String>, other: BTreeMap<String, String>) {
    for (k, v) in other {
        kept.entry(k).or_insert(v);
    }
}

/// The kept record after a merge: what it says, and from the absorbed
/// record what it lacks (identifiers, links, description, place…;
/// categories, typology, e-mails and websites put together). Where both
/// say something different, the kept record's stands; the absorbed
/// record's stays in the merge log. `None` when the kinds differ.
pub fn combine(
    kept: &Entity,
    absorbed: &Entity,
    at: chrono::DateTime<chrono::Utc>,
) -> Option<Entity> {
    let mut out = match (kept.clone(), absorbed.clone()) {
        (Entity::Actor(mut a), Entity::Actor(b)) => {
            fill(&mut a.kind, b.kind);
            union(&mut a.typology, b.typology);
            fill(&mut a.description, b.description);
            fill_identifiers(&mut a.identifiers, b.identifiers);
            fill(&mut a.website, b.website);
            fill(&mut a.email, b.email);
            fill(&mut a.territory, b.territory);
            fill(&mut a.location, b.location);
            Entity::Actor(a)
        }
        (Entity::Commons(mut a), Entity::Commons(b)) => {
            fill(&mut a.description, b.description);
            fill(&mut a.repository_url, b.repository_url);
            fill(&mut a.website_url, b.website_url);
            fill(&mut a.license, b.license);
            fill(&mut a.publiccode, b.publiccode);
            union(&mut a.categories, b.categories);
            fill_identifiers(&mut a.identifiers, b.identifiers);
            fill_map(&mut a.details, b.details);
            Entity::Commons(a)
        }
        (Entity::Place(mut a), Entity::Place(b)) => {
            fill(&mut a.actor, b.actor);
            fill(&mut a.description, b.description);
            if a.address == archipel_domain::Address::default() {
                a.address = b.address;
            }
            fill(&mut a.insee_code, b.insee_code);
            fill(&mut a.location, b.location);
            fill(&mut a.territory, b.territory);
            fill(&mut a.phone, b.phone);
            union(&mut a.emails, b.emails);
            union(&mut a.websites, b.websites);
            fill_map(&mut a.details, b.details);
            Entity::Place(a)
        }
        _ => return None,
    };
    out.provenance_mut().updated_at = at;
    Some(out)
}

fn fill_identifiers(a: &mut archipel_domain::Identifiers, b: archipel_domain::Identifiers) {
    fill(&mut a.siret, b.siret);
    fill(&mut a.siren, b.siren);
    fill(&mut a.rna, b.rna);
    fill(&mut a.other, b.other);
    fill(&mut a.wikidata, b.wikidata);
    fill(&mut a.comptoir_du_libre, b.comptoir_du_libre);
    fill(&mut a.sill, b.sill);
}

fn change<'a>(by: &Decider<'a>, action: &'a str) -> Change<'a> {
    Change {
        source: by.via,
        format: by.via,
        file: None,
        action,
        account: by.account,
        note: None,
        at: by.at,
    }
}

/// Merges `absorbed` into `kept` (see the module): `how` is `sure` or
/// `review`, `why` the keys that matched.
pub fn merge(
    store: &mut Store,
    kept: &EntityId,
    absorbed: &EntityId,
    how: &str,
    why: &[String],
    by: &Decider<'_>,
) -> Result<Merged, MergeError> {
    if kept == absorbed {
        return Err(MergeError::SameRecord(kept.to_string()));
    }
    let k = store
        .get(kept)?
        .ok_or_else(|| MergeError::NoSuchRecord(kept.to_string()))?;
    let a = store
        .get(absorbed)?
        .ok_or_else(|| MergeError::NoSuchRecord(absorbed.to_string()))?;
    let merged = combine(&k, &a, by.at).ok_or_else(|| {
        if matches!(k, Entity::Territory(_)) || matches!(k, Entity::Relation(_)) {
            MergeError::NotMergeable(kept.to_string())
        } else if matches!(a, Entity::Territory(_)) || matches!(a, Entity::Relation(_)) {
            MergeError::NotMergeable(absorbed.to_string())
        } else {
            MergeError::KindsDiffer {
                kept: kept.to_string(),
                kept_kind: kept.kind().as_str(),
                absorbed: absorbed.to_string(),
                absorbed_kind: absorbed.kind().as_str(),
            }
        }
    })?;
    let req = MergeRequest {
        kept,
        absorbed,
        merged: &merged,
        how,
        why,
    };
    let audit = Audit::new(by.at, by.account, serde_json::Value::Null);
    store.merge(&req, &change(by, "merge"), &audit)
}

/// A sure merge carried out by [`apply_sure`].
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub kept: String,
    pub absorbed: String,
    pub keys: Vec<String>,
    pub merge: i64,
}

/// Merges every sure pair (all of them: `max_pairs` bounds listings
/// only), each in its own transaction. A pair one of
/// whose records an earlier merge of the run absorbed is merged into
/// what absorbed it, after checking again that the two records do not
/// disagree on a register identifier.
pub fn apply_sure(
    store: &mut Store,
    opts: &Options,
    by: &Decider<'_>,
) -> Result<Vec<Applied>, MergeError> {
    // Every sure pair, not only those a listing would show.
    let all = Options {
        max_pairs: usize::MAX,
        ..*opts
    };
    let found = find(store, &all)?;
    let mut out = Vec::new();
    for c in found.sure {
        let (Ok(a), Ok(b)) = (EntityId::parse(&c.a), EntityId::parse(&c.b)) else {
            continue;
        };
        if c.keys == [MERGED_BEFORE] {
            // A person or an earlier run decided: merged again as before.
            if store.get(&a)?.is_some() && store.get(&b)?.is_some() {
                let m = merge(store, &a, &b, "sure", &c.keys, by)?;
                out.push(Applied {
                    kept: c.a,
                    absorbed: c.b,
                    keys: c.keys,
                    merge: m.merge,
                });
            }
            continue;
        }
        let (Some(a), Some(b)) = (store.resolve(&a)?, store.resolve(&b)?) else {
            continue;
        };
        if a == b {
            continue;
        }
        let (Some(ea), Some(eb)) = (store.get(&a)?, store.get(&b)?) else {
            continue;
        };
        let (Some(ia), Some(ib)) = (Item::of(&ea), Item::of(&eb)) else {
            continue;
        };
        match compare(&ia, &ib, opts) {
            Some(again) if again.sure => {
                let (kept, absorbed) = (
                    EntityId::parse(&again.a).map_err(|e| StoreError::database_because("id", e))?,
                    EntityId::parse(&again.b).map_err(|e| StoreError::database_because("id", e))?,
                );
                let m = merge(store, &kept, &absorbed, "sure", &again.keys, by)?;
                out.push(Applied {
                    kept: again.a,
                    absorbed: again.b,
                    keys: again.keys,
                    merge: m.merge,
                });
            }
            _ => continue,
        }
    }
    Ok(out)
}

/// Undoes merge `id` exactly (see [`archipel_store::Store::undo_merge`]).
pub fn undo(store: &mut Store, id: i64, by: &Decider<'_>) -> Result<Unmerged, MergeError> {
    let audit = Audit::new(by.at, by.account, serde_json::Value::Null);
    store.undo_merge(id, &change(by, "unmerge"), &audit)
}

/// Records that `a` and `b` are different things: never proposed as
/// duplicates again. Both must exist. False when it was known already.
pub fn separate(
    store: &mut Store,
    a: &EntityId,
    b: &EntityId,
    by: &Decider<'_>,
) -> Result<bool, MergeError> {
    if a == b {
        return Err(MergeError::SameRecord(a.to_string()));
    }
    for id in [a, b] {
        if store.get(id)?.is_none() {
            return Err(MergeError::NoSuchRecord(id.to_string()));
        }
    }
    let audit = Audit::new(by.at, by.account, serde_json::Value::Null);
    Ok(store.separate(a, b, &audit)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use archipel_domain::{Actor, Commons, Identifiers, Nature, Provenance};

    fn actor(source: &str, local: &str, ids: Identifiers) -> Entity {
        Entity::Actor(Actor {
            id: EntityId::new(EntityKind::Actor, source, local).unwrap(),
            name: format!("Structure {local}"),
            nature: Nature::Organisation,
            kind: None,
            typology: vec![],
            description: None,
            identifiers: ids,
            website: None,
            email: None,
            territory: None,
            location: None,
            provenance: Provenance::new(source, chrono::DateTime::UNIX_EPOCH),
        })
    }

    fn siret(s: &str) -> Identifiers {
        Identifiers {
            siret: Some(s.into()),
            ..Default::default()
        }
    }

    fn siren(s: &str) -> Identifiers {
        Identifiers {
            siren: Some(s.into()),
            ..Default::default()
        }
    }

    #[test]
    fn register_keys_make_sure_pairs_only_across_sources_without_contradiction() {
        let o = Options::default();
        // Same SIRET across sources: sure.
        let c = pair(
            &actor("a", "1", siret("43493312300029")),
            &actor("b", "2", siret("43493312300029")),
            &o,
        )
        .unwrap();
        assert!(c.sure);
        assert_eq!(c.keys, ["siret", "siren"]);
        // The same in one source: for review, saying why not sure.
        let c = pair(
            &actor("a", "1", siret("43493312300029")),
            &actor("a", "2", siret("43493312300029")),
            &o,
        )
        .unwrap();
        assert!(!c.sure);
        assert_eq!(c.doubts, ["same_source"]);
        // A SIREN alone meets the SIRET's first nine digits: sure.
        let c = pair(
            &actor("a", "1", siret("43493312300029")),
            &actor("b", "2", siren("434933123")),
            &o,
        )
        .unwrap();
        assert!(c.sure);
        assert_eq!(c.keys, ["siren"]);
        // Two SIRETs of one SIREN: two establishments, not a candidate.
        assert_eq!(
            pair(
                &actor("a", "1", siret("43493312300029")),
                &actor("b", "2", siret("43493312300037")),
                &o,
            ),
            None
        );
        // The same Wikidata item but different RNA numbers: review.
        let w = |rna: &str| Identifiers {
            wikidata: Some("Q42".into()),
            rna: Some(rna.into()),
            ..Default::default()
        };
        let c = pair(
            &actor("a", "1", w("W291000001")),
            &actor("b", "2", w("W291000002")),
            &o,
        )
        .unwrap();
        assert!(!c.sure);
        assert_eq!(c.doubts, ["conflict:rna"]);
        // Different kinds never pair.
        let commons = Entity::Commons(Commons {
            id: EntityId::new(EntityKind::Commons, "b", "2").unwrap(),
            name: "Structure 1".into(),
            kind: "software".into(),
            description: None,
            repository_url: None,
            website_url: None,
            license: None,
            publiccode: None,
            categories: vec![],
            identifiers: Identifiers {
                wikidata: Some("Q42".into()),
                ..Default::default()
            },
            details: Default::default(),
            provenance: Provenance::new("b", chrono::DateTime::UNIX_EPOCH),
        });
        assert_eq!(pair(&actor("a", "1", w("W291000001")), &commons, &o), None);
    }

    #[test]
    fn the_kept_record_takes_what_it_lacks_and_keeps_what_it_says() {
        let mut a = actor("a", "1", siret("43493312300029"));
        let mut b = actor(
            "b",
            "2",
            Identifiers {
                siret: Some("43493312300037".into()),
                rna: Some("W291000001".into()),
                ..Default::default()
            },
        );
        if let (Entity::Actor(x), Entity::Actor(y)) = (&mut a, &mut b) {
            x.typology = vec!["mediation".into()];
            y.typology = vec!["contributor".into(), "mediation".into()];
            y.website = Some("https://b.example".into());
        }
        let at = chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(1);
        let Some(Entity::Actor(m)) = combine(&a, &b, at) else {
            panic!()
        };
        assert_eq!(m.id.as_str(), "actor:a:1");
        assert_eq!(m.identifiers.siret.as_deref(), Some("43493312300029"));
        assert_eq!(m.identifiers.rna.as_deref(), Some("W291000001"));
        assert_eq!(m.typology, ["mediation", "contributor"]);
        assert_eq!(m.website.as_deref(), Some("https://b.example"));
        assert_eq!(m.provenance.source.as_ref(), "a");
        assert_eq!(m.provenance.updated_at, at);
    }
}

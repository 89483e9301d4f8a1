//! The official administrative divisions into the registry: `archipel
//! territories import [--region CODE]` and `archipel init --territory
//! CODE`. The records are made from the divisions file
//! (`archipel_formats::territories`), each checked as an import's
//! (`Content::check_entity`), then written in one transaction — all of
//! them or, when one is invalid, none.
//!
//! Communes created earlier by a médiation import under the identifier an
//! official commune has (`territory:insee:commune:CODE`) become the
//! official record: same id, now with its name, hierarchy, population and
//! postcodes. Those made before that identifier was the official one
//! (`territory:insee:commune-CODE`, until issue 16) are replaced in the
//! same transaction: their actors and places move to the official commune
//! and the old record is removed (its last state stays in its history).

use crate::Progress;
use archipel_content::Content;
use archipel_domain::{Entity, EntityId, EntityKind};
use archipel_formats::territories::{self, Divisions, DivisionsError, Scope, SOURCE};
use archipel_store::{Change, Store, StoreError, WriteSummary};
use serde::Serialize;

/// The identifiers of the communes médiation imports made until issue 16.
const LEGACY_COMMUNE: &str = "territory:insee:commune-";

/// Why nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum TerritoriesError {
    #[error("the official divisions cannot be read")]
    Divisions(#[from] DivisionsError),
    /// A record made from the file does not pass the registry's checks.
    #[error("{id}: {field}: {reason}; nothing was written")]
    Invalid {
        id: String,
        field: String,
        reason: String,
    },
    #[error("writing the official divisions; nothing was written")]
    Store(#[from] StoreError),
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct TerritoriesReport {
    /// `@etalab/decoupage-administratif@6.0.0`.
    pub source: String,
    pub regions: u64,
    pub departements: u64,
    pub epci: u64,
    pub communes: u64,
    /// Communes of earlier médiation imports (`territory:insee:commune-CODE`)
    /// replaced by the official one.
    pub replaced: u64,
    /// Actors and places moved to the official commune from those.
    pub moved: u64,
    pub written: WriteSummary,
    pub seconds: f64,
}

/// Writes the records of `scope` into `store` in one transaction.
/// `progress` is called as records are written.
pub fn import(
    store: &mut Store,
    content: &Content,
    divisions: &Divisions,
    scope: &Scope,
    progress: &mut dyn FnMut(Progress),
) -> Result<TerritoriesReport, TerritoriesError> {
    let started = std::time::Instant::now();
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 0);
    let records: Vec<Entity> = divisions
        .records(scope, now)
        .into_iter()
        .map(Entity::Territory)
        .collect();
    let total = records.len() as u64;
    progress(Progress { done: 0, total });
    let mut report = TerritoriesReport {
        source: format!("{}@{}", divisions.package, divisions.version),
        regions: 0,
        departements: 0,
        epci: 0,
        communes: 0,
        replaced: 0,
        moved: 0,
        written: WriteSummary::default(),
        seconds: 0.0,
    };
    for e in &records {
        if let Some((field, reason)) = content.check_entity(e).into_iter().next() {
            return Err(TerritoriesError::Invalid {
                id: e.id().to_string(),
                field,
                reason,
            });
        }
        if let Entity::Territory(t) = e {
            match t.level.as_str() {
                "region" => report.regions += 1,
                "departement" => report.departements += 1,
                "epci" => report.epci += 1,
                _ => report.communes += 1,
            }
        }
    }
    // Communes of earlier médiation imports that an official commune of
    // this batch replaces, with the records on them.
    let official: std::collections::HashSet<&str> =
        records.iter().map(|e| e.id().as_str()).collect();
    let mut moves: Vec<(EntityId, Vec<Entity>)> = Vec::new();
    for old in store.ids_with_prefix(EntityKind::Territory, LEGACY_COMMUNE)? {
        let Some(code) = old.strip_prefix(LEGACY_COMMUNE) else {
            continue;
        };
        let Ok(new) = territories::territory_id("commune", code) else {
            continue;
        };
        if !official.contains(new.as_str()) {
            continue;
        }
        let Ok(old) = EntityId::parse(&old) else {
            continue;
        };
        let mut dependents = store.dependents_of(&old)?;
        for e in &mut dependents {
            match e {
                Entity::Actor(a) if a.territory.as_ref() == Some(&old) => {
                    a.territory = Some(new.clone())
                }
                Entity::Place(p) if p.territory.as_ref() == Some(&old) => {
                    p.territory = Some(new.clone())
                }
                Entity::Territory(t) if t.parent.as_ref() == Some(&old) => {
                    t.parent = Some(new.clone())
                }
                _ => {}
            }
        }
        moves.push((old, dependents));
    }
    let change = Change {
        at: now,
        ..Change::import(SOURCE, "territories", Some(&report.source))
    };
    let ((), summary) = store.write_change(
        &change,
        records.len(),
        |w| -> Result<(), TerritoriesError> {
            for (done, e) in (1..).zip(&records) {
                w.upsert(e)?;
                if done % 1024 == 0 || done == total {
                    progress(Progress { done, total });
                }
            }
            for (old, dependents) in &moves {
                for e in dependents {
                    w.upsert(e)?;
                }
                w.remove(old)?;
            }
            Ok(())
        },
    )?;
    report.replaced = moves.len() as u64;
    report.moved = moves.iter().map(|(_, d)| d.len() as u64).sum();
    report.written = summary;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

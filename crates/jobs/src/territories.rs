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
//! postcodes.

use crate::Progress;
use archipel_content::Content;
use archipel_domain::Entity;
use archipel_formats::territories::{Divisions, DivisionsError, Scope, SOURCE};
use archipel_store::{Change, Store, StoreError, WriteSummary};
use serde::Serialize;

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
            Ok(())
        },
    )?;
    report.written = summary;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

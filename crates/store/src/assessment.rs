//! Saved assessments of commons (`archipel assess … --save COMMONS_ID`).
//!
//! The store keeps the figures other features read (licence, contributors,
//! organisations, elephant factor) in columns and the whole report as the
//! JSON text it is given; it does not read the report.

use crate::{Result, Store, StoreError};
use archipel_domain::{EntityId, EntityKind};
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use serde::Serialize;

/// An assessment to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssessment {
    /// The commons assessed; it must be in the registry.
    pub commons: EntityId,
    /// The assessment's reference date.
    pub assessed_at: DateTime<Utc>,
    /// What was assessed (folder, repository, URL).
    pub target: String,
    /// SPDX expression, `None` when none was found.
    pub licence: Option<String>,
    /// Distinct authors, `None` without history.
    pub contributors: Option<u64>,
    /// Organisations behind the commits, `None` without history.
    pub organisations: Option<u64>,
    pub elephant_factor: Option<u64>,
    /// The whole report, as JSON text.
    pub report: String,
}

/// A saved assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SavedAssessment {
    /// Its number in the registry.
    pub id: i64,
    pub commons: String,
    pub assessed_at: String,
    pub saved_at: String,
    pub target: String,
    pub licence: Option<String>,
    pub contributors: Option<u64>,
    pub organisations: Option<u64>,
    pub elephant_factor: Option<u64>,
    /// The report, as JSON text.
    #[serde(skip)]
    pub report: String,
}

fn opt_u64(n: Option<u64>) -> Option<i64> {
    n.map(|v| i64::try_from(v).unwrap_or(i64::MAX))
}

fn from_i64(n: Option<i64>) -> Option<u64> {
    n.and_then(|v| u64::try_from(v).ok())
}

impl Store {
    /// Saves an assessment of a commons of the registry; returns its number.
    pub fn save_assessment(&mut self, a: &NewAssessment) -> Result<i64> {
        if self.read_only {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
            });
        }
        let (note, tx) = crate::busy::begin(&self.conn, &self.path, "saving of an assessment")?;
        let exists: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM entity WHERE id = ?1 AND kind = 'commons'",
                [a.commons.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        if a.commons.kind() != EntityKind::Commons || exists.is_none() {
            return Err(StoreError::Dangling {
                id: "assessment".into(),
                field: "commons",
                target: a.commons.to_string(),
            });
        }
        let saved_at = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        tx.execute(
            "INSERT INTO assessment (commons, assessed_at, saved_at, target, licence, contributors,
                                     organisations, elephant_factor, report)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            rusqlite::params![
                a.commons.as_str(),
                a.assessed_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                saved_at,
                a.target,
                a.licence,
                opt_u64(a.contributors),
                opt_u64(a.organisations),
                opt_u64(a.elephant_factor),
                a.report,
            ],
        )?;
        let n = tx.last_insert_rowid();
        drop(note);
        tx.commit()?;
        Ok(n)
    }

    /// The latest assessment of `commons` (by reference date, then by
    /// when it was saved), if any.
    pub fn latest_assessment(&self, commons: &EntityId) -> Result<Option<SavedAssessment>> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT rowid, commons, assessed_at, saved_at, target, licence, contributors,
                        organisations, elephant_factor, report
                 FROM assessment WHERE commons = ?1
                 ORDER BY assessed_at DESC, rowid DESC LIMIT 1",
            )?
            .query_row([commons.as_str()], |r| {
                Ok(SavedAssessment {
                    id: r.get(0)?,
                    commons: r.get(1)?,
                    assessed_at: r.get(2)?,
                    saved_at: r.get(3)?,
                    target: r.get(4)?,
                    licence: r.get(5)?,
                    contributors: from_i64(r.get(6)?),
                    organisations: from_i64(r.get(7)?),
                    elephant_factor: from_i64(r.get(8)?),
                    report: r.get(9)?,
                })
            })
            .optional()?;
        Ok(row)
    }
}

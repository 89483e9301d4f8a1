//! Histories of records as people read them: each version with when, by
//! whom, from which source and what changed field by field
//! ([`versions`], the JSON of `GET /api/v1/history/{id}` and of
//! `archipel history --json`); the latest changes of the registry
//! ([`recent_changes`], the home page and the Atom feed); and restoring
//! a version ([`restore`]). Public action records have theirs too
//! ([`action_versions`], [`restore_action`]).

use archipel_domain::{
    diff_records, Action, ActionId, Entity, EntityId, EntityKind, FieldChange, Provenance,
};
use archipel_store::accounts::Audit;
use archipel_store::{BatchInfo, Change, Restored, Store, StoreError, Version};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

/// One version of a record, as the history API gives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionView {
    /// Its number: 1 for the first version, then in order.
    pub version: u32,
    /// When it was made (RFC 3339, UTC).
    pub at: String,
    /// The display name of the account that made it; `None` for an
    /// import or the command line.
    pub by: Option<String>,
    /// The data set it came from (`mediation`…), or `web`.
    pub source: String,
    /// `import`, `demo`, `proposal` (a moderator accepted a proposal),
    /// `referent` (an actor's referent's edit), `restore`, or `unknown`
    /// (written before the registry kept histories).
    pub action: String,
    /// The file imported, if any.
    pub file: Option<String>,
    /// The batch of changes it belongs to.
    pub batch: Option<i64>,
    /// The record was removed by this version.
    pub removed: bool,
    /// What changed from the version before, field by field.
    pub changes: Vec<FieldChange>,
}

fn stamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The versions of a record, newest first; empty when the registry
/// never held it.
pub fn versions(store: &Store, id: &EntityId) -> Result<Vec<VersionView>, StoreError> {
    Ok(views(&store.history(id)?, |e: &Entity| e.provenance()))
}

/// The versions of a public action record, newest first, as
/// [`versions`] gives an entity's.
pub fn action_versions(store: &Store, id: &ActionId) -> Result<Vec<VersionView>, StoreError> {
    Ok(views(&store.action_history(id)?, |a: &Action| {
        a.provenance()
    }))
}

/// Versions as histories show them, newest first, each with its
/// difference from the one before.
fn views<T: Serialize>(
    history: &[Version<T>],
    provenance: impl Fn(&T) -> &Provenance,
) -> Vec<VersionView> {
    let mut out = Vec::with_capacity(history.len());
    let mut before: Option<&T> = None;
    for v in history {
        let after = v.state.as_ref();
        let (at, by, source, action, file, batch) = match &v.by {
            Some(b) => (
                b.at.clone(),
                b.account_name.clone(),
                b.source.clone(),
                b.action.clone(),
                b.file.clone(),
                Some(b.id),
            ),
            None => {
                let p = after.or(before).map(&provenance);
                (
                    p.map(|p| stamp(&p.updated_at)).unwrap_or_default(),
                    None,
                    p.map(|p| p.source.to_string()).unwrap_or_default(),
                    "unknown".to_string(),
                    p.and_then(|p| p.file.as_deref().map(str::to_string)),
                    None,
                )
            }
        };
        out.push(VersionView {
            version: v.number,
            at,
            by,
            source,
            action,
            file,
            batch,
            removed: after.is_none(),
            changes: diff_records(before, after),
        });
        before = after;
    }
    out.reverse();
    out
}

/// A record a recent change touched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedRecord {
    pub id: String,
    pub kind: EntityKind,
    /// Its name now, or its last one when it was removed.
    pub name: String,
    /// It no longer exists.
    pub removed: bool,
}

/// One entry of the registry's latest changes: a batch, and the record
/// it changed when it changed few (an edit, a decision), or its counts
/// (an import).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecentChange {
    pub batch: BatchInfo,
    /// The record, for a batch that changed few; `None` for an import's
    /// summary.
    pub record: Option<ChangedRecord>,
}

/// The latest `limit` changes, newest first, read from the histories.
pub fn recent_changes(store: &Store, limit: usize) -> Result<Vec<RecentChange>, StoreError> {
    let mut out = Vec::new();
    for batch in store.recent_batches(limit)? {
        match &batch.records {
            Some(ids) => {
                for id in ids.iter().rev() {
                    let Ok(id) = EntityId::parse(id) else {
                        continue;
                    };
                    let current = store.get(&id)?;
                    let removed = current.is_none();
                    let last = match current {
                        Some(e) => e,
                        None => match store.last_state(&id)? {
                            Some(e) => e,
                            None => continue,
                        },
                    };
                    out.push(RecentChange {
                        batch: batch.clone(),
                        record: Some(ChangedRecord {
                            id: id.to_string(),
                            kind: id.kind(),
                            name: last.name().to_string(),
                            removed,
                        }),
                    });
                }
            }
            None => out.push(RecentChange {
                batch: batch.clone(),
                record: None,
            }),
        }
        if out.len() >= limit {
            break;
        }
    }
    out.truncate(limit);
    Ok(out)
}

/// Makes version `number` of a record its current one again, as a new
/// version made as `by` says (a moderator or an administrator: the
/// caller checked the role), audited as `record.restore`.
pub fn restore(
    store: &mut Store,
    id: &EntityId,
    number: u32,
    by: &crate::Decider<'_>,
) -> Result<Restored, StoreError> {
    let change = Change {
        source: by.via,
        format: by.via,
        file: None,
        action: "restore",
        account: by.account,
        note: Some(format!("restore:{number}")),
        at: by.at,
    };
    let audit = Audit::new(by.at, by.account, serde_json::Value::Null);
    store.restore(id, number, &change, &audit)
}

/// Makes version `number` of a public action record its current one
/// again, as [`restore`] does for an entity.
pub fn restore_action(
    store: &mut Store,
    id: &ActionId,
    number: u32,
    by: &crate::Decider<'_>,
) -> Result<Restored, StoreError> {
    let change = Change {
        source: by.via,
        format: by.via,
        file: None,
        action: "restore",
        account: by.account,
        note: Some(format!("restore:{number}")),
        at: by.at,
    };
    let audit = Audit::new(by.at, by.account, serde_json::Value::Null);
    store.restore_action(id, number, &change, &audit)
}

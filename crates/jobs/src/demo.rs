//! The demonstration territory (fictional), kept in `content/demo/`, built
//! into a registry: by `archipel demo`, and by `archipel serve` when there
//! is no registry yet.

use crate::Progress;
use archipel_content::{Content, ContentError, DEMO_SOURCE};
use archipel_store::{Change, Store, StoreError, WriteSummary};

/// Why the demonstration territory could not be built; nothing was
/// written.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the demonstration content is invalid")]
    Content(#[from] ContentError),
    #[error("writing the demonstration territory")]
    Store(#[from] StoreError),
}

/// Writes the demonstration territory into `store`, in one transaction —
/// its records, then its public action (calls, grants): records already
/// there are updated or left unchanged, never duplicated.
/// The records' times are now, to the second. Returns what was written
/// (its [`WriteSummary::records`] counts the public action records too).
pub fn load(
    store: &mut Store,
    content: &Content,
    progress: &mut dyn FnMut(Progress),
) -> Result<WriteSummary, DemoError> {
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 0);
    let entities = content.demo_entities(now)?;
    let actions = content.demo_actions(now);
    let total = (entities.len() + actions.len()) as u64;
    let change = Change {
        action: "demo",
        at: now,
        ..Change::import(DEMO_SOURCE, "demo", None)
    };
    let ((), summary) = store.write_change(&change, 0, |w| -> Result<(), StoreError> {
        for (done, e) in (1..).zip(&entities) {
            w.upsert(e)?;
            progress(Progress { done, total });
        }
        // Public action after the records it points at, calls before grants.
        for (done, a) in (entities.len() as u64 + 1..).zip(&actions) {
            w.upsert_action(a)?;
            progress(Progress { done, total });
        }
        Ok(())
    })?;
    Ok(summary)
}

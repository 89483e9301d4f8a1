//! A real temporary registry holding the demonstration territory.
#![allow(dead_code)]

use archipel_content::Content;
use archipel_store::Store;

pub struct Fixture {
    pub _dir: tempfile::TempDir,
    pub db: std::path::PathBuf,
    pub store: Store,
    pub content: Content,
}

/// The demonstration territory with its public action (grants, calls).
pub fn demo_with_support() -> Fixture {
    let mut fx = demo();
    let actions = fx.content.demo_actions(chrono::Utc::now());
    assert!(!actions.is_empty());
    fx.store
        .write("demo", "demo", None, |w| {
            for a in &actions {
                w.upsert_action(a)?;
            }
            Ok(())
        })
        .expect("demo actions written");
    fx
}

/// The demonstration territory's records, without its public action.
pub fn demo() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("registry.db");
    let content = Content::embedded().expect("content");
    let mut store = Store::open(&db).expect("store");
    let now = chrono::Utc::now();
    let demo = content.demo_entities(now).expect("demo");
    store
        .write("demo", "demo", None, |w| {
            for e in &demo {
                w.upsert(e)?;
            }
            Ok(())
        })
        .expect("demo written");
    Fixture {
        _dir: dir,
        db,
        store,
        content,
    }
}

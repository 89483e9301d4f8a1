//! One record per real-world thing, on real temporary registries: a
//! generated pair of sources with known duplicates (precision and recall
//! of the sure merges and of the review list; no automatic false merge),
//! merges that move relations and places and undo exactly (the exports
//! before and after compare equal), separations remembered.

use archipel_domain::*;
use archipel_jobs::duplicates::{self, Options};
use archipel_jobs::export::{self, Export};
use archipel_jobs::Decider;
use archipel_store::{MergeError, Store};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::HashSet;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()
}

fn by() -> Decider<'static> {
    Decider {
        account: None,
        via: "cli",
        at: t0() + Duration::days(30),
    }
}

fn eid(kind: EntityKind, source: &str, local: &str) -> EntityId {
    EntityId::new(kind, source, local).unwrap()
}

fn actor(source: &str, local: &str, name: &str, created: DateTime<Utc>) -> Actor {
    Actor {
        id: eid(EntityKind::Actor, source, local),
        name: name.into(),
        nature: Nature::Organisation,
        kind: Some("association".into()),
        typology: vec![],
        description: None,
        identifiers: Identifiers::default(),
        website: None,
        email: None,
        territory: None,
        location: None,
        provenance: Provenance::new(source, created),
    }
}

fn commons(source: &str, local: &str, name: &str, created: DateTime<Utc>) -> Commons {
    Commons {
        id: eid(EntityKind::Commons, source, local),
        name: name.into(),
        kind: "software".into(),
        description: None,
        repository_url: None,
        website_url: None,
        license: None,
        publiccode: None,
        categories: vec![],
        identifiers: Identifiers::default(),
        details: Default::default(),
        provenance: Provenance::new(source, created),
    }
}

fn commune(code: &str, name: &str) -> Entity {
    Entity::Territory(Territory {
        id: eid(EntityKind::Territory, "ref", code),
        name: name.into(),
        level: "commune".into(),
        code: code.into(),
        parent: None,
        department: None,
        population: None,
        postcodes: vec![],
        fictional: true,
        provenance: Provenance::new("ref", t0()),
    })
}

/// A small deterministic generator (64-bit LCG).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A name the way another source might write it: other case, accents
/// dropped or punctuation added.
fn perturbed(name: &str, r: &mut Rng) -> String {
    match r.below(3) {
        0 => name.to_uppercase(),
        1 => format!("{} !", fold_accents(name)),
        _ => name.replace(' ', "  - "),
    }
}

/// What the generated sources say, and the truth about them.
struct Generated {
    records: Vec<Entity>,
    /// Pairs (alpha id, beta id) that are one real-world thing and share
    /// a register identifier without contradiction: must be merged.
    sure: HashSet<(String, String)>,
    /// Pairs that are one thing known only by name and place: review.
    review: HashSet<(String, String)>,
    /// Pairs that look alike but are different things.
    distinct: HashSet<(String, String)>,
}

const WORDS: &[&str] = &[
    "Médiathèque",
    "Fablab",
    "Association",
    "Tiers-lieu",
    "Café",
    "Atelier",
    "Maison",
    "Espace",
    "Réseau",
    "Collectif",
];
const PLACES: &[&str] = &[
    "des Capucins",
    "de Kerinou",
    "du Port",
    "Saint-Martin",
    "de la Gare",
    "Bellevue",
    "du Moulin",
    "Recouvrance",
];

/// `n` groups of actors and commons in source `alpha`, and in source
/// `beta` a perturbed overlap of every kind of match.
fn generate(n: usize, seed: u64) -> Generated {
    let mut r = Rng(seed);
    let mut g = Generated {
        records: vec![commune("29019", "Brest"), commune("29075", "Guipavas")],
        sure: HashSet::new(),
        review: HashSet::new(),
        distinct: HashSet::new(),
    };
    let brest = eid(EntityKind::Territory, "ref", "29019");
    let early = t0();
    let late = t0() + Duration::days(3);
    for i in 0..n {
        let name = format!(
            "{} {} {i}",
            WORDS[r.below(WORDS.len() as u64) as usize],
            PLACES[r.below(PLACES.len() as u64) as usize]
        );
        let point = GeoPoint {
            lat: 48.0 + (i as f64) * 0.01,
            lon: -4.5,
        };
        let siret = format!("{:09}{:05}", 100_000_000 + i, 10 + i % 7);
        let mut a = actor("alpha", &format!("a{i}"), &name, early);
        let mut b = actor("beta", &format!("b{i}"), &perturbed(&name, &mut r), late);
        let pair = (a.id.to_string(), b.id.to_string());
        match i % 10 {
            // Same SIRET, names perturbed.
            0 => {
                a.identifiers.siret = Some(siret.clone());
                b.identifiers.siret = Some(siret);
                g.sure.insert(pair);
            }
            // The SIRET on one side, only its SIREN on the other; other name.
            1 => {
                a.identifiers.siret = Some(siret.clone());
                b.identifiers.siren = Some(siret[..9].to_string());
                b.name = format!("Structure {i}");
                g.sure.insert(pair);
            }
            // Same RNA number.
            2 => {
                let rna = format!("W{:09}", 290_000_000 + i);
                a.identifiers.rna = Some(rna.clone());
                b.identifiers.rna = Some(rna);
                g.sure.insert(pair);
            }
            // Same Wikidata item, far apart (a seat and a branch's point).
            3 => {
                a.identifiers.wikidata = Some(format!("Q{}", 1000 + i));
                b.identifiers.wikidata = Some(format!("Q{}", 1000 + i));
                a.location = Some(point);
                b.location = Some(GeoPoint {
                    lat: point.lat + 1.0,
                    lon: point.lon,
                });
                g.sure.insert(pair);
            }
            // Same name within a few hundred metres, no identifier: review.
            4 => {
                a.location = Some(point);
                b.location = Some(GeoPoint {
                    lat: point.lat + 0.003,
                    lon: point.lon,
                });
                g.review.insert(pair);
            }
            // Same name, same commune, no point: review.
            5 => {
                a.territory = Some(brest.clone());
                b.territory = Some(brest.clone());
                g.review.insert(pair);
            }
            // Same name far apart: two different things.
            6 => {
                a.location = Some(point);
                b.location = Some(GeoPoint {
                    lat: point.lat + 0.5,
                    lon: point.lon,
                });
                g.distinct.insert(pair);
            }
            // Same name nearby, two SIRETs of one SIREN: two
            // establishments, different things.
            7 => {
                a.identifiers.siret = Some(format!("{:09}00011", 500_000_000 + i));
                b.identifiers.siret = Some(format!("{:09}00029", 500_000_000 + i));
                a.location = Some(point);
                b.location = Some(point);
                g.distinct.insert(pair);
            }
            // The same Wikidata item but different SIRETs: the sources
            // disagree; never merged without a person (a different thing
            // here, one of the sources is wrong).
            8 => {
                a.identifiers.wikidata = Some(format!("Q{}", 5000 + i));
                b.identifiers.wikidata = Some(format!("Q{}", 5000 + i));
                a.identifiers.siret = Some(format!("{:09}00011", 700_000_000 + i));
                b.identifiers.siret = Some(format!("{:09}00011", 800_000_000 + i));
                b.name = format!("Autre {i}");
                g.distinct.insert(pair);
            }
            // Unrelated records.
            _ => {
                b.name = format!("Sans rapport {i}");
                a.location = Some(point);
            }
        }
        g.records.push(Entity::Actor(a));
        g.records.push(Entity::Actor(b));
    }
    for i in 0..n / 2 {
        let name = format!(
            "Logiciel {} {i}",
            PLACES[r.below(PLACES.len() as u64) as usize]
        );
        let mut a = commons("alpha", &format!("c{i}"), &name, early);
        let mut b = commons("beta", &format!("d{i}"), &format!("{name} (v2)"), late);
        let pair = (a.id.to_string(), b.id.to_string());
        match i % 6 {
            0 => {
                a.repository_url = Some(format!("https://github.com/org/Projet-{i}.git"));
                b.repository_url = Some(format!("http://www.github.com/org/projet-{i}/"));
                g.sure.insert(pair);
            }
            1 => {
                a.identifiers.sill = Some(format!("{}", 100 + i));
                b.identifiers.sill = Some(format!("{}", 100 + i));
                g.sure.insert(pair);
            }
            2 => {
                a.identifiers.comptoir_du_libre = Some(format!("{}", 40 + i));
                b.identifiers.comptoir_du_libre = Some(format!("{}", 40 + i));
                g.sure.insert(pair);
            }
            3 => {
                a.identifiers.wikidata = Some(format!("Q{}", 90_000 + i));
                b.identifiers.wikidata = Some(format!("Q{}", 90_000 + i));
                g.sure.insert(pair);
            }
            // The same name only: review.
            4 => {
                b.name = name.to_uppercase();
                g.review.insert(pair);
            }
            // The same name, two different repositories: two things.
            _ => {
                b.name = name.clone();
                a.repository_url = Some(format!("https://gitlab.com/a/{i}"));
                b.repository_url = Some(format!("https://gitlab.com/b/{i}"));
                g.distinct.insert(pair);
            }
        }
        g.records.push(Entity::Commons(a));
        g.records.push(Entity::Commons(b));
    }
    g
}

fn load(store: &mut Store, records: &[Entity]) {
    store
        .write("gen", "test", None, |w| {
            for e in records {
                w.upsert(e)?;
            }
            Ok(())
        })
        .unwrap();
}

fn ratio(hit: usize, of: usize) -> f64 {
    if of == 0 {
        1.0
    } else {
        hit as f64 / of as f64
    }
}

#[test]
fn generated_sources_precision_and_recall() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("r.db")).unwrap();
    let g = generate(400, 7);
    load(&mut store, &g.records);
    let found = duplicates::find(&store, &Options::default()).unwrap();
    assert!(!found.truncated);
    let set = |cs: &[duplicates::Candidate]| -> HashSet<(String, String)> {
        cs.iter().map(|c| (c.a.clone(), c.b.clone())).collect()
    };
    let sure = set(&found.sure);
    let review = set(&found.review);
    // Automatic merges: every one right, none missed.
    let sure_right = sure.intersection(&g.sure).count();
    let sure_precision = ratio(sure_right, sure.len());
    let sure_recall = ratio(sure_right, g.sure.len());
    // The review list: every same-name pair near each other found; what
    // else it holds is what a person must settle (the sources that
    // disagree).
    let same: HashSet<_> = g.review.union(&g.sure).cloned().collect();
    let review_right = review.intersection(&same).count();
    let review_precision = ratio(review_right, review.len());
    let review_recall = ratio(review.intersection(&g.review).count(), g.review.len());
    eprintln!(
        "sure: {} pairs, precision {sure_precision:.3}, recall {sure_recall:.3}; \
         review: {} pairs, precision {review_precision:.3}, recall {review_recall:.3}",
        sure.len(),
        review.len()
    );
    let false_sure: Vec<_> = sure.difference(&g.sure).collect();
    assert!(
        false_sure.is_empty(),
        "automatic false merges: {false_sure:?}"
    );
    assert_eq!(sure_recall, 1.0, "missed: {:?}", g.sure.difference(&sure));
    assert_eq!(
        review_recall,
        1.0,
        "missed: {:?}",
        g.review.difference(&review)
    );
    // Different things that look alike are never sure; those far apart or
    // whose SIRETs differ are not even proposed.
    for p in &g.distinct {
        assert!(!sure.contains(p), "{p:?}");
    }
    assert!(review_precision >= 0.7, "{review_precision}");
    for c in &found.review {
        if g.distinct.contains(&(c.a.clone(), c.b.clone())) {
            assert!(c.doubts.iter().any(|d| d.starts_with("conflict:")), "{c:?}");
        }
    }
    // Why each pair is there.
    let near = found
        .review
        .iter()
        .find(|c| c.distance_m.is_some())
        .unwrap();
    assert!(near.keys.contains(&"name".to_string()));
    assert!(near.distance_m.unwrap() < 1000.0);
    assert!(found.review.iter().any(|c| c.same_commune));

    // A bounded search says it was cut, and finds a part of the same.
    let small = Options {
        max_compared: 100,
        ..Options::default()
    };
    let cut = duplicates::find(&store, &small).unwrap();
    assert!(cut.truncated);
    assert!(cut.sure.len() + cut.review.len() <= 100);
    assert!(set(&cut.sure).is_subset(&sure));
    let listed = Options {
        max_pairs: 10,
        ..Options::default()
    };
    let cut = duplicates::find(&store, &listed).unwrap();
    assert!(cut.truncated);
    assert_eq!(cut.sure.len() + cut.review.len(), 10);

    // Applying the sure merges makes every sure pair one record and no
    // distinct pair one record.
    let applied = duplicates::apply_sure(&mut store, &Options::default(), &by()).unwrap();
    assert_eq!(applied.len(), g.sure.len());
    let resolve = |s: &Store, id: &str| s.resolve(&EntityId::parse(id).unwrap()).unwrap();
    for (a, b) in &g.sure {
        assert_eq!(resolve(&store, a), resolve(&store, b), "{a} {b}");
        // The older record is kept; the absorbed id leads to it.
        assert_eq!(resolve(&store, b).unwrap().as_str(), a);
    }
    for (a, b) in &g.distinct {
        assert_ne!(resolve(&store, a), resolve(&store, b), "{a} {b}");
    }
    // Nothing sure is left, the review list is unchanged.
    let again = duplicates::find(&store, &Options::default()).unwrap();
    assert!(again.sure.is_empty(), "{:?}", again.sure);
    assert_eq!(set(&again.review), review);
    // A second run merges nothing.
    assert!(
        duplicates::apply_sure(&mut store, &Options::default(), &by())
            .unwrap()
            .is_empty()
    );
}

fn export_json(store: &Store) -> String {
    let mut out = Vec::new();
    export::write(store, Export::Json, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Two actors (one per source) that are one association, a commons, a
/// place run by the absorbed actor and relations both ways.
fn small(store: &mut Store) -> (EntityId, EntityId) {
    let mut a = actor("alpha", "a", "Fablab des Capucins", t0());
    a.identifiers.siret = Some("43493312300029".into());
    let mut b = actor("beta", "b", "FABLAB DES CAPUCINS", t0() + Duration::days(1));
    b.identifiers.siren = Some("434933123".into());
    b.identifiers.rna = Some("W291000001".into());
    b.website = Some("https://fablab.example".into());
    b.typology = vec!["mediation".into()];
    let c = commons("alpha", "c", "Cartes", t0());
    let other = actor("alpha", "o", "Ville", t0());
    let place = Place {
        id: eid(EntityKind::Place, "beta", "p"),
        name: "Atelier".into(),
        actor: Some(b.id.clone()),
        description: None,
        address: Address::default(),
        insee_code: None,
        location: None,
        territory: None,
        phone: None,
        emails: vec![],
        websites: vec![],
        details: Default::default(),
        provenance: Provenance::new("beta", t0()),
    };
    let rel = |source: &str, s: &EntityId, kind: &str, o: &EntityId| {
        Entity::Relation(Relation {
            id: Relation::derive_id(source, s, kind, o, None).unwrap(),
            subject: s.clone(),
            kind: kind.into(),
            object: o.clone(),
            role: None,
            since: None,
            until: None,
            note: None,
            provenance: Provenance::new(source, t0()),
        })
    };
    let records = vec![
        rel("beta", &b.id, "uses", &c.id),
        rel("alpha", &a.id, "maintains", &c.id),
        rel("alpha", &other.id, "funds", &b.id),
        Entity::Actor(a.clone()),
        Entity::Actor(b.clone()),
        Entity::Commons(c),
        Entity::Actor(other),
        Entity::Place(place),
    ];
    let mut sorted = records.clone();
    sorted.sort_by_key(|e| e.kind() == EntityKind::Relation);
    load(store, &sorted);
    (a.id, b.id)
}

#[test]
fn merge_moves_everything_and_undo_restores_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("r.db")).unwrap();
    let (a, b) = small(&mut store);
    // An agent speaks for the absorbed actor.
    let audit = archipel_store::accounts::Audit::new(t0(), None, serde_json::Value::Null);
    let agent = store
        .create_account(
            &archipel_store::accounts::NewAccount {
                email: Some("agent@mairie.example"),
                password_hash: None,
                display_name: "Agent",
                role: "contributor",
            },
            &audit,
        )
        .unwrap();
    store.add_referent(agent, &b, &audit).unwrap();
    let before = export_json(&store);
    let m = duplicates::merge(&mut store, &a, &b, "review", &["siren".into()], &by()).unwrap();
    assert_eq!(
        (m.relations_moved, m.places_moved, m.referents_moved),
        (2, 1, 1)
    );
    assert_eq!(store.referent_of(agent).unwrap(), [a.as_str()]);
    // B is gone, its id leads to A; A took what it lacked.
    assert!(store.get(&b).unwrap().is_none());
    assert_eq!(store.resolve(&b).unwrap(), Some(a.clone()));
    let Some(Entity::Actor(kept)) = store.get(&a).unwrap() else {
        panic!()
    };
    assert_eq!(kept.name, "Fablab des Capucins");
    assert_eq!(kept.identifiers.siret.as_deref(), Some("43493312300029"));
    assert_eq!(kept.identifiers.rna.as_deref(), Some("W291000001"));
    assert_eq!(kept.website.as_deref(), Some("https://fablab.example"));
    assert_eq!(kept.provenance.source.as_ref(), "alpha");
    // Relations and the place now point at A.
    let rels = store.relations_of(&a).unwrap();
    assert_eq!(rels.len(), 3, "{rels:?}");
    assert!(store.relations_of(&b).unwrap().is_empty());
    let Some(Entity::Place(p)) = store.get(&eid(EntityKind::Place, "beta", "p")).unwrap() else {
        panic!()
    };
    assert_eq!(p.actor.as_ref(), Some(&a));
    // The absorbed record is kept whole with its provenance.
    let absorbed = store.absorbed_into(&a).unwrap();
    assert_eq!(absorbed.len(), 1);
    assert_eq!(absorbed[0].absorbed, b.as_str());
    assert_eq!(
        absorbed[0].absorbed_state.provenance().source.as_ref(),
        "beta"
    );
    assert_eq!(absorbed[0].why, ["siren"]);
    // The history says a merge made A's new version and removed B.
    let h = store.history(&a).unwrap();
    assert_eq!(h.last().unwrap().by.as_ref().unwrap().action, "merge");
    let hb = store.history(&b).unwrap();
    assert!(hb.last().unwrap().state.is_none());
    // The audit log has it.
    let log = store.audit_log(10, None).unwrap();
    assert!(log.iter().any(|e| e.action == "record.merge"));
    assert_ne!(export_json(&store), before);
    let hits = |s: &Store| {
        s.search(&archipel_store::SearchQuery::text("fablab capucins"))
            .unwrap()
            .total
    };
    assert_eq!(hits(&store), 1, "the absorbed record is out of search");

    // Undo: the registry as it was, exactly.
    let u = duplicates::undo(&mut store, m.merge, &by()).unwrap();
    assert_eq!(u.restored, 5, "{u:?}");
    assert_eq!(export_json(&store), before);
    assert_eq!(hits(&store), 2, "both found again");
    assert_eq!(store.referent_of(agent).unwrap(), [b.as_str()]);
    assert_eq!(store.resolve(&b).unwrap(), Some(b.clone()));
    assert!(store.absorbed_into(&a).unwrap().is_empty());
    assert!(store
        .audit_log(10, None)
        .unwrap()
        .iter()
        .any(|e| e.action == "record.unmerge"));
    // Twice: refused.
    assert!(matches!(
        duplicates::undo(&mut store, m.merge, &by()),
        Err(MergeError::AlreadyUndone(_))
    ));
    assert!(matches!(
        duplicates::undo(&mut store, 99, &by()),
        Err(MergeError::NoSuchMerge(99))
    ));

    // Merged again, then A changed: the undo is refused, nothing moves.
    let m2 = duplicates::merge(&mut store, &a, &b, "review", &[], &by()).unwrap();
    let mut changed = store.get(&a).unwrap().unwrap();
    if let Entity::Actor(x) = &mut changed {
        x.description = Some("Changé".into());
    }
    store
        .write("t", "test", None, |w| w.upsert(&changed))
        .unwrap();
    let after_edit = export_json(&store);
    let err = duplicates::undo(&mut store, m2.merge, &by()).unwrap_err();
    assert!(
        matches!(&err, MergeError::ChangedSince { record, .. } if record == a.as_str()),
        "{err}"
    );
    assert_eq!(export_json(&store), after_edit);
}

#[test]
fn a_relation_between_the_merged_records_is_removed_not_turned_on_itself() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("r.db")).unwrap();
    let (a, b) = small(&mut store);
    let between = Relation {
        id: Relation::derive_id("alpha", &a, "partner_of", &b, None).unwrap(),
        subject: a.clone(),
        kind: "partner_of".into(),
        object: b.clone(),
        role: None,
        since: None,
        until: None,
        note: None,
        provenance: Provenance::new("alpha", t0()),
    };
    load(&mut store, &[Entity::Relation(between.clone())]);
    let before = export_json(&store);
    let m = duplicates::merge(&mut store, &a, &b, "review", &[], &by()).unwrap();
    assert_eq!((m.relations_moved, m.relations_removed), (2, 1));
    let rels = store.relations_of(&a).unwrap();
    assert!(
        rels.iter().all(|r| r.subject != r.object),
        "no relation of the kept record to itself: {rels:?}"
    );
    assert!(store.get(&between.id).unwrap().is_none());
    // The undo brings it back with the rest, exactly.
    duplicates::undo(&mut store, m.merge, &by()).unwrap();
    assert_eq!(export_json(&store), before);
    assert!(store.get(&between.id).unwrap().is_some());
}

#[test]
fn merge_errors_name_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("r.db")).unwrap();
    let (a, b) = small(&mut store);
    let nobody = eid(EntityKind::Actor, "alpha", "nobody");
    let e = duplicates::merge(&mut store, &a, &nobody, "review", &[], &by()).unwrap_err();
    assert_eq!(e.to_string(), "actor:alpha:nobody: no such record");
    let e = duplicates::merge(&mut store, &a, &a, "review", &[], &by()).unwrap_err();
    assert!(matches!(e, MergeError::SameRecord(_)));
    let c = eid(EntityKind::Commons, "alpha", "c");
    let e = duplicates::merge(&mut store, &a, &c, "review", &[], &by()).unwrap_err();
    assert!(matches!(e, MergeError::KindsDiffer { .. }), "{e}");
    // Nothing was written by the refusals.
    assert!(store.get(&b).unwrap().is_some());
    assert!(store.merges(false).unwrap().is_empty());
}

#[test]
fn separated_pairs_are_not_proposed_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let mut store = Store::open(&path).unwrap();
    let mut a = actor("alpha", "a", "Café de la Gare", t0());
    let mut b = actor("beta", "b", "Cafe de la gare", t0());
    a.location = Some(GeoPoint {
        lat: 48.39,
        lon: -4.49,
    });
    b.location = Some(GeoPoint {
        lat: 48.391,
        lon: -4.49,
    });
    load(
        &mut store,
        &[Entity::Actor(a.clone()), Entity::Actor(b.clone())],
    );
    let found = duplicates::find(&store, &Options::default()).unwrap();
    assert_eq!(found.review.len(), 1);
    assert!(found.sure.is_empty());
    // Closer than the distance asked: no longer a candidate.
    let tight = Options {
        within_metres: 50.0,
        ..Options::default()
    };
    assert!(duplicates::find(&store, &tight).unwrap().review.is_empty());
    assert!(duplicates::separate(&mut store, &b.id, &a.id, &by()).unwrap());
    assert!(!duplicates::separate(&mut store, &a.id, &b.id, &by()).unwrap());
    drop(store);
    let store = Store::open(&path).unwrap();
    let found = duplicates::find(&store, &Options::default()).unwrap();
    assert!(found.review.is_empty(), "{:?}", found.review);
    assert!(store
        .audit_log(10, None)
        .unwrap()
        .iter()
        .any(|e| e.action == "record.separate"));
}

#[test]
fn a_reimported_absorbed_record_is_merged_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("r.db")).unwrap();
    let mut a = actor("alpha", "cafe", "Café de la Gare", t0());
    let mut b = actor("beta", "cafe", "Cafe de la gare", t0());
    a.location = Some(GeoPoint {
        lat: 48.39,
        lon: -4.49,
    });
    b.location = Some(GeoPoint {
        lat: 48.391,
        lon: -4.49,
    });
    let c = commons("beta", "c", "Cartes", t0());
    let uses = Entity::Relation(Relation {
        id: Relation::derive_id("beta", &b.id, "uses", &c.id, None).unwrap(),
        subject: b.id.clone(),
        kind: "uses".into(),
        object: c.id.clone(),
        role: None,
        since: None,
        until: None,
        note: None,
        provenance: Provenance::new("beta", t0()),
    });
    let beta = vec![Entity::Actor(b.clone()), Entity::Commons(c), uses];
    load(&mut store, &[Entity::Actor(a.clone())]);
    load(&mut store, &beta);
    // A person merges them (same name nearby: never automatic).
    assert!(
        duplicates::apply_sure(&mut store, &Options::default(), &by())
            .unwrap()
            .is_empty()
    );
    duplicates::merge(&mut store, &a.id, &b.id, "review", &["name".into()], &by()).unwrap();
    // The source is imported again: the café is back with its relation.
    load(&mut store, &beta);
    assert!(store.get(&b.id).unwrap().is_some());
    assert_eq!(store.relations_of(&b.id).unwrap().len(), 1);
    let found = duplicates::find(&store, &Options::default()).unwrap();
    assert_eq!(found.sure.len(), 1, "{found:?}");
    assert_eq!(found.sure[0].keys, ["merged_before"]);
    assert!(found.review.is_empty());
    let applied = duplicates::apply_sure(&mut store, &Options::default(), &by()).unwrap();
    assert_eq!(applied.len(), 1);
    assert!(store.get(&b.id).unwrap().is_none());
    assert_eq!(store.relations_of(&a.id).unwrap().len(), 1);
    assert_eq!(store.resolve(&b.id).unwrap(), Some(a.id.clone()));
}

/// The time a search and the sure merges take on 60,000 records (run
/// with `--ignored`; prints the figures).
#[test]
#[ignore]
fn timing_on_sixty_thousand_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("r.db")).unwrap();
    let g = generate(20_000, 11);
    load(&mut store, &g.records);
    let t = std::time::Instant::now();
    let found = duplicates::find(&store, &Options::default()).unwrap();
    let find = t.elapsed();
    let t = std::time::Instant::now();
    let applied = duplicates::apply_sure(&mut store, &Options::default(), &by()).unwrap();
    eprintln!(
        "{} records: find {:.2?} ({} sure, {} review); {} sure merges in {:.2?}",
        g.records.len(),
        find,
        found.sure.len(),
        found.review.len(),
        applied.len(),
        t.elapsed()
    );
    assert_eq!(applied.len(), g.sure.len());
}

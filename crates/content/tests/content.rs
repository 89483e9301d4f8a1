//! Loading, validation messages and coverage of the content files.

use archipel_content::{Content, Lang};
use archipel_domain::{ActionKind, Entity, EntityId, EntityKind, Nature};
use chrono::{TimeZone, Utc};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

mod common;
use common::{copy_folder, edit};

fn content_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content")
}

fn load() -> Content {
    match Content::embedded() {
        Ok(c) => c,
        Err(e) => panic!("embedded content does not load:\n{e}"),
    }
}

/// A copy of the content directory in a temporary folder.
fn copy_content() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    for sub in ["vocabularies", "mappings", "demo", "affiliations"] {
        copy_folder(&content_dir().join(sub), tmp.path(), sub);
    }
    tmp
}

/// The error of loading a copy of `content/` in which `file` has `from`
/// replaced by `to`.
fn error_after_edit(file: &str, from: &str, to: &str) -> archipel_content::ContentError {
    let dir = copy_content();
    edit(dir.path(), file, from, to);
    Content::load_dir(dir.path()).expect_err("must fail")
}

#[test]
fn embedded_content_loads() {
    let c = load();
    for v in [
        "commons_kinds",
        "actor_kinds",
        "typology_families",
        "typology",
        "relation_types",
        "governance_roles",
        "territory_levels",
        "event_categories",
    ] {
        let voc = c.vocabulary(v).unwrap_or_else(|| panic!("vocabulary {v}"));
        assert!(!voc.source.is_empty(), "{v} credits no source");
        for t in &voc.terms {
            assert!(!t.fr.is_empty() && !t.en.is_empty(), "{v}/{}", t.key);
        }
    }
    assert_eq!(
        c.label("actor_kinds", "chatons_host", Lang::En),
        "CHATONS host"
    );
    assert_eq!(c.label("governance_roles", "garant", Lang::Fr), "Garant");
    assert_eq!(c.label("typology", "nope", Lang::Fr), "nope");
    assert_eq!(c.label("no_vocabulary", "x", Lang::En), "x");
    assert!(c.has_term("commons_kinds", "dataset"));
    assert!(!c.has_term("commons_kinds", "hardware"));
}

#[test]
fn the_same_files_load_from_a_directory() {
    let from_disk = Content::load_dir(&content_dir()).expect("content dir loads");
    let embedded = load();
    let now = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("date");
    let a = from_disk.demo_entities(now).expect("demo");
    let b = embedded.demo_entities(now).expect("demo");
    assert_eq!(a, b);
}

#[test]
fn relation_types_know_both_directions_and_ends() {
    let c = load();
    let rt = c.relation_type("operates").expect("operates");
    assert!(rt.allows(EntityKind::Actor, EntityKind::Place));
    assert!(!rt.allows(EntityKind::Place, EntityKind::Actor));
    assert_eq!(rt.label(Lang::Fr), "gère");
    assert_eq!(rt.inverse_label(Lang::En), "is run by");
    let gov = c.relation_type("governance_role").expect("governance_role");
    assert_eq!(gov.role_vocabulary.as_deref(), Some("governance_roles"));
    assert!(c.relation_type("partner_of").expect("partner_of").symmetric);
}

#[test]
fn mediation_codes_map_to_known_kinds() {
    let c = load();
    for code in [
        "CCAS",
        "ASSO",
        "TIERS_LIEUX",
        "BIB",
        "EPCI",
        "CS",
        "MJC",
        "FABLAB",
        "MUNI",
        "RFS",
    ] {
        let m = c
            .mediation_typology(code)
            .unwrap_or_else(|| panic!("code {code}"));
        assert!(c.has_term("actor_kinds", &m.actor_kind), "{code}");
    }
    let tl = c.mediation_typology("TIERS_LIEUX").expect("TIERS_LIEUX");
    assert_eq!(tl.actor_kind, "tiers_lieu");
    assert_eq!(tl.family.as_deref(), Some("opportunity_space_organiser"));
    assert_eq!(
        c.mediation_typology("bib").map(|m| m.code.as_str()),
        Some("BIB")
    );
    assert_eq!(
        c.mediation_typology("CCAS")
            .and_then(|m| m.family.as_deref()),
        Some("territorial_public_service")
    );
    assert!(c.mediation_typology("PE").is_some_and(|m| m.legacy));
    assert!(c.mediation_typology("Autre").is_none());
    for m in c.mediation_typologies() {
        assert!(c.has_term("actor_kinds", &m.actor_kind), "{}", m.code);
    }
}

#[test]
fn missing_label_names_file_and_term() {
    let err = error_after_edit("vocabularies/actor_kinds.toml", "en = \"Fab lab\"\n", "");
    let msg = err.to_string();
    assert!(msg.contains("actor_kinds.toml"), "{msg}");
    assert!(
        msg.contains("term \"fablab\": missing English label"),
        "{msg}"
    );
    assert!(err.line.is_some());
}

#[test]
fn unknown_vocabulary_key_names_file_and_item() {
    let msg = error_after_edit(
        "demo/actors.toml",
        "kind = \"local_government\"",
        "kind = \"unicorn\"",
    )
    .to_string();
    assert!(msg.contains("actors.toml"), "{msg}");
    assert!(msg.contains("actor \"actor:demo:metropole\""), "{msg}");
    assert!(
        msg.contains("`unicorn` is not a key of the actor_kinds vocabulary"),
        "{msg}"
    );
}

#[test]
fn dangling_reference_names_file_and_item() {
    let msg = error_after_edit(
        "demo/relations.toml",
        "object = \"actor:demo:metropole\"",
        "object = \"actor:demo:nobody\"",
    )
    .to_string();
    assert!(msg.contains("relations.toml"), "{msg}");
    assert!(msg.contains("actor:demo:nobody"), "{msg}");
    assert!(
        msg.contains("is not a record of the demonstration"),
        "{msg}"
    );
}

#[test]
fn mapping_to_an_unknown_kind_fails() {
    let msg = error_after_edit(
        "mappings/mediation-typologie.toml",
        "actor_kind = \"library\"",
        "actor_kind = \"bibliotheque\"",
    )
    .to_string();
    assert!(msg.contains("mediation-typologie.toml"), "{msg}");
    assert!(msg.contains("code \"BIB\""), "{msg}");
    assert!(
        msg.contains("`bibliotheque` is not a key of actor_kinds"),
        "{msg}"
    );
}

#[test]
fn broken_toml_reports_a_line() {
    let dir = copy_content();
    edit(
        dir.path(),
        "vocabularies/typology.toml",
        "key = \"academic\"",
        "key = ",
    );
    let err = Content::load_dir(dir.path()).expect_err("must fail");
    assert!(err.file.ends_with("typology.toml"), "{err}");
    assert!(err.line.is_some(), "{err}");
    assert!(err.to_string().contains("not valid TOML"), "{err}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let dir = copy_content();
    edit(
        dir.path(),
        "vocabularies/actor_kinds.toml",
        "en = \"Fab lab\"\n",
        "",
    );
    edit(
        dir.path(),
        "vocabularies/commons_kinds.toml",
        "fr = \"Jeu de données\"\n",
        "",
    );
    let err = Content::load_dir(dir.path()).expect_err("must fail");
    assert!(err.problems().count() >= 2, "{err}");
}

#[test]
fn check_entity_reports_fields() {
    let c = load();
    let now = Utc::now();
    let rel = |kind: &str, s: &str, o: &str, role: Option<&str>| {
        let subject = EntityId::parse(s).expect("id");
        let object = EntityId::parse(o).expect("id");
        Entity::Relation(archipel_domain::Relation {
            id: archipel_domain::Relation::derive_id("t", &subject, kind, &object, role)
                .expect("id"),
            subject,
            kind: kind.to_string(),
            object,
            role: role.map(str::to_string),
            since: None,
            until: None,
            note: None,
            provenance: archipel_domain::Provenance::new("t", now),
        })
    };
    let ok = rel("maintains", "actor:t:a", "commons:t:c", None);
    assert!(c.check_entity(&ok).is_empty());
    let wrong_end = rel("maintains", "place:t:a", "commons:t:c", None);
    assert_eq!(c.check_entity(&wrong_end)[0].0, "subject");
    let no_role = rel("governance_role", "actor:t:a", "commons:t:c", None);
    assert_eq!(c.check_entity(&no_role)[0].0, "role");
    let bad_role = rel("governance_role", "actor:t:a", "commons:t:c", Some("king"));
    assert_eq!(c.check_entity(&bad_role)[0].0, "role");
    let good_role = rel(
        "governance_role",
        "actor:t:a",
        "commons:t:c",
        Some("garant"),
    );
    assert!(c.check_entity(&good_role).is_empty());
    let unknown = rel("likes", "actor:t:a", "commons:t:c", None);
    assert_eq!(c.check_entity(&unknown)[0].0, "kind");
}

fn demo(c: &Content) -> Vec<Entity> {
    c.demo_entities(Utc::now()).expect("demo")
}

#[test]
fn demo_records_carry_their_provenance() {
    let c = load();
    let now = Utc
        .with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
        .single()
        .expect("date");
    for e in c.demo_entities(now).expect("demo") {
        let p = e.provenance();
        assert_eq!(&*p.source, "demo");
        assert_eq!(p.created_at, now);
        let file = p.file.as_deref().unwrap_or_default();
        assert!(
            file.starts_with("content/demo/") && file.ends_with(".toml"),
            "{file}"
        );
        assert!(p.line.is_some());
        assert!(c.check_entity(&e).is_empty(), "{}", e.id());
    }
}

#[test]
fn demo_territories_are_fictional() {
    let c = load();
    for e in demo(&c) {
        if let Entity::Territory(t) = e {
            assert!(t.fictional, "{}", t.id);
            assert!(t.code.starts_with("96"), "{}", t.id);
        }
    }
}

#[test]
fn demo_covers_vocabularies() {
    let c = load();
    let entities = demo(&c);
    let mut kinds = BTreeSet::new();
    let mut typology = BTreeSet::new();
    let mut natures = BTreeSet::new();
    let mut relations = BTreeSet::new();
    let mut roles = BTreeSet::new();
    let mut commons_kinds = BTreeSet::new();
    for e in &entities {
        match e {
            Entity::Actor(a) => {
                kinds.extend(a.kind.clone());
                typology.extend(a.typology.iter().cloned());
                natures.insert(a.nature.as_str());
            }
            Entity::Relation(r) => {
                relations.insert(r.kind.clone());
                roles.extend(r.role.clone());
            }
            Entity::Commons(cm) => {
                commons_kinds.insert(cm.kind.clone());
            }
            _ => {}
        }
    }
    let all = |v: &str| -> BTreeSet<String> {
        c.vocabulary(v)
            .expect("vocabulary")
            .keys()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(kinds, all("actor_kinds"), "actor kinds");
    assert_eq!(relations, all("relation_types"), "relation types");
    assert_eq!(roles, all("governance_roles"), "governance roles");
    assert_eq!(commons_kinds, all("commons_kinds"), "commons kinds");
    let families: BTreeSet<String> = typology
        .iter()
        .filter_map(|t| {
            c.term("typology", t)?
                .extra_str("family")
                .map(str::to_string)
        })
        .collect();
    assert_eq!(families, all("typology_families"), "typology families");
    assert_eq!(typology, all("typology"), "typology");
    assert!(natures.contains(Nature::Person.as_str()));
}

#[test]
fn the_affiliation_table_names_only_actor_kinds_of_the_vocabulary() {
    let e = error_after_edit(
        "affiliations/domains.toml",
        "name = \"Inria\"\nkind = \"research_lab\"",
        "name = \"Inria\"\nkind = \"academic\"",
    );
    assert!(e.file.ends_with("affiliations/domains.toml"), "{e}");
    assert_eq!(e.item, "organization \"Inria\"");
    assert!(e.reason.contains("`academic`"), "{e}");
    let text = std::fs::read_to_string(content_dir().join("affiliations/domains.toml")).unwrap();
    let line = text.lines().position(|l| l == "name = \"Inria\"").unwrap() as u64 + 2;
    assert_eq!(e.line, Some(line));
}

#[test]
fn the_demo_public_action_loads_and_its_slips_are_named() {
    let c = load();
    let now = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("date");
    let actions = c.demo_actions(now);
    // The two calls, then the ten grants, the twelve applications, and
    // the rest: four loans or gifts, two hostings, six events, one post.
    assert_eq!(actions.len(), 37);
    assert_eq!(
        actions[0].id().as_str(),
        "call:demo:communs-en-partage-2022"
    );
    let kinds: Vec<ActionKind> = actions.iter().map(|a| a.kind()).collect();
    let first = |k| kinds.iter().position(|x| *x == k).unwrap();
    assert!(first(ActionKind::Grant) > 1 && first(ActionKind::Application) > 11);
    for k in ActionKind::ALL {
        assert!(kinds.contains(&k), "{k}");
    }
    for a in &actions {
        let p = a.provenance();
        assert_eq!(&*p.source, "demo");
        assert_eq!(p.file.as_deref(), Some("content/demo/support.toml"));
        assert!(p.line.is_some());
        assert_eq!(p.created_at, now);
    }
    let from_disk = Content::load_dir(&content_dir()).expect("content dir loads");
    assert_eq!(from_disk.demo_actions(now), actions);

    // An amount in euros instead of cents, a beneficiary that is no
    // demonstration record, a call that does not exist.
    let err = error_after_edit(
        "demo/support.toml",
        "amount_cents = 650000",
        "amount_cents = \"6500,00\"",
    );
    assert!(err.file.ends_with("demo/support.toml"), "{err}");
    assert!(err.line.is_some(), "{err}");
    assert!(err.to_string().contains("2022-aap-wiki-des-rives"), "{err}");
    let err = error_after_edit(
        "demo/support.toml",
        "beneficiary = \"actor:demo:la-coursive\"",
        "beneficiary = \"actor:demo:nobody\"",
    );
    assert!(
        err.to_string()
            .contains("beneficiary: `actor:demo:nobody` is not a demonstration record"),
        "{err}"
    );
    let err = error_after_edit(
        "demo/support.toml",
        "call = \"call:demo:communs-en-partage-2022\"",
        "call = \"call:demo:elsewhere\"",
    );
    assert!(
        err.to_string()
            .contains("call: `call:demo:elsewhere` is not a demonstration call"),
        "{err}"
    );
    // The vocabularies of an event: its category, its attendance's actor
    // kinds and typology.
    for (from, to, says) in [
        (
            "category = \"meetup\"",
            "category = \"party\"",
            "category: `party` is not a key of the event_categories vocabulary",
        ),
        (
            "by_actor_kind = { association = 5,",
            "by_actor_kind = { associations = 5,",
            "attendance.by_actor_kind.associations: `associations` is not a key of the actor_kinds vocabulary",
        ),
        (
            "by_typology = { public_agent = 7,",
            "by_typology = { agent = 7,",
            "attendance.by_typology.agent: `agent` is not a key of the typology vocabulary",
        ),
        (
            "fte = \"1\"",
            "fte = \"1,0\"",
            "not a full-time equivalent",
        ),
    ] {
        let err = error_after_edit("demo/support.toml", from, to);
        assert!(err.to_string().contains(says), "{from}: {err}");
        assert!(err.line.is_some(), "{err}");
    }
}

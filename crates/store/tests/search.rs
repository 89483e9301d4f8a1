//! Full-text search on real temporary SQLite files: the in-memory path
//! and the SQL path (filters other than the kind) agree, the index follows writes made elsewhere, and
//! ranking follows its documented rules.

use archipel_domain::*;
use archipel_store::{FacetedQuery, Filter, SearchQuery, Store};
use archipel_testkit::records::{self, id, t0};

fn territory() -> Entity {
    Entity::Territory(Territory {
        id: id(EntityKind::Territory, "t"),
        name: "Métropole d'essai".into(),
        level: "epci".into(),
        code: "200000000".into(),
        parent: None,
        fictional: true,
        department: None,
        population: None,
        postcodes: Vec::new(),
        provenance: Provenance::new("test", t0()),
    })
}

/// An association on the territory of [`territory`], described by `desc`.
fn actor(local: &str, name: &str, desc: Option<&str>) -> Entity {
    Entity::Actor(Actor {
        description: desc.map(Into::into),
        territory: Some(id(EntityKind::Territory, "t")),
        ..records::actor(local, name)
    })
}

fn write(store: &mut Store, records: Vec<Entity>) {
    store
        .write("test", "manual", None, |w| {
            for r in &records {
                w.upsert(r)?;
            }
            Ok(())
        })
        .unwrap();
}

/// Repeatable draws: `next(n)` is a number below `n`.
fn draws(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) % n as u64) as usize
    }
}

/// A few hundred actors with names and descriptions drawn from a small
/// vocabulary, so that words are shared, prefixed and accented.
fn generated() -> Vec<Entity> {
    let names = [
        "Médiathèque",
        "Bibliothèque",
        "Atelier",
        "Ateliers",
        "Tiers-lieu",
        "Fablab",
        "Espace",
        "Numérique",
        "Centre",
        "Social",
        "Maison",
        "Saint-Étienne",
        "Sainte-Anne",
        "Brest",
        "Lyon",
        "Œuvre",
        "Café",
        "Réseau",
        "Lieux",
        "Lieu",
    ];
    let descs = [
        "ateliers numériques pour tous",
        "accompagnement aux démarches en ligne",
        "prêt de matériel et réparation",
        "initiation à la programmation",
        "lieu de rencontre du quartier",
    ];
    let mut out = vec![territory()];
    let mut next = draws(7);
    for i in 0..400 {
        let words = 1 + next(3);
        let name: Vec<&str> = (0..words).map(|_| names[next(names.len())]).collect();
        let desc = (next(3) > 0).then(|| descs[next(descs.len())]);
        out.push(actor(
            &format!("a{i}"),
            &format!("{} {i}", name.join(" ")),
            desc,
        ));
    }
    out
}

fn ids(store: &Store, text: &str, filter: Filter) -> (u64, Vec<String>) {
    let page = store
        .search_page(&FacetedQuery {
            text: text.into(),
            filter,
            limit: 500,
            offset: 0,
        })
        .unwrap();
    (page.total, page.items.into_iter().map(|s| s.id).collect())
}

#[test]
fn memory_and_sql_paths_agree() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    write(&mut store, generated());
    let mut non_empty = 0;
    for q in [
        "mediatheque",
        "MÉDIATHÈQUE",
        "atel",
        "atelier",
        "ateliers numeriques",
        "tiers lieu",
        "lieu",
        "saint etienne",
        "sainte",
        "oeuvre",
        "œuvre",
        "brest 1",
        "b",
        "zzz",
        "numerique brest",
        "cafe reseau",
        "initiation programmation",
        "lieux",
    ] {
        // A kind filter keeps the search in memory; a territory filter
        // (every actor is in it) sends it through SQL.
        let memory = ids(
            &store,
            q,
            Filter {
                kind: Some(EntityKind::Actor),
                ..Filter::default()
            },
        );
        let territory = Some(EntityId::new(EntityKind::Territory, "test", "t").unwrap());
        let sql = ids(
            &store,
            q,
            Filter {
                territory,
                ..Filter::default()
            },
        );
        assert_eq!(memory, sql, "{q}");
        // Facet counts cover the same matches.
        let all = FacetedQuery {
            text: q.into(),
            filter: Filter::default(),
            limit: 10,
            offset: 0,
        };
        let total = store.search_page(&all).unwrap().total;
        let facets = store.facets(&all, 10).unwrap();
        assert_eq!(
            facets.kind.iter().map(|c| c.count).sum::<u64>(),
            total,
            "{q}"
        );
        let actors = facets
            .kind
            .iter()
            .find(|c| c.key == "actor")
            .map_or(0, |c| c.count);
        assert_eq!(actors, memory.0, "{q}");
        non_empty += usize::from(memory.0 > 0);
    }
    assert!(
        non_empty >= 14,
        "the queries should mostly match: {non_empty}"
    );
}

#[test]
fn ranking_names_first_then_shorter_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("r.db")).unwrap();
    write(
        &mut store,
        vec![
            territory(),
            actor("long", "Médiathèque municipale de la ville", None),
            actor("desc", "Espace", Some("Une médiathèque")),
            actor("short", "Médiathèque", None),
            actor("mid", "Médiathèques du Ponant", None),
        ],
    );
    let r = store.search(&SearchQuery::text("mediatheque")).unwrap();
    let order: Vec<&str> = r.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(
        order,
        [
            "actor:test:short",
            "actor:test:mid",
            "actor:test:long",
            "actor:test:desc"
        ]
    );
    assert_eq!(r.total, 4);
    assert_eq!(r.hits[3].excerpt.as_deref(), Some("Une médiathèque"));
    // Pages follow the same order.
    let mut q = SearchQuery::text("mediatheque");
    q.limit = 2;
    q.offset = 1;
    let page: Vec<String> = store
        .search(&q)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(page, ["actor:test:mid", "actor:test:long"]);
    // Every word must match; a one-letter word matches only itself.
    assert_eq!(
        store
            .search(&SearchQuery::text("mediatheque ponant"))
            .unwrap()
            .total,
        1
    );
    assert_eq!(store.search(&SearchQuery::text("m")).unwrap().total, 0);
    assert_eq!(
        store
            .search(&SearchQuery::text("mediatheque zzz"))
            .unwrap()
            .total,
        0
    );
    assert_eq!(store.search(&SearchQuery::text("« — »")).unwrap().total, 0);
}

#[test]
fn the_index_follows_writes_from_another_connection() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let mut writer = Store::open(&path).unwrap();
    write(
        &mut writer,
        vec![territory(), actor("a", "Fablab des Capucins", None)],
    );
    let reader = Store::open(&path).unwrap();
    assert_eq!(
        reader.search(&SearchQuery::text("fablab")).unwrap().total,
        1
    );
    // The SQL path (a territory filter) keeps its matches between searches
    // of the same words: they must follow writes too.
    let in_territory = |text: &str| {
        let territory = Some(EntityId::new(EntityKind::Territory, "test", "t").unwrap());
        ids(
            &reader,
            text,
            Filter {
                territory,
                ..Filter::default()
            },
        )
        .0
    };
    assert_eq!(in_territory("fablab"), 1);
    write(&mut writer, vec![actor("b", "Fablab du Port", None)]);
    assert_eq!(
        reader.search(&SearchQuery::text("fablab")).unwrap().total,
        2
    );
    assert_eq!(in_territory("fablab"), 2);
    write(&mut writer, vec![actor("b", "Repair café du Port", None)]);
    assert_eq!(in_territory("fablab"), 1);
    assert_eq!(
        reader.search(&SearchQuery::text("fablab")).unwrap().total,
        1
    );
    assert_eq!(
        reader.search(&SearchQuery::text("repair")).unwrap().total,
        1
    );
    // A second reader of the same file shares the rebuilt index and agrees.
    let other = Store::open(&path).unwrap();
    assert_eq!(other.search(&SearchQuery::text("port")).unwrap().total, 1);
}

/// A varied registry: a region with two intermunicipal bodies and four
/// communes; actors of three kinds with typologies, in communes or in
/// none; commons of two kinds with three licences or none.
fn varied() -> Vec<Entity> {
    let tid = |l: &str| EntityId::new(EntityKind::Territory, "test", l).unwrap();
    let terr = |local: &str, level: &str, parent: Option<&str>| {
        Entity::Territory(Territory {
            id: tid(local),
            name: format!("Territoire {local}"),
            level: level.into(),
            code: "00000".into(),
            parent: parent.map(tid),
            fictional: true,
            department: None,
            population: None,
            postcodes: Vec::new(),
            provenance: Provenance::new("test", t0()),
        })
    };
    let mut out = vec![
        terr("r", "region", None),
        terr("e1", "epci", Some("r")),
        terr("e2", "epci", Some("r")),
    ];
    let communes = ["c1", "c2", "c3", "c4"];
    for (i, c) in communes.iter().enumerate() {
        out.push(terr(c, "commune", Some(if i < 2 { "e1" } else { "e2" })));
    }
    let kinds = ["association", "company", "local_government"];
    let typologies = ["contributor", "academic", "organiser", "public_service"];
    let licences = [
        Some("MIT"),
        Some("GPL-3.0-or-later"),
        Some("EUPL-1.2"),
        None,
    ];
    let words = ["atelier", "numerique", "libre", "donnees"];
    // Attributes drawn independently, so that no two facets move together.
    let mut next = draws(11);
    for i in 0..300usize {
        let name = format!("{} {} {i}", words[next(4)], words[next(4)]);
        if next(3) == 0 {
            out.push(Entity::Commons(Commons {
                id: EntityId::new(EntityKind::Commons, "test", &format!("k{i}")).unwrap(),
                name,
                kind: ["software", "dataset"][next(2)].into(),
                description: None,
                repository_url: None,
                website_url: None,
                license: licences[next(4)].map(Into::into),
                publiccode: None,
                categories: vec![],
                identifiers: Identifiers::default(),
                details: Default::default(),
                provenance: Provenance::new("test", t0()),
            }));
        } else {
            let mut a = actor(&format!("a{i}"), &name, None);
            if let Entity::Actor(x) = &mut a {
                x.kind = Some(kinds[next(3)].into());
                x.typology = typologies
                    .iter()
                    .filter(|_| next(2) == 1)
                    .map(|t| t.to_string())
                    .collect();
                x.territory = (next(5) != 0).then(|| tid(communes[next(4)]));
            }
            out.push(a);
        }
    }
    out
}

#[test]
fn facets_of_a_search_count_what_choosing_them_finds() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("f.db")).unwrap();
    write(&mut store, varied());
    let tid = |l: &str| EntityId::new(EntityKind::Territory, "test", l).unwrap();
    let total = |text: &str, filter: Filter| {
        store
            .search_page(&FacetedQuery {
                text: text.into(),
                filter,
                limit: 1,
                offset: 0,
            })
            .unwrap()
            .total
    };
    let bases = [
        Filter::default(),
        Filter {
            kind: Some(EntityKind::Actor),
            subkind: Some("company".into()),
            ..Filter::default()
        },
        Filter {
            typology: Some("academic".into()),
            territory: Some(tid("e2")),
            ..Filter::default()
        },
        Filter {
            kind: Some(EntityKind::Commons),
            licence: Some("MIT".into()),
            ..Filter::default()
        },
    ];
    let mut checked = 0;
    for text in ["atelier", "numerique libre", "donnees", "a"] {
        for base in &bases {
            let q = FacetedQuery {
                text: text.into(),
                filter: base.clone(),
                limit: 10,
                offset: 0,
            };
            let f = store.facets(&q, 50).unwrap();
            // How choosing a value of each facet narrows the filter.
            type Choose = fn(&mut Filter, &str);
            let facets: [(&Vec<_>, Choose); 6] = [
                (&f.kind, |f, k| f.kind = k.parse().ok()),
                (&f.actor_kind, |f, k| {
                    f.kind = Some(EntityKind::Actor);
                    f.subkind = Some(k.into());
                }),
                (&f.commons_kind, |f, k| {
                    f.kind = Some(EntityKind::Commons);
                    f.subkind = Some(k.into());
                }),
                (&f.typology, |f, k| {
                    f.kind = Some(EntityKind::Actor);
                    f.typology = Some(k.into());
                }),
                // Records are only in communes, which have nothing below.
                (&f.territory, |f, k| f.territory = k.parse().ok()),
                (&f.licence, |f, k| {
                    f.kind = Some(EntityKind::Commons);
                    f.licence = Some(k.into());
                }),
            ];
            for (facet, choose) in facets {
                for c in facet {
                    let mut filter = base.clone();
                    choose(&mut filter, &c.key);
                    assert_eq!(c.count, total(text, filter), "{text} {base:?} {c:?}");
                    checked += 1;
                }
                // Largest first, then by key.
                for w in facet.windows(2) {
                    assert!(
                        (w[0].count, &w[1].key) > (w[1].count, &w[0].key),
                        "{text} {base:?} {facet:?}"
                    );
                }
            }
        }
    }
    assert!(
        checked > 120,
        "the facets should mostly hold values: {checked}"
    );
}

//! The official divisions in real temporary registries: every commune of
//! the built-in file loads, with its hierarchy, population and postcodes;
//! a region, a commune or an EPCI brings its whole hierarchy and nothing
//! else; a médiation row attaches to the official commune and counts in
//! the figures of its EPCI and department.

use archipel_content::Content;
use archipel_domain::{Entity, EntityId, EntityKind, Territory};
use archipel_formats::territories::{self, Scope};
use archipel_formats::ImportContext;
use archipel_jobs::import::{self, Format, ImportRequest};
use archipel_store::{ScopeQuery, Store};
use archipel_testkit::mediation::HEADER;

fn registry() -> (tempfile::TempDir, Store, Content) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("registry.db")).unwrap();
    (dir, store, Content::embedded().unwrap())
}

fn load(
    store: &mut Store,
    content: &Content,
    scope: &Scope,
) -> archipel_jobs::territories::TerritoriesReport {
    let d = territories::official().unwrap();
    let mut last = None;
    let report =
        archipel_jobs::territories::import(store, content, d, scope, &mut |p| last = Some(p))
            .unwrap();
    let last = last.unwrap();
    assert_eq!(last.done, last.total, "progress reaches the end");
    report
}

fn territory(store: &Store, id: &str) -> Territory {
    match store.get(&EntityId::parse(id).unwrap()).unwrap() {
        Some(Entity::Territory(t)) => t,
        other => panic!("{id}: {other:?}"),
    }
}

fn ids(store: &Store, level: &str) -> Vec<String> {
    store
        .ids_of(EntityKind::Territory, level, territories::SOURCE)
        .unwrap()
}

fn scope_count(store: &Store, id: &str) -> archipel_store::ScopeStats {
    store
        .scope_stats(&ScopeQuery {
            territory: EntityId::parse(id).unwrap(),
            commons: None,
            actor_groups: Vec::new(),
            link_groups: Vec::new(),
            support_relations: Vec::new(),
            association_kinds: Vec::new(),
        })
        .unwrap()
        .unwrap()
}

#[test]
fn every_commune_loads_with_its_hierarchy() {
    let (_dir, mut store, content) = registry();
    let d = territories::official().unwrap();
    let report = load(&mut store, &content, &Scope::All);
    assert_eq!(report.communes as usize, d.communes.len());
    assert!(d.communes.len() > 34_000, "{}", d.communes.len());
    assert_eq!(ids(&store, "commune").len(), d.communes.len());
    assert_eq!(ids(&store, "epci").len(), d.epci.len());
    assert_eq!(ids(&store, "departement").len(), d.departements.len());
    assert_eq!(ids(&store, "region").len(), d.regions.len());

    // Brest 29019 → Brest Métropole → Finistère → Bretagne.
    let brest = territory(&store, "territory:insee:commune:29019");
    assert_eq!(brest.name, "Brest");
    assert_eq!(brest.level, "commune");
    assert_eq!(brest.postcodes, ["29200"]);
    assert!(brest.population.unwrap() > 100_000);
    assert_eq!(
        brest.parent.as_ref().unwrap().as_str(),
        "territory:insee:epci:242900314"
    );
    assert_eq!(
        brest.department.as_ref().unwrap().as_str(),
        "territory:insee:departement:29"
    );
    let metropole = territory(&store, "territory:insee:epci:242900314");
    assert_eq!(metropole.name, "Brest Métropole");
    assert_eq!(metropole.code, "242900314");
    assert_eq!(
        metropole.parent.as_ref().unwrap().as_str(),
        "territory:insee:departement:29"
    );
    let finistere = territory(&store, "territory:insee:departement:29");
    assert_eq!(finistere.name, "Finistère");
    assert_eq!(
        finistere.parent.as_ref().unwrap().as_str(),
        "territory:insee:region:53"
    );
    let bretagne = territory(&store, "territory:insee:region:53");
    assert_eq!(bretagne.name, "Bretagne");
    assert!(bretagne.parent.is_none());
    assert!(bretagne.population.unwrap() > finistere.population.unwrap());
    let path: Vec<String> = store
        .territory_path(&brest.id)
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(path, ["Bretagne", "Finistère", "Brest Métropole", "Brest"]);

    // A commune in no EPCI hangs under its department.
    let ouessant = territory(&store, "territory:insee:commune:29155");
    assert_eq!(ouessant.parent, Some(finistere.id.clone()));
    assert!(ouessant.department.is_none());

    // An EPCI over two departments: its communes count in their own
    // department, not in the one the EPCI hangs under.
    let redon = territory(&store, "territory:insee:epci:243500741");
    assert_eq!(
        redon.parent.as_ref().unwrap().as_str(),
        "territory:insee:departement:35"
    );
    let of = |dep: &str| d.communes.iter().filter(|c| c.departement == dep).count() as u64;
    let epci_in = |dep: &str| {
        let mut set: Vec<&str> = d
            .communes
            .iter()
            .filter(|c| c.departement == dep)
            .filter_map(|c| c.epci.as_deref())
            .filter(|e| d.epci(e).map(|x| x.departement.as_str()) == Some(dep))
            .collect();
        set.sort();
        set.dedup();
        set.len() as u64
    };
    let ille = scope_count(&store, "territory:insee:departement:35");
    assert_eq!(ille.territories, 1 + of("35") + epci_in("35"));
    let loire_atlantique = scope_count(&store, "territory:insee:departement:44");
    assert_eq!(loire_atlantique.territories, 1 + of("44") + epci_in("44"));
    let whole = scope_count(&store, "territory:insee:epci:243500741");
    let members = d
        .communes
        .iter()
        .filter(|c| c.epci.as_deref() == Some("243500741"));
    assert_eq!(whole.territories, 1 + members.count() as u64);

    // Loading again changes nothing.
    let again = load(&mut store, &content, &Scope::All);
    assert_eq!(again.written.inserted + again.written.updated, 0);
}

#[test]
fn a_region_loads_only_its_own() {
    let (_dir, mut store, content) = registry();
    let d = territories::official().unwrap();
    let scope = d.find("region:53").unwrap();
    assert_eq!(scope, Scope::Region("53".into()));
    let report = load(&mut store, &content, &scope);
    assert_eq!(ids(&store, "region"), ["territory:insee:region:53"]);
    let deps = ids(&store, "departement");
    assert_eq!(
        deps,
        ["22", "29", "35", "56"].map(|c| format!("territory:insee:departement:{c}"))
    );
    let communes = ids(&store, "commune");
    let expected = d
        .communes
        .iter()
        .filter(|c| ["22", "29", "35", "56"].contains(&c.departement.as_str()))
        .count();
    assert_eq!(communes.len(), expected);
    assert_eq!(report.communes as usize, expected);
    for id in &communes {
        let t = territory(&store, id);
        let dep = t.department.as_ref().or(t.parent.as_ref()).unwrap();
        assert!(deps.contains(&dep.to_string()), "{id} in {dep}");
    }
    // Every EPCI has a member in Bretagne and hangs under a Breton department.
    for id in ids(&store, "epci") {
        let t = territory(&store, &id);
        assert!(deps.contains(&t.parent.unwrap().to_string()), "{id}");
    }
    assert_eq!(
        scope_count(&store, "territory:insee:region:53").territories,
        { (1 + 4 + expected + ids(&store, "epci").len()) as u64 }
    );
    // A code that is both a region and a department must say which.
    assert!(matches!(
        d.find("53"),
        Err(territories::DivisionsError::Ambiguous(_))
    ));
    assert_eq!(d.find("29").unwrap(), Scope::Departement("29".into()));
    assert!(d.find("99999").is_err());
}

#[test]
fn a_commune_or_an_epci_brings_its_whole_hierarchy() {
    let (_dir, mut store, content) = registry();
    let d = territories::official().unwrap();
    let scope = d.find("29019").unwrap();
    assert_eq!(scope, Scope::Commune("29019".into()));
    load(&mut store, &content, &scope);
    assert_eq!(ids(&store, "commune"), ["territory:insee:commune:29019"]);
    assert_eq!(ids(&store, "epci"), ["territory:insee:epci:242900314"]);
    assert_eq!(
        ids(&store, "departement"),
        ["territory:insee:departement:29"]
    );
    assert_eq!(ids(&store, "region"), ["territory:insee:region:53"]);

    let (_dir2, mut store, content) = registry();
    let scope = d.find("242900314").unwrap();
    load(&mut store, &content, &scope);
    let communes = ids(&store, "commune");
    assert_eq!(
        communes.len(),
        8,
        "Brest Métropole's eight communes: {communes:?}"
    );
    assert!(communes.contains(&"territory:insee:commune:29019".to_string()));
    assert_eq!(
        ids(&store, "departement"),
        ["territory:insee:departement:29"]
    );
    assert_eq!(ids(&store, "region"), ["territory:insee:region:53"]);
}

#[test]
fn a_mediation_row_attaches_to_the_official_commune() {
    let (_dir, mut store, content) = registry();
    let d = territories::official().unwrap();
    load(&mut store, &content, &d.find("departement:29").unwrap());
    // One row with Brest's INSEE code, one with only its postcode and a
    // city name written otherwise, one in Paris's 1st arrondissement (not
    // in this registry: a commune of its own, as before).
    let csv = format!(
        "{HEADER}\n\
         lieu-1,21290019700010,Médiathèque des Capucins,Brest,29200,29019,25 rue de Pontaniou,48.38,-4.50,BIB,2024-03-01,Ateliers\n\
         lieu-2,21290019700011,Espace numérique,BREST CEDEX 2,29200,,1 rue de Siam,48.39,-4.48,BIB,2024-03-01,Ateliers\n\
         lieu-3,21290019700012,Bibliothèque du Louvre,Paris,75001,75101,1 rue de Rivoli,48.86,2.34,BIB,2024-03-01,Ateliers\n"
    );
    let report = import::run(
        &mut store,
        ImportRequest {
            format: Format::Mediation,
            bytes: csv.as_bytes(),
            context: ImportContext::new("lieux.csv", "mediation", &content),
            skip_invalid: false,
            mapping: None,
        },
        &mut |_| {},
    )
    .unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(report.written.is_some());
    let brest = "territory:insee:commune:29019";
    for place in ["place:mediation:lieu-1", "place:mediation:lieu-2"] {
        match store.get(&EntityId::parse(place).unwrap()).unwrap() {
            Some(Entity::Place(p)) => {
                assert_eq!(p.territory.unwrap().as_str(), brest, "{place}")
            }
            other => panic!("{other:?}"),
        }
    }
    match store
        .get(&EntityId::parse("actor:mediation:21290019700011").unwrap())
        .unwrap()
    {
        Some(Entity::Actor(a)) => assert_eq!(a.territory.unwrap().as_str(), brest),
        other => panic!("{other:?}"),
    }
    // The official commune is left as it was (not renamed after the row).
    let t = territory(&store, brest);
    assert_eq!(t.name, "Brest");
    assert_eq!(&*t.provenance.source, territories::SOURCE);
    // Paris is not in this registry: its row makes a bare commune.
    let paris = territory(&store, "territory:insee:commune:75101");
    assert!(paris.parent.is_none());

    // Counted in Brest Métropole's and Finistère's figures, not Paris's.
    for id in [
        brest,
        "territory:insee:epci:242900314",
        "territory:insee:departement:29",
        "territory:insee:region:53",
    ] {
        let s = scope_count(&store, id);
        assert_eq!((s.places, s.actors), (2, 2), "{id}");
    }
}

#[test]
fn official_territories_go_through_json_and_csv_and_come_back() {
    use archipel_jobs::export::{self, Export};
    let (_dir, mut store, content) = registry();
    let d = territories::official().unwrap();
    load(&mut store, &content, &d.find("epci:242900314").unwrap());
    let dump = |store: &Store, what| {
        let mut out = Vec::new();
        export::write(store, what, &mut out).unwrap();
        out
    };
    let json = dump(&store, Export::Json);
    let csv = dump(&store, Export::Csv(EntityKind::Territory));
    let text = String::from_utf8(csv.clone()).unwrap();
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains(",department,population,postcodes,"),
        "{text}"
    );
    assert!(text.contains("territory:insee:departement:29,"), "{text}");
    for (format, bytes) in [(Format::Json, &json), (Format::Csv, &csv)] {
        let (_d, mut copy, content) = registry();
        let report = import::run(
            &mut copy,
            ImportRequest {
                format,
                bytes,
                context: ImportContext::new("dump", "dump", &content),
                skip_invalid: false,
                mapping: None,
            },
            &mut |_| {},
        )
        .unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        let brest = territory(&copy, "territory:insee:commune:29019");
        assert_eq!(brest, territory(&store, "territory:insee:commune:29019"));
        assert_eq!(dump(&copy, Export::Json), json, "{format:?}");
    }
}

#[test]
fn communes_of_earlier_mediation_imports_give_way_to_the_official_ones() {
    let (_dir, mut store, content) = registry();
    let t0 = archipel_testkit::records::t0();
    let old = EntityId::parse("territory:insee:commune-29019").unwrap();
    let place = EntityId::parse("place:mediation:lieu-1").unwrap();
    store
        .write("mediation", "mediation", None, |w| {
            w.upsert(&Entity::Territory(Territory {
                id: old.clone(),
                name: "Brest".into(),
                level: "commune".into(),
                code: "29019".into(),
                parent: None,
                department: None,
                population: None,
                postcodes: Vec::new(),
                fictional: false,
                provenance: archipel_domain::Provenance::new("mediation", t0),
            }))?;
            w.upsert(&Entity::Place(archipel_domain::Place {
                id: place.clone(),
                name: "Médiathèque".into(),
                actor: None,
                description: None,
                address: Default::default(),
                insee_code: Some("29019".into()),
                location: None,
                territory: Some(old.clone()),
                phone: None,
                emails: Vec::new(),
                websites: Vec::new(),
                details: Default::default(),
                provenance: archipel_domain::Provenance::new("mediation", t0),
            }))?;
            Ok(())
        })
        .unwrap();
    let report = load(&mut store, &content, &Scope::Commune("29019".into()));
    assert_eq!((report.replaced, report.moved), (1, 1));
    assert!(store.get(&old).unwrap().is_none());
    match store.get(&place).unwrap() {
        Some(Entity::Place(p)) => {
            assert_eq!(
                p.territory.unwrap().as_str(),
                "territory:insee:commune:29019"
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        scope_count(&store, "territory:insee:epci:242900314").places,
        1
    );
    // Its last state is kept.
    assert!(!store.history(&old).unwrap().is_empty());
}

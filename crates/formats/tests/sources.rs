//! The field's other sources: a Comptoir du Libre export (with its `[]`
//! quirk), a DCAT catalogue page in JSON-LD as udata writes it, a
//! ChatonsInfos tree. Samples under `testdata/sources/` (see its README).

use archipel_content::Content;
use archipel_domain::{Entity, EntityId};
use archipel_formats::{chatons, comptoir, dcat, ImportContext, Parsed};

fn content() -> Content {
    Content::embedded().expect("embedded content")
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(archipel_testkit::testdata(&format!("sources/{name}"))).expect("sample")
}

fn get<'p>(p: &'p Parsed, id: &str) -> &'p Entity {
    let id: EntityId = id.parse().expect("id");
    p.entities
        .iter()
        .find(|e| *e.id() == id)
        .unwrap_or_else(|| panic!("no {id} among {:?}", ids(p)))
}

fn ids(p: &Parsed) -> Vec<String> {
    p.entities.iter().map(|e| e.id().to_string()).collect()
}

fn relations(p: &Parsed, kind: &str) -> Vec<(String, String, Option<String>)> {
    p.entities
        .iter()
        .filter_map(|e| match e {
            Entity::Relation(r) if r.kind == kind => {
                Some((r.subject.to_string(), r.object.to_string(), r.note.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn comptoir_export_software_users_providers() {
    let c = content();
    let ctx = ImportContext::new("comptoir.json", "comptoir", &c);
    let p = comptoir::parse(&sample("comptoir-export-v1.json"), &ctx);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!((p.records, p.rejected), (4, 0));
    let Entity::Commons(zip) = get(&p, "commons:comptoir:72") else {
        panic!("not a commons")
    };
    assert_eq!(zip.kind, "software");
    assert_eq!(zip.license.as_deref(), Some("LGPL-2.1-only"));
    assert_eq!(zip.details["licence_declared"], "GNU LGPL v2.1");
    assert_eq!(zip.identifiers.comptoir_du_libre.as_deref(), Some("72"));
    assert_eq!(zip.identifiers.wikidata.as_deref(), Some("Q215051"));
    assert_eq!(zip.identifiers.sill.as_deref(), Some("1"));
    assert_eq!(zip.categories, ["Compression", "Archivage"]);
    assert_eq!(zip.website_url.as_deref(), Some("https://www.7-zip.org/"));
    assert_eq!(
        zip.provenance.source_date.map(|d| d.to_string()).as_deref(),
        Some("2023-05-11")
    );
    // `[]` is "none": Acceleo has no Wikidata, SILL… and is still valid.
    let Entity::Commons(acceleo) = get(&p, "commons:comptoir:304") else {
        panic!("not a commons")
    };
    assert_eq!(acceleo.identifiers.wikidata, None);
    assert_eq!(acceleo.license.as_deref(), Some("EPL-2.0"));
    // Users and providers share one id space: FactorFX provides services
    // for Asqatasun and uses it, one actor.
    let factorfx: Vec<&Entity> = p
        .entities
        .iter()
        .filter(|e| e.id().as_str() == "actor:comptoir:user-3284")
        .collect();
    assert_eq!(factorfx.len(), 1);
    let uses = relations(&p, "uses");
    let provides = relations(&p, "provides_services");
    assert!(uses.contains(&(
        "actor:comptoir:user-3284".into(),
        "commons:comptoir:9".into(),
        None
    )));
    assert!(provides.contains(&(
        "actor:comptoir:user-3284".into(),
        "commons:comptoir:9".into(),
        None
    )));
    // Obeo provides for two softwares: one actor, two relations.
    assert_eq!(
        provides
            .iter()
            .filter(|(s, _, _)| s == "actor:comptoir:user-580")
            .count(),
        2
    );
    assert_eq!(uses.len(), 6);
    let Entity::Actor(boe) = get(&p, "actor:comptoir:user-702") else {
        panic!("not an actor")
    };
    assert_eq!(boe.name, "Ville de Boé");
    assert_eq!(boe.kind, None);
    let Entity::Actor(obeo) = get(&p, "actor:comptoir:user-580") else {
        panic!("not an actor")
    };
    assert_eq!(obeo.kind.as_deref(), Some("company"));
}

#[test]
fn comptoir_quirks_and_hostile_values() {
    let c = content();
    let ctx = ImportContext::new("c.json", "comptoir", &c);
    let doc = |ext: &str, name: &str| {
        format!(
            r#"{{"date_of_export":"2024-03-04T02:00:03+00:00","number_of_software":1,"softwares":[
{{"id":5,"name":{name},"licence":"MIT","url":"https://comptoir-du-libre.org/fr/softwares/5",
 "external_resources":{ext},
 "providers":[],"users":[]}}]}}"#
        )
    };
    // Every external resource written `[]`, website and repository null.
    let empty = doc(
        r#"{"website":null,"repository":null,"wikidata":[],"sill":[],"wikipedia":[],"cnll":[],"framalibre":[]}"#,
        r#""Outil""#,
    );
    let p = comptoir::parse(empty.as_bytes(), &ctx);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let Entity::Commons(c5) = get(&p, "commons:comptoir:5") else {
        panic!()
    };
    assert!(c5.identifiers.wikidata.is_none() && c5.identifiers.sill.is_none());
    // An array that is not empty is not "none".
    let p = comptoir::parse(doc(r#"{"wikidata":["Q1"]}"#, r#""Outil""#).as_bytes(), &ctx);
    assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
    assert_eq!(
        p.problems[0].to_string(),
        "c.json:2: softwares[0].external_resources.wikidata: expected an object or [], found an array"
    );
    assert!(p.entities.is_empty());
    // A control character in a name, a bad Wikidata id: located by path.
    let p = comptoir::parse(
        doc(r#"{"wikidata":{"id":"Z12"}}"#, r#""Ou\u0007til""#).as_bytes(),
        &ctx,
    );
    let shown: Vec<String> = p.problems.iter().map(|p| p.to_string()).collect();
    assert!(
        shown
            .iter()
            .any(|s| s.starts_with("c.json:2: softwares[0].name: ")),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|s| s.starts_with("c.json:2: softwares[0].external_resources.wikidata.id: ")),
        "{shown:?}"
    );
    // Not an export at all: the file is refused.
    let p = comptoir::parse(b"[1, 2]", &ctx);
    assert!(p.stopped);
}

#[test]
fn dcat_udata_catalogue_page() {
    let c = content();
    let ctx = ImportContext::new("catalog.jsonld", "dcat", &c);
    let p = dcat::parse(&sample("dcat-catalog-page1.jsonld"), &ctx);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    // Ten datasets; the catalogue, the pagination view, organisations
    // and distributions are not records of their own.
    assert_eq!((p.records, p.rejected), (10, 0));
    let Entity::Commons(d) = get(&p, "commons:dcat:5c34944b634f4164071119c5") else {
        panic!("not a commons")
    };
    assert_eq!(d.kind, "dataset");
    assert_eq!(d.name, "Lieux de médiation numérique de Brest métropole");
    // udata writes the licence on the distributions.
    assert_eq!(d.license.as_deref(), Some("etalab-2.0"));
    assert_eq!(
        d.website_url.as_deref(),
        Some("https://www.data.gouv.fr/fr/datasets/5c34944b634f4164071119c5/")
    );
    assert_eq!(d.categories, ["inclusion-numerique", "mediation-numerique"]);
    assert_eq!(d.details["frequency"], "freq:monthly");
    let Entity::Commons(osm) = get(&p, "commons:dcat:60a1b2c3d4e5f6a7b8c9d0e1") else {
        panic!()
    };
    assert_eq!(osm.license.as_deref(), Some("ODbL-1.0"));
    // The Licence Ouverte 1.0 has no SPDX id: kept as declared.
    let Entity::Commons(lo1) = get(&p, "commons:dcat:5f1a2b3c8b4c4130c7a0d1e2") else {
        panic!()
    };
    assert_eq!(lo1.license, None);
    assert_eq!(
        lo1.details["licence_declared"],
        "Licence Ouverte / Open Licence"
    );
    // Publishers: three organisations, each once, with `publishes`.
    let actors: Vec<&str> = p
        .entities
        .iter()
        .filter_map(|e| match e {
            Entity::Actor(a) => Some(a.name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(actors.len(), 3, "{actors:?}");
    let Entity::Actor(brest) = get(&p, "actor:dcat:5a7c4f2b88ee3830e8a4e5a1") else {
        panic!()
    };
    assert_eq!(brest.name, "Brest métropole");
    let published = relations(&p, "publishes");
    assert_eq!(published.len(), 10);
    assert!(published.contains(&(
        "actor:dcat:5a7c4f2b88ee3830e8a4e5a1".into(),
        "commons:dcat:5c34944b634f4164071119c5".into(),
        None
    )));
}

#[test]
fn dcat_expanded_and_prefixed_forms() {
    let c = content();
    let ctx = ImportContext::new("x.jsonld", "dcat", &c);
    // Expanded JSON-LD: full IRIs, values as objects, embedded publisher.
    let expanded = r#"[
 {"@id": "https://data.example.org/d/1", "@type": ["http://www.w3.org/ns/dcat#Dataset"],
  "http://purl.org/dc/terms/identifier": [{"@value": "ds-1"}],
  "http://purl.org/dc/terms/title": [{"@value": "Stops", "@language": "en"}, {"@value": "Arrêts", "@language": "fr"}],
  "http://purl.org/dc/terms/license": [{"@id": "https://spdx.org/licenses/ODbL-1.0.html"}],
  "http://purl.org/dc/terms/publisher": [{"@id": "_:b0", "@type": ["http://xmlns.com/foaf/0.1/Organization"],
     "http://xmlns.com/foaf/0.1/name": [{"@value": "Ville d'Exemple"}]}]}
]"#;
    let p = dcat::parse(expanded.as_bytes(), &ctx);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let Entity::Commons(d) = get(&p, "commons:dcat:ds-1") else {
        panic!()
    };
    assert_eq!(d.name, "Arrêts");
    assert_eq!(d.license.as_deref(), Some("ODbL-1.0"));
    get(&p, "actor:dcat:ville-d-exemple");
    // Prefixed names in an @graph with a context of prefixes only; a
    // title with a control character is reported at its path and line.
    let prefixed = "{\"@context\": {\"dcat\": \"http://www.w3.org/ns/dcat#\", \"dct\": \"http://purl.org/dc/terms/\"},\n \"@graph\": [\n  {\"@id\": \"_:a\", \"@type\": \"dcat:Dataset\", \"dct:identifier\": \"a\", \"dct:title\": \"A\"},\n  {\"@id\": \"_:b\", \"@type\": \"dcat:Dataset\", \"dct:identifier\": \"b\", \"dct:title\": \"B\\u0000\"}\n]}";
    let p = dcat::parse(prefixed.as_bytes(), &ctx);
    assert_eq!(p.records, 2);
    assert_eq!(p.rejected, 1);
    assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
    assert!(
        p.problems[0]
            .to_string()
            .starts_with("x.jsonld:4: @graph[1].dct:title: "),
        "{}",
        p.problems[0]
    );
    get(&p, "commons:dcat:a");
    // No dataset at all: refused.
    assert!(dcat::parse(br#"{"@graph": []}"#, &ctx).stopped);
}

fn tree() -> Vec<(String, Vec<u8>)> {
    [
        "chatons.properties",
        "libre-service.eu/libre-service.eu.properties",
        "libre-service.eu/nextcloud.libre-service.eu.properties",
        "libre-service.eu/pad.libre-service.eu.properties",
        "chapril.org/chapril.org.properties",
        "chapril.org/pad.chapril.org.properties",
    ]
    .iter()
    .map(|f| {
        (
            format!("chatonsinfos/{f}"),
            sample(&format!("chatonsinfos/{f}")),
        )
    })
    .collect()
}

#[test]
fn chatonsinfos_tree() {
    let c = content();
    let ctx = ImportContext::new("chatonsinfos", "chatons", &c);
    let p = chatons::parse(&chatons::bundle(&tree()), &ctx);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!((p.records, p.rejected), (6, 0));
    let Entity::Actor(ls) = get(&p, "actor:chatons:libre-service-eu") else {
        panic!()
    };
    assert_eq!(ls.kind.as_deref(), Some("chatons_host"));
    assert_eq!(ls.email.as_deref(), Some("contact@libre-service.eu"));
    get(&p, "actor:chatons:federation-chatons");
    assert_eq!(relations(&p, "member_of").len(), 2);
    let Entity::Commons(nc) = get(&p, "commons:chatons:software-nextcloud") else {
        panic!()
    };
    assert_eq!(nc.license.as_deref(), Some("AGPL-3.0-only"));
    assert_eq!(
        nc.repository_url.as_deref(),
        Some("https://github.com/nextcloud/server")
    );
    // Etherpad, run by two hosts: one commons, two `hosts` relations.
    let pads: Vec<_> = relations(&p, "hosts")
        .into_iter()
        .filter(|(_, o, _)| o == "commons:chatons:software-etherpad")
        .collect();
    assert_eq!(pads.len(), 2, "{pads:?}");
    let hosts: Vec<&archipel_domain::Relation> = p
        .entities
        .iter()
        .filter_map(|e| match e {
            Entity::Relation(r) if r.kind == "hosts" => Some(r),
            _ => None,
        })
        .collect();
    let nextcloud = hosts
        .iter()
        .find(|r| r.object.as_str() == "commons:chatons:software-nextcloud")
        .expect("nextcloud hosted");
    // The French date of a real file, the status OK and the registration.
    assert_eq!(
        nextcloud.since.map(|d| d.to_string()).as_deref(),
        Some("2020-03-20")
    );
    assert_eq!(
        nextcloud.note.as_deref(),
        Some("Nextcloud Libre-service.eu (https://nextcloud.libre-service.eu/): status OK (Tout va bien); registration Free;Member")
    );
    let chapril = hosts
        .iter()
        .find(|r| r.subject.as_str() == "actor:chatons:chapril-org")
        .expect("chapril hosts");
    assert_eq!(
        chapril.until.map(|d| d.to_string()).as_deref(),
        Some("2023-12-31")
    );
    assert!(chapril
        .note
        .as_deref()
        .is_some_and(|n| n.contains("status OFF")));
}

#[test]
fn chatonsinfos_bad_values_are_located() {
    let c = content();
    let ctx = ImportContext::new("chatonsinfos", "chatons", &c);
    let mut files = tree();
    let service = String::from_utf8(files[3].1.clone()).unwrap();
    files[3].1 = service
        .replace(
            "service.status.level = MAINTENANCE",
            "service.status.level = BROKEN",
        )
        .replace("software.name = Etherpad", "software.name = Ether\u{7}pad")
        .into_bytes();
    let p = chatons::parse(&chatons::bundle(&files), &ctx);
    let shown: Vec<String> = p.problems.iter().map(|p| p.to_string()).collect();
    assert!(
        shown.iter().any(|s| s.starts_with(
            "chatonsinfos/libre-service.eu/pad.libre-service.eu.properties:14: software.name: "
        )),
        "{shown:?}"
    );
    assert_eq!(p.rejected, 1);
    // Fixed name, unknown status: said with the accepted values.
    files[3].1 = service
        .replace(
            "service.status.level = MAINTENANCE",
            "service.status.level = BROKEN",
        )
        .into_bytes();
    let p = chatons::parse(&chatons::bundle(&files), &ctx);
    assert_eq!(
        p.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        ["chatonsinfos/libre-service.eu/pad.libre-service.eu.properties:10: service.status.level: `BROKEN` is not one of ON, OK, MAINTENANCE, DOWN, OFF, DRAFT"]
    );
}

fn gogocarto_mapping(c: &Content) -> archipel_formats::geojson::Mapping {
    let text = String::from_utf8(sample("gogocarto-mapping.toml")).unwrap();
    archipel_formats::geojson::Mapping::parse(&text, "map.toml", c).expect("mapping")
}

#[test]
fn gogocarto_export_through_a_mapping() {
    use archipel_formats::geojson;
    let c = content();
    let ctx = ImportContext::new("carte.geojson", "gogocarto", &c);
    let m = gogocarto_mapping(&c);
    let p = geojson::parse_to(&sample("gogocarto-export.geojson"), &ctx, &m, None);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!((p.records, p.rejected), (5, 0));
    // Each element: an actor and the place it runs.
    assert_eq!(p.entities.len(), 10);
    let Entity::Actor(a) = get(&p, "actor:gogocarto:Gv8e") else {
        panic!()
    };
    assert_eq!(a.name, "La Fabrique du Loch");
    assert_eq!(a.kind.as_deref(), Some("tiers_lieu"));
    assert_eq!(a.typology, ["opportunity_space_organiser"]);
    assert_eq!(
        a.provenance.source_date.map(|d| d.to_string()).as_deref(),
        Some("2024-05-02")
    );
    let loc = a.location.expect("location");
    assert_eq!((loc.lat, loc.lon), (47.668, -2.983));
    let Entity::Place(pl) = get(&p, "place:gogocarto:Gv8e") else {
        panic!()
    };
    assert_eq!(pl.address.postcode.as_deref(), Some("56400"));
    assert_eq!(pl.address.city.as_deref(), Some("Auray"));
    assert_eq!(
        pl.actor.as_ref().map(|x| x.as_str()),
        Some("actor:gogocarto:Gv8e")
    );
    // A category no table knows is kept; no kind found: the default.
    let Entity::Place(rc) = get(&p, "place:gogocarto:Hk2P") else {
        panic!()
    };
    assert!(rc.details.is_empty());
    let Entity::Actor(rca) = get(&p, "actor:gogocarto:Hk2P") else {
        panic!()
    };
    assert_eq!(rca.kind.as_deref(), Some("association"));
    let Entity::Place(ress) = get(&p, "place:gogocarto:Mz7q") else {
        panic!()
    };
    assert_eq!(ress.details["categories"], "Ressourcerie");
}

#[test]
fn gogocarto_bad_mapping_and_bad_features() {
    use archipel_formats::geojson::{self, Mapping};
    let c = content();
    let bad = "id = \"id\"\nname = \"name\"\n\n[kinds]\n\"Tiers-lieu\" = \"licorne\"\n";
    let errors = Mapping::parse(bad, "map.toml", &c).unwrap_err();
    assert_eq!(
        errors,
        ["map.toml:5: kinds.Tiers-lieu: `licorne` is not a key of the actor_kinds vocabulary"]
    );
    let unknown = "id = \"id\"\nname = \"name\"\nnom = \"x\"\n";
    let errors = Mapping::parse(unknown, "map.toml", &c).unwrap_err();
    assert!(
        errors[0].starts_with("map.toml:3: unknown field `nom`"),
        "{errors:?}"
    );
    let m = gogocarto_mapping(&c);
    let ctx = ImportContext::new("carte.geojson", "gogocarto", &c);
    let features = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Point","coordinates":[-2.9,47.6]},"properties":{"id":"a1","name":"Bon"}},
{"type":"Feature","geometry":null,"properties":{"id":"a2","name":"Sans point"}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[-2.9,47.6]},"properties":{"id":"a3","name":"Mau\u001bvais"}}
]}"#;
    let p = geojson::parse_to(features.as_bytes(), &ctx, &m, None);
    let shown: Vec<String> = p.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(p.rejected, 2, "{shown:?}");
    assert!(
        shown.contains(
            &"carte.geojson:3: features[1].geometry: expected a Point with [longitude, latitude]"
                .to_string()
        ),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|s| s.starts_with("carte.geojson:4: features[2].properties.name: ")),
        "{shown:?}"
    );
    assert!(geojson::parse_to(b"{\"type\":\"Feature\"}", &ctx, &m, None).stopped);
}

#[test]
fn chatonsinfos_rejected_organisation_takes_its_relations() {
    let c = content();
    let ctx = ImportContext::new("chatonsinfos", "chatons", &c);
    let mut files = tree();
    // Chapril's organisation file has a bad address: its file is set
    // aside, and so is its pad's, which says why.
    let org = String::from_utf8(files[4].1.clone()).unwrap();
    files[4].1 = org
        .replace("contact@chapril.org", "contact at chapril")
        .into_bytes();
    let p = chatons::parse(&chatons::bundle(&files), &ctx);
    assert_eq!(p.rejected, 2, "{:?}", p.problems);
    assert_eq!(
        p.problems[1].to_string(),
        "chatonsinfos/chapril.org/pad.chapril.org.properties:2: file.class: the organisation file that lists this service (chatonsinfos/chapril.org/chapril.org.properties) has problems"
    );
    assert!(!ids(&p).iter().any(|i| i == "actor:chatons:chapril-org"));
    let hosts = relations(&p, "hosts");
    assert!(
        hosts
            .iter()
            .all(|(s, _, _)| s != "actor:chatons:chapril-org"),
        "{hosts:?}"
    );
    // Libre-service.eu still hosts Etherpad: the commons is there.
    get(&p, "commons:chatons:software-etherpad");
}

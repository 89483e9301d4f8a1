//! The network figures against networkx's, on stored graphs imported into
//! real temporary registries.
//!
//! `testdata/network/make.py` wrote each graph as an Archipel JSON import
//! file and networkx's figures of it (`NAME.expected.json`); the test
//! imports the file, reads the network of the scope back through the store
//! and compares: components, articulation points, bridges, core numbers,
//! betweenness to 1e-9 (exact, and sampled from the same sources), what
//! removing each articulation point leaves, the dependence on the most
//! central person, the circle of regulars, newcomers per year.

use archipel_content::Content;
use archipel_formats::ImportContext;
use archipel_jobs::import::{self, Format, ImportRequest};
use archipel_network::{Network, Options};
use archipel_store::Store;
use chrono::NaiveDate;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

const SCOPE: &str = "territory:nettest:epci:1";
const GRAPHS: &[&str] = &["bridges", "rings", "generated"];

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../testdata/network/{name}"))
}

fn on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
}

fn import_file(store: &mut Store, content: &Content, file: &str) {
    let bytes = std::fs::read(testdata(file)).unwrap();
    let report = import::run(
        store,
        ImportRequest {
            format: Format::Json,
            bytes: &bytes,
            context: ImportContext::new(file.to_string(), "nettest", content),
            skip_invalid: false,
            mapping: None,
        },
        &mut |_| {},
    )
    .unwrap();
    assert!(
        report.problems.is_empty() && report.written.is_some(),
        "{:?}",
        report.problems
    );
}

/// A registry holding the graph `name`, and networkx's figures of it.
fn registry(name: &str) -> (tempfile::TempDir, Store, Content, Value) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("registry.db")).unwrap();
    let content = Content::embedded().unwrap();
    import_file(&mut store, &content, &format!("{name}.json"));
    let expected: Value =
        serde_json::from_slice(&std::fs::read(testdata(&format!("{name}.expected.json"))).unwrap())
            .unwrap();
    (dir, store, content, expected)
}

fn network(store: &Store, content: &Content, options: &Options) -> Network {
    archipel_network::run(store, content, &SCOPE.parse().unwrap(), on(), options)
        .unwrap()
        .expect("the territory exists")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

fn numbers(v: &Value) -> BTreeMap<String, f64> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, x)| (k.clone(), x.as_f64().unwrap()))
        .collect()
}

fn close(what: &str, ours: &BTreeMap<String, f64>, theirs: &BTreeMap<String, f64>) {
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>(),
        "{what}: nodes"
    );
    for (k, a) in ours {
        let b = theirs[k];
        assert!(
            (a - b).abs() < 1e-9,
            "{what} of {k}: {a} here, {b} in networkx"
        );
    }
}

fn near(what: &str, a: f64, b: &Value) {
    let b = b.as_f64().unwrap();
    assert!((a - b).abs() < 1e-9, "{what}: {a} here, {b} in networkx");
}

#[test]
fn figures_equal_networkx() {
    for name in GRAPHS {
        let (_dir, store, content, x) = registry(name);
        same_as_networkx(name, &store, &content, &x);
    }
}

/// A small scope in a large registry (its relations read node by node
/// through the indexes rather than in one pass over the table) gives the
/// same network.
#[test]
fn a_small_scope_in_a_large_registry() {
    for name in ["bridges", "rings"] {
        let (_dir, mut store, content, x) = registry(name);
        import_file(&mut store, &content, "elsewhere.json");
        same_as_networkx(name, &store, &content, &x);
    }
}

fn same_as_networkx(name: &str, store: &Store, content: &Content, x: &Value) {
    {
        let n = network(store, content, &Options::default());
        assert_eq!(
            n.counts.nodes as u64,
            x["nodes"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            n.counts.edges as u64,
            x["edges"].as_u64().unwrap(),
            "{name}"
        );
        let components: Vec<Vec<String>> = n.components.iter().map(|c| c.nodes.clone()).collect();
        let expected: Vec<Vec<String>> = x["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(strings)
            .collect();
        assert_eq!(components, expected, "{name}: components");
        assert_eq!(
            n.articulation_points,
            strings(&x["articulation_points"]),
            "{name}: articulation points"
        );
        let bridges: Vec<Vec<String>> = n.bridges.iter().map(|b| b.to_vec()).collect();
        let expected: Vec<Vec<String>> = x["bridges"]
            .as_array()
            .unwrap()
            .iter()
            .map(strings)
            .collect();
        assert_eq!(bridges, expected, "{name}: bridges");
        let cores: BTreeMap<String, f64> = n
            .core_number
            .iter()
            .map(|(k, v)| (k.clone(), *v as f64))
            .collect();
        assert_eq!(cores, numbers(&x["core_number"]), "{name}: core numbers");
        assert_eq!(n.betweenness_method.method, "exact");
        close(
            &format!("{name}: betweenness"),
            &n.betweenness,
            &numbers(&x["betweenness"]),
        );
        let splits: BTreeMap<String, Vec<usize>> = n
            .splits
            .iter()
            .map(|s| (s.id.clone(), s.pieces.clone()))
            .collect();
        let expected: BTreeMap<String, Vec<usize>> =
            serde_json::from_value(x["splits"].clone()).unwrap();
        assert_eq!(splits, expected, "{name}: what removing each point leaves");

        let r = &x["regulars"];
        assert_eq!(n.regulars.max_core as u64, r["max_core"].as_u64().unwrap());
        near(
            "relations within the core",
            n.regulars.relations_within_share,
            &r["relations_within_share"],
        );
        near(
            "relations touching the core",
            n.regulars.relations_touching_share,
            &r["relations_touching_share"],
        );
        near("gini", n.regulars.gini.unwrap(), &r["gini"]);
        near("hhi", n.regulars.hhi.unwrap(), &r["hhi"]);
        let newcomers: BTreeMap<String, u64> = n
            .newcomers
            .iter()
            .map(|y| (y.year.to_string(), y.actors as u64))
            .collect();
        let expected: BTreeMap<String, u64> =
            serde_json::from_value(x["newcomers"].clone()).unwrap();
        assert_eq!(newcomers, expected, "{name}: newcomers");
        match (&n.dependence, x["dependence"].as_object()) {
            (Some(d), Some(e)) => {
                assert_eq!(
                    d.id,
                    e["id"].as_str().unwrap(),
                    "{name}: most central person"
                );
                near("relations share", d.relations_share, &e["relations_share"]);
                near(
                    "shortest paths share",
                    d.shortest_paths_share,
                    &e["shortest_paths_share"],
                );
            }
            (None, None) => {}
            (d, e) => panic!("{name}: dependence {d:?} here, {e:?} in networkx"),
        }
    }
}

/// Above the exact limit, the betweenness is networkx's estimate from the
/// same sampled sources; from every node, it is the exact value.
#[test]
fn sampled_betweenness_equals_networkx_from_the_same_sources() {
    for name in GRAPHS {
        let (_dir, store, content, x) = registry(name);
        let s = &x["sampled"];
        let k = s["sources"].as_array().unwrap().len();
        let options = Options {
            exact_up_to: 0,
            samples: k,
            seed: s["seed"].as_u64().unwrap(),
            ..Options::default()
        };
        let n = network(&store, &content, &options);
        assert_eq!(n.betweenness_method.method, "sampled");
        assert_eq!(
            n.betweenness_method.sampled,
            strings(&s["sources"]),
            "{name}"
        );
        assert!(n.betweenness_method.error_bound > 0.0);
        close(
            &format!("{name}: sampled betweenness"),
            &n.betweenness,
            &numbers(&s["betweenness"]),
        );

        let every = Options {
            exact_up_to: 0,
            samples: usize::MAX,
            ..Options::default()
        };
        let n = network(&store, &content, &every);
        assert_eq!(n.betweenness_method.sources, n.counts.nodes);
        assert_eq!(n.betweenness_method.error_bound, 0.0);
        close(
            &format!("{name}: betweenness from every source"),
            &n.betweenness,
            &numbers(&x["betweenness"]),
        );
    }
}

/// What the scope leaves out is not in the network: the relation ended
/// before the day, the actor of another territory and the commons only it
/// uses, the place of another territory; an actor of another territory
/// `located_in` the scope is in, not counted as located on it.
#[test]
fn the_scope_of_a_territory() {
    let (_dir, store, content, _) = registry("bridges");
    let n = network(&store, &content, &Options::default());
    let ids: Vec<&str> = n.nodes.iter().map(|x| x.id.as_str()).collect();
    for absent in [
        "actor:nettest:outside",
        "commons:nettest:c9",
        "commons:nettest:c3",
        "place:nettest:l9",
    ] {
        assert!(!ids.contains(&absent), "{absent} is not in the network");
    }
    assert!(ids.contains(&"actor:nettest:branch"));
    assert!(n.isolated_actors == ["actor:nettest:lonely"]);
    assert_eq!(
        (n.diversity.actors, n.diversity.actors_on_territory),
        (15, 14)
    );
    // a0 and a1: a partnership and a membership, one edge.
    let e = n
        .edges
        .iter()
        .find(|e| e.source == "actor:nettest:a0" && e.target == "actor:nettest:a1")
        .unwrap();
    assert_eq!(e.relations.values().sum::<u32>(), 2);
    assert_eq!(e.weight, 3.0, "partner_of 2 + member_of 1");
    // The city runs the place: an edge.
    assert!(n
        .edges
        .iter()
        .any(|e| e.source == "actor:nettest:city" && e.target == "place:nettest:l1"));
    // Grants: none in this registry.
    assert!(n.regulars.grants.is_none());
    // An unknown territory.
    assert!(archipel_network::run(
        &store,
        &content,
        &"territory:nettest:nowhere".parse().unwrap(),
        on(),
        &Options::default()
    )
    .unwrap()
    .is_none());
}

/// On the day after a relation ends, it is no longer an edge.
#[test]
fn a_relation_ended_before_the_day_is_no_edge() {
    let (_dir, store, content, _) = registry("bridges");
    let edge = |n: &Network| {
        n.edges
            .iter()
            .any(|e| e.source == "actor:nettest:a3" && e.target == "actor:nettest:a5")
    };
    let before = network(&store, &content, &Options::default());
    assert!(edge(&before));
    let after = archipel_network::run(
        &store,
        &content,
        &SCOPE.parse().unwrap(),
        NaiveDate::from_ymd_opt(2030, 1, 2).unwrap(),
        &Options::default(),
    )
    .unwrap()
    .unwrap();
    assert!(!edge(&after));
}

//! The network's figures as evidence: a sheet for the demonstration
//! territory quotes them as `archipel-network` computes them (the
//! function behind `archipel network` and the dashboard), they back the
//! arguments the content ties them to, and a territory whose network has
//! no relation gets none of them.

mod common;

use archipel_content::pitch::{Indicator, Register};
use archipel_content::Lang;
use archipel_domain::{Entity, EntityId};
use archipel_network::{Network, Options};
use archipel_pitch::{generate, render, Format, Request, Sheet, NEWCOMER_YEARS};
use serde_json::{json, Value};

const NETWORK: [Indicator; 6] = [
    Indicator::SharedCommons,
    Indicator::Islands,
    Indicator::CentralPerson,
    Indicator::InnerCore,
    Indicator::Newcomers,
    Indicator::KindDiversity,
];

fn demo_territory(fx: &common::Fixture) -> EntityId {
    archipel_pitch::resolve_territory(&fx.store, Some("960000008")).expect("territory")
}

fn network(fx: &common::Fixture, t: &EntityId, sheet: &Sheet) -> Network {
    let day = chrono::NaiveDate::parse_from_str(&sheet.date, "%Y-%m-%d").expect("date");
    archipel_network::run(&fx.store, &fx.content, t, day, &Options::default())
        .expect("network")
        .expect("territory")
}

/// What the sheet must say for `i`, from the network alone (`None`: left
/// out). Percentages shown are whole; the values are the network's own.
fn expected(n: &Network, i: Indicator, year: i32) -> Option<Value> {
    if n.counts.relations == 0 {
        return None;
    }
    let pc = |x: f64| (x * 100.0).round() >= 1.0;
    match i {
        Indicator::SharedCommons => {
            let s = &n.shared_commons;
            (s.commons > 0).then(
                || json!({"commons": s.commons, "actors": s.actors, "actor_kinds": s.actor_kinds}),
            )
        }
        Indicator::Islands => {
            let islands = n.components.iter().filter(|c| c.size > 1).count();
            let largest = n.components[0].size;
            (islands > 0).then(|| {
                json!({
                    "islands": islands,
                    "largest": largest,
                    "nodes": n.counts.nodes,
                    "largest_share": largest as f64 / n.counts.nodes as f64,
                    "isolated_actors": n.isolated_actors.len(),
                })
            })
        }
        Indicator::CentralPerson => {
            let d = n.dependence.as_ref()?;
            pc(d.shortest_paths_share).then(|| {
                json!({
                    "shortest_paths_share": d.shortest_paths_share,
                    "relations_share": d.relations_share,
                })
            })
        }
        Indicator::InnerCore => {
            let r = &n.regulars;
            if r.max_core < 2 || !pc(r.relations_within_share) {
                return None;
            }
            let mut v = json!({
                "max_core": r.max_core,
                "members": r.core.len(),
                "relations_within_share": r.relations_within_share,
            });
            if let Some(s) = r.grants.as_ref().and_then(|g| g.cents_share) {
                v["grants_cents_share"] = json!(s);
            }
            if let Some(s) = r.events.as_ref().and_then(|e| e.attendees_share) {
                v["attendees_share"] = json!(s);
            }
            Some(v)
        }
        Indicator::Newcomers => {
            let (from, to) = (year - NEWCOMER_YEARS, year - 1);
            let actors: usize = n
                .newcomers
                .iter()
                .filter(|y| (from..=to).contains(&y.year))
                .map(|y| y.actors)
                .sum();
            (actors > 0).then(|| json!({"actors": actors, "from": from, "to": to}))
        }
        Indicator::KindDiversity => {
            let d = n.diversity.kind_diversity?;
            pc(d).then(|| json!(d))
        }
        _ => unreachable!(),
    }
}

/// Equal, numbers within 1e-12 (betweenness may differ in its last bits
/// from one computation to the next).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() <= 1e-12,
            _ => x == y,
        },
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w))
        }
        _ => a == b,
    }
}

fn year(sheet: &Sheet) -> i32 {
    sheet.date[..4].parse().expect("year")
}

/// Whether an answer of the sheet lists `i` among its figures.
fn backs_an_answer(sheet: &Sheet, i: Indicator) -> bool {
    sheet
        .objections
        .iter()
        .flat_map(|o| &o.answers)
        .any(|a| a.figures.contains(&i))
}

#[test]
fn the_sheets_quote_the_network_as_archipel_network_computes_it() {
    let fx = common::demo_with_support();
    let t = demo_territory(&fx);
    let pitch = fx.content.pitch();
    let mut quoted = std::collections::BTreeSet::new();
    for lang in [Lang::Fr, Lang::En] {
        for p in &pitch.personas {
            for r in Register::ALL {
                let req = Request::new(&p.id, t.clone()).register(r).lang(lang);
                let sheet = generate(&fx.content, &fx.store, &req).expect("sheet");
                let n = network(&fx, &t, &sheet);
                assert!(n.counts.relations > 0);
                for i in NETWORK {
                    let got = sheet.figure(i).map(|e| e.value.clone());
                    // Shown where it backs an answer, and then with the
                    // network's value; a figure with no value backs none.
                    let want = expected(&n, i, year(&sheet));
                    let listed = pitch
                        .arguments
                        .iter()
                        .filter(|a| a.indicators.contains(&i))
                        .any(|a| {
                            sheet
                                .objections
                                .iter()
                                .flat_map(|o| &o.answers)
                                .any(|x| x.argument == a.id)
                        });
                    let want = want.filter(|_| listed);
                    match (&got, &want) {
                        (Some(g), Some(w)) => assert!(same(g, w), "{}: {i:?}: {g} ≠ {w}", p.id),
                        _ => assert_eq!(got, want, "{} {r:?}: {i:?}", p.id),
                    }
                    assert_eq!(got.is_some(), backs_an_answer(&sheet, i), "{i:?}");
                    if got.is_some() {
                        quoted.insert(i);
                    }
                }
            }
        }
    }
    // The demonstration's network has islands, commons shared across
    // kinds, a mix of kinds and a most central person: all quoted.
    for i in [
        Indicator::Islands,
        Indicator::SharedCommons,
        Indicator::KindDiversity,
        Indicator::CentralPerson,
    ] {
        assert!(quoted.contains(&i), "{i:?} on no sheet");
    }

    // The numbers shown are the network's: the figure, and the phrase
    // under the answers, in French and in English.
    let (req, sheet) = pitch
        .personas
        .iter()
        .flat_map(|p| Register::ALL.map(|r| Request::new(&p.id, t.clone()).register(r)))
        .map(|req| {
            let sheet = generate(&fx.content, &fx.store, &req).expect("sheet");
            (req, sheet)
        })
        .find(|(_, s)| {
            s.figure(Indicator::Islands).is_some() && s.figure(Indicator::SharedCommons).is_some()
        })
        .expect("a sheet with islands and shared commons");
    let n = network(&fx, &t, &sheet);
    let islands = sheet.figure(Indicator::Islands).expect("islands");
    let count = n.components.iter().filter(|c| c.size > 1).count();
    assert_eq!(islands.text, count.to_string());
    let largest = (n.components[0].size as f64 * 100.0 / n.counts.nodes as f64).round();
    assert!(
        islands.short.contains(&format!("{largest:.0}\u{a0}%")),
        "{}",
        islands.short
    );
    let shared = sheet.figure(Indicator::SharedCommons).expect("shared");
    assert_eq!(shared.text, n.shared_commons.commons.to_string());
    assert!(
        shared
            .short
            .starts_with(&n.shared_commons.actors.to_string()),
        "{}",
        shared.short
    );
    assert!(
        shared.short.contains("s'impliquent ensemble"),
        "{}",
        shared.short
    );
    let text = render(&sheet, Format::Text);
    assert!(text.contains(&shared.label), "{text}");
    let en = generate(&fx.content, &fx.store, &req.clone().lang(Lang::En)).expect("en");
    let shared = en.figure(Indicator::SharedCommons).expect("in English");
    assert!(
        shared.short.contains("take part together"),
        "{}",
        shared.short
    );
    assert!(en
        .figure(Indicator::Islands)
        .expect("islands")
        .short
        .contains(&format!("{largest:.0}%")));
}

#[test]
fn the_network_figures_back_the_arguments_tied_to_them() {
    let pitch = common::demo().content;
    let pitch = pitch.pitch();
    // Every network indicator is tied to some argument in the content.
    for i in NETWORK {
        assert!(
            pitch.arguments.iter().any(|a| a.indicators.contains(&i)),
            "{i:?} backs no argument"
        );
    }
}

#[test]
fn a_territory_without_relations_gets_no_network_figure() {
    // The demonstration's territories and actors, without their relations
    // and places (a place's operator is a link).
    let dir = tempfile::tempdir().expect("dir");
    let content = archipel_content::Content::embedded().expect("content");
    let mut store = archipel_store::Store::open(&dir.path().join("r.db")).expect("store");
    let records: Vec<Entity> = content
        .demo_entities(chrono::Utc::now())
        .expect("demo")
        .into_iter()
        .filter(|e| matches!(e, Entity::Territory(_) | Entity::Actor(_)))
        .collect();
    store
        .write("demo", "demo", None, |w| {
            for e in &records {
                w.upsert(e)?;
            }
            Ok(())
        })
        .expect("written");
    let fx = common::Fixture {
        _dir: dir,
        db: std::path::PathBuf::new(),
        store,
        content,
    };
    let t = demo_territory(&fx);
    let sheet = generate(&fx.content, &fx.store, &Request::new("elu", t.clone())).expect("sheet");
    let n = network(&fx, &t, &sheet);
    assert_eq!(n.counts.relations, 0);
    assert!(n.counts.actors > 1, "actors, but no link");
    // Their kinds are diverse, yet with no relation there is no network
    // to speak of: on no sheet, even where an answer would use it.
    assert!(n.diversity.kind_diversity.unwrap_or(0.0) > 0.0);
    let mut backed: std::collections::BTreeSet<Indicator> = Default::default();
    for p in &fx.content.pitch().personas {
        for r in Register::ALL {
            let req = Request::new(&p.id, t.clone()).register(r);
            let sheet = generate(&fx.content, &fx.store, &req).expect("sheet");
            for i in NETWORK {
                assert!(sheet.figure(i).is_none(), "{i:?} shown with no relation");
            }
            assert!(sheet.figure(Indicator::ActorsTotal).is_some());
            for o in &sheet.objections {
                for a in &o.answers {
                    let arg = fx.content.pitch().argument(&a.argument).expect("argument");
                    backed.extend(arg.indicators.iter().copied().filter(|i| i.from_network()));
                }
            }
        }
    }
    assert_eq!(
        backed.len(),
        NETWORK.len(),
        "every one had an answer to back"
    );
}

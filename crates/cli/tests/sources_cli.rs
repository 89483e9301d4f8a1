//! `archipel import comptoir|dcat|chatons` end to end on temporary
//! registries: the samples of `testdata/sources/`, the SILL ↔ Comptoir
//! link (one record per software), all-or-nothing and `--skip-invalid`.

mod common;
use common::{json, ok, run, stderr, write};
use serde_json::Value;
use std::path::Path;

fn sample(name: &str) -> String {
    archipel_testkit::testdata(&format!("sources/{name}"))
        .to_str()
        .expect("path")
        .to_string()
}

fn show(db: &Path, id: &str) -> Value {
    json(db, &["show", id, "--json"])
}

fn exists(db: &Path, id: &str) -> bool {
    run(db, &["show", id, "--json"]).status.success()
}

#[test]
fn comptoir_after_the_sill_updates_the_sill_records() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let sill = archipel_testkit::testdata("sill/sill-2022.json");
    ok(&db, &["import", "sill", sill.to_str().unwrap()]);
    let out = json(
        &db,
        &[
            "import",
            "comptoir",
            &sample("comptoir-export-v1.json"),
            "--json",
        ],
    );
    assert_eq!(out["format"], "comptoir");
    assert_eq!(out["records"], 4);
    // 7-zip (72), Acceleo (304) and Asqatasun (9) are SILL entries 1, 2
    // and 12: updated, not created again. Lutèce (1105) is new.
    assert_eq!(out["updated"], 3, "{out}");
    for id in [
        "commons:comptoir:72",
        "commons:comptoir:304",
        "commons:comptoir:9",
    ] {
        assert!(!exists(&db, id), "{id} should not exist");
    }
    assert!(exists(&db, "commons:comptoir:1105"));
    let zip = show(&db, "commons:sill:1");
    let r = &zip["record"];
    assert_eq!(r["name"], "7zip", "the SILL's name stays");
    assert_eq!(r["license"], "LGPL-2.0-only", "the SILL's licence stays");
    assert_eq!(r["identifiers"]["comptoir_du_libre"], "72");
    assert_eq!(
        r["identifiers"]["wikidata"], "Q215051",
        "gained from the Comptoir"
    );
    assert_eq!(r["identifiers"]["sill"], "1");
    assert_eq!(
        r["details"]["comptoir_url"],
        "https://comptoir-du-libre.org/fr/softwares/72"
    );
    assert_eq!(r["provenance"]["source"], "sill");
    // Its users point at the SILL record.
    let rels = serde_json::to_string(&zip).unwrap();
    assert!(rels.contains("actor:comptoir:user-702"), "{rels}");
    // Importing again changes nothing.
    let again = json(
        &db,
        &[
            "import",
            "comptoir",
            &sample("comptoir-export-v1.json"),
            "--json",
        ],
    );
    assert_eq!(
        (again["inserted"].clone(), again["updated"].clone()),
        (0.into(), 0.into()),
        "{again}"
    );
}

#[test]
fn comptoir_matches_wikidata_then_repository_never_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let p = r#""provenance":{"source":"other","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}"#;
    let registry = format!(
        r#"{{"format":"archipel","version":1,"records":[
{{"type":"commons","id":"commons:other:wd","name":"Logiciel W","kind":"software","identifiers":{{"wikidata":"Q42"}},{p}}},
{{"type":"commons","id":"commons:other:repo","name":"Logiciel R","kind":"software","repository_url":"https://github.com/Exemple/Outil-R",{p}}},
{{"type":"commons","id":"commons:other:name","name":"Même nom","kind":"software",{p}}}
]}}"#
    );
    let f = write(dir.path(), "r.json", &registry);
    ok(&db, &["import", "json", f.to_str().unwrap()]);
    let none = r#""wikidata":[],"sill":[],"wikipedia":[],"cnll":[],"framalibre":[]"#;
    let export = format!(
        r#"{{"date_of_export":"2024-03-04T02:00:03+00:00","number_of_software":3,"softwares":[
{{"id":1,"name":"W","licence":"MIT","external_resources":{{"website":null,"repository":null,"wikidata":{{"id":"Q42","url":"https://www.wikidata.org/wiki/Q42","data":"x"}},"sill":[],"wikipedia":[],"cnll":[],"framalibre":[]}},"providers":[],"users":[]}},
{{"id":2,"name":"R","licence":"MIT","external_resources":{{"website":null,"repository":"http://www.github.com/exemple/outil-r.git",{none}}},"providers":[],"users":[]}},
{{"id":3,"name":"Même nom","licence":"MIT","external_resources":{{"website":null,"repository":null,{none}}},"providers":[],"users":[]}}
]}}"#
    );
    let f = write(dir.path(), "c.json", &export);
    let out = json(&db, &["import", "comptoir", f.to_str().unwrap(), "--json"]);
    assert_eq!(
        (out["updated"].clone(), out["inserted"].clone()),
        (2.into(), 1.into()),
        "{out}"
    );
    assert_eq!(
        show(&db, "commons:other:wd")["record"]["identifiers"]["comptoir_du_libre"],
        "1"
    );
    assert_eq!(
        show(&db, "commons:other:repo")["record"]["identifiers"]["comptoir_du_libre"],
        "2"
    );
    // Same name, nothing else in common: two records.
    assert!(exists(&db, "commons:comptoir:3"));
    assert!(show(&db, "commons:other:name")["record"]["identifiers"].is_null());
}

#[test]
fn comptoir_invalid_software_all_or_nothing_or_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let export = r#"{"date_of_export":"2024-03-04","number_of_software":2,"softwares":[
{"id":1,"name":"Bon","licence":"MIT","external_resources":{"website":"https://bon.example.org/","repository":null,"wikidata":[],"sill":[],"wikipedia":[],"cnll":[],"framalibre":[]},"providers":[],"users":[]},
{"id":2,"name":"Mauvais","licence":"MIT","external_resources":{"website":"javascript:alert(1)","repository":null,"wikidata":[],"sill":[],"wikipedia":[],"cnll":[],"framalibre":[]},"providers":[],"users":[]}
]}"#;
    let f = write(dir.path(), "c.json", export);
    let out = run(&db, &["import", "comptoir", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("c.json:3: softwares[1].external_resources.website: "),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert!(!exists(&db, "commons:comptoir:1"));
    ok(
        &db,
        &["import", "comptoir", f.to_str().unwrap(), "--skip-invalid"],
    );
    assert!(exists(&db, "commons:comptoir:1"));
    let rejects = std::fs::read_to_string(dir.path().join("c.json.rejects.json")).unwrap();
    assert!(
        rejects.contains("Mauvais") && !rejects.contains("Bon"),
        "{rejects}"
    );
}

#[test]
fn dcat_catalogue_page_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let out = json(
        &db,
        &[
            "import",
            "dcat",
            &sample("dcat-catalog-page1.jsonld"),
            "--json",
        ],
    );
    assert_eq!(out["records"], 10);
    // 10 datasets, 3 publishers, 10 relations.
    assert_eq!(out["inserted"], 23, "{out}");
    let d = show(&db, "commons:dcat:5e7f8a9b634f41302fd2a9b3");
    assert_eq!(d["record"]["kind"], "dataset");
    assert_eq!(d["record"]["license"], "etalab-2.0");
    assert_eq!(d["record"]["provenance"]["source"], "dcat");
    assert_eq!(d["record"]["provenance"]["source_date"], "2024-04-15");
    let text = serde_json::to_string(&d).unwrap();
    assert!(
        text.contains("actor:dcat:53698f1ba3a729239d2036df"),
        "{text}"
    );
    let again = json(
        &db,
        &[
            "import",
            "dcat",
            &sample("dcat-catalog-page1.jsonld"),
            "--json",
        ],
    );
    assert_eq!(again["unchanged"], 23);
}

#[test]
fn chatons_folder_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let out = json(
        &db,
        &["import", "chatons", &sample("chatonsinfos"), "--json"],
    );
    assert_eq!(out["records"], 6, "{out}");
    let host = show(&db, "actor:chatons:chapril-org");
    assert_eq!(host["record"]["kind"], "chatons_host");
    let pad = show(&db, "commons:chatons:software-etherpad");
    assert_eq!(pad["record"]["license"], "Apache-2.0");
    let text = serde_json::to_string(&pad).unwrap();
    assert!(text.contains("actor:chatons:libre-service-eu"), "{text}");
    // One file alone: an organisation without its services.
    let one = json(
        &db,
        &[
            "import",
            "chatons",
            &sample("chatonsinfos/chapril.org/chapril.org.properties"),
            "--json",
        ],
    );
    assert_eq!(one["records"], 1);
    assert_eq!(one["unchanged"], 1, "{one}");
}

#[test]
fn geojson_with_a_mapping_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let out = json(
        &db,
        &[
            "import",
            "geojson",
            &sample("gogocarto-export.geojson"),
            "--mapping",
            &sample("gogocarto-mapping.toml"),
            "--source",
            "gogocarto",
            "--json",
        ],
    );
    assert_eq!(out["records"], 5);
    assert_eq!(out["inserted"], 10, "{out}");
    let a = show(&db, "actor:gogocarto:Tb5r");
    assert_eq!(a["record"]["kind"], "cooperative");
    assert_eq!(a["record"]["provenance"]["source"], "gogocarto");
    // No mapping: refused before anything is read or written.
    let out = run(
        &db,
        &["import", "geojson", &sample("gogocarto-export.geojson")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("needs --mapping"), "{}", stderr(&out));
    // A mapping naming an unknown kind: said with its line, nothing done.
    let bad = write(
        dir.path(),
        "m.toml",
        "id = \"id\"\nname = \"name\"\n[kinds]\n\"Fablab\" = \"licorne\"\n",
    );
    let out = run(
        &db,
        &[
            "import",
            "geojson",
            &sample("gogocarto-export.geojson"),
            "--mapping",
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("m.toml:4: kinds.Fablab: `licorne` is not a key"),
        "{}",
        stderr(&out)
    );
}

/// Serves the ChatonsInfos sample over plain HTTP on the loopback, each
/// file at `/HOST/.well-known/chatonsinfos/NAME` (the federation at
/// `/chatons.properties`), with the samples' `https://www.HOST` links
/// pointing at this server; `extra` adds or replaces files by path.
/// Answers requests until the test ends; counts them.
fn serve_chatons(
    extra: Vec<(&'static str, String)>,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let root = std::path::PathBuf::from(sample("chatonsinfos"));
    let mut files: std::collections::HashMap<String, String> = Default::default();
    let fix = |text: String| {
        text.replace(
            "https://www.libre-service.eu/",
            &format!("{base}/libre-service.eu/"),
        )
        .replace("https://www.chapril.org/", &format!("{base}/chapril.org/"))
    };
    files.insert(
        "/chatons.properties".into(),
        fix(std::fs::read_to_string(root.join("chatons.properties")).unwrap()),
    );
    for host in ["libre-service.eu", "chapril.org"] {
        for entry in std::fs::read_dir(root.join(host)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            files.insert(
                format!("/{host}/.well-known/chatonsinfos/{name}"),
                fix(std::fs::read_to_string(&path).unwrap()),
            );
        }
    }
    for (path, text) in extra {
        files.insert(path.to_string(), fix(text));
    }
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            // The rest of the request's head.
            let mut h = String::new();
            while reader.read_line(&mut h).is_ok_and(|n| n > 2) {
                h.clear();
            }
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let path = line.split(' ').nth(1).unwrap_or("/").to_string();
            let answer = match files.get(&path) {
                Some(body) => format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                ),
                None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_string(),
            };
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (base, hits)
}

#[test]
fn chatons_from_a_url_follows_the_subs_lines() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let (base, hits) = serve_chatons(Vec::new());
    let url = format!("{base}/chatons.properties");
    let out = json(&db, &["import", "chatons", &url, "--json"]);
    // The same records as from the folder: the federation, two hosts,
    // their services' software.
    assert_eq!(out["records"], 6, "{out}");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 6);
    assert_eq!(
        show(&db, "actor:chatons:chapril-org")["record"]["kind"],
        "chatons_host"
    );
    let pad = show(&db, "commons:chatons:software-etherpad");
    assert!(serde_json::to_string(&pad)
        .unwrap()
        .contains("actor:chatons:libre-service-eu"));
}

#[test]
fn chatons_from_a_url_is_all_or_nothing_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    // An organisation listing a service that is not there, and itself.
    let org = std::fs::read_to_string(
        std::path::Path::new(&sample("chatonsinfos")).join("chapril.org/chapril.org.properties"),
    )
    .unwrap();
    let broken = format!(
        "{org}\nsubs.self = https://www.chapril.org/.well-known/chatonsinfos/chapril.org.properties\nsubs.gone = https://www.chapril.org/.well-known/chatonsinfos/gone.properties\n"
    );
    let (base, _) = serve_chatons(vec![(
        "/chapril.org/.well-known/chatonsinfos/chapril.org.properties",
        broken,
    )]);
    let out = run(
        &db,
        &["import", "chatons", &format!("{base}/chatons.properties")],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("chapril.org.properties:"), "{err}");
    assert!(err.contains(": subs:"), "{err}");
    assert!(err.contains("gone.properties"), "{err}");
    assert!(err.contains("404"), "{err}");
    assert!(!exists(&db, "actor:chatons:chapril-org"));

    // Plain HTTP to another machine, a URL with a control character:
    // refused before any request.
    let bad_link =
        "file.class = federation\nfederation.name = X\nsubs.a = http://example.org/a.properties\n";
    let (base, hits) = serve_chatons(vec![("/bad.properties", bad_link.to_string())]);
    let out = run(
        &db,
        &["import", "chatons", &format!("{base}/bad.properties")],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("bad.properties:3: subs: a plain HTTP URL"),
        "{err}"
    );
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    let out = run(
        &db,
        &["import", "chatons", "https://exa\u{7}mple.org/x.properties"],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("control character"),
        "{}",
        stderr(&out)
    );
}

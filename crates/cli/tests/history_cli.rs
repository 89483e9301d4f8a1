//! `archipel history` and `archipel proposals` end to end on real
//! temporary registries: versions newest first, a restore as a new
//! version, the queue's filters, decisions by a moderator only, and a
//! process killed (SIGKILL) in the middle of a run of decisions — the
//! command line's or `archipel serve`'s, decisions taken on the web —
//! leaving every record and its history as before or after each
//! decision, never between.

mod common;

use archipel_content::Content;
use archipel_domain::{Entity, EntityId};
use archipel_jobs::contribute::{self, Policy, Proposed, Proposer, Submission, Submitted};
use archipel_store::accounts::{Audit, NewAccount};
use archipel_store::Store;
use common::{json, ok, run, stderr};
use std::path::Path;

/// A registry with the demonstration territory, a moderator
/// (modo@exemple.fr) and a contributor; the contributor's id.
fn registry(db: &Path) -> i64 {
    ok(db, &["demo"]);
    let mut store = Store::open(db).unwrap();
    let by = Audit::new(chrono::Utc::now(), None, serde_json::Value::Null);
    let mut account = |email: &str, name: &str, role: &str| {
        store
            .create_account(
                &NewAccount {
                    email: Some(email),
                    password_hash: None,
                    display_name: name,
                    role,
                },
                &by,
            )
            .unwrap()
    };
    account("modo@exemple.fr", "Dominique", "moderator");
    account("contrib@exemple.fr", "Camille", "contributor")
}

/// The contributor proposes `e`; the proposal's id.
fn propose(store: &mut Store, content: &Content, who: i64, e: Entity) -> i64 {
    let s = Submission {
        proposed: Proposed::Record(Box::new(e)),
        base: None,
        comment: None,
        proposer: Proposer::Account(who),
        at: chrono::Utc::now(),
    };
    match contribute::submit(store, content, Policy::default(), s).unwrap() {
        Submitted::Pending(id) => id,
        other => panic!("{other:?}"),
    }
}

fn renamed(store: &Store, id: &str, name: &str) -> Entity {
    let mut e = store.get(&EntityId::parse(id).unwrap()).unwrap().unwrap();
    match &mut e {
        Entity::Actor(a) => a.name = name.into(),
        Entity::Place(p) => p.name = name.into(),
        Entity::Commons(c) => c.name = name.into(),
        Entity::Territory(t) => t.name = name.into(),
        Entity::Relation(r) => r.note = Some(name.into()),
    }
    e
}

const VILLE: &str = "actor:demo:ville-villecommune";

#[test]
fn history_lists_versions_newest_first_and_a_restore_is_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let contributor = registry(&db);
    {
        let mut store = Store::open(&db).unwrap();
        let content = Content::embedded().unwrap();
        let e = renamed(&store, VILLE, "Ville <script>alert(1)</script>");
        let p = propose(&mut store, &content, contributor, e);
        ok(
            &db,
            &[
                "proposals",
                "accept",
                &p.to_string(),
                "--by",
                "modo@exemple.fr",
            ],
        );
    }
    let v = json(&db, &["history", VILLE, "--json"]);
    let versions = v.as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["version"], 2, "newest first");
    assert_eq!(versions[0]["action"], "proposal");
    assert_eq!(versions[0]["by"], "Dominique");
    assert_eq!(versions[0]["source"], "web");
    assert_eq!(versions[1]["action"], "demo");
    assert_eq!(versions[1]["source"], "demo");
    assert!(versions[1]["by"].is_null());
    let name = versions[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "name")
        .unwrap();
    assert_eq!(name["after"], "Ville <script>alert(1)</script>");
    assert!(versions[0]["at"].as_str().unwrap().ends_with('Z'));

    // Only a moderator restores.
    let out = run(
        &db,
        &[
            "history",
            VILLE,
            "--restore",
            "1",
            "--by",
            "contrib@exemple.fr",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("may not moderate"),
        "{}",
        stderr(&out)
    );
    let text = ok(
        &db,
        &[
            "history",
            VILLE,
            "--restore",
            "1",
            "--by",
            "modo@exemple.fr",
        ],
    );
    assert!(text.contains("version 1 restored"), "{text}");
    let v = json(&db, &["history", VILLE, "--json"]);
    assert_eq!(v.as_array().unwrap().len(), 3);
    assert_eq!(v[0]["action"], "restore");
    assert_eq!(v[0]["changes"][0]["field"], "name");
    assert_eq!(
        v[0]["changes"][0]["before"],
        "Ville <script>alert(1)</script>"
    );
    let text = ok(&db, &["history", VILLE]);
    assert!(text.lines().next().unwrap().starts_with("3 "), "{text}");
    let out = run(
        &db,
        &[
            "history",
            VILLE,
            "--restore",
            "9",
            "--by",
            "modo@exemple.fr",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no version 9"));
    let out = run(&db, &["history", "actor:demo:nobody"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_public_action_proposal_is_shown_accepted_and_its_history_restored() {
    use archipel_domain::{Action, ActionKind};
    use archipel_jobs::contribute_action;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let contributor = registry(&db);
    let (id, p) = {
        let mut store = Store::open(&db).unwrap();
        let content = Content::embedded().unwrap();
        let a = store
            .actions(&archipel_store::ActionQuery {
                kind: Some(ActionKind::Hosting),
                ..Default::default()
            })
            .unwrap()
            .remove(0);
        let Action::Hosting(mut h) = a else { panic!() };
        h.infrastructure = Some("Serveurs du syndicat <b>mixte</b>".into());
        let id = h.id.to_string();
        let s = contribute_action::Submission {
            proposed: contribute_action::Proposed::Record(Box::new(Action::Hosting(h))),
            base: None,
            comment: None,
            proposer: Proposer::Account(contributor),
            at: chrono::Utc::now(),
        };
        match contribute_action::submit(&mut store, &content, Policy::default(), s).unwrap() {
            Submitted::Pending(p) => (id, p),
            other => panic!("{other:?}"),
        }
    };
    let text = ok(&db, &["proposals", "show", &p.to_string()]);
    assert!(text.contains("infrastructure:"), "{text}");
    let listed = json(&db, &["proposals", "list", "--json"]);
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["kind"] == "hosting" && x["record"] == id.as_str()));
    ok(
        &db,
        &[
            "proposals",
            "accept",
            &p.to_string(),
            "--by",
            "modo@exemple.fr",
        ],
    );
    let v = json(&db, &["history", &id, "--json"]);
    assert_eq!(v.as_array().unwrap().len(), 2, "{v}");
    assert_eq!(v[0]["action"], "proposal");
    assert_eq!(v[0]["changes"][0]["field"], "infrastructure");
    ok(
        &db,
        &["history", &id, "--restore", "1", "--by", "modo@exemple.fr"],
    );
    let v = json(&db, &["history", &id, "--json"]);
    assert_eq!(v.as_array().unwrap().len(), 3);
    assert_eq!(v[0]["action"], "restore");
    assert_eq!(
        v[0]["changes"][0]["before"],
        "Serveurs du syndicat <b>mixte</b>"
    );
}

#[test]
fn proposals_are_listed_filtered_accepted_and_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let contributor = registry(&db);
    let (a, b) = {
        let mut store = Store::open(&db).unwrap();
        let content = Content::embedded().unwrap();
        let e = renamed(&store, VILLE, "Ville A");
        let a = propose(&mut store, &content, contributor, e);
        let e = renamed(&store, "commons:sill:234", "Decidim B");
        let b = propose(&mut store, &content, contributor, e);
        (a, b)
    };
    let all = json(&db, &["proposals", "list", "--json"]);
    assert_eq!(all.as_array().unwrap().len(), 2);
    let actors = json(&db, &["proposals", "list", "--json", "--kind", "actor"]);
    assert_eq!(actors.as_array().unwrap().len(), 1);
    assert_eq!(actors[0]["id"], a);
    let under = json(
        &db,
        &[
            "proposals",
            "list",
            "--json",
            "--territory",
            "territory:demo:epci:960000008",
        ],
    );
    assert_eq!(
        under.as_array().unwrap().len(),
        1,
        "the actor's commune is below"
    );
    // A contributor cannot decide.
    let out = run(
        &db,
        &[
            "proposals",
            "accept",
            &a.to_string(),
            "--by",
            "contrib@exemple.fr",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    ok(
        &db,
        &[
            "proposals",
            "refuse",
            &b.to_string(),
            "--by",
            "modo@exemple.fr",
            "--message",
            "Non merci",
        ],
    );
    ok(
        &db,
        &[
            "proposals",
            "accept",
            &a.to_string(),
            "--by",
            "modo@exemple.fr",
        ],
    );
    assert!(json(&db, &["proposals", "list", "--json"])
        .as_array()
        .unwrap()
        .is_empty());
    let refused = json(&db, &["proposals", "list", "--json", "--status", "refused"]);
    assert_eq!(refused[0]["message"], "Non merci");
    let shown = json(&db, &["show", VILLE, "--json"]);
    assert_eq!(shown["record"]["name"], "Ville A");
    // Deciding twice fails and says why.
    let out = run(
        &db,
        &[
            "proposals",
            "accept",
            &a.to_string(),
            "--by",
            "modo@exemple.fr",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim_end(),
        format!("archipel: error: proposal {a} is accepted already"),
        "said as other errors are, the proposal named once"
    );
    // An unknown proposal is named once, as `show` and `refuse` say it.
    let unknown = |args: &[&str]| {
        let out = run(&db, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        stderr(&out).trim_end().to_string()
    };
    let said = "archipel: error: no proposal 999";
    let by = ["--by", "modo@exemple.fr"];
    assert_eq!(
        unknown(&[&["proposals", "accept", "999"][..], &by].concat()),
        said
    );
    assert_eq!(
        unknown(
            &[
                &["proposals", "refuse", "999"][..],
                &by,
                &["--message", "Non"]
            ]
            .concat()
        ),
        said
    );
    assert_eq!(unknown(&["proposals", "show", "999"]), said);
}

/// Every proposal is either pending with its record as it was, or
/// accepted with its record as proposed, the version naming the batch
/// that applied it, and the audit entry of the decision — never a mix.
fn check_consistent(db: &Path, proposals: &[(i64, Entity, Entity)]) -> (usize, usize) {
    let store = Store::open_read_only(db).unwrap();
    let audit = store.audit_log(100_000, None).unwrap();
    let (mut accepted, mut pending) = (0, 0);
    for (id, before, proposed) in proposals {
        let p = store.proposal(*id).unwrap().unwrap();
        let now = store.get(before.id()).unwrap().unwrap();
        let history = store.history(before.id()).unwrap();
        let logged = audit
            .iter()
            .any(|e| e.action == "proposal.accept" && e.detail["proposal"] == *id);
        match p.status.as_str() {
            "accepted" => {
                accepted += 1;
                assert!(
                    now.same_facts(&contribute_form(proposed, &now)),
                    "proposal {id}: {now:?}"
                );
                assert_eq!(history.len(), 2, "proposal {id}");
                let by = history[1].by.as_ref().unwrap();
                assert_eq!(Some(by.id), p.batch, "proposal {id}");
                assert_eq!(by.note.as_deref(), Some(format!("proposal:{id}").as_str()));
                assert!(logged, "proposal {id}: accepted without its audit entry");
            }
            "pending" => {
                pending += 1;
                assert_eq!(&now, before, "proposal {id}: changed while pending");
                assert_eq!(history.len(), 1, "proposal {id}");
                assert!(!logged, "proposal {id}: audited but pending");
            }
            other => panic!("proposal {id}: {other}"),
        }
    }
    (accepted, pending)
}

/// `proposed` with the provenance a contribution gets (that of `now`'s
/// version: the facts are what is compared).
fn contribute_form(proposed: &Entity, now: &Entity) -> Entity {
    let mut e = proposed.clone();
    *e.provenance_mut() = now.provenance().clone();
    e
}

#[test]
fn a_kill_during_moderation_decisions_leaves_records_and_histories_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let contributor = registry(&db);
    let mut proposals = Vec::new();
    {
        let mut store = Store::open(&db).unwrap();
        let content = Content::embedded().unwrap();
        let records: Vec<Entity> = ["actor", "place", "commons"]
            .iter()
            .flat_map(|k| {
                store
                    .list(
                        archipel_domain::EntityKind::ALL
                            .into_iter()
                            .find(|x| x.as_str() == *k)
                            .unwrap(),
                    )
                    .unwrap()
            })
            .collect();
        assert!(records.len() > 40, "{}", records.len());
        for (i, before) in records.into_iter().enumerate() {
            let proposed = renamed(&store, before.id().as_str(), &format!("Nom proposé n°{i}"));
            let id = propose(&mut store, &content, contributor, proposed.clone());
            proposals.push((id, before, proposed));
        }
    }
    let ids: Vec<String> = proposals.iter().map(|(id, _, _)| id.to_string()).collect();
    // Kill a run of decisions at several points, checking each time.
    let mut rounds = 0;
    loop {
        let remaining: Vec<&str> = {
            let store = Store::open_read_only(&db).unwrap();
            ids.iter()
                .filter(|id| {
                    let p = store.proposal(id.parse().unwrap()).unwrap().unwrap();
                    p.status == "pending"
                })
                .map(String::as_str)
                .collect()
        };
        if remaining.is_empty() || rounds == 6 {
            break;
        }
        rounds += 1;
        let mut args = vec!["proposals", "accept"];
        args.extend(&remaining);
        args.extend(["--by", "modo@exemple.fr"]);
        let mut child = common::command(&db, &args).spawn().unwrap();
        // Let it decide a few (by reading, as other readers would), then
        // kill it wherever it is.
        let target = 1 + rounds * 3;
        loop {
            let (accepted, _) = check_counts(&db, &ids);
            if accepted >= target.min(ids.len()) || child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::yield_now();
        }
        let _ = child.kill();
        let _ = child.wait();
        let store = Store::open(&db).unwrap();
        drop(store);
        check_consistent(&db, &proposals);
    }
    let (accepted, pending) = check_consistent(&db, &proposals);
    assert!(accepted > 0);
    assert_eq!(accepted + pending, proposals.len());
    // The registry is sound, its full-text index too.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    conn.execute_batch("INSERT INTO entity_fts (entity_fts, rank) VALUES ('integrity-check', 1)")
        .unwrap();
}

/// How many of `ids` are accepted, read through a read-only connection.
fn check_counts(db: &Path, ids: &[String]) -> (usize, usize) {
    let Ok(store) = Store::open_read_only(db) else {
        return (0, 0);
    };
    let mut accepted = 0;
    for id in ids {
        if let Ok(Some(p)) = store.proposal(id.parse().unwrap()) {
            if p.status == "accepted" {
                accepted += 1;
            }
        }
    }
    (accepted, ids.len() - accepted)
}

#[test]
fn a_proposal_is_shown_with_its_difference_against_the_current_version() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let contributor = registry(&db);
    let p = {
        let mut store = Store::open(&db).unwrap();
        let content = Content::embedded().unwrap();
        let e = renamed(&store, VILLE, "Ville <b>");
        let p = propose(&mut store, &content, contributor, e);
        // An import changes the record meanwhile.
        let changed = renamed(&store, VILLE, "Ville changée par un import");
        store
            .write("demo", "json", None, |w| w.upsert(&changed))
            .unwrap();
        p
    };
    let v = json(&db, &["proposals", "show", &p.to_string(), "--json"]);
    assert_eq!(v["stale"], true);
    assert_eq!(v["changed_since"][0]["field"], "name");
    assert_eq!(v["changes"][0]["before"], "Ville changée par un import");
    let text = ok(&db, &["proposals", "show", &p.to_string()]);
    assert!(text.contains("changed since the proposer saw it"), "{text}");
    assert!(
        text.contains("name: Ville changée par un import → Ville <b>"),
        "{text}"
    );
    let out = run(&db, &["proposals", "show", "999"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_moderator_makes_an_agent_with_the_actors_siret_its_referent() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    registry(&db);
    let actor = {
        let mut store = Store::open(&db).unwrap();
        let mut a = archipel_testkit::records::actor("asso", "Association");
        a.identifiers.siret = Some("43493312300029".into());
        store
            .write("test", "json", None, |w| {
                w.upsert(&Entity::Actor(a.clone()))
            })
            .unwrap();
        store
            .record_identity(
                "https://proconnect.example",
                "sub-1",
                &serde_json::json!({"siret": "43493312300029"}),
                &NewAccount {
                    email: Some("agent@asso.fr"),
                    password_hash: None,
                    display_name: "Agent",
                    role: "contributor",
                },
                &Audit::new(chrono::Utc::now(), None, serde_json::Value::Null),
            )
            .unwrap();
        a.id.to_string()
    };
    // Not by a contributor; not for an account without that SIRET.
    let out = run(
        &db,
        &[
            "referent",
            "add",
            "agent@asso.fr",
            &actor,
            "--by",
            "contrib@exemple.fr",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = run(
        &db,
        &[
            "referent",
            "add",
            "contrib@exemple.fr",
            &actor,
            "--by",
            "modo@exemple.fr",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("43493312300029"), "{}", stderr(&out));
    ok(
        &db,
        &[
            "referent",
            "add",
            "agent@asso.fr",
            &actor,
            "--by",
            "modo@exemple.fr",
        ],
    );
    assert_eq!(
        ok(&db, &["referent", "list", "agent@asso.fr"]).trim(),
        actor
    );
}

/// The cookies an answer sets, as `name=value` pairs.
fn set_cookies(answer: &str) -> Vec<String> {
    answer
        .lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("set-cookie")
                .then(|| v.trim().split(';').next().unwrap_or("").to_string())
        })
        .filter(|c| !c.ends_with('='))
        .collect()
}

/// The anti-forgery field of the first form of a page.
fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no form in {page}"))
        .to_string()
}

/// A moderator signed in to `server`: their cookies and form token.
fn moderator_session(server: &archipel_testkit::Server) -> (String, String) {
    let page = server.get("/connexion");
    let mut cookies = set_cookies(&page).join("; ");
    let form = format!(
        "csrf={}&email=web-modo%40exemple.fr&password=une+phrase+de+passe+assez+longue&next=%2Fcompte",
        csrf_of(&page)
    );
    let answer = server
        .request("POST", "/connexion", &cookies, Some(&form))
        .expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    cookies = set_cookies(&answer).join("; ");
    let account = server
        .request("GET", "/compte", &cookies, None)
        .expect("an answer");
    (cookies.clone(), csrf_of(&account))
}

#[test]
fn a_server_killed_during_decisions_on_the_web_leaves_records_and_histories_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let contributor = registry(&db);
    let mut proposals = Vec::new();
    {
        let mut store = Store::open(&db).unwrap();
        let content = Content::embedded().unwrap();
        let hash = archipel_accounts::password::hash("une phrase de passe assez longue").unwrap();
        store
            .create_account(
                &NewAccount {
                    email: Some("web-modo@exemple.fr"),
                    password_hash: Some(&hash),
                    display_name: "Modération",
                    role: "moderator",
                },
                &Audit::new(chrono::Utc::now(), None, serde_json::Value::Null),
            )
            .unwrap();
        let records: Vec<Entity> = store
            .list(archipel_domain::EntityKind::Actor)
            .unwrap()
            .into_iter()
            .chain(store.list(archipel_domain::EntityKind::Place).unwrap())
            .collect();
        for (i, before) in records.into_iter().enumerate() {
            let proposed = renamed(&store, before.id().as_str(), &format!("Nom proposé n°{i}"));
            let id = propose(&mut store, &content, contributor, proposed.clone());
            proposals.push((id, before, proposed));
        }
    }
    assert!(proposals.len() > 30, "{}", proposals.len());
    let ids: Vec<String> = proposals.iter().map(|(id, _, _)| id.to_string()).collect();
    for round in 1..=3 {
        let mut server = archipel_testkit::Server::start(common::command(
            &db,
            &["serve", "--addr", "127.0.0.1:0", "--tiles", "none"],
        ));
        let (cookies, csrf) = moderator_session(&server);
        let (before, _) = check_counts(&db, &ids);
        // Decisions one after another, as fast as the server takes them,
        // from another thread; the server is killed after a few.
        let server_ref = &server;
        let target = before + 3;
        std::thread::scope(|scope| {
            let decisions = scope.spawn(|| {
                for id in &ids {
                    let form = format!("csrf={csrf}&message=");
                    let path = format!("/moderation/{id}/accepter");
                    if server_ref
                        .request("POST", &path, &cookies, Some(&form))
                        .is_none()
                    {
                        break;
                    }
                }
            });
            loop {
                let (accepted, _) = check_counts(&db, &ids);
                if accepted >= target.min(ids.len()) || decisions.is_finished() {
                    break;
                }
                std::thread::yield_now();
            }
            // The thread holds only a shared reference: kill through the
            // process id so the server dies while it may be mid-decision.
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &server_ref.pid().to_string()])
                .status();
            let _ = decisions.join();
        });
        server.kill();
        let (accepted, pending) = check_consistent(&db, &proposals);
        assert!(accepted >= before, "round {round}: decisions were lost");
        assert_eq!(accepted + pending, proposals.len());
    }
    let (accepted, _) = check_consistent(&db, &proposals);
    assert!(accepted >= 9, "{accepted} decisions in three rounds");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
}

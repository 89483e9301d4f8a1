//! `/soutiens` and `/soutiens/{id}` over a registry holding the
//! demonstration territory and the made-up grants and calls of
//! `testdata/scdl/` (imported as `archipel import` does), with one grant
//! more whose purpose is hostile HTML.

mod common;

use archipel_content::Content;
use archipel_domain::{Action, ActionKind, EntityId};
use archipel_formats::ImportContext;
use archipel_store::{ActionQuery, Store};
use axum::http::StatusCode;
use common::web::*;

const HOSTILE: &str = "<script>alert('objet')</script>";

fn registry() -> Fixture {
    let f = demo_fixture_with(|_| {});
    let content = Content::embedded().unwrap();
    let mut store = f.store();
    let read =
        |name: &str| std::fs::read(archipel_testkit::testdata(&format!("scdl/{name}"))).unwrap();
    let ctx = ImportContext::new("dispositifs.csv", "port-lannec", &content);
    let r = archipel_jobs::support::import_dispositifs(
        &mut store,
        &read("dispositifs.csv"),
        &ctx,
        false,
    )
    .unwrap();
    assert!(r.written.is_some(), "{:?}", r.problems);
    let mut grants = read("subventions-valid.csv");
    grants.extend_from_slice(
        format!(
            "Ville de Port-Lannec,21290019700006,2023-05-02,DEL-2023-1,Atelier Hostile,,W291099999,\"{HOSTILE}\",1000,aide en numéraire,unique,2023-06-01,,non,1,\n"
        )
        .as_bytes(),
    );
    let ctx = ImportContext::new("subventions.csv", "port-lannec", &content);
    let r = archipel_jobs::support::import_scdl(&mut store, &grants, &ctx, false).unwrap();
    assert!(r.written.is_some(), "{:?}", r.problems);
    assert_eq!(r.records, 6);
    // The commons the first grant supports, as a later edit would say.
    let mut first = grant_by_purpose(&store, "Animation d'ateliers");
    if let Action::Grant(g) = &mut first {
        g.commons = vec![EntityId::parse("commons:sill:236").unwrap()];
    }
    store
        .write("port-lannec", "test", None, |w| {
            w.upsert_action(&first)?;
            Ok(())
        })
        .unwrap();
    f
}

fn grant_by_purpose(store: &Store, start: &str) -> Action {
    store
        .actions(&ActionQuery {
            kind: Some(ActionKind::Grant),
            ..ActionQuery::default()
        })
        .unwrap()
        .into_iter()
        .find(|a| a.name().starts_with(start))
        .unwrap_or_else(|| panic!("no grant {start}"))
}

/// The text of the table row whose header cell is `head`, tags removed.
fn row(body: &str, table: &str, head: &str) -> String {
    let t = body
        .split(&format!("class=\"list {table}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no table {table}"));
    let t = t.split("</table>").next().unwrap();
    let r = t
        .split("<tr>")
        .find(|r| strip(r).contains(head))
        .unwrap_or_else(|| panic!("no row {head} in {table}"));
    strip(r.split("</tr>").next().unwrap())
}

fn strip(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn the_page_sums_grants_by_year_kind_commons_and_call() {
    let f = registry();
    let mut b = Browser::default();
    let r = b.get(&f.app, "/soutiens?year=2025&lang=fr").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // 12000 + two halves of 8500.50 + 2400 euros, in 2025.
    assert_eq!(
        row(&r.body, "support-by-year", "2025"),
        "2025 4 22\u{202f}900,50\u{a0}€"
    );
    // Only the year asked for.
    assert!(!r.body.contains("DEL-2023"));
    assert!(!r.body.contains("Hébergement du service"));
    // Associations: the one with an RNA number and the repair café.
    assert_eq!(
        row(&r.body, "support-by-kind", "Association"),
        "Association 2 14\u{202f}400\u{a0}€"
    );
    assert_eq!(
        row(&r.body, "support-by-kind", "Sorte non renseignée"),
        "Sorte non renseignée 2 8\u{202f}500,50\u{a0}€"
    );
    assert!(row(&r.body, "support-by-commons", "12\u{202f}000").ends_with("1 12\u{202f}000\u{a0}€"));
    // The call (non-competitive, no application recorded): three grants,
    // two new beneficiaries (Libre Ouest had a grant from the town in
    // 2024).
    assert_eq!(
        row(&r.body, "support-calls", "Soutenir les communs"),
        "Soutenir les communs numériques du territoire sans concurrence Ville de Port-Lannec 0 0 0 0 3 20\u{202f}500,50\u{a0}€ 2"
    );
    // The year is kept by the language switch and the download.
    assert!(r.body.contains("/soutiens.csv?year=2025"), "{}", r.body);

    // Another year, in the same language: its own answer (the year is in
    // the answer cache's key). 2024: the sample's 3000 euros and the
    // demonstration's 6000 + 4000 + 10000 (its Fonds d'amorçage).
    let r = b.get(&f.app, "/soutiens?year=2024&lang=fr").await;
    assert_eq!(
        row(&r.body, "support-by-year", "2024"),
        "2024 4 23\u{202f}000\u{a0}€"
    );
    assert!(!r.body.contains("22\u{202f}900,50"));

    // Every year, in English.
    let r = b.get(&f.app, "/soutiens?lang=en").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(row(&r.body, "support-by-year", "2024"), "2024 4 €23,000");
    assert_eq!(row(&r.body, "support-by-year", "2023"), "2023 1 €1,000");
    assert_eq!(
        row(&r.body, "support-calls", "Soutenir les communs"),
        "Soutenir les communs numériques du territoire non-competitive Ville de Port-Lannec 0 0 0 0 3 €20,500.50 2"
    );
    // A call with no grant yet is listed, with none.
    assert!(row(&r.body, "support-calls", "Équiper les tiers-lieux").ends_with("0 €0 0"));
    // The hostile purpose stays text.
    assert!(!r.body.contains(HOSTILE));
    assert!(r.body.contains("&#60;script&#62;"), "{}", r.body);
}

#[tokio::test]
async fn a_bad_year_is_refused_and_an_unknown_id_is_not_found() {
    let f = registry();
    let mut b = Browser::default();
    for q in [
        "year=25",
        "year=abcd",
        "year=20250",
        "year=1066",
        "year=%3Cscript%3E",
    ] {
        let r = b.get(&f.app, &format!("/soutiens?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(!r.body.contains("<script>"), "{q}");
        let r = b.get(&f.app, &format!("/soutiens.csv?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
    }
    for id in [
        "grant:port-lannec:nothing",
        "call:port-lannec:nothing",
        "actor:demo:metropole",
        "grant:%3Cscript%3E",
        "nonsense",
    ] {
        let r = b.get(&f.app, &format!("/soutiens/{id}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{id}");
        assert!(!r.body.contains("<script>"), "{id}");
    }
}

#[tokio::test]
async fn a_grant_and_a_call_have_their_pages() {
    let f = registry();
    let store = f.store();
    let g = grant_by_purpose(&store, "Entretien de la carte");
    let Action::Grant(grant) = &g else { panic!() };
    let mut b = Browser::default();
    let url = format!("/soutiens/{}?lang=fr", grant.id);
    let r = b.get(&f.app, &url).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let text = strip(&r.body);
    for want in [
        "Financeur Ville de Port-Lannec",
        "SIRET du financeur 21290019700006",
        "Date de la décision 2025-03-14",
        "Référence de la décision DEL-2025-031",
        "Montant total 8\u{202f}500,50\u{a0}€",
        "Part du bénéficiaire 0.5",
        "Montant reçu 4\u{202f}250,25\u{a0}€",
        "Versement 2025-04-01 → 2025-12-31",
        "Notifiée à l&#39;Union européenne Non",
        "Appel à projets Soutenir les communs numériques du territoire",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
    // Links to the giver, the beneficiary and the call.
    for href in [
        format!("/actors/{}", grant.giver),
        format!("/actors/{}", grant.beneficiary),
    ] {
        assert!(r.body.contains(&format!("href=\"{href}\"")), "{href}");
    }
    let call = grant.call.clone().expect("the grant's call");
    assert!(r.body.contains(&format!("href=\"/soutiens/{call}\"")));

    // The call lists its three grants.
    let r = b.get(&f.app, &format!("/soutiens/{call}?lang=en")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let text = strip(&r.body);
    assert!(text.contains("Budget €60,000"), "{text}");
    assert!(text.contains("Grants that came from this call, by date of decision"));
    assert!(
        text.contains("Projects not ranked against each other Yes"),
        "{text}"
    );
    assert_eq!(r.body.matches("<td class=\"num\">€").count(), 3, "{text}");

    // The hostile grant's page: its purpose is text.
    let h = grant_by_purpose(&store, "<script>");
    let r = b.get(&f.app, &format!("/soutiens/{}", h.id())).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains(HOSTILE));
    assert!(r.body.contains("&#60;script&#62;alert("));
}

#[tokio::test]
async fn the_csv_download_holds_the_grants_of_the_year_in_scdl_columns() {
    let f = registry();
    let mut b = Browser::default();
    let r = b.get(&f.app, "/soutiens.csv?year=2025").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let lines: Vec<&str> = r.body.lines().collect();
    assert!(lines[0].starts_with("nomAttribuant,idAttribuant,dateConvention"));
    assert_eq!(lines.len(), 5, "{}", r.body);
    assert!(lines[1..].iter().all(|l| l.contains(",2025-")));
    // Every year: every grant of the registry (the demonstration's and
    // the sample's), one line each under the header.
    let grants = f
        .store()
        .actions(&ActionQuery {
            kind: Some(ActionKind::Grant),
            ..ActionQuery::default()
        })
        .unwrap()
        .len();
    assert!(grants > 4, "{grants}");
    let r = b.get(&f.app, "/soutiens.csv").await;
    assert_eq!(r.body.lines().count(), grants + 1, "{}", r.body);
}

#[tokio::test]
async fn an_empty_registry_says_there_is_nothing_yet() {
    let f = fixture();
    let mut b = Browser::default();
    let r = b.get(&f.app, "/soutiens?lang=fr").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Aucune subvention enregistrée"));
    assert!(r.body.contains("Aucun appel à projets enregistré"));
    assert!(!r.body.contains("<table"));
    // The navigation leads here, marked as the current page.
    assert!(r
        .body
        .contains("<a href=\"/soutiens\" aria-current=\"page\">"));
}

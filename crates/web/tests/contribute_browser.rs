//! Contributions in headless Chromium, as people do them: sign up,
//! propose an actor with its place (not public yet), a moderator accepts
//! (then it is on the map and in search); a refusal's message reaches the
//! proposer; a correction's difference is accepted; an older version is
//! restored; a referent's edit goes live. Every page of the way passes
//! axe-core and the page rules, in French and English, at 1280 and
//! 320 px.

mod common;

use archipel_content::Content;
use archipel_store::accounts::{Audit, NewAccount};
use archipel_store::Store;
use common::browser::*;
use fantoccini::{Client, Locator};
use serde_json::Value;
use std::path::{Path, PathBuf};

const PASSWORD: &str = "une phrase de passe assez longue";
const SIRET: &str = "21960001700012";
const VILLE: &str = "actor:demo:ville-villecommune";

/// The demonstration territory, a moderator, an administrator and a
/// referent of the Ville (its SIRET on the actor and on the agent's
/// identity).
fn registry(dir: &Path) -> PathBuf {
    let db = dir.join("registry.db");
    let mut store = Store::open(&db).unwrap();
    let content = Content::embedded().unwrap();
    archipel_jobs::demo::load(&mut store, &content, &mut |_| {}).unwrap();
    let hash = archipel_accounts::password::hash(PASSWORD).unwrap();
    let audit = Audit::new(chrono::Utc::now(), None, Value::Null);
    for (email, name, role) in [
        ("dominique@exemple.fr", "Dominique", "moderator"),
        ("alex@exemple.fr", "Alex", "admin"),
    ] {
        store
            .create_account(
                &NewAccount {
                    email: Some(email),
                    password_hash: Some(&hash),
                    display_name: name,
                    role,
                },
                &audit,
            )
            .unwrap();
    }
    let ville = archipel_domain::EntityId::parse(VILLE).unwrap();
    let mut e = store.get(&ville).unwrap().unwrap();
    if let archipel_domain::Entity::Actor(a) = &mut e {
        a.identifiers.siret = Some(SIRET.into());
    }
    store.write("test", "json", None, |w| w.upsert(&e)).unwrap();
    let (agent, _) = store
        .record_identity(
            "https://proconnect.example",
            "agent-1",
            &serde_json::json!({"siret": SIRET, "organization_label": "Ville"}),
            &NewAccount {
                email: Some("agent@villecommune.demo.invalid"),
                password_hash: Some(&hash),
                display_name: "Agent de la Ville",
                role: "contributor",
            },
            &audit,
        )
        .unwrap();
    archipel_jobs::contribute::make_referent(&mut store, agent, &ville, None, chrono::Utc::now())
        .unwrap();
    db
}

async fn fill(c: &Client, css: &str, text: &str) -> Result<(), String> {
    let e = c
        .find(Locator::Css(css))
        .await
        .map_err(|e| format!("{css}: {e}"))?;
    e.clear().await.map_err(|e| format!("{css}: {e}"))?;
    e.send_keys(text).await.map_err(|e| format!("{css}: {e}"))
}

/// Sets an input's value as a script would (a date input's text depends
/// on the browser's locale).
async fn set_value(c: &Client, css: &str, value: &str) -> Result<(), String> {
    c.execute(
        "document.querySelector(arguments[0]).value = arguments[1];",
        vec![Value::from(css), Value::from(value)],
    )
    .await
    .map(|_| ())
    .map_err(|e| format!("{css}: {e}"))
}

async fn choose(c: &Client, css: &str, value: &str) -> Result<(), String> {
    c.find(Locator::Css(css))
        .await
        .map_err(|e| format!("{css}: {e}"))?
        .select_by_value(value)
        .await
        .map_err(|e| format!("{css} = {value}: {e}"))
}

async fn submit(c: &Client, form: &str) -> Result<(), String> {
    click(c, &format!("{form} button[type='submit']")).await
}

async fn sign_in(b: &Browser, email: &str) -> Result<(), String> {
    b.goto("/connexion").await?;
    fill(&b.c, "#signin-email", email).await?;
    fill(&b.c, "#signin-password", PASSWORD).await?;
    submit(&b.c, "form.account-form").await?;
    wait_for(&b.c, "header .account a[href='/compte']").await
}

async fn sign_out(b: &Browser) -> Result<(), String> {
    click(&b.c, "header .account button[type='submit']").await?;
    wait_for(&b.c, "header a.account[href^='/connexion']").await
}

/// axe-core and the page rules on the page shown, in both languages and
/// widths (the page reloaded in each).
async fn check_page(b: &Browser, name: &str, problems: &mut Vec<String>) {
    let Ok(url) = b.c.current_url().await else {
        problems.push(format!("{name}: no current address"));
        return;
    };
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    for lang in ["fr", "en"] {
        for width in [1280, PHONE] {
            let sep = if path.contains('?') { '&' } else { '?' };
            if let Err(e) = b.width(width).await {
                problems.push(e);
            }
            if let Err(e) = b.goto(&format!("{path}{sep}lang={lang}")).await {
                problems.push(e);
                continue;
            }
            shot(&b.c, &format!("{name}-{lang}-{width}")).await;
            let here = format!("{name} {path} ({lang}, {width} px)");
            match axe(&b.c).await {
                Ok(v) => problems.extend(v.into_iter().map(|p| format!("{here}: axe: {p}"))),
                Err(e) => problems.push(format!("{here}: {e}")),
            }
            match page_rules(&b.c).await {
                Ok(v) => problems.extend(v.into_iter().map(|p| format!("{here}: {p}"))),
                Err(e) => problems.push(format!("{here}: {e}")),
            }
        }
    }
    let _ = b.width(1280).await;
    let _ = b
        .goto(&format!(
            "{path}{}lang=fr",
            if path.contains('?') { '&' } else { '?' }
        ))
        .await;
}

/// axe-core and the page rules on the page as it is (a form sent back
/// with its errors, which reloading would lose), at 1280 and 320 px.
async fn check_here(b: &Browser, name: &str, problems: &mut Vec<String>) {
    for width in [1280, PHONE] {
        if let Err(e) = b.width(width).await {
            problems.push(e);
        }
        shot(&b.c, &format!("{name}-{width}")).await;
        let here = format!("{name} ({width} px)");
        match axe(&b.c).await {
            Ok(v) => problems.extend(v.into_iter().map(|p| format!("{here}: axe: {p}"))),
            Err(e) => problems.push(format!("{here}: {e}")),
        }
        match page_rules(&b.c).await {
            Ok(v) => problems.extend(v.into_iter().map(|p| format!("{here}: {p}"))),
            Err(e) => problems.push(format!("{here}: {e}")),
        }
    }
    let _ = b.width(1280).await;
}

/// How many features the map of `path` shows.
async fn on_map(b: &Browser, path: &str) -> Result<u64, String> {
    b.goto(path).await?;
    Ok(map_ready(&b.c).await)
}

async fn scenario(b: &Browser, problems: &mut Vec<String>) -> Result<(), String> {
    let c = &b.c;
    let map = "/map?territory=territory:demo:commune:96001";
    let before = on_map(b, map).await?;
    // Sign up: a contributor.
    b.goto("/inscription").await?;
    fill(c, "#signup-name", "Camille Contributrice").await?;
    fill(c, "#signup-email", "camille@exemple.fr").await?;
    fill(c, "#signup-password", PASSWORD).await?;
    submit(c, "form.account-form").await?;
    wait_for(c, "header .account a[href='/compte']").await?;
    // Propose an actor with its place; first with a mistake, shown next
    // to its field.
    b.goto("/proposer/actors").await?;
    check_page(b, "propose-actor", problems).await;
    fill(c, "#f-name", "La Ressourcerie Numérique").await?;
    choose(c, "#f-kind", "association").await?;
    choose(c, "#f-territory", "territory:demo:commune:96001").await?;
    fill(c, "#f-identifiers-siret", "123").await?;
    fill(c, "#f-place-address-city", "Villecommune").await?;
    fill(c, "#f-place-location-lat", "45.6811").await?;
    fill(c, "#f-place-location-lon", "2.0501").await?;
    submit(c, "#proposal-form").await?;
    wait_for(c, "#f-identifiers-siret-error").await?;
    check_here(b, "propose-actor-errors", problems).await;
    fill(c, "#f-identifiers-siret", "").await?;
    fill(c, "#f-comment", "Vu à la fête des associations.").await?;
    submit(c, "#proposal-form").await?;
    wait_for(c, "#propositions").await?;
    let main = text_of(c, "main").await;
    if !main.contains("La Ressourcerie Numérique") {
        return Err(format!("the account does not list the proposal: {main}"));
    }
    check_page(b, "account-proposals", problems).await;
    // Not public yet.
    b.goto("/search?q=ressourcerie").await?;
    if text_of(c, "main")
        .await
        .contains("La Ressourcerie Numérique")
    {
        return Err("public before moderation".into());
    }
    // A report and a correction, to moderate below.
    b.goto(&format!("/actors/{VILLE}")).await?;
    click(c, "ul.contribute a[href$='/signaler']").await?;
    wait_for(c, "#f-reason-wrong").await?;
    check_page(b, "report", problems).await;
    click(c, "#f-reason-wrong").await?;
    fill(c, "#f-comment", "Le site a changé d'adresse.").await?;
    submit(c, "form.account-form").await?;
    wait_for(c, "#propositions").await?;
    b.goto(&format!("/actors/{VILLE}/proposer")).await?;
    check_page(b, "propose-correction", problems).await;
    fill(c, "#f-website", "https://www.villecommune.demo.invalid").await?;
    submit(c, "#proposal-form").await?;
    wait_for(c, "#propositions").await?;
    // A commons the moderator will refuse.
    b.goto("/proposer/commons").await?;
    fill(c, "#f-name", "Un logiciel privateur").await?;
    choose(c, "#f-kind", "software").await?;
    submit(c, "#proposal-form").await?;
    wait_for(c, "#propositions").await?;
    // Public action: a training, with who came by kind of actor.
    b.goto("/soutiens").await?;
    click(c, "a[href='/soutiens/proposer/events']").await?;
    wait_for(c, "#f-attendance-by_actor_kind-association").await?;
    check_page(b, "propose-event", problems).await;
    fill(c, "#f-name", "Atelier cartographie libre").await?;
    choose(c, "#f-category", "training").await?;
    fill(c, "#f-organiser", VILLE).await?;
    set_value(c, "#f-starts", "2027-05-12").await?;
    fill(c, "#f-attendance-total", "18").await?;
    fill(c, "#f-attendance-by_actor_kind-association", "7").await?;
    submit(c, "#proposal-form").await?;
    wait_for(c, "#propositions").await?;
    sign_out(b).await?;

    // The moderator: the queue, each proposal, decisions.
    sign_in(b, "dominique@exemple.fr").await?;
    b.goto("/moderation").await?;
    check_page(b, "moderation-queue", problems).await;
    b.goto("/moderation/doublons").await?;
    check_page(b, "moderation-duplicates", problems).await;
    b.goto("/moderation").await?;
    let rows = count_of(c, "table.proposals tbody tr").await?;
    if rows < 5 {
        return Err(format!("{rows} proposals in the queue, 5 expected"));
    }
    // Accept the actor (and its place with it).
    c.find(Locator::XPath(
        "//a[contains(., 'La Ressourcerie Numérique')]",
    ))
    .await
    .map_err(|e| e.to_string())?
    .click()
    .await
    .map_err(|e| e.to_string())?;
    wait_for(c, "#decide").await?;
    check_page(b, "moderation-proposal", problems).await;
    fill(c, "#mod-message", "Bienvenue !").await?;
    submit(c, "#decide").await?;
    wait_for(c, "p.alert[role='status']").await?;
    // Refuse the commons with a message.
    c.find(Locator::XPath("//a[contains(., 'Un logiciel privateur')]"))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    wait_for(c, "#decide").await?;
    fill(c, "#mod-message", "Ce logiciel n'a pas de licence libre.").await?;
    click(c, "#decide button.secondary").await?;
    wait_for(c, "p.alert[role='status']").await?;
    // The correction: its difference, then edit and accept.
    c.find(Locator::XPath(
        "//tr[td[contains(., 'Correction')]]//a[contains(., 'Ville de Villecommune')]",
    ))
    .await
    .map_err(|e| e.to_string())?
    .click()
    .await
    .map_err(|e| e.to_string())?;
    wait_for(c, "#changes").await?;
    let diff = text_of(c, "#changes").await;
    if !diff.contains("https://www.villecommune.demo.invalid") {
        return Err(format!(
            "the difference does not show the new website: {diff}"
        ));
    }
    click(c, "#decide a[href$='/modifier']").await?;
    wait_for(c, "#f-website").await?;
    check_page(b, "moderation-edit", problems).await;
    fill(c, "#f-website", "https://mairie.villecommune.demo.invalid").await?;
    submit(c, "#proposal-form").await?;
    wait_for(c, "p.alert[role='status']").await?;
    // The training: accepted, then public with its history.
    b.goto("/moderation").await?;
    c.find(Locator::XPath(
        "//a[contains(., 'Atelier cartographie libre')]",
    ))
    .await
    .map_err(|e| e.to_string())?
    .click()
    .await
    .map_err(|e| e.to_string())?;
    wait_for(c, "#decide").await?;
    check_page(b, "moderation-event-proposal", problems).await;
    submit(c, "#decide").await?;
    wait_for(c, "p.alert[role='status']").await?;
    b.goto("/soutiens/event:web:atelier-cartographie-libre")
        .await?;
    let page = text_of(c, "main").await;
    if !page.contains("Atelier cartographie libre") || !page.contains('7') {
        return Err(format!("the training is not public: {page}"));
    }
    b.goto("/soutiens/event:web:atelier-cartographie-libre/historique")
        .await?;
    check_page(b, "support-history", problems).await;
    // Public now: search and the map.
    b.goto("/search?q=ressourcerie").await?;
    if !text_of(c, "main")
        .await
        .contains("La Ressourcerie Numérique")
    {
        return Err("not in search after acceptance".into());
    }
    let after = on_map(b, map).await?;
    if after != before + 1 {
        return Err(format!("the map showed {before} features, then {after}"));
    }
    // Restore the Ville's first version.
    b.goto(&format!("/actors/{VILLE}/historique")).await?;
    check_page(b, "history-moderator", problems).await;
    click(c, "#versions li:last-child form button").await?;
    wait_for(c, "#versions").await?;
    let first = text_of(c, "#versions li:first-child").await;
    if !first.contains("https://villecommune.demo.invalid") {
        return Err(format!(
            "the restore did not bring the first website back: {first}"
        ));
    }
    sign_out(b).await?;

    // The proposer sees the refusal's message.
    sign_in(b, "camille@exemple.fr").await?;
    b.goto("/compte").await?;
    let main = text_of(c, "main").await;
    if !main.contains("Ce logiciel n'a pas de licence libre.") {
        return Err(format!("the refusal's message is not shown: {main}"));
    }
    sign_out(b).await?;

    // A referent's edit goes live at once.
    sign_in(b, "agent@villecommune.demo.invalid").await?;
    b.goto(&format!("/actors/{VILLE}/proposer")).await?;
    fill(c, "#f-email", "accueil@villecommune.demo.invalid").await?;
    submit(c, "#proposal-form").await?;
    wait_for(c, "ul.contribute").await?;
    let page = text_of(c, "main").await;
    if !page.contains("accueil@villecommune.demo.invalid") {
        return Err(format!("the referent's edit is not live: {page}"));
    }
    sign_out(b).await?;

    // The administrator's audit log.
    sign_in(b, "alex@exemple.fr").await?;
    b.goto("/admin/journal").await?;
    check_page(b, "audit-log", problems).await;
    let log = text_of(c, "main").await;
    for action in [
        "proposal.accept",
        "proposal.refuse",
        "record.restore",
        "proposal.referent",
    ] {
        if !log.contains(action) {
            return Err(format!("{action} is not in the audit log"));
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn propose_moderate_restore_and_referents_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = archipel_web::Config::new(registry(dir.path()));
    config.tiles = None;
    config.sign_in.signup = archipel_accounts::Signup::Open;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    serve_on(listener, config);
    let b = Browser::open(base, Some(dir)).await;
    let mut problems = Vec::new();
    let result = scenario(&b, &mut problems).await;
    b.close().await;
    if let Err(e) = result {
        panic!(
            "{e}\n(and {} page problems: {})",
            problems.len(),
            problems.join("\n")
        );
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

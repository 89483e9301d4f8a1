//! The generator on the demonstration registry: registers, the stand-in
//! answer from another register, figures, citations, escaping.

mod common;

use archipel_content::pitch::Register;
use archipel_content::Lang;
use archipel_domain::*;
use archipel_pitch::{generate, render, Format, Request, MAX_ANSWERS};

fn territory(fx: &common::Fixture) -> EntityId {
    archipel_pitch::resolve_territory(&fx.store, Some("960000008")).expect("territory")
}

#[test]
fn answers_follow_the_register_and_a_stand_in_is_marked() {
    let fx = common::demo();
    let pitch = fx.content.pitch();
    let t = territory(&fx);
    for persona in &pitch.personas {
        for register in Register::ALL {
            let sheet = generate(
                &fx.content,
                &fx.store,
                &Request::new(&persona.id, t.clone()).register(register),
            )
            .expect("sheet");
            assert_eq!(sheet.objections.len(), persona.objections.len());
            for o in &sheet.objections {
                let kb = pitch.objection(&o.id).expect("objection");
                let in_register: Vec<&str> = kb
                    .answers
                    .iter()
                    .filter(|a| pitch.argument(a).is_some_and(|x| x.register == register))
                    .map(String::as_str)
                    .collect();
                if in_register.is_empty() {
                    // The best answer from another register, marked.
                    assert_eq!(o.answers.len(), 1, "{}", o.id);
                    assert!(o.answers[0].other_register);
                    assert_ne!(o.answers[0].register, register);
                    assert_eq!(o.answers[0].argument, kb.answers[0]);
                } else {
                    // The best ones in the register, in order.
                    let got: Vec<&str> = o.answers.iter().map(|a| a.argument.as_str()).collect();
                    let want: Vec<&str> = in_register.into_iter().take(MAX_ANSWERS).collect();
                    assert_eq!(got, want, "{} {register:?}", o.id);
                    assert!(o
                        .answers
                        .iter()
                        .all(|a| !a.other_register && a.register == register));
                }
                // Every item credits a numbered source.
                assert!(o.cite.source >= 1 && o.cite.source <= sheet.sources.len());
                for a in &o.answers {
                    assert!(a.cite.source >= 1 && a.cite.source <= sheet.sources.len());
                    for f in &a.figures {
                        assert!(
                            sheet.figure(*f).is_some(),
                            "a figure shown under an answer has a value"
                        );
                    }
                }
            }
            for e in &sheet.evidence {
                assert!(e.source >= 1 && e.source <= sheet.sources.len());
                assert_ne!(e.value, serde_json::json!(0));
            }
        }
    }
}

#[test]
fn the_default_register_is_the_personas_first_and_english_is_english() {
    let fx = common::demo();
    let t = territory(&fx);
    let sheet = generate(
        &fx.content,
        &fx.store,
        &Request::new("technicien-dsi", t.clone()),
    )
    .expect("sheet");
    assert_eq!(sheet.register, Register::Technical);
    let en = generate(
        &fx.content,
        &fx.store,
        &Request::new("technicien-dsi", t).lang(Lang::En),
    )
    .expect("sheet");
    assert_eq!(en.lang, "en");
    assert_ne!(en.objections[0].text, sheet.objections[0].text);
    assert!(render(&en, Format::Text).contains("Who you are talking to"));
}

#[test]
fn unknown_things_are_usage_errors() {
    let fx = common::demo();
    let t = territory(&fx);
    let e = generate(&fx.content, &fx.store, &Request::new("maire", t.clone()))
        .expect_err("unknown persona");
    assert!(
        e.is_usage() && e.to_string().contains("technicien-dsi"),
        "{e}"
    );
    let mut req = Request::new("elu", t);
    req.commons = Some(EntityId::new(EntityKind::Commons, "nope", "1").expect("id"));
    let e = generate(&fx.content, &fx.store, &req).expect_err("unknown commons");
    assert!(e.is_usage(), "{e}");
    let e =
        archipel_pitch::resolve_territory(&fx.store, Some("75056")).expect_err("unknown territory");
    assert!(e.is_usage() && e.to_string().contains("960000008"), "{e}");
    let e = archipel_pitch::resolve_territory(&fx.store, Some("96")).expect_err("ambiguous");
    assert!(
        e.to_string().contains("region:96") && e.to_string().contains("departement:96"),
        "{e}"
    );
    // `level:code` and the id resolve.
    assert!(archipel_pitch::resolve_territory(&fx.store, Some("region:96")).is_ok());
    assert!(
        archipel_pitch::resolve_territory(&fx.store, Some("territory:demo:commune:96001")).is_ok()
    );
    // No key: the only top-level territory.
    let top = archipel_pitch::resolve_territory(&fx.store, None).expect("the region");
    assert_eq!(top.as_str(), "territory:demo:region:96");
}

#[test]
fn names_from_the_registry_are_escaped() {
    let mut fx = common::demo();
    let evil = Commons {
        id: EntityId::new(EntityKind::Commons, "test", "evil").expect("id"),
        name: "<script>alert(1)</script> *Évil* & [Co](javascript:x)".into(),
        kind: "software".into(),
        description: None,
        repository_url: None,
        website_url: None,
        license: Some("MIT".into()),
        publiccode: None,
        categories: vec![],
        identifiers: Identifiers::default(),
        details: Default::default(),
        provenance: Provenance::new("test", chrono::Utc::now()),
    };
    let id = evil.id.clone();
    fx.store
        .write("test", "test", None, |w| w.upsert(&Entity::Commons(evil)))
        .expect("written");
    let mut req = Request::new("elu", territory(&fx));
    req.commons = Some(id);
    let sheet = generate(&fx.content, &fx.store, &req).expect("sheet");
    let html = render(&sheet, Format::Html);
    assert!(!html.contains("<script>alert"), "escaped HTML");
    assert!(html.contains("&#60;script&#62;"));
    let md = render(&sheet, Format::Markdown);
    assert!(
        md.contains("\\<script\\>") && md.contains("\\*Évil\\*") && md.contains("\\[Co\\]"),
        "{md}"
    );
    // The record's own licence stands in when no assessment is saved.
    assert_eq!(
        sheet
            .figure(archipel_content::pitch::Indicator::CommonsLicence)
            .map(|e| e.text.as_str()),
        Some("MIT")
    );
    let json = archipel_pitch::to_json(&sheet);
    assert_eq!(
        json["commons"]["name"],
        serde_json::json!(sheet.commons.as_ref().map(|c| c.name.clone()))
    );
}

/// The association's sheet, economic register, on the demonstration
/// territory: the answer about calls for projects and grants.
fn support_sheet(fx: &common::Fixture, lang: Lang) -> archipel_pitch::Sheet {
    let t = territory(fx);
    let req = Request::new("association", t)
        .register(Register::Economic)
        .lang(lang);
    generate(&fx.content, &fx.store, &req).expect("sheet")
}

#[test]
fn grants_back_the_answers_when_there_are_grants_and_only_then() {
    use archipel_content::pitch::Indicator;
    let support = [
        Indicator::SupportCommons,
        Indicator::SupportAssociations,
        Indicator::NonCompetitiveCalls,
    ];
    // Without public action: none of its figures, anywhere.
    let fx = common::demo();
    let sheet = support_sheet(&fx, Lang::Fr);
    for i in support {
        assert!(sheet.figure(i).is_none(), "{i:?} shown with no grant");
    }
    let text = render(&sheet, Format::Text);
    assert!(!text.contains("accordés"), "{text}");

    // With the demonstration's calls and grants: 52,000 € to five
    // organisations linked to commons (four of them associations), 63 %
    // of 60,000 € to associations, one non-competitive call.
    let fx = common::demo_with_support();
    let sheet = support_sheet(&fx, Lang::Fr);
    let commons = sheet
        .figure(Indicator::SupportCommons)
        .expect("grants to commons");
    assert_eq!(commons.value["granted_cents"], 5_200_000);
    assert_eq!(commons.value["beneficiaries"], 5);
    assert_eq!(commons.value["associations"], 4);
    assert_eq!(
        commons.short,
        "52\u{202f}000\u{a0}€ accordés à 5 structures qui entretiennent des communs ou y contribuent"
    );
    let share = sheet
        .figure(Indicator::SupportAssociations)
        .expect("share to associations");
    assert_eq!(share.value["percent"], 63);
    assert_eq!(share.text, "63\u{a0}%");
    let calls = sheet
        .figure(Indicator::NonCompetitiveCalls)
        .expect("non-competitive calls");
    assert_eq!(calls.value, serde_json::json!(1));
    assert_eq!(calls.short, "1 appel à projets non concurrentiel");
    // Shown under the answer about calls for projects.
    let answer = sheet
        .objections
        .iter()
        .flat_map(|o| &o.answers)
        .find(|a| a.argument == "arg-appels-non-competitifs")
        .expect("the answer");
    for i in support {
        assert!(answer.figures.contains(&i), "{i:?}");
    }
    let text = render(&sheet, Format::Text);
    assert!(text.contains("accordés à 5 structures"), "{text}");
    assert!(text.contains("des montants accordés sont allés à des associations"));

    let en = support_sheet(&fx, Lang::En);
    let commons = en.figure(Indicator::SupportCommons).expect("in English");
    assert_eq!(
        commons.short,
        "€52,000 granted to 5 organisations that maintain or contribute to commons"
    );
    assert_eq!(
        en.figure(Indicator::SupportAssociations)
            .expect("share")
            .short,
        "63% of the amounts granted went to associations"
    );
}

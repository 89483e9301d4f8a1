//! The territory's figures behind the indicators.

use crate::sheet::Evidence;
use archipel_content::pitch::{Indicator, Measure, Pitch};
use archipel_content::{Content, Lang};
use archipel_domain::EntityId;
use archipel_store::{ActorGroup, LinkGroup, SavedAssessment, ScopeQuery, ScopeStats};
use serde_json::{json, Value};

/// The store query behind the sheets' figures for a territory (and a
/// commons): the counting indicators become actor and link groups named
/// after them. `archipel stats --territory` runs the same query.
pub fn scope_query(pitch: &Pitch, territory: &EntityId, commons: Option<&EntityId>) -> ScopeQuery {
    let mut q = ScopeQuery {
        territory: territory.clone(),
        commons: commons.cloned(),
        actor_groups: Vec::new(),
        link_groups: Vec::new(),
        support_relations: Vec::new(),
        association_kinds: Vec::new(),
    };
    for d in &pitch.indicators {
        // A grant goes to commons when its beneficiary holds one of the
        // relations `commons_contributors` counts.
        if d.indicator == Indicator::CommonsContributors {
            q.support_relations = d.relations.clone();
        }
        if d.indicator == Indicator::SupportAssociations {
            q.association_kinds = d.actor_kinds.clone();
        }
        if d.indicator.counts_actor_kinds() {
            q.actor_groups.push(ActorGroup {
                name: d.indicator.as_str().to_string(),
                kinds: d.actor_kinds.clone(),
            });
        }
        if d.indicator.counts_relations() {
            q.link_groups.push(LinkGroup {
                name: d.indicator.as_str().to_string(),
                relations: d.relations.clone(),
            });
        }
    }
    q
}

/// What the evidence needs besides the counts.
pub(crate) struct Inputs<'a> {
    pub content: &'a Content,
    pub stats: &'a ScopeStats,
    /// The commons' licence as the registry records it.
    pub record_licence: Option<&'a str>,
    pub assessment: Option<&'a SavedAssessment>,
    pub lang: Lang,
    /// Source numbers: the registry, the assessment.
    pub registry_source: usize,
    pub assessment_source: usize,
}

fn known_licence(l: Option<&str>) -> Option<&str> {
    l.map(str::trim)
        .filter(|l| !l.is_empty() && *l != "NONE" && *l != "NOASSERTION")
}

/// `template` with each `{name}` replaced by its value.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Cents as whole euros (rounded half up), written in `lang`.
fn euros(lang: Lang, cents: i64) -> String {
    let euros = u64::try_from(cents.saturating_add(50) / 100).unwrap_or(0);
    lang.number(euros)
}

/// The value of one indicator, or `None` when it is zero or unknown.
/// Returns (value, display text, brief phrase, source number).
fn value_of(i: Indicator, x: &Inputs<'_>) -> Option<(Value, String, String, usize)> {
    let pitch = x.content.pitch();
    let short = pitch
        .indicator(i)
        .map(|d| d.short(x.lang))
        .unwrap_or(i.as_str());
    let count = |n: u64| {
        (n > 0).then(|| {
            let text = x.lang.number(n);
            let brief = format!("{text} {short}");
            (json!(n), text, brief, x.registry_source)
        })
    };
    match i {
        Indicator::ActorsTotal => count(x.stats.actors),
        Indicator::PlacesTotal => count(x.stats.places),
        Indicator::RelationsTotal => count(x.stats.relations),
        Indicator::PublicActors => count(x.stats.actor_group(i.as_str())?.actors),
        Indicator::ActorsByKind => {
            let kinds: Vec<_> = x
                .stats
                .actor_kinds
                .iter()
                .filter(|c| c.key != "unset" && c.count > 0)
                .collect();
            if kinds.is_empty() {
                return None;
            }
            let mut map = serde_json::Map::new();
            for c in &kinds {
                map.insert(c.key.clone(), json!(c.count));
            }
            let parts: Vec<String> = kinds
                .iter()
                .map(|c| {
                    format!(
                        "{} ({})",
                        x.content.label("actor_kinds", &c.key, x.lang),
                        x.lang.number(c.count)
                    )
                })
                .collect();
            let text = parts.join(", ");
            let mut brief = format!("{short} : {}", parts[..parts.len().min(3)].join(", "));
            if parts.len() > 3 {
                brief.push('…');
            }
            if x.lang == Lang::En {
                brief = brief.replacen(" : ", ": ", 1);
            } else {
                brief = brief.replacen(" : ", "\u{a0}: ", 1);
            }
            Some((Value::Object(map), text, brief, x.registry_source))
        }
        Indicator::CommonsUsed
        | Indicator::CommonsMaintained
        | Indicator::CommonsFunded
        | Indicator::GovernanceRoles
        | Indicator::CommonsUsers
        | Indicator::CommonsContributors => {
            let g = x.stats.link_group(i.as_str())?;
            let n = match pitch.indicator(i)?.measure? {
                Measure::Commons => g.commons,
                Measure::Organisations => g.organisations,
                Measure::Relations => g.relations,
            };
            count(n)
        }
        Indicator::SupportCommons => {
            let f = &x.stats.support;
            if f.commons_granted_cents <= 0 || f.commons_beneficiaries == 0 {
                return None;
            }
            let amount = euros(x.lang, f.commons_granted_cents);
            let n = x.lang.number(f.commons_beneficiaries);
            let key = if f.commons_beneficiaries == 1 {
                "support_commons_brief_one"
            } else {
                "support_commons_brief"
            };
            let values = [("amount", amount.as_str()), ("n", n.as_str())];
            Some((
                json!({
                    "granted_cents": f.commons_granted_cents,
                    "grants": f.commons_grants,
                    "beneficiaries": f.commons_beneficiaries,
                    "associations": f.commons_associations,
                }),
                fill(pitch.text("euros", x.lang), &values),
                fill(pitch.text(key, x.lang), &values),
                x.registry_source,
            ))
        }
        Indicator::SupportAssociations => {
            let f = &x.stats.support;
            let p = f.associations_share_percent.filter(|p| *p > 0)?;
            let n = p.to_string();
            let percent = fill(pitch.text("percent", x.lang), &[("n", n.as_str())]);
            let brief = fill(
                pitch.text("support_associations_brief", x.lang),
                &[("percent", percent.as_str())],
            );
            Some((
                json!({
                    "percent": p,
                    "associations_granted_cents": f.associations_granted_cents,
                    "granted_cents": f.granted_cents,
                }),
                percent,
                brief,
                x.registry_source,
            ))
        }
        Indicator::NonCompetitiveCalls => {
            let n = x.stats.support.non_competitive_calls;
            let (value, text, mut brief, source) = count(n)?;
            if n == 1 {
                brief = pitch.text("non_competitive_calls_one", x.lang).to_string();
            }
            Some((value, text, brief, source))
        }
        Indicator::FirstTimeApplicants => {
            let f = &x.stats.support;
            let (_, text, brief, source) = count(f.first_time_applicants)?;
            Some((
                json!({
                    "first_time_applicants": f.first_time_applicants,
                    "applications": f.applications,
                    "accepted": f.applications_accepted,
                }),
                text,
                brief,
                source,
            ))
        }
        Indicator::Trainings => {
            let f = &x.stats.support;
            (f.trainings > 0).then_some(())?;
            let n = x.lang.number(f.trainings);
            let people = x.lang.number(f.training_attendees);
            let key = match (f.trainings, f.training_attendees) {
                (_, 0) => None,
                (1, _) => Some("trainings_brief_one"),
                _ => Some("trainings_brief"),
            };
            let values = [("n", n.as_str()), ("people", people.as_str())];
            let text = match key {
                Some(k) => fill(pitch.text(k, x.lang), &values),
                None => format!("{n} {short}"),
            };
            Some((
                json!({
                    "trainings": f.trainings,
                    "attendees": f.training_attendees,
                    "agents_trained": f.agents_trained,
                }),
                text.clone(),
                text,
                x.registry_source,
            ))
        }
        Indicator::AgentsTrained => count(x.stats.support.agents_trained),
        Indicator::Events => {
            let f = &x.stats.support;
            let (_, text, brief, source) = count(f.events)?;
            Some((
                json!({"events": f.events, "attendees": f.event_attendees}),
                text,
                brief,
                source,
            ))
        }
        Indicator::HardwareLent => {
            let f = &x.stats.support;
            let (_, text, mut brief, source) = count(f.hardware_lent)?;
            if f.hardware_out > 0 {
                let out = x.lang.number(f.hardware_out);
                brief = format!(
                    "{brief}, {}",
                    fill(pitch.text("hardware_out", x.lang), &[("n", out.as_str())])
                );
            }
            Some((
                json!({"lent": f.hardware_lent, "out": f.hardware_out}),
                text,
                brief,
                source,
            ))
        }
        Indicator::CommonsHosted => count(x.stats.support.commons_hosted),
        Indicator::DedicatedPosts => {
            let f = &x.stats.support;
            (f.posts > 0).then_some(())?;
            let n = x.lang.number(f.posts);
            let fte = f.posts_fte.clone().unwrap_or_default();
            let shown = match x.lang {
                Lang::Fr => fte.replace('.', ","),
                Lang::En => fte.clone(),
            };
            let key = if f.posts == 1 {
                "dedicated_posts_brief_one"
            } else {
                "dedicated_posts_brief"
            };
            let brief = fill(
                pitch.text(key, x.lang),
                &[("n", n.as_str()), ("fte", shown.as_str())],
            );
            Some((
                json!({"posts": f.posts, "fte": fte}),
                n,
                brief,
                x.registry_source,
            ))
        }
        Indicator::CommonsLicence => {
            x.stats.commons.as_ref()?;
            let (l, source) = match x
                .assessment
                .and_then(|a| known_licence(a.licence.as_deref()))
            {
                Some(l) => (l, x.assessment_source),
                None => (known_licence(x.record_licence)?, x.registry_source),
            };
            Some((json!(l), l.to_string(), format!("{short} {l}"), source))
        }
        Indicator::ContributorDiversity => {
            let a = x.assessment?;
            let counts = [
                ("contributors", a.contributors.unwrap_or(0)),
                ("organisations", a.organisations.unwrap_or(0)),
            ];
            if counts.iter().all(|(_, n)| *n == 0) {
                return None;
            }
            let mut parts = Vec::new();
            let mut value = serde_json::Map::new();
            for (key, n) in counts.into_iter().filter(|(_, n)| *n > 0) {
                parts.push(format!("{} {}", x.lang.number(n), pitch.text(key, x.lang)));
                value.insert(key.into(), json!(n));
            }
            if let Some(e) = a.elephant_factor.filter(|e| *e > 0) {
                parts.push(format!("{} {e}", pitch.text("elephant_factor", x.lang)));
                value.insert("elephant_factor".into(), json!(e));
            }
            let text = parts.join(", ");
            Some((
                Value::Object(value),
                text.clone(),
                text,
                x.assessment_source,
            ))
        }
    }
}

/// Every indicator that has a value, in [`Indicator::ALL`] order.
pub(crate) fn evidence(x: &Inputs<'_>) -> Vec<Evidence> {
    let pitch = x.content.pitch();
    Indicator::ALL
        .iter()
        .filter_map(|&i| {
            let (value, text, short, source) = value_of(i, x)?;
            Some(Evidence {
                indicator: i,
                label: pitch.indicator_label(i, x.lang).to_string(),
                value,
                text,
                short,
                source,
            })
        })
        .collect()
}

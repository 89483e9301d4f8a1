//! The territory's figures behind the indicators.

use crate::sheet::Evidence;
use archipel_content::pitch::{Indicator, Measure, Pitch};
use archipel_content::{Content, Lang};
use archipel_domain::EntityId;
use archipel_network::Network;
use archipel_store::{ActorGroup, LinkGroup, SavedAssessment, ScopeQuery, ScopeStats};
use serde_json::{json, Value};

/// Full years before the sheet's year over which newcomers are counted.
pub const NEWCOMER_YEARS: i32 = 3;

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
    /// The territory's network (`archipel network`), if computed.
    pub network: Option<&'a Network>,
    /// The sheet's year: newcomers are counted over the
    /// [`NEWCOMER_YEARS`] years before it.
    pub year: i32,
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

/// A share as a whole percent in `lang` (« 42 % »), `None` when it rounds
/// to zero.
fn percent(pitch: &Pitch, lang: Lang, share: f64) -> Option<String> {
    let p = (share * 100.0).round();
    (p >= 1.0 && p.is_finite()).then(|| {
        let n = format!("{p:.0}");
        fill(pitch.text("percent", lang), &[("n", n.as_str())])
    })
}

/// A network figure, from the network when it has at least one relation.
/// Returns (value, display text: the number, brief phrase).
fn network_value(i: Indicator, x: &Inputs<'_>) -> Option<(Value, String, String)> {
    let net = x.network.filter(|n| n.counts.relations > 0)?;
    let pitch = x.content.pitch();
    let lang = x.lang;
    let number = |n: usize| lang.number(n as u64);
    match i {
        Indicator::SharedCommons => {
            let s = &net.shared_commons;
            (s.commons > 0).then_some(())?;
            let kinds: Vec<(&String, &usize)> = s
                .actor_kinds
                .iter()
                .filter(|(k, _)| *k != "unset")
                .collect();
            let mut sorted = kinds.clone();
            sorted.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let parts: Vec<String> = sorted
                .iter()
                .map(|(k, n)| {
                    format!(
                        "{} ({})",
                        x.content.label("actor_kinds", k, lang),
                        number(**n)
                    )
                })
                .collect();
            let mut list = parts[..parts.len().min(3)].join(", ");
            if parts.len() > 3 {
                list.push('…');
            }
            let key = if s.commons == 1 {
                "shared_commons_brief_one"
            } else {
                "shared_commons_brief"
            };
            let (actors, n_kinds, n) = (number(s.actors), number(kinds.len()), number(s.commons));
            let brief = fill(
                pitch.text(key, lang),
                &[
                    ("actors", actors.as_str()),
                    ("kinds", n_kinds.as_str()),
                    ("n", n.as_str()),
                    ("list", list.as_str()),
                ],
            );
            Some((
                json!({
                    "commons": s.commons,
                    "actors": s.actors,
                    "actor_kinds": s.actor_kinds,
                }),
                n,
                brief,
            ))
        }
        Indicator::Islands => {
            let islands = net.components.iter().filter(|c| c.size > 1).count();
            (islands > 0).then_some(())?;
            let largest = net.components.first().map_or(0, |c| c.size);
            let share = largest as f64 / net.counts.nodes as f64;
            let shown = percent(pitch, lang, share)
                .unwrap_or_else(|| fill(pitch.text("percent", lang), &[("n", "0")]));
            let mut brief = if islands == 1 {
                fill(
                    pitch.text("islands_brief_one", lang),
                    &[("percent", shown.as_str())],
                )
            } else {
                let n = number(islands);
                fill(
                    pitch.text("islands_brief", lang),
                    &[("n", n.as_str()), ("percent", shown.as_str())],
                )
            };
            let isolated = net.isolated_actors.len();
            if isolated > 0 {
                let key = if isolated == 1 {
                    "islands_isolated_one"
                } else {
                    "islands_isolated"
                };
                let n = number(isolated);
                brief = format!(
                    "{brief}, {}",
                    fill(pitch.text(key, lang), &[("n", n.as_str())])
                );
            }
            Some((
                json!({
                    "islands": islands,
                    "largest": largest,
                    "nodes": net.counts.nodes,
                    "largest_share": share,
                    "isolated_actors": isolated,
                }),
                number(islands),
                brief,
            ))
        }
        Indicator::CentralPerson => {
            let d = net.dependence.as_ref()?;
            let shown = percent(pitch, lang, d.shortest_paths_share)?;
            Some((
                json!({
                    "shortest_paths_share": d.shortest_paths_share,
                    "relations_share": d.relations_share,
                }),
                shown.clone(),
                fill(
                    pitch.text("central_person_brief", lang),
                    &[("percent", shown.as_str())],
                ),
            ))
        }
        Indicator::InnerCore => {
            let r = &net.regulars;
            (r.max_core >= 2).then_some(())?;
            let shown = percent(pitch, lang, r.relations_within_share)?;
            let n = number(r.core.len());
            let mut brief = fill(
                pitch.text("inner_core_brief", lang),
                &[("percent", shown.as_str()), ("n", n.as_str())],
            );
            let mut value = serde_json::Map::new();
            value.insert("max_core".into(), json!(r.max_core));
            value.insert("members".into(), json!(r.core.len()));
            value.insert(
                "relations_within_share".into(),
                json!(r.relations_within_share),
            );
            let grants = r.grants.as_ref().and_then(|g| g.cents_share);
            let attendees = r.events.as_ref().and_then(|e| e.attendees_share);
            for (key, share, text) in [
                ("grants_cents_share", grants, "inner_core_grants"),
                ("attendees_share", attendees, "inner_core_events"),
            ] {
                let Some(share) = share else { continue };
                value.insert(key.into(), json!(share));
                if let Some(p) = percent(pitch, lang, share) {
                    let part = fill(pitch.text(text, lang), &[("percent", p.as_str())]);
                    brief = format!("{brief}, {part}");
                }
            }
            Some((Value::Object(value), shown, brief))
        }
        Indicator::Newcomers => {
            let (from, to) = (x.year - NEWCOMER_YEARS, x.year - 1);
            let n: usize = net
                .newcomers
                .iter()
                .filter(|y| (from..=to).contains(&y.year))
                .map(|y| y.actors)
                .sum();
            (n > 0).then_some(())?;
            let key = if n == 1 {
                "newcomers_brief_one"
            } else {
                "newcomers_brief"
            };
            let (shown, f, t) = (number(n), from.to_string(), to.to_string());
            Some((
                json!({"actors": n, "from": from, "to": to}),
                shown.clone(),
                fill(
                    pitch.text(key, lang),
                    &[
                        ("n", shown.as_str()),
                        ("from", f.as_str()),
                        ("to", t.as_str()),
                    ],
                ),
            ))
        }
        Indicator::KindDiversity => {
            let d = net.diversity.kind_diversity?;
            let chances = (d * 100.0).round();
            (chances >= 1.0).then_some(())?;
            let c = format!("{chances:.0}");
            let index = format!("{d:.2}");
            let index = match lang {
                Lang::Fr => index.replace('.', ","),
                Lang::En => index,
            };
            Some((
                json!(d),
                index,
                fill(
                    pitch.text("kind_diversity_brief", lang),
                    &[("chances", c.as_str())],
                ),
            ))
        }
        _ => None,
    }
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
    if i.from_network() {
        let (value, text, brief) = network_value(i, x)?;
        return Some((value, text, brief, x.registry_source));
    }
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
        Indicator::SharedCommons
        | Indicator::Islands
        | Indicator::CentralPerson
        | Indicator::InnerCore
        | Indicator::Newcomers
        | Indicator::KindDiversity => None,
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

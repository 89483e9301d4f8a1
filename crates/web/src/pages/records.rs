//! `/{commons|actors|places|territories}`: lists with filters, sorting and
//! pagination; `/{kind}/{id}`: a record's page (facts with their source,
//! relations both ways, neighbourhood graph, what it contains).

use super::{render, vocab_options, FilterForm, MapView, Opt, Select};
use crate::error::Error;
use crate::graph::{self, Graph, Neighbour};
use crate::i18n::{PageLang, Tr};
use crate::params::{encode, query_string, FilterParams, Paging, Params, SortParam};
use crate::session::Viewer;
use crate::state::AppState;
use crate::views::{
    day, isolate, kind_label, kind_path, kinds_label, record_url, subkind_label, Layout, Link,
    Pager,
};
use archipel_domain::{Entity, EntityId, EntityKind, Relation};
use archipel_store::{Filter, ListQuery, Page, Sort, Summary};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The record a page's path names (`/actors/actor:demo:x…`): its kind
/// and id, the id's kind the path's; 404 otherwise.
pub fn record_path(
    seg: &str,
    raw_id: &str,
    lang: archipel_content::Lang,
) -> Result<(EntityKind, EntityId), Error> {
    let Some(kind) = kind_of_path(seg) else {
        return Err(Error::not_found(format!("no page at /{seg}/…")).in_lang(lang));
    };
    match EntityId::parse(raw_id) {
        Ok(id) if id.kind() == kind => Ok((kind, id)),
        _ => Err(Error::not_found(format!("no record `{raw_id}` here")).in_lang(lang)),
    }
}

/// The kind a path segment names (`actors` → actor).
pub fn kind_of_path(seg: &str) -> Option<EntityKind> {
    match seg {
        "territories" => Some(EntityKind::Territory),
        "actors" => Some(EntityKind::Actor),
        "places" => Some(EntityKind::Place),
        "commons" => Some(EntityKind::Commons),
        _ => None,
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ListParams {
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub per_page: Option<String>,
    #[serde(default)]
    pub sort: Option<SortParam>,
    #[serde(flatten)]
    pub filter: FilterParams,
}

pub struct Row {
    pub href: String,
    pub name: String,
    pub sub: String,
    pub territory: Link,
    pub updated: String,
}

pub struct SortLink {
    pub href: String,
    pub aria: &'static str,
    pub arrow: &'static str,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    page: Layout,
    t: Tr,
    title: String,
    form: FilterForm,
    total: u64,
    summary: String,
    rows: Vec<Row>,
    sort_name: SortLink,
    sort_updated: SortLink,
    pager: Pager,
    api_url: String,
    downloads: Vec<Link>,
}

/// The territory a record is attached to (places and actors), or its
/// parent (territories).
fn territory_of(e: &Entity) -> Option<&EntityId> {
    match e {
        Entity::Actor(a) => a.territory.as_ref(),
        Entity::Place(p) => p.territory.as_ref(),
        Entity::Territory(t) => t.parent.as_ref(),
        _ => None,
    }
}

fn subkind_of(e: &Entity) -> Option<&str> {
    match e {
        Entity::Actor(a) => a.kind.as_deref(),
        Entity::Commons(c) => Some(c.kind.as_str()),
        Entity::Territory(t) => Some(t.level.as_str()),
        Entity::Place(p) => p.details.get("typologie").map(|s| s.as_str()),
        Entity::Relation(_) => None,
    }
}

pub async fn list(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path(seg): Path<String>,
    uri: Uri,
    Params(p): Params<ListParams>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let Some(kind) = kind_of_path(&seg) else {
        return Err(Error::not_found(format!("no page at /{seg}")).in_lang(lang));
    };
    let paging = Paging::parse(&p.page, &p.per_page, 50).map_err(|e| e.in_lang(lang))?;
    let filter = p
        .filter
        .to_filter(&state.content, Some(kind))
        .map_err(|e| e.in_lang(lang))?;
    let sort = p.sort.unwrap_or_default();
    let q = ListQuery {
        filter,
        sort: sort.store(),
        limit: paging.limit(),
        offset: paging.offset(),
    };
    let st = state.clone();
    let (page, names, territories) = state
        .pool
        .read(move |s| {
            let page = crate::figures::list_page(&st, s, &q)?;
            let ids: Vec<&str> = page
                .items
                .iter()
                .filter_map(|e| territory_of(e).map(|x| x.as_str()))
                .collect();
            let names = s.summaries(&ids)?;
            let territories = s.list_page(&ListQuery {
                filter: Filter {
                    kind: Some(EntityKind::Territory),
                    ..Filter::default()
                },
                sort: Sort::Name,
                limit: 500,
                offset: 0,
            })?;
            Ok((page, names, territories))
        })
        .await
        .map_err(|e| e.in_lang(lang))?;

    let rows = page
        .items
        .iter()
        .map(|e| Row {
            href: record_url(e.id().as_str()),
            name: e.name().to_string(),
            sub: subkind_of(e)
                .map(|s| subkind_label(&state.content, kind.as_str(), s, lang))
                .unwrap_or_default(),
            territory: territory_of(e)
                .map(|id| match names.get(id.as_str()) {
                    Some(s) => Link::new(record_url(&s.id), s.name.clone()),
                    None => Link::text(id.to_string()),
                })
                .unwrap_or_else(|| Link::text("")),
            updated: day(&e.provenance().updated_at.to_rfc3339()),
        })
        .collect();

    let base = format!("/{}", kind_path(kind));
    let mut pairs = p.filter.pairs();
    let filter_pairs = pairs.clone();
    if sort != SortParam::Name {
        pairs.push(("sort", sort.as_str().to_string()));
    }
    if p.per_page.is_some() {
        pairs.push(("per_page", paging.per_page.to_string()));
    }
    let sort_link = |asc: SortParam, desc: SortParam| {
        let (next, aria, arrow) = if sort == asc {
            (desc, "ascending", " ▲")
        } else if sort == desc {
            (asc, "descending", " ▼")
        } else {
            (asc, "none", "")
        };
        let mut v = filter_pairs.clone();
        if next != SortParam::Name {
            v.push(("sort", next.as_str().to_string()));
        }
        SortLink {
            href: format!("{base}{}", query_string(&v)),
            aria,
            arrow,
        }
    };

    let mut selects = Vec::new();
    if let Some(vocab) = crate::params::subkind_vocab(kind) {
        selects.push(Select {
            name: "kind",
            label: match kind {
                EntityKind::Actor => t.s("filters.actor_kind"),
                EntityKind::Commons => t.s("filters.commons_kind"),
                _ => t.s("filters.level"),
            },
            options: vocab_options(&state, t, vocab, p.filter.kind.as_deref()),
        });
    }
    if kind == EntityKind::Actor {
        selects.push(Select {
            name: "typology",
            label: t.s("filters.typology"),
            options: vocab_options(&state, t, "typology", p.filter.typology.as_deref()),
        });
    }
    if kind != EntityKind::Commons {
        let cur = p.filter.territory.as_deref();
        selects.push(Select {
            name: "territory",
            label: t.s("filters.territory"),
            options: territories
                .items
                .iter()
                .map(|e| Opt {
                    value: e.id().to_string(),
                    label: e.name().to_string(),
                    selected: cur == Some(e.id().as_str()),
                })
                .collect(),
        });
    }
    let mut hidden = Vec::new();
    if sort != SortParam::Name {
        hidden.push(("sort".to_string(), sort.as_str().to_string()));
    }
    let title = kinds_label(t, kind).to_string();
    let list_page = ListPage {
        page: Layout::new(
            t,
            &viewer,
            &title,
            &super::here(&uri),
            Some(kind_path(kind)),
        ),
        t,
        title,
        form: FilterForm {
            action: base.clone(),
            selects,
            hidden,
        },
        total: page.total,
        summary: t.count(page.total, "list.record", "list.records"),
        rows,
        sort_name: sort_link(SortParam::Name, SortParam::NameDesc),
        sort_updated: sort_link(SortParam::UpdatedDesc, SortParam::Updated),
        pager: Pager::new(&base, &pairs, paging.page, paging.pages(page.total)),
        api_url: format!("/api/v1{base}{}", query_string(&pairs)),
        downloads: crate::views::downloads(&format!("/api/v1/lists{base}"), &pairs),
    };
    render(&list_page)
}

// ---------------------------------------------------------------- record page

pub struct Fact {
    pub label: String,
    pub values: Vec<Link>,
}

pub struct SourceView {
    /// The source's name for people (`sources.KEY` of the interface
    /// strings), else its key.
    pub name: String,
    pub file: Option<String>,
    pub date: Option<String>,
    pub created: String,
    pub updated: String,
}

pub struct RelRow {
    pub label: String,
    pub other: Link,
    pub other_kind: &'static str,
    pub role: String,
    pub period: String,
    pub note: Option<String>,
    pub source: String,
}

pub struct ListSection {
    pub title: String,
    pub total: u64,
    pub items: Vec<Link>,
    pub more: Option<Link>,
}

#[derive(Template)]
#[template(path = "record.html")]
struct RecordPage {
    page: Layout,
    t: Tr,
    id: String,
    kind: &'static str,
    kind_label: &'static str,
    sub: String,
    name: String,
    description: Option<String>,
    breadcrumbs: Vec<Link>,
    facts: Vec<Fact>,
    /// Fields the source gave beyond the common model, as written.
    raw: Vec<Fact>,
    source: SourceView,
    map: Option<MapView>,
    relations: Vec<RelRow>,
    graph: Option<Graph>,
    sections: Vec<ListSection>,
    api_url: String,
    history_url: String,
    /// A territory's dashboard (empty for other kinds).
    dashboard_url: String,
    /// "Propose a correction", "report a problem" and, for an actor,
    /// "add a place" and "add a relation".
    contribute: Vec<crate::views::Link>,
}

/// An outside link, shown as a link only for web and mail addresses.
fn external(url: &str) -> Link {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        Link::new(url.trim(), url.trim())
    } else {
        Link::text(url)
    }
}

fn mail(addr: &str) -> Link {
    if addr.contains('@') && !addr.contains(|c: char| c.is_whitespace() || c == ':' || c == '<') {
        Link::new(format!("mailto:{addr}"), addr)
    } else {
        Link::text(addr)
    }
}

struct Facts<'a> {
    t: Tr,
    list: Vec<Fact>,
    names: &'a HashMap<String, Summary>,
}

impl Facts<'_> {
    fn add(&mut self, label: &str, values: Vec<Link>) {
        if !values.is_empty() {
            self.list.push(Fact {
                label: label.to_string(),
                values,
            });
        }
    }
    fn text(&mut self, key: &'static str, v: Option<&str>) {
        if let Some(v) = v.filter(|s| !s.trim().is_empty()) {
            let label = self.t.s(key);
            self.add(label, vec![Link::text(v)]);
        }
    }
    fn record(&mut self, key: &'static str, id: Option<&EntityId>) {
        if let Some(id) = id {
            let link = match self.names.get(id.as_str()) {
                Some(s) => Link::new(record_url(&s.id), s.name.clone()),
                None => Link::text(id.to_string()),
            };
            let label = self.t.s(key);
            self.add(label, vec![link]);
        }
    }
}

fn facts_of(state: &AppState, t: Tr, e: &Entity, names: &HashMap<String, Summary>) -> Vec<Fact> {
    let lang = t.lang;
    let c = &state.content;
    let mut f = Facts {
        t,
        list: Vec::new(),
        names,
    };
    let ident = |f: &mut Facts, ids: &archipel_domain::Identifiers| {
        for (k, v) in ids.pairs() {
            let label = format!(
                "{} {}",
                t.s("fact.identifier"),
                k.to_uppercase().replace('_', " ")
            );
            f.add(&label, vec![Link::text(v)]);
        }
    };
    match e {
        Entity::Actor(a) => {
            f.text(
                "fact.nature",
                Some(match a.nature {
                    archipel_domain::Nature::Organisation => t.s("fact.organisation"),
                    archipel_domain::Nature::Person => t.s("fact.person"),
                }),
            );
            if let Some(k) = &a.kind {
                f.add(
                    t.s("filters.actor_kind"),
                    vec![Link::new(
                        format!("/actors?kind={}", encode(k)),
                        c.label("actor_kinds", k, lang),
                    )],
                );
            }
            f.add(
                t.s("filters.typology"),
                a.typology
                    .iter()
                    .map(|k| {
                        Link::new(
                            format!("/actors?typology={}", encode(k)),
                            c.label("typology", k, lang),
                        )
                    })
                    .collect(),
            );
            f.record("filters.territory", a.territory.as_ref());
            f.add(
                t.s("fact.website"),
                a.website.iter().map(|w| external(w)).collect(),
            );
            f.add(t.s("fact.email"), a.email.iter().map(|m| mail(m)).collect());
            ident(&mut f, &a.identifiers);
        }
        Entity::Place(p) => {
            f.record("fact.run_by", p.actor.as_ref());
            let addr = p.address.one_line();
            f.text("fact.address", Some(addr.as_str()));
            f.text("fact.insee", p.insee_code.as_deref());
            f.record("filters.territory", p.territory.as_ref());
            f.text("fact.phone", p.phone.as_deref());
            f.add(
                t.s("fact.email"),
                p.emails.iter().map(|m| mail(m)).collect(),
            );
            f.add(
                t.s("fact.website"),
                p.websites.iter().map(|w| external(w)).collect(),
            );
        }
        Entity::Commons(cm) => {
            f.add(
                t.s("filters.commons_kind"),
                vec![Link::new(
                    format!("/commons?kind={}", encode(&cm.kind)),
                    c.label("commons_kinds", &cm.kind, lang),
                )],
            );
            if let Some(l) = &cm.license {
                f.add(
                    t.s("filters.licence"),
                    vec![Link::new(
                        format!("/search?licence={}", encode(l)),
                        l.clone(),
                    )],
                );
            }
            f.add(
                t.s("fact.repository"),
                cm.repository_url.iter().map(|w| external(w)).collect(),
            );
            f.add(
                t.s("fact.website"),
                cm.website_url.iter().map(|w| external(w)).collect(),
            );
            f.add(
                t.s("fact.categories"),
                cm.categories.iter().map(Link::text).collect(),
            );
            ident(&mut f, &cm.identifiers);
        }
        Entity::Territory(tr) => {
            f.add(
                t.s("filters.level"),
                vec![Link::text(c.label("territory_levels", &tr.level, lang))],
            );
            f.text("fact.code", Some(tr.code.as_str()));
            f.record("fact.parent", tr.parent.as_ref());
            f.record("fact.department", tr.department.as_ref());
            if let Some(n) = tr.population {
                f.text("fact.population", Some(&t.number(n)));
            }
            f.text("fact.postcodes", Some(tr.postcodes.join(", ")).as_deref());
            if tr.fictional {
                f.text("fact.fictional", Some(t.s("fact.yes")));
            }
        }
        Entity::Relation(_) => {}
    }
    if let Some(p) = match e {
        Entity::Actor(a) => a.location,
        Entity::Place(p) => p.location,
        _ => None,
    } {
        f.text(
            "fact.coordinates",
            Some(&format!("{:.5}, {:.5}", p.lat, p.lon)),
        );
    }
    f.list
}

fn relation_rows(
    state: &AppState,
    t: Tr,
    me: &EntityId,
    rels: &[Relation],
    names: &HashMap<String, Summary>,
) -> Vec<RelRow> {
    let lang = t.lang;
    let mut rows: Vec<RelRow> = rels
        .iter()
        .map(|r| {
            let outgoing = &r.subject == me;
            let other = if outgoing { &r.object } else { &r.subject };
            let label = match state.content.relation_type(&r.kind) {
                Some(rt) if outgoing => rt.label(lang).to_string(),
                Some(rt) => rt.inverse_label(lang).to_string(),
                None => r.kind.clone(),
            };
            let other_link = match names.get(other.as_str()) {
                Some(s) => Link::new(record_url(&s.id), s.name.clone()),
                None => Link::text(other.to_string()),
            };
            let period = match (r.since, r.until) {
                (Some(s), Some(u)) => format!("{s} – {u}"),
                (Some(s), None) => format!("{} {s}", t.s("record.since")),
                (None, Some(u)) => format!("{} {u}", t.s("record.until")),
                (None, None) => String::new(),
            };
            RelRow {
                label,
                other: other_link,
                other_kind: kind_label(t, other.kind().as_str()),
                role: r
                    .role
                    .as_deref()
                    .map(|k| state.content.label("governance_roles", k, lang))
                    .unwrap_or_default(),
                period,
                note: r.note.clone(),
                source: crate::views::source_name(&r.provenance.source, lang),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.label.cmp(&b.label).then(a.other.text.cmp(&b.other.text)));
    rows
}

/// Everything a record page reads from the store.
struct Loaded {
    entity: Entity,
    relations: Vec<Relation>,
    names: HashMap<String, Summary>,
    path: Vec<Summary>,
    owned: Page<Summary>,
    actors: Page<Entity>,
    places: Page<Entity>,
}

fn load(s: &archipel_store::Store, id: &EntityId) -> Result<Option<Loaded>, Error> {
    let Some(entity) = s.get(id)? else {
        return Ok(None);
    };
    let relations = s.relations_of(id)?;
    let mut ids: Vec<&str> = relations
        .iter()
        .flat_map(|r| [r.subject.as_str(), r.object.as_str()])
        .collect();
    ids.extend(entity.references().iter().map(|(_, x)| x.as_str()));
    let names = s.summaries(&ids)?;
    let territory = match &entity {
        Entity::Territory(_) => Some(id.clone()),
        e => territory_of(e).cloned(),
    };
    let path = match &territory {
        Some(t) => s.territory_path(t)?,
        None => Vec::new(),
    };
    let owned = match id.kind() {
        EntityKind::Actor | EntityKind::Territory => s.owned_by(id, 60)?,
        _ => Page::empty(),
    };
    let (actors, places) = if id.kind() == EntityKind::Territory {
        let q = |k| ListQuery {
            filter: Filter {
                kind: Some(k),
                territory: Some(id.clone()),
                ..Filter::default()
            },
            sort: Sort::Name,
            limit: 30,
            offset: 0,
        };
        (
            s.list_page(&q(EntityKind::Actor))?,
            s.list_page(&q(EntityKind::Place))?,
        )
    } else {
        (Page::empty(), Page::empty())
    };
    Ok(Some(Loaded {
        entity,
        relations,
        names,
        path,
        owned,
        actors,
        places,
    }))
}

/// `n` for 10,000 inhabitants of `population`, with one decimal (a comma
/// in French).
fn per_10k(n: u64, population: u64, lang: archipel_content::Lang) -> String {
    let tenths = (n as f64 * 100_000.0 / population as f64).round() as u64;
    let sep = match lang {
        archipel_content::Lang::Fr => ",",
        archipel_content::Lang::En => ".",
    };
    format!("{}{sep}{}", lang.number(tenths / 10), tenths % 10)
}

fn section(title: &str, total: u64, items: Vec<Link>, more: Option<Link>) -> Option<ListSection> {
    (total > 0).then(|| ListSection {
        title: title.to_string(),
        total,
        items,
        more,
    })
}

/// A 302 to `location` (a local path).
fn moved_to(location: &str) -> Response {
    use axum::http::{header, HeaderValue, StatusCode};
    use axum::response::IntoResponse;
    let mut res = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

pub async fn show(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    Path((seg, raw_id)): Path<(String, String)>,
    uri: Uri,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let missing = || Error::not_found(format!("no record `{raw_id}` here")).in_lang(lang);
    let (kind, id) = record_path(&seg, &raw_id, lang)?;
    let lid = id.clone();
    let Some(l) = state
        .pool
        .read(move |s| load(s, &lid))
        .await
        .map_err(|e| e.in_lang(lang))?
    else {
        // An id a merge absorbed leads to the record that absorbed it
        // (a temporary redirect: a merge can be undone).
        let rid = id.clone();
        let kept = state
            .pool
            .read(move |s| Ok(s.resolve(&rid)?))
            .await
            .map_err(|e| e.in_lang(lang))?;
        return match kept {
            Some(k) if k != id => Ok(moved_to(&crate::views::record_url(k.as_str()))),
            _ => Err(missing()),
        };
    };
    let e = &l.entity;
    let mut facts = facts_of(&state, t, e, &l.names);
    if let Entity::Territory(tr) = e {
        // Figures of the territory and everything below it, for 10,000
        // inhabitants, when its population is known.
        if let Some(pop) = tr.population.filter(|p| *p > 0) {
            for (key, n) in [
                ("fact.actors_per_10k", l.actors.total),
                ("fact.places_per_10k", l.places.total),
            ] {
                facts.push(Fact {
                    label: t.s(key).to_string(),
                    values: vec![Link::text(per_10k(n, pop, lang))],
                });
            }
        }
    }
    let details = match e {
        Entity::Place(p) => Some(&p.details),
        Entity::Commons(c) => Some(&c.details),
        _ => None,
    };
    let raw = details
        .into_iter()
        .flatten()
        .map(|(k, v)| Fact {
            label: k.clone(),
            values: vec![Link::text(v.replace('|', " · "))],
        })
        .collect();
    let relations = relation_rows(&state, t, &id, &l.relations, &l.names);
    // One node per neighbour, with the relations to it.
    let mut by_other: Vec<(String, Neighbour)> = Vec::new();
    for r in &l.relations {
        let outgoing = r.subject == id;
        let other = if outgoing { &r.object } else { &r.subject };
        let label = match state.content.relation_type(&r.kind) {
            Some(rt) if outgoing => rt.label(lang).to_string(),
            Some(rt) => rt.inverse_label(lang).to_string(),
            None => r.kind.clone(),
        };
        if let Some((_, nb)) = by_other.iter_mut().find(|(k, _)| k == other.as_str()) {
            if !nb.relation.contains(&label) {
                nb.relation = format!("{}, {label}", nb.relation);
            }
            continue;
        }
        let name = l
            .names
            .get(other.as_str())
            .map(|s| s.name.clone())
            .unwrap_or_else(|| other.to_string());
        by_other.push((
            other.to_string(),
            Neighbour {
                href: record_url(other.as_str()),
                name,
                kind: other.kind().as_str().to_string(),
                relation: label,
            },
        ));
    }
    let graph = graph::layout(
        e.name(),
        e.kind().as_str(),
        by_other.into_iter().map(|(_, n)| n).collect(),
    );

    let mut breadcrumbs: Vec<Link> = l
        .path
        .iter()
        .map(|s| Link::new(record_url(&s.id), s.name.clone()))
        .collect();
    if !breadcrumbs.is_empty() {
        if kind == EntityKind::Territory {
            breadcrumbs.pop();
        }
        breadcrumbs.push(Link::text(e.name()));
    }

    let prov = e.provenance();
    let source = SourceView {
        name: crate::views::source_name(&prov.source, t.lang),
        file: prov.file.as_ref().map(|f| match prov.line {
            Some(n) => format!("{f}:{n}"),
            None => f.to_string(),
        }),
        // The source's own date; a contribution's is when it was made.
        date: prov.source_date.map(|d| d.to_string()).or_else(|| {
            (&*prov.source == archipel_jobs::contribute::WEB_SOURCE)
                .then(|| day(&prov.updated_at.to_rfc3339()))
        }),
        created: day(&prov.created_at.to_rfc3339()),
        updated: day(&prov.updated_at.to_rfc3339()),
    };

    let link_list = |items: &[Summary]| -> Vec<Link> {
        items
            .iter()
            .map(|s| Link::new(record_url(&s.id), s.name.clone()))
            .collect()
    };
    let entity_links = |items: &[Entity]| -> Vec<Link> {
        items
            .iter()
            .map(|x| Link::new(record_url(x.id().as_str()), x.name()))
            .collect()
    };
    let enc = encode(id.as_str());
    let mut sections = Vec::new();
    match kind {
        EntityKind::Actor => {
            sections.extend(section(
                t.s("record.places_run"),
                l.owned.total,
                link_list(&l.owned.items),
                None,
            ));
        }
        EntityKind::Territory => {
            sections.extend(section(
                t.s("record.subterritories"),
                l.owned.total,
                link_list(&l.owned.items),
                None,
            ));
            let more = |k: EntityKind, total: u64, shown: usize| {
                (total as usize > shown).then(|| {
                    Link::new(
                        format!("/{}?territory={enc}", kind_path(k)),
                        format!("{} ({})", t.s("record.see_all"), t.number(total)),
                    )
                })
            };
            sections.extend(section(
                t.s("kinds.actor"),
                l.actors.total,
                entity_links(&l.actors.items),
                more(EntityKind::Actor, l.actors.total, l.actors.items.len()),
            ));
            sections.extend(section(
                t.s("kinds.place"),
                l.places.total,
                entity_links(&l.places.items),
                more(EntityKind::Place, l.places.total, l.places.items.len()),
            ));
        }
        _ => {}
    }

    let location = match e {
        Entity::Actor(a) => a.location,
        Entity::Place(p) => p.location,
        _ => None,
    };
    let map = location.map(|p| {
        let d = 0.02;
        let bbox = format!(
            "{:.5},{:.5},{:.5},{:.5}",
            p.lon - d,
            p.lat - d,
            p.lon + d,
            p.lat + d
        );
        MapView::new(&state, t, &format!("?bbox={bbox}"), "/places".into())
    });

    let sub = subkind_of(e)
        .map(|s| subkind_label(&state.content, kind.as_str(), s, lang))
        .unwrap_or_default();
    let name = e.name().to_string();
    // The title holds the name as plain text: isolated there.
    let mut layout = Layout::new(
        t,
        &viewer,
        &isolate(&name),
        &super::here(&uri),
        Some(kind_path(kind)),
    );
    if map.is_some() {
        layout = layout.with_map();
    }
    let page = RecordPage {
        page: layout,
        t,
        id: id.to_string(),
        kind: kind.as_str(),
        kind_label: kind_label(t, kind.as_str()),
        sub,
        name,
        description: e.description().map(str::to_string),
        breadcrumbs,
        facts,
        raw,
        source,
        map,
        relations,
        graph,
        sections,
        api_url: format!("/api/v1/{}/{enc}", kind_path(kind)),
        history_url: format!("/{}/{enc}/historique", kind_path(kind)),
        dashboard_url: if kind == EntityKind::Territory {
            super::dashboard::url(id.as_str())
        } else {
            String::new()
        },
        contribute: contribute_links(t, kind, &enc),
    };
    render(&page)
}

/// The ways to contribute a record's page offers.
fn contribute_links(t: Tr, kind: EntityKind, enc: &str) -> Vec<crate::views::Link> {
    use crate::views::Link;
    let base = format!("/{}/{enc}", kind_path(kind));
    let mut out = vec![
        Link::new(format!("{base}/proposer"), t.s("record.propose")),
        Link::new(format!("{base}/signaler"), t.s("record.report")),
    ];
    if kind == EntityKind::Actor {
        out.push(Link::new(
            format!("/proposer/places?actor={enc}"),
            t.s("record.add_place"),
        ));
    }
    if kind != EntityKind::Territory {
        out.push(Link::new(
            format!("/proposer/relations?subject={enc}"),
            t.s("record.add_relation"),
        ));
    }
    out
}

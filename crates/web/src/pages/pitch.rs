//! `/argumentaires`: pick a persona, a register, a territory (and a
//! commons), preview the argument sheet, download it as PDF, Markdown or
//! HTML (`/argumentaires/sheet.pdf?…`). A plain GET form: no script.

use super::{render, Opt};
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::params::{nonempty as given, query_string, Params};
use crate::session::Viewer;
use crate::state::AppState;
use crate::views::Layout;
use archipel_content::pitch::Register;
use archipel_content::{Content, Lang};
use archipel_domain::{EntityId, EntityKind};
use archipel_pitch::{Format, Request, Sheet};
use archipel_store::{Filter, ListQuery, Sort, Store};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// Most commons, and most territories of one level, offered in the
/// form's lists (the one asked for is always among them).
const LISTED: usize = 400;

/// The form's parameters (the language is the page's: `?lang=`).
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct PitchParams {
    audience: Option<String>,
    register: Option<String>,
    territory: Option<String>,
    commons: Option<String>,
}

/// A `<select>` of the form.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    /// The first, empty choice.
    pub empty: Option<&'static str>,
    pub required: bool,
    pub groups: Vec<Group>,
}

/// Options of a `<select>`, under an `<optgroup>` when `label` is set.
pub struct Group {
    pub label: Option<String>,
    pub options: Vec<Opt>,
}

impl Group {
    fn plain(options: Vec<Opt>) -> Group {
        Group {
            label: None,
            options,
        }
    }
}

/// A download link.
pub struct Download {
    pub href: String,
    pub label: &'static str,
    pub format: &'static str,
}

#[derive(Template)]
#[template(path = "pitch.html")]
struct PitchPage {
    page: Layout,
    t: Tr,
    fields: Vec<Field>,
    /// The sheet, as an escaped HTML fragment (archipel-pitch escapes it).
    sheet: Option<String>,
    downloads: Vec<Download>,
}

/// What the request asks for, checked against the content.
struct Wanted {
    audience: Option<String>,
    register: Option<Register>,
    territory: Option<String>,
    commons: Option<EntityId>,
}

fn check(content: &Content, p: &PitchParams, lang: Lang) -> Result<Wanted, Error> {
    let pitch = content.pitch();
    let audience = given(&p.audience).map(str::to_string);
    if let Some(a) = &audience {
        if pitch.persona(a).is_none() {
            let valid: Vec<&str> = pitch.personas.iter().map(|p| p.id.as_str()).collect();
            return Err(Error::not_found(format!(
                "unknown persona `{a}`; the personas are: {}",
                valid.join(", ")
            ))
            .in_lang(lang));
        }
    }
    let register = match given(&p.register) {
        None => None,
        Some(r) => Some(Register::parse(r).ok_or_else(|| {
            Error::bad_request(format!(
                "register `{r}`: expected political, technical or economic"
            ))
            .in_lang(lang)
        })?),
    };
    let commons = match given(&p.commons) {
        None => None,
        Some(c) => Some(
            c.parse::<EntityId>()
                .ok()
                .filter(|id| id.kind() == EntityKind::Commons)
                .ok_or_else(|| {
                    Error::bad_request(format!("commons `{c}`: expected a commons id"))
                        .in_lang(lang)
                })?,
        ),
    };
    Ok(Wanted {
        audience,
        register,
        territory: given(&p.territory).map(str::to_string),
        commons,
    })
}

/// Turns a sheet error into an HTTP error: unknown things are 404, other
/// usage errors 400.
pub(super) fn sheet_error(e: archipel_pitch::Error, lang: Lang) -> Error {
    use archipel_pitch::Error as E;
    let err = match &e {
        E::UnknownAudience { .. } | E::UnknownTerritory { .. } | E::UnknownCommons(_) => {
            Error::not_found(e.to_string())
        }
        E::AmbiguousTerritory { .. } | E::TerritoryRequired { .. } => {
            Error::bad_request(e.to_string())
        }
        E::Store(_) | E::Network(_) | E::Pdf(_) => Error::internal_from(&e),
    };
    err.in_lang(lang)
}

/// Builds the sheet for `w` (which has an audience) from the registry, on
/// the server's day, with the territory's network as the server keeps it
/// ([`super::dashboard::network_of`]).
fn build(state: &AppState, store: &Store, w: &Wanted, lang: Lang) -> Result<Sheet, Error> {
    let audience = w.audience.as_deref().unwrap_or_default();
    let territory = archipel_pitch::resolve_territory(store, w.territory.as_deref())
        .map_err(|e| sheet_error(e, lang))?;
    let day = state.config.sign_in.clock.now().date_naive();
    let network = super::dashboard::network_of(state, store, &territory, day)?;
    let mut req = Request::new(audience, territory).lang(lang);
    req.register = w.register;
    req.commons = w.commons.clone();
    req.date = Some(day.to_string());
    archipel_pitch::generate_with(&state.content, store, &req, network.as_deref())
        .map_err(|e| sheet_error(e, lang))
}

/// Options for the records `filter` keeps, by name, at most [`LISTED`],
/// and how many there are in all.
fn record_options(
    store: &Store,
    filter: Filter,
    current: Option<&str>,
) -> Result<(Vec<Opt>, u64), Error> {
    let page = store.list_page(&ListQuery {
        filter,
        sort: Sort::Name,
        limit: LISTED,
        offset: 0,
    })?;
    let options = page
        .items
        .iter()
        .map(|e| Opt {
            value: e.id().to_string(),
            label: e.name().to_string(),
            selected: current == Some(e.id().as_str()),
        })
        .collect();
    Ok((options, page.total))
}

/// Puts the record of `kind` asked for first when no group offers it (a
/// registry may hold more than [`LISTED`] of its kind), so that submitting
/// the form again keeps it.
fn keep_current(
    store: &Store,
    groups: &mut Vec<Group>,
    kind: EntityKind,
    current: Option<&str>,
) -> Result<(), Error> {
    let Some(id) = current
        .and_then(|c| c.parse::<EntityId>().ok())
        .filter(|id| id.kind() == kind)
    else {
        return Ok(());
    };
    if groups.iter().flat_map(|g| &g.options).any(|o| o.selected) {
        return Ok(());
    }
    if let Some(e) = store.get(&id)? {
        let opt = Opt {
            value: id.to_string(),
            label: e.name().to_string(),
            selected: true,
        };
        groups.insert(0, Group::plain(vec![opt]));
    }
    Ok(())
}

/// The territories, one group per level from the widest (region) to the
/// most local (commune), each by name. A level with more than [`LISTED`]
/// territories says how many are shown.
pub(super) fn territory_groups(
    store: &Store,
    content: &Content,
    t: Tr,
    current: Option<&str>,
) -> Result<Vec<Group>, Error> {
    let mut levels: Vec<_> = content
        .vocabulary("territory_levels")
        .map(|v| v.terms.iter().collect())
        .unwrap_or_default();
    levels.sort_by_key(|l| std::cmp::Reverse(l.extra_int("rank").unwrap_or(0)));
    let mut groups = Vec::new();
    for level in levels {
        let filter = Filter {
            kind: Some(EntityKind::Territory),
            subkind: Some(level.key.clone()),
            ..Filter::default()
        };
        let (options, total) = record_options(store, filter, current)?;
        if options.is_empty() {
            continue;
        }
        let mut label = level.label(t.lang).to_string();
        if total > options.len() as u64 {
            label = format!(
                "{label} ({} {} {})",
                t.number(options.len() as u64),
                t.s("pitch.listed_of"),
                t.number(total)
            );
        }
        groups.push(Group {
            label: Some(label),
            options,
        });
    }
    keep_current(store, &mut groups, EntityKind::Territory, current)?;
    Ok(groups)
}

/// The query string of the sheet's links (language included).
fn sheet_query(w: &Wanted, sheet: &Sheet) -> String {
    let mut pairs: Vec<(&str, String)> = vec![
        ("audience", sheet.audience.id.clone()),
        ("register", sheet.register.as_str().to_string()),
        ("territory", sheet.territory.id.clone()),
    ];
    if let Some(c) = &w.commons {
        pairs.push(("commons", c.to_string()));
    }
    pairs.push(("lang", sheet.lang.clone()));
    query_string(&pairs)
}

pub async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    viewer: Viewer,
    uri: Uri,
    Params(p): Params<PitchParams>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let w = check(&state.content, &p, lang)?;
    let content = state.content.clone();
    let st = state.clone();
    let (sheet, territories, commons, w) = state
        .pool
        .read(move |s| {
            let sheet = match &w.audience {
                Some(_) => Some(build(&st, s, &w, lang)?),
                None => None,
            };
            let current = sheet
                .as_ref()
                .map(|sh| sh.territory.id.clone())
                .or_else(|| w.territory.clone());
            let territories = territory_groups(s, &content, t, current.as_deref())?;
            let current = w.commons.as_ref().map(|c| c.as_str());
            let commons = Filter {
                kind: Some(EntityKind::Commons),
                ..Filter::default()
            };
            let mut commons = vec![Group::plain(record_options(s, commons, current)?.0)];
            keep_current(s, &mut commons, EntityKind::Commons, current)?;
            Ok((sheet, territories, commons, w))
        })
        .await
        .map_err(|e| e.in_lang(lang))?;

    let pitch = state.content.pitch();
    let audiences = pitch
        .personas
        .iter()
        .map(|p| Opt {
            value: p.id.clone(),
            label: p.name(lang).to_string(),
            selected: w.audience.as_deref() == Some(p.id.as_str()),
        })
        .collect();
    let registers = Register::ALL
        .iter()
        .map(|r| Opt {
            value: r.as_str().to_string(),
            label: pitch
                .text(&format!("register.{}", r.as_str()), lang)
                .to_string(),
            selected: w.register == Some(*r),
        })
        .collect();
    let langs = [(Lang::Fr, "Français"), (Lang::En, "English")]
        .iter()
        .map(|(l, name)| Opt {
            value: l.as_str().to_string(),
            label: name.to_string(),
            selected: *l == lang,
        })
        .collect();
    let downloads = match &sheet {
        None => Vec::new(),
        Some(sh) => {
            let q = sheet_query(&w, sh);
            vec![
                Download {
                    href: format!("/argumentaires/sheet.pdf{q}"),
                    label: t.s("pitch.download_pdf"),
                    format: "pdf",
                },
                Download {
                    href: format!("/argumentaires/sheet.md{q}"),
                    label: t.s("pitch.download_md"),
                    format: "markdown",
                },
                Download {
                    href: format!("/argumentaires/sheet.html{q}"),
                    label: t.s("pitch.download_html"),
                    format: "html",
                },
            ]
        }
    };
    let title = match &sheet {
        Some(sh) => format!("{} — {}", t.s("pitch.title"), sh.audience.name),
        None => t.s("pitch.title").to_string(),
    };
    let field = |name: &'static str, label, empty: Option<&'static str>, groups| Field {
        name,
        label,
        empty,
        required: name == "audience",
        groups,
    };
    let fields = vec![
        field(
            "audience",
            t.s("pitch.audience"),
            Some(t.s("pitch.choose")),
            vec![Group::plain(audiences)],
        ),
        field(
            "register",
            t.s("pitch.register"),
            Some(t.s("pitch.register_best")),
            vec![Group::plain(registers)],
        ),
        field(
            "territory",
            t.s("pitch.territory"),
            Some(t.s("pitch.territory_top")),
            territories,
        ),
        field(
            "commons",
            t.s("pitch.commons"),
            Some(t.s("pitch.commons_none")),
            commons,
        ),
        field("lang", t.s("pitch.lang"), None, vec![Group::plain(langs)]),
    ];
    let page = PitchPage {
        page: Layout::new(t, &viewer, &title, &super::here(&uri), Some("pitch")),
        t,
        fields,
        sheet: sheet
            .as_ref()
            .map(|s| one_level_down(&archipel_pitch::body_html(s))),
        downloads,
    };
    render(&page)
}

/// The sheet's headings one level down (`h1` → `h2`, `h2` → `h3`), so
/// that it sits under the page's own `h1` (one `h1` per page). The
/// fragment is archipel-pitch's, whose text is escaped: a `<h1>` in it
/// can only be one of its tags.
fn one_level_down(html: &str) -> String {
    html.replace("<h2>", "<h3>")
        .replace("</h2>", "</h3>")
        .replace("<h1>", "<h2 class=\"sheet-title\">")
        .replace("</h1>", "</h2>")
}

/// `/argumentaires/sheet.pdf`, `.md`, `.html`: the sheet as a file.
pub async fn download(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    Path(file): Path<String>,
    Params(p): Params<PitchParams>,
) -> Result<Response, Error> {
    let kind = match file.as_str() {
        "sheet.pdf" => None,
        "sheet.md" => Some(Format::Markdown),
        "sheet.html" => Some(Format::Html),
        _ => {
            return Err(Error::not_found(format!(
                "no file `{file}` here (sheet.pdf, sheet.md, sheet.html)"
            ))
            .in_lang(lang))
        }
    };
    let w = check(&state.content, &p, lang)?;
    if w.audience.is_none() {
        return Err(Error::bad_request("say who the sheet is for: ?audience=ID").in_lang(lang));
    }
    let st = state.clone();
    let sheet = state
        .pool
        .read(move |s| build(&st, s, &w, lang))
        .await
        .map_err(|e| e.in_lang(lang))?;
    let (bytes, mime, ext) = match kind {
        None => (
            archipel_pitch::pdf::render(&sheet).map_err(|e| sheet_error(e, lang))?,
            "application/pdf",
            "pdf",
        ),
        Some(Format::Markdown) => (
            archipel_pitch::render(&sheet, Format::Markdown).into_bytes(),
            "text/markdown; charset=utf-8",
            "md",
        ),
        Some(_) => (
            archipel_pitch::render(&sheet, Format::Html).into_bytes(),
            "text/html; charset=utf-8",
            "html",
        ),
    };
    let name = format!(
        "argumentaire-{}-{}.{ext}",
        sheet.audience.id,
        sheet.register.as_str()
    );
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

//! `/soutiens/evenements.ics`: the trainings and events of the registry,
//! or of a territory (`?territoire=`, the rule of `/soutiens`), as an
//! iCalendar feed written by `archipel_formats::ical`. Each event's `UID`
//! is its record's id, `URL` its page here (or its own page when it has
//! one), `ORGANIZER` its organiser's name and page, `LOCATION` the
//! place's name and address, `CATEGORIES` its category's label.

use super::support::{action_url, resolve_territory, territory_key, SupportParams};
use super::support_item::address_text;
use crate::error::Error;
use crate::i18n::{PageLang, Tr};
use crate::params::Params;
use crate::state::AppState;
use crate::views::record_url;
use archipel_domain::{Action, ActionKind, Entity, Event};
use archipel_formats::ical::{self, CalEvent, CalHead, Organizer, Span};
use archipel_store::ActionQuery;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

pub async fn feed(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    Params(p): Params<SupportParams>,
) -> Result<Response, Error> {
    let t = Tr::new(lang);
    let key = territory_key(&p).map_err(|e| e.in_lang(lang))?;
    let content = state.content.clone();
    let base = state.config.public_url.trim_end_matches('/').to_string();
    let made = state
        .pool
        .read(move |s| {
            let territory = match key.as_deref() {
                Some(k) => match resolve_territory(s, k)? {
                    Ok(t) => Some(t),
                    Err(e) => return Ok(Err(e)),
                },
                None => None,
            };
            let events: Vec<Event> = s
                .actions(&ActionQuery {
                    kind: Some(ActionKind::Event),
                    territory: territory.as_ref().and_then(|t| t.id.parse().ok()),
                    ..ActionQuery::default()
                })?
                .into_iter()
                .filter_map(|a| match a {
                    Action::Event(e) => Some(e),
                    _ => None,
                })
                .collect();
            let mut ids: Vec<&str> = events.iter().map(|e| e.organiser.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            let names = s.summaries(&ids)?;
            let mut places = HashMap::new();
            for e in &events {
                if let Some(p) = &e.place {
                    if let Some(Entity::Place(pl)) = s.get(p)? {
                        places.insert(p.as_str().to_string(), pl);
                    }
                }
            }
            let cal: Vec<CalEvent> = events
                .iter()
                .map(|e| {
                    let span = match e.start_time {
                        Some(st) => Span::Local {
                            start: e.starts.and_time(st),
                            end: e.end_time.map(|et| e.last_day().and_time(et)),
                        },
                        None => Span::Days {
                            first: e.starts,
                            last: e.last_day(),
                        },
                    };
                    let place = e.place.as_ref().and_then(|p| places.get(p.as_str()));
                    let location = [
                        place.map(|p| p.name.clone()),
                        place.map(|p| address_text(&p.address)),
                        e.location.clone(),
                    ]
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ");
                    CalEvent {
                        uid: e.id.to_string(),
                        stamp: e.provenance.updated_at,
                        span,
                        summary: e.name.clone(),
                        description: e.description.clone(),
                        location: (!location.is_empty()).then_some(location),
                        url: Some(
                            e.url
                                .clone()
                                .unwrap_or_else(|| format!("{base}{}", action_url(&e.id))),
                        ),
                        organizer: Some(Organizer {
                            name: names
                                .get(e.organiser.as_str())
                                .map(|s| s.name.clone())
                                .unwrap_or_default(),
                            uri: format!("{base}{}", record_url(e.organiser.as_str())),
                        }),
                        categories: vec![content.label("event_categories", &e.category, lang)],
                    }
                })
                .collect();
            let mut name = t.s("support.ics_title").to_string();
            if let Some(tr) = &territory {
                name = format!("{name} · {}", tr.name);
            }
            let head = CalHead {
                product: format!("Archipel {}", env!("CARGO_PKG_VERSION")),
                name,
            };
            Ok(Ok(ical::to_bytes(&head, &cal).map_err(|e| e.to_string())))
        })
        .await
        .map_err(|e| e.in_lang(lang))?
        .map_err(|e| e.in_lang(lang))?;
    let bytes = made.map_err(|e| Error::internal(e).in_lang(lang))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"evenements.ics\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

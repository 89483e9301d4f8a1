//! `/api/v1/exports/{file}`: the registry in the formats the field uses,
//! as downloads (the same writers as `archipel export`).

use crate::error::Error;
use crate::state::AppState;
use archipel_domain::{Entity, EntityKind};
use archipel_formats::{flat, geojson, mediation, native};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A downloadable file.
pub struct DownloadSpec {
    pub file: &'static str,
    pub format: &'static str,
    pub media_type: &'static str,
    /// Key of the interface string describing it.
    pub what_key: &'static str,
    /// A schema the file conforms to, for the DCAT catalogue.
    pub conforms_to: Option<&'static str>,
}

pub const DOWNLOADS: &[DownloadSpec] = &[
    DownloadSpec {
        file: "archipel.json",
        format: "JSON",
        media_type: "application/json",
        what_key: "data.what_json",
        conforms_to: None,
    },
    DownloadSpec {
        file: "archipel.geojson",
        format: "GeoJSON",
        media_type: "application/geo+json",
        what_key: "data.what_geojson",
        conforms_to: Some("https://www.rfc-editor.org/rfc/rfc7946"),
    },
    DownloadSpec {
        file: "lieux-mediation-numerique.csv",
        format: "CSV",
        media_type: "text/csv",
        what_key: "data.what_mediation",
        conforms_to: Some("https://schema.data.gouv.fr/LaMednum/standard-mediation-num/"),
    },
    DownloadSpec {
        file: "commons.csv",
        format: "CSV",
        media_type: "text/csv",
        what_key: "data.what_commons",
        conforms_to: None,
    },
    DownloadSpec {
        file: "actors.csv",
        format: "CSV",
        media_type: "text/csv",
        what_key: "data.what_actors",
        conforms_to: None,
    },
    DownloadSpec {
        file: "places.csv",
        format: "CSV",
        media_type: "text/csv",
        what_key: "data.what_places",
        conforms_to: None,
    },
    DownloadSpec {
        file: "territories.csv",
        format: "CSV",
        media_type: "text/csv",
        what_key: "data.what_territories",
        conforms_to: None,
    },
    DownloadSpec {
        file: "relations.csv",
        format: "CSV",
        media_type: "text/csv",
        what_key: "data.what_relations",
        conforms_to: None,
    },
];

fn write(file: &str, s: &archipel_store::Store) -> Result<Vec<u8>, Error> {
    let all = s.all()?;
    let mut out = Vec::new();
    let fail = |e: archipel_formats::ExportError| Error::internal(e.to_string());
    match file {
        "archipel.json" => native::export(&all, &mut out).map_err(fail)?,
        "archipel.geojson" => geojson::export(&all, &mut out).map_err(fail)?,
        "lieux-mediation-numerique.csv" => {
            let places: Vec<_> = all
                .iter()
                .filter_map(|e| match e {
                    Entity::Place(p) => Some(p),
                    _ => None,
                })
                .collect();
            let actors: std::collections::HashMap<&str, &archipel_domain::Actor> = all
                .iter()
                .filter_map(|e| match e {
                    Entity::Actor(a) => Some((a.id.as_str(), a)),
                    _ => None,
                })
                .collect();
            let actor_of =
                |id: &archipel_domain::EntityId| actors.get(id.as_str()).map(|a| (*a).clone());
            mediation::export(&places, &actor_of, &mut out).map_err(fail)?
        }
        other => {
            let kind = match other {
                "commons.csv" => EntityKind::Commons,
                "actors.csv" => EntityKind::Actor,
                "places.csv" => EntityKind::Place,
                "territories.csv" => EntityKind::Territory,
                "relations.csv" => EntityKind::Relation,
                _ => return Err(Error::not_found(format!("no export `{other}`"))),
            };
            flat::export(kind, &all, &mut out).map_err(fail)?
        }
    }
    Ok(out)
}

pub async fn download(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, Error> {
    let Some(spec) = DOWNLOADS.iter().find(|d| d.file == file) else {
        return Err(Error::not_found(format!("no export `{file}`")).api());
    };
    let name = spec.file;
    let bytes = state
        .pool
        .read(move |s| write(name, s))
        .await
        .map_err(Error::api)?;
    let ct = if spec.media_type.starts_with("text/") {
        format!("{}; charset=utf-8", spec.media_type)
    } else {
        spec.media_type.to_string()
    };
    Ok((
        [
            (header::CONTENT_TYPE, ct),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", spec.file),
            ),
        ],
        bytes,
    )
        .into_response())
}

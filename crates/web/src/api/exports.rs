//! `/api/v1/exports/{file}`: the registry in the formats the field uses,
//! as downloads (the same writers as `archipel export`).

use crate::error::Error;
use crate::state::AppState;
use archipel_domain::EntityKind;
use archipel_jobs::export::{self, Export};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
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

/// What each file holds.
fn export_of(file: &str) -> Option<Export> {
    Some(match file {
        "archipel.json" => Export::Json,
        "archipel.geojson" => Export::Geojson,
        "lieux-mediation-numerique.csv" => Export::Mediation,
        "commons.csv" => Export::Csv(EntityKind::Commons),
        "actors.csv" => Export::Csv(EntityKind::Actor),
        "places.csv" => Export::Csv(EntityKind::Place),
        "territories.csv" => Export::Csv(EntityKind::Territory),
        "relations.csv" => Export::Csv(EntityKind::Relation),
        _ => return None,
    })
}

/// A download, written by the same function as `archipel export`: from
/// the spool (see `crate::spool`: written once per change of the
/// registry, then read from disk), or streamed as it is written when the
/// answer cache is off; either way its memory does not grow with the
/// registry. Its ETag is the registry's revision, so an unchanged registry
/// answers 304 without reading anything.
pub async fn download(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let (Some(spec), Some(what)) = (DOWNLOADS.iter().find(|d| d.file == file), export_of(&file))
    else {
        return Err(Error::not_found(format!("no export `{file}`")).api());
    };
    let revision = state
        .pool
        .read(|s| Ok(s.revision()?))
        .await
        .map_err(Error::api)?;
    let etag = crate::http::etag_of(format!("{}|{revision}", spec.file).as_bytes());
    if crate::http::matches(headers.get(header::IF_NONE_MATCH), &etag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let ct = if spec.media_type.starts_with("text/") {
        format!("{}; charset=utf-8", spec.media_type)
    } else {
        spec.media_type.to_string()
    };
    let headers = [
        (header::CONTENT_TYPE, ct),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", spec.file),
        ),
        (header::ETAG, etag),
    ];
    if let Some((file, len)) = spooled(&state, spec.file, what, &revision).await {
        let body = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024));
        return Ok((headers, [(header::CONTENT_LENGTH, len.to_string())], body).into_response());
    }
    let body = state
        .pool
        .stream(move |s, out| export::write(s, what, out).map_err(|e| Error::internal_from(&e)))
        .await
        .map_err(Error::api)?;
    Ok((headers, body).into_response())
}

/// The export `file` at `revision` from the spool, written there first if
/// it is not (one request writes it; the others for it wait, then read
/// it). `None` when there is no spool (the answer cache is off) or it
/// failed (logged): the caller streams the export instead.
async fn spooled(
    state: &AppState,
    file: &'static str,
    what: Export,
    revision: &str,
) -> Option<(tokio::fs::File, u64)> {
    let spool = state.spool.as_ref()?;
    if let Some(found) = spool.open(file, revision).await {
        return Some(found);
    }
    let _flight = state.cache.take_flight(&format!("export|{file}")).await;
    if let Some(found) = spool.open(file, revision).await {
        return Some(found);
    }
    let path = spool.path_for(file);
    let to = path.clone();
    let written = state
        .pool
        .alone(move |s| export::write_file(s, what, &to).map_err(|e| Error::internal_from(&e)))
        .await;
    match written {
        Ok(()) => {
            spool.keep(file, revision.to_string(), path);
            spool.open(file, revision).await
        }
        Err(e) => {
            tracing::warn!(error = %e.message, "export not kept: streamed as written");
            None
        }
    }
}

//! `/api/v1/catalog.jsonld`: a DCAT catalogue (DCAT-AP flavoured JSON-LD)
//! describing the downloads and the API, for data.gouv.fr and other
//! harvesters.

use crate::api::exports::DOWNLOADS;
use crate::error::Error;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub async fn catalog(State(state): State<AppState>) -> Result<Response, Error> {
    let base = state.config.public_url.trim_end_matches('/').to_string();
    let (modified, counts) = state
        .pool
        .read(|s| {
            let recent = s.recent(1)?;
            let modified = recent
                .first()
                .map(|e| e.provenance().updated_at.format("%Y-%m-%d").to_string());
            Ok((modified, s.kind_counts()?))
        })
        .await
        .map_err(Error::api)?;
    let licence = state.config.data_licence.clone();
    let count = |k: &str| {
        counts
            .iter()
            .find(|c| c.key == k)
            .map(|c| c.count)
            .unwrap_or(0)
    };
    let distributions: Vec<_> = DOWNLOADS
        .iter()
        .map(|d| {
            let url = format!("{base}/api/v1/exports/{}", d.file);
            let mut dist = json!({
                "@id": url,
                "@type": "dcat:Distribution",
                "dct:title": d.file,
                "dct:format": d.format,
                "dcat:mediaType": { "@id": format!("https://www.iana.org/assignments/media-types/{}", d.media_type) },
                "dcat:downloadURL": { "@id": url },
                "dcat:accessURL": { "@id": url },
                "dct:license": { "@id": licence },
            });
            if let (Some(c), Some(obj)) = (d.conforms_to, dist.as_object_mut()) {
                obj.insert("dct:conformsTo".into(), json!({ "@id": c }));
            }
            dist
        })
        .collect();
    let body = json!({
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
            "dct:modified": { "@type": "xsd:date" },
            "dct:issued": { "@type": "xsd:date" }
        },
        "@id": format!("{base}/api/v1/catalog.jsonld"),
        "@type": "dcat:Catalog",
        "dct:title": [
            { "@value": "Registre des communs numériques du territoire", "@language": "fr" },
            { "@value": "Registry of the territory's digital commons", "@language": "en" }
        ],
        "dct:description": [
            { "@value": "Communs numériques, acteurs, lieux et territoires recensés avec Archipel, et leurs relations.", "@language": "fr" },
            { "@value": "Digital commons, actors, places and territories recorded with Archipel, and their relations.", "@language": "en" }
        ],
        "dct:language": { "@id": "http://publications.europa.eu/resource/authority/language/FRA" },
        "foaf:homepage": { "@id": format!("{base}/") },
        "dct:modified": modified,
        "dcat:service": [{
            "@id": format!("{base}/api/v1/"),
            "@type": "dcat:DataService",
            "dct:title": "Archipel API v1",
            "dcat:endpointURL": { "@id": format!("{base}/api/v1/") },
            "dcat:endpointDescription": { "@id": format!("{base}/api/v1/openapi.json") },
            "dcat:servesDataset": { "@id": format!("{base}/data#registre") }
        }],
        "dcat:dataset": [{
            "@id": format!("{base}/data#registre"),
            "@type": "dcat:Dataset",
            "dct:identifier": format!("{base}/data#registre"),
            "dct:title": [
                { "@value": "Registre des communs numériques, acteurs et lieux", "@language": "fr" },
                { "@value": "Registry of digital commons, actors and places", "@language": "en" }
            ],
            "dct:description": [
                { "@value": format!("{} communs, {} acteurs, {} lieux, {} territoires et {} relations, chaque fait avec sa source.", count("commons"), count("actor"), count("place"), count("territory"), count("relation")), "@language": "fr" }
            ],
            "dcat:keyword": ["communs numériques", "logiciel libre", "médiation numérique", "tiers-lieux", "open data"],
            "dct:modified": modified,
            "dct:license": { "@id": licence },
            "dcat:landingPage": { "@id": format!("{base}/data") },
            "dcat:distribution": distributions
        }]
    });
    Ok((
        [(header::CONTENT_TYPE, "application/ld+json")],
        axum::Json(body),
    )
        .into_response())
}

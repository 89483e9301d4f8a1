//! Archipel on the web: the registry as server-rendered pages (home, map,
//! search with facets, a page per record, lists), the open data API under
//! `/api/v1/` (JSON, GeoJSON, exports, DCAT catalogue, OpenAPI), and an
//! embeddable map.
//!
//! People sign in (`/connexion`, with a password or an OpenID Connect
//! provider), sign up and manage accounts: [`session`] keeps who is
//! asking, [`csrf`] guards every form, [`throttle`] limits attempts.
//!
//! Pages are French by default with an English switch; they work without
//! JavaScript except the map, which uses Leaflet and Leaflet.markercluster
//! vendored under `assets/vendor/` and compiled into the binary. Templates
//! are askama (checked at compile time, HTML-escaped by default).
//!
//! Handlers are thin: they parse parameters ([`params`]), ask the store
//! through the connection [`pool`] on a blocking thread, and render. One
//! error type, [`Error`], turns into an HTML page or a JSON body.
//!
//! ```no_run
//! # async fn f() -> Result<(), archipel_web::Error> {
//! let content = archipel_content::Content::embedded().unwrap();
//! let config = archipel_web::Config::new("archipel.db".into());
//! let app = archipel_web::app(config, content)?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.unwrap();
//! axum::serve(listener, app).await.unwrap();
//! # Ok(()) }
//! ```

pub mod action_form;
pub mod api;
mod assets;
mod cache;
pub mod charts;
mod config;
pub mod csrf;
mod error;
mod figures;
mod graph;
mod http;
mod i18n;
mod inflight;
pub mod netdraw;
mod pages;
pub mod params;
pub mod pool;
mod providers;
pub mod record_form;
pub mod session;
pub mod spool;
mod state;
pub mod throttle;
mod views;
mod writer;

/// Header names, for settings that name one.
pub use axum::http::header as axum_header;
pub use config::{
    check_cache_size, check_day, check_frame_ancestors, check_header_name, check_licence_url,
    check_public_url, check_text, show_size, Clock, Config, Conformance, Outlines, Publisher,
    SignInConfig, Tiles, MAX_CACHE_BYTES, MAX_OUTLINES_BYTES,
};
pub use error::Error;
pub use i18n::UI_STRINGS;
pub use state::AppState;

use archipel_content::Content;
use axum::routing::get;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted (forms, a record's proposal with its
/// description the largest; other routes read none).
pub const MAX_BODY: usize = 64 * 1024;
/// Longest request target (path and query) accepted.
pub const MAX_URI: usize = 4096;
/// Largest header section accepted (names and values), well below the
/// HTTP library's own limit (about 400 KiB or 100 lines, answered 431
/// with an empty body before any of our code runs), so that the 431 a
/// client meets in practice is ours, with a body.
pub const MAX_HEADERS: usize = 32 * 1024;

/// The whole application: pages, API, assets, health, with its layers.
pub fn app(config: Config, content: Content) -> Result<Router, Error> {
    let state = AppState::new(config, content)?;
    Ok(router(state))
}

/// The routes over an existing state.
pub fn router(state: AppState) -> Router {
    let static_dir = state.config.static_dir.clone();
    let mut r = Router::new()
        .route("/health", get(api::meta::health))
        .merge(pages::routes())
        .route("/api/v1/", get(api::meta::index))
        .nest("/api/v1", api::routes())
        .route(config::Outlines::URL, get(assets::outlines))
        .route("/assets/{*path}", get(assets::serve))
        .route("/favicon.ico", get(assets::favicon));
    if let Some(dir) = static_dir {
        r = r.nest_service("/files", tower_http::services::ServeDir::new(dir));
    }
    r.fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cache::answers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::resolve,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::headers,
        ))
        .layer(axum::middleware::from_fn(http::errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            inflight::hold,
        ))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(http::limits))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::publisher,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// What is logged when nothing else is said: `info` and above.
pub const DEFAULT_LOG_FILTER: &str = "info,tower_http=info";

/// Installs the log subscriber: human-readable lines, or one JSON object
/// per line when `json`. `filter` says what is logged (tracing's
/// `EnvFilter` syntax: `info`, `warn,archipel_web=debug`…); an invalid
/// one is an error.
pub fn init_logging(json: bool, filter: &str) -> Result<(), String> {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(filter).map_err(|e| format!("`{filter}`: {e}"))?;
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    // Another subscriber may already be set (tests); keep it.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    Ok(())
}

/// Serves `config.addr` until Ctrl-C or SIGTERM, then finishes the
/// requests in flight.
pub async fn serve(config: Config, content: Content) -> Result<(), Error> {
    let addr = config.addr;
    let db = config.db.clone();
    let app = app(config, content)?;
    // Build the in-memory search index now rather than on the first search.
    tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        match archipel_store::Store::open_read_only(&db).and_then(|s| s.prepare_search()) {
            Ok(()) => tracing::info!(
                ms = started.elapsed().as_millis() as u64,
                "search index ready"
            ),
            Err(e) => tracing::warn!(error = %e, "search index not built ahead"),
        }
    });
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Error::internal(format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::internal(e.to_string()))?;
    tracing::info!(addr = %local, "archipel is serving on http://{local}/");
    // Small responses go out at once (no Nagle delay on streamed bodies).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    // The connection's address is the client's (rate limits) unless a
    // trusted proxy header is configured (`session::client_address`).
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| Error::internal(format!("server: {e}")))?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

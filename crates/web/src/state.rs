//! What every handler shares.

use crate::pool::Pool;
use crate::{Config, Error};
use archipel_content::Content;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub content: Arc<Content>,
    pub pool: Arc<Pool>,
    pub cache: Arc<crate::cache::Cache>,
    /// Exports kept on disk, when the answer cache is on.
    pub spool: Option<Arc<crate::spool::Spool>>,
    /// The budget of answers made for one request and not kept.
    pub in_flight: Arc<crate::inflight::InFlight>,
}

impl AppState {
    pub fn new(config: Config, content: Content) -> Result<AppState, Error> {
        let pool = Pool::open(config.db.clone(), config.pool_size)?;
        let cache = crate::cache::Cache::new(config.db.clone(), config.cache_bytes);
        let spool = if cache.enabled() {
            crate::spool::Spool::new().map(Arc::new)
        } else {
            None
        };
        let in_flight = crate::inflight::InFlight::new(
            config
                .answers_in_flight
                .unwrap_or_else(|| crate::inflight::default_budget(config.cache_bytes)),
        );
        Ok(AppState {
            config: Arc::new(config),
            content: Arc::new(content),
            pool: Arc::new(pool),
            cache: Arc::new(cache),
            spool,
            in_flight: Arc::new(in_flight),
        })
    }
}

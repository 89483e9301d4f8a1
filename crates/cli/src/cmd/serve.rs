//! `archipel serve`: the registry on the web (pages, map, open data API).
use super::Global;
use anyhow::Context;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Address and port to listen on.
    #[arg(long, env = "ARCHIPEL_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Map tile URL template ({z}/{x}/{y}), or `none` for a plain background.
    #[arg(
        long,
        env = "ARCHIPEL_TILES",
        default_value = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    )]
    tiles: String,
    /// Attribution shown on the map for the tiles.
    #[arg(
        long,
        env = "ARCHIPEL_TILES_ATTRIBUTION",
        default_value = "© OpenStreetMap contributors"
    )]
    tiles_attribution: String,
    /// Sites allowed to embed /embed/map in a frame (CSP frame-ancestors:
    /// `*`, or origins separated by spaces).
    #[arg(long, env = "ARCHIPEL_FRAME_ANCESTORS", default_value = "*")]
    frame_ancestors: String,
    /// The public address of this server, for absolute links in the DCAT
    /// catalogue (default: http://ADDR).
    #[arg(long, env = "ARCHIPEL_PUBLIC_URL")]
    public_url: Option<String>,
    /// A folder whose files are served under /files/.
    #[arg(long)]
    static_dir: Option<PathBuf>,
    /// Database connections (parallel reads).
    #[arg(long, default_value_t = 4)]
    pool: usize,
    /// Mebibytes of answers kept in memory until the registry changes
    /// (0: none).
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    cache: usize,
    /// Log one JSON object per line instead of text.
    #[arg(long)]
    log_json: bool,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    archipel_web::init_logging(args.log_json);
    let content = g.content()?;
    if !g.db.exists() {
        let mut store = g.store()?;
        let n = archipel_web::load_demo(&mut store, &content)
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
        tracing::info!(
            db = %g.db.display(),
            records = n,
            "no registry yet: built the demonstration territory (fictional) into it"
        );
    }
    let mut config = archipel_web::Config::new(g.db.clone());
    config.addr = args.addr;
    config.tiles = match args.tiles.trim() {
        "" | "none" => None,
        url => Some(archipel_web::Tiles {
            url: url.to_string(),
            attribution: args.tiles_attribution,
        }),
    };
    config.frame_ancestors = args.frame_ancestors;
    config.public_url = args
        .public_url
        .unwrap_or_else(|| format!("http://{}", args.addr));
    config.static_dir = args.static_dir;
    config.pool_size = args.pool;
    config.cache_bytes = args.cache.saturating_mul(1024 * 1024);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime
        .block_on(archipel_web::serve(config, content))
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    Ok(ExitCode::SUCCESS)
}

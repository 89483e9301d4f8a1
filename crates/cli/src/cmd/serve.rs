//! `archipel serve`: the registry on the web (pages, map, open data API).
//!
//! Every setting can come from a flag, its `ARCHIPEL_*` variable or the
//! configuration file (`--config`), in that order of precedence, else its
//! default (see `crate::config` and docs/operations.md).
use super::Global;
use crate::config::{choose, choose_path, Key, Origin, Raw};
use anyhow::Context;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Address and port to listen on [env: ARCHIPEL_ADDR; file: server.address;
    /// default: 127.0.0.1:8080].
    #[arg(long)]
    addr: Option<String>,
    /// The address the public reaches this server at (behind a reverse
    /// proxy: its https:// URL), for absolute links in the DCAT catalogue
    /// [env: ARCHIPEL_PUBLIC_URL; file: server.public_url; default: http://ADDR].
    #[arg(long)]
    public_url: Option<String>,
    /// Sites allowed to embed /embed/map in a frame (CSP frame-ancestors:
    /// `*`, `'none'`, or origins separated by spaces) [env:
    /// ARCHIPEL_FRAME_ANCESTORS; file: server.frame_ancestors; default: *].
    #[arg(long)]
    frame_ancestors: Option<String>,
    /// A folder whose files are served under /files/ [env:
    /// ARCHIPEL_STATIC_DIR; file: server.static_dir; default: none].
    #[arg(long)]
    static_dir: Option<PathBuf>,
    /// Database connections (parallel reads) [env: ARCHIPEL_POOL_SIZE;
    /// file: server.pool_size; default: 4].
    #[arg(long, alias = "pool-size")]
    pool: Option<String>,
    /// Memory for answers (pages and API) kept until the registry
    /// changes: a size with its unit, `64MiB`, `512KiB`, `1GiB` (0: none)
    /// [env: ARCHIPEL_CACHE_SIZE; file: server.cache_size; default: 64MiB].
    #[arg(long, value_name = "SIZE")]
    cache_size: Option<String>,
    /// The licence of the published data (a URL), in the DCAT catalogue
    /// [env: ARCHIPEL_DATA_LICENCE; file: server.data_licence; default:
    /// Licence Ouverte 2.0].
    #[arg(long)]
    data_licence: Option<String>,
    /// Map tile URL template ({z}/{x}/{y}), or `none` for the country
    /// outlines Archipel serves itself [env: ARCHIPEL_TILES; file:
    /// tiles.url; default: none].
    #[arg(long)]
    tiles: Option<String>,
    /// Attribution shown on the map for the tiles [env:
    /// ARCHIPEL_TILES_ATTRIBUTION; file: tiles.attribution; default: ©
    /// OpenStreetMap contributors].
    #[arg(long)]
    tiles_attribution: Option<String>,
    /// A GeoJSON or TopoJSON file of finer outlines (coasts, communes)
    /// that the map draws over the country outlines when there is no
    /// tile server, served by Archipel at /assets/outlines.json; at most
    /// 50 MiB [env: ARCHIPEL_TILES_OUTLINES; file: tiles.outlines;
    /// default: none].
    #[arg(long, value_name = "FILE")]
    tiles_outlines: Option<PathBuf>,
    /// Log format: `text` or `json` (one JSON object per line) [env:
    /// ARCHIPEL_LOG_FORMAT; file: log.format; default: text].
    #[arg(long)]
    log_format: Option<String>,
    /// Same as --log-format json.
    #[arg(long, conflicts_with = "log_format")]
    log_json: bool,
    /// What is logged: `info`, `warn`, `debug`, or per module
    /// (`warn,tower_http=info`) [env: ARCHIPEL_LOG; file: log.level;
    /// default: info].
    #[arg(long)]
    log_level: Option<String>,
    /// Check the settings, print each with where it came from, and exit.
    #[arg(long)]
    check: bool,
}

const ADDR: Key = Key {
    file: "server.address",
    flag: "--addr",
    env: "ARCHIPEL_ADDR",
};
const PUBLIC_URL: Key = Key {
    file: "server.public_url",
    flag: "--public-url",
    env: "ARCHIPEL_PUBLIC_URL",
};
const FRAME_ANCESTORS: Key = Key {
    file: "server.frame_ancestors",
    flag: "--frame-ancestors",
    env: "ARCHIPEL_FRAME_ANCESTORS",
};
const STATIC_DIR: Key = Key {
    file: "server.static_dir",
    flag: "--static-dir",
    env: "ARCHIPEL_STATIC_DIR",
};
const POOL_SIZE: Key = Key {
    file: "server.pool_size",
    flag: "--pool",
    env: "ARCHIPEL_POOL_SIZE",
};
const CACHE_SIZE: Key = Key {
    file: "server.cache_size",
    flag: "--cache-size",
    env: "ARCHIPEL_CACHE_SIZE",
};
const DATA_LICENCE: Key = Key {
    file: "server.data_licence",
    flag: "--data-licence",
    env: "ARCHIPEL_DATA_LICENCE",
};
const TILES: Key = Key {
    file: "tiles.url",
    flag: "--tiles",
    env: "ARCHIPEL_TILES",
};
const TILES_ATTRIBUTION: Key = Key {
    file: "tiles.attribution",
    flag: "--tiles-attribution",
    env: "ARCHIPEL_TILES_ATTRIBUTION",
};
const TILES_OUTLINES: Key = Key {
    file: "tiles.outlines",
    flag: "--tiles-outlines",
    env: "ARCHIPEL_TILES_OUTLINES",
};
const LOG_FORMAT: Key = Key {
    file: "log.format",
    flag: "--log-format",
    env: "ARCHIPEL_LOG_FORMAT",
};
const LOG_LEVEL: Key = Key {
    file: "log.level",
    flag: "--log-level",
    env: "ARCHIPEL_LOG",
};

/// The `[publisher]` keys: file and environment only (no flags: they
/// are set once, by the operator).
const fn publisher_key(file: &'static str, env: &'static str) -> Key {
    Key {
        file,
        flag: "",
        env,
    }
}
const PUBLISHER_NAME: Key = publisher_key("publisher.name", "ARCHIPEL_PUBLISHER_NAME");
const PUBLISHER_ADDRESS: Key = publisher_key("publisher.address", "ARCHIPEL_PUBLISHER_ADDRESS");
const PUBLISHER_DIRECTOR: Key = publisher_key("publisher.director", "ARCHIPEL_PUBLISHER_DIRECTOR");
const PUBLISHER_CONTACT: Key = publisher_key("publisher.contact", "ARCHIPEL_PUBLISHER_CONTACT");
const PUBLISHER_HOST: Key = publisher_key("publisher.host", "ARCHIPEL_PUBLISHER_HOST");
const PUBLISHER_CONFORMANCE: Key =
    publisher_key("publisher.conformance", "ARCHIPEL_PUBLISHER_CONFORMANCE");
const PUBLISHER_STATEMENT_DATE: Key = publisher_key(
    "publisher.statement_date",
    "ARCHIPEL_PUBLISHER_STATEMENT_DATE",
);

/// Largest pool of connections.
const MAX_POOL: usize = 64;

/// The settings in force, each with where it came from.
struct Settings {
    config: archipel_web::Config,
    log_json: bool,
    log_level: String,
    /// `(key, value shown, origin)` in the order of the documentation.
    shown: Vec<(&'static str, String, Origin)>,
}

/// Settles settings one by one, recording each with its origin.
struct Resolver<'a> {
    g: &'a Global,
    shown: Vec<(&'static str, String, Origin)>,
}

impl Resolver<'_> {
    /// A setting's value: the first given of flag, variable, file, else
    /// the default, checked by `check`; recorded as `show` writes it.
    fn setting<T>(
        &mut self,
        key: &Key,
        flag: Option<String>,
        default: impl FnOnce() -> T,
        check: impl FnOnce(&str) -> Result<T, String>,
        show: impl FnOnce(&T) -> String,
    ) -> anyhow::Result<T> {
        let (value, origin) = match choose(key, flag, self.g.file.as_ref())? {
            Some(Raw { text, origin }) => match check(&text) {
                Ok(v) => (v, origin),
                Err(reason) => return Err(key.error(&origin, reason)),
            },
            None => (default(), Origin::Default),
        };
        self.shown.push((key.file, show(&value), origin));
        Ok(value)
    }
}

fn number(text: &str, max: usize) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(format!(
            "`{}`: expected a whole number from 0 to {max}",
            text.escape_debug()
        )),
    }
}

fn resolve(g: &Global, args: Args) -> anyhow::Result<Settings> {
    let mut r = Resolver {
        g,
        shown: vec![("db", g.db.display().to_string(), g.db_origin.clone())],
    };
    let defaults = archipel_web::Config::new(g.db.clone());
    let mut config = defaults.clone();
    config.addr = r.setting(
        &ADDR,
        args.addr,
        || defaults.addr,
        |t| {
            t.trim().parse::<SocketAddr>().map_err(|_| {
                format!(
                    "`{}`: expected an address and port such as 127.0.0.1:8080",
                    t.escape_debug()
                )
            })
        },
        SocketAddr::to_string,
    )?;
    let addr = config.addr;
    config.public_url = r.setting(
        &PUBLIC_URL,
        args.public_url,
        || format!("http://{addr}"),
        archipel_web::check_public_url,
        String::clone,
    )?;
    config.frame_ancestors = r.setting(
        &FRAME_ANCESTORS,
        args.frame_ancestors,
        || defaults.frame_ancestors.clone(),
        archipel_web::check_frame_ancestors,
        String::clone,
    )?;
    match choose_path(&STATIC_DIR, args.static_dir, g.file.as_ref())? {
        Some((dir, o)) => {
            if !dir.is_dir() {
                return Err(STATIC_DIR.error(&o, format!("{}: not a folder", dir.display())));
            }
            r.shown
                .push((STATIC_DIR.file, dir.display().to_string(), o));
            config.static_dir = Some(dir);
        }
        None => r
            .shown
            .push((STATIC_DIR.file, "(none)".into(), Origin::Default)),
    }
    config.pool_size = r.setting(
        &POOL_SIZE,
        args.pool,
        || defaults.pool_size,
        |t| match number(t, MAX_POOL)? {
            0 => Err("at least one connection".to_string()),
            n => Ok(n),
        },
        usize::to_string,
    )?;
    config.cache_bytes = r.setting(
        &CACHE_SIZE,
        args.cache_size,
        || defaults.cache_bytes,
        archipel_web::check_cache_size,
        |b| archipel_web::show_size(*b),
    )?;
    config.data_licence = r.setting(
        &DATA_LICENCE,
        args.data_licence,
        || defaults.data_licence.clone(),
        archipel_web::check_licence_url,
        String::clone,
    )?;
    let default_tiles = archipel_web::Tiles::openstreetmap();
    let url = r.setting(
        &TILES,
        args.tiles,
        || None,
        |t| match t.trim() {
            "none" => Ok(None),
            url => archipel_web::Tiles::check_url(url).map(Some),
        },
        |u| u.clone().unwrap_or_else(|| "none".into()),
    )?;
    let attribution = r.setting(
        &TILES_ATTRIBUTION,
        args.tiles_attribution,
        || default_tiles.attribution.clone(),
        archipel_web::check_text,
        String::clone,
    )?;
    config.tiles = url.map(|url| archipel_web::Tiles { url, attribution });
    match choose_path(&TILES_OUTLINES, args.tiles_outlines, g.file.as_ref())? {
        Some((path, o)) => {
            let outlines =
                archipel_web::Outlines::load(&path).map_err(|e| TILES_OUTLINES.error(&o, e))?;
            r.shown.push((
                TILES_OUTLINES.file,
                format!(
                    "{} ({}, {} KiB)",
                    path.display(),
                    outlines.kind,
                    outlines.bytes.len().div_ceil(1024)
                ),
                o,
            ));
            config.outlines = Some(outlines);
        }
        None => r
            .shown
            .push((TILES_OUTLINES.file, "(none)".into(), Origin::Default)),
    }
    let mut text = |key: &Key| {
        r.setting(
            key,
            None,
            String::new,
            archipel_web::check_text,
            |s: &String| {
                if s.is_empty() {
                    "(none)".to_string()
                } else {
                    s.clone()
                }
            },
        )
    };
    let p = &mut config.publisher;
    p.name = text(&PUBLISHER_NAME)?;
    p.address = text(&PUBLISHER_ADDRESS)?;
    p.director = text(&PUBLISHER_DIRECTOR)?;
    p.contact = text(&PUBLISHER_CONTACT)?;
    p.host = text(&PUBLISHER_HOST)?;
    p.conformance = r.setting(
        &PUBLISHER_CONFORMANCE,
        None,
        archipel_web::Conformance::default,
        archipel_web::Conformance::parse,
        |c| c.as_str().to_string(),
    )?;
    p.statement_date = r.setting(
        &PUBLISHER_STATEMENT_DATE,
        None,
        String::new,
        archipel_web::check_day,
        |s| {
            if s.is_empty() {
                "(none)".to_string()
            } else {
                s.clone()
            }
        },
    )?;
    let format_flag = if args.log_json {
        Some("json".to_string())
    } else {
        args.log_format
    };
    let log_json = r.setting(
        &LOG_FORMAT,
        format_flag,
        || false,
        |t| match t.trim() {
            "text" => Ok(false),
            "json" => Ok(true),
            other => Err(format!("`{}`: expected text or json", other.escape_debug())),
        },
        |json| if *json { "json" } else { "text" }.to_string(),
    )?;
    let log_level = r.setting(
        &LOG_LEVEL,
        args.log_level,
        || archipel_web::DEFAULT_LOG_FILTER.to_string(),
        |t| Ok(t.trim().to_string()),
        String::clone,
    )?;
    let mut sign_in = crate::sign_in::resolve(g.file.as_ref())?;
    r.shown.append(&mut sign_in.shown);
    config.sign_in = archipel_web::SignInConfig {
        signup: sign_in.signup,
        session: sign_in.session,
        providers: sign_in.providers,
        secure_cookies: sign_in.secure_cookies,
        client_address_header: sign_in.client_address_header,
        anonymous_proposals: sign_in.anonymous_proposals,
        clock: archipel_web::Clock::system(),
    };
    Ok(Settings {
        config,
        log_json,
        log_level,
        shown: r.shown,
    })
}

/// Makes a write to a connection the client has closed an error the
/// server handles rather than a signal that kills it. `main` gives SIGPIPE
/// back its default (so that `archipel stats | head` ends quietly); a
/// server must not keep it: hyper writes bodies with `writev`, which
/// raises SIGPIPE on a reset connection, and a load generator (or anyone)
/// closing connections with answers in flight stopped the whole server,
/// silently (exit status 141).
#[cfg(unix)]
fn ignore_sigpipe() {
    // SAFETY: called before the runtime starts any thread; ignoring a
    // signal has no other effect.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    #[cfg(unix)]
    ignore_sigpipe();
    let check = args.check;
    let settings = resolve(g, args)?;
    if check {
        let width = settings
            .shown
            .iter()
            .map(|(k, _, _)| k.len())
            .max()
            .unwrap_or(0);
        for (key, value, origin) in &settings.shown {
            println!("{key:width$} = {}    ({origin})", value.escape_debug());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let log_origin = settings
        .shown
        .iter()
        .find(|(k, _, _)| *k == LOG_LEVEL.file)
        .map_or(Origin::Default, |(_, _, o)| o.clone());
    archipel_web::init_logging(settings.log_json, &settings.log_level)
        .map_err(|reason| LOG_LEVEL.error(&log_origin, reason))?;
    let content = g.content()?;
    if !g.db.exists() {
        let mut store = g.store()?;
        let n = archipel_jobs::demo::load(&mut store, &content, &mut |_| {})?.records();
        tracing::info!(
            db = %g.db.display(),
            records = n,
            "no registry yet: built the demonstration territory (fictional) into it"
        );
    }
    // Pages read through read-only connections; accounts and sessions
    // are written through one connection opened at the first write. A
    // registry made by an earlier version is brought up to date once,
    // here; any other file is refused untouched.
    match archipel_store::Store::open_read_only(&g.db) {
        Ok(_) => {}
        Err(archipel_store::StoreError::TooOld { found, .. }) => {
            let store = g.store()?;
            tracing::info!(
                db = %g.db.display(),
                from = found,
                to = store.schema_version()?,
                "registry brought up to date"
            );
        }
        Err(e) => return Err(e.into()),
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime
        .block_on(archipel_web::serve(settings.config, content))
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    Ok(ExitCode::SUCCESS)
}

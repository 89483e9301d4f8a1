//! One module per subcommand, and what they share: where the registry
//! is, and the content (vocabularies) to check records against.

pub mod assess;
pub mod backup;
mod chatons_urls;
pub mod compare;
pub mod demo;
pub mod duplicates;
pub mod export;
pub mod harvest;
pub mod history;
pub mod import;
pub mod init;
pub mod license;
pub mod network;
pub mod pitch;
pub mod proposals;
pub mod publiccode;
pub mod referent;
pub mod restore;
pub mod search;
pub mod serve;
pub mod show;
pub mod stats;
pub mod support;
pub mod territories;
pub mod user;

use crate::config::{self, ConfigFile};
use archipel_content::Content;
use archipel_store::Store;
use std::path::PathBuf;

/// `--lang`: `fr` or `en` (also `fr-FR`, `en_GB`…).
pub fn parse_lang(s: &str) -> Result<archipel_content::Lang, String> {
    archipel_content::Lang::parse(s).ok_or_else(|| format!("`{s}`: expected fr or en"))
}

/// Options every command takes.
#[derive(clap::Args, Clone)]
pub struct GlobalArgs {
    /// The registry file [env: ARCHIPEL_DB; file: db; default: archipel.db].
    #[arg(long, global = true)]
    pub db: Option<PathBuf>,
    /// A folder to read content (vocabularies, demo, grids) from instead of
    /// the copy built into the binary [env: ARCHIPEL_CONTENT; file: content].
    #[arg(long, global = true)]
    pub content: Option<PathBuf>,
    /// A configuration file (TOML; see docs/operations.md) [env:
    /// ARCHIPEL_CONFIG]. Flags win over variables, variables over the file.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
}

impl GlobalArgs {
    /// Reads the configuration file, if any, and settles where the
    /// registry and the content are.
    pub fn resolve(self) -> anyhow::Result<Global> {
        let file_path = self.config.or_else(|| {
            std::env::var_os("ARCHIPEL_CONFIG")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        let file = file_path.as_deref().map(ConfigFile::load).transpose()?;
        let (db, db_origin) = config::choose_path(&config::DB, self.db, file.as_ref())?
            .unwrap_or_else(|| (PathBuf::from("archipel.db"), config::Origin::Default));
        let content =
            config::choose_path(&config::CONTENT, self.content, file.as_ref())?.map(|(dir, _)| dir);
        Ok(Global {
            db,
            db_origin,
            content,
            file,
        })
    }
}

/// Where the registry and the content are, and the configuration file.
pub struct Global {
    /// The registry file.
    pub db: PathBuf,
    pub db_origin: config::Origin,
    /// A folder of content replacing the built-in one.
    pub content: Option<PathBuf>,
    /// The configuration file, when one was given.
    pub file: Option<ConfigFile>,
}

impl Global {
    /// The content, validated.
    pub fn content(&self) -> anyhow::Result<Content> {
        let c = match &self.content {
            Some(dir) => Content::load_dir(dir),
            None => Content::embedded(),
        };
        c.map_err(|e| anyhow::anyhow!("content is invalid:\n{e}"))
    }

    /// Opens the registry for writing, creating it if needed (only a new
    /// or empty file, or Archipel's own, is ever written to).
    pub fn store(&self) -> anyhow::Result<Store> {
        Ok(Store::open(&self.db)?)
    }

    /// Opens an existing registry for writing.
    pub fn existing_store(&self) -> anyhow::Result<Store> {
        Ok(Store::open_existing(&self.db)?)
    }

    /// Opens an existing registry for reading only: the commands that
    /// only read never change the file (no migration, no journal mode).
    pub fn read_store(&self) -> anyhow::Result<Store> {
        Ok(Store::open_read_only(&self.db)?)
    }
}

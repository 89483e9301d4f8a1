//! One module per subcommand, and what they share: where the registry
//! is, and the content (vocabularies) to check records against.

pub mod assess;
pub mod demo;
pub mod export;
pub mod import;
pub mod init;
pub mod license;
pub mod pitch;
pub mod publiccode;
pub mod search;
pub mod serve;
pub mod show;
pub mod stats;

use archipel_content::Content;
use archipel_store::Store;
use std::path::PathBuf;

/// `--lang`: `fr` or `en` (also `fr-FR`, `en_GB`…).
pub fn parse_lang(s: &str) -> Result<archipel_content::Lang, String> {
    archipel_content::Lang::parse(s).ok_or_else(|| format!("`{s}`: expected fr or en"))
}

/// Options every command takes.
#[derive(clap::Args, Clone)]
pub struct Global {
    /// The registry file.
    #[arg(
        long,
        global = true,
        env = "ARCHIPEL_DB",
        default_value = "archipel.db"
    )]
    pub db: PathBuf,
    /// A folder to read content (vocabularies, demo, grids) from instead of
    /// the copy built into the binary.
    #[arg(long, global = true, env = "ARCHIPEL_CONTENT")]
    pub content: Option<PathBuf>,
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

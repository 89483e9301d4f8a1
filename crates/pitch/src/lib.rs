//! Argument sheets: who the listener is, what they will object, what to
//! answer in the register that reaches them, and the territory's own
//! figures read live from the registry.
//!
//! The knowledge (personas, objections, arguments, sources, indicator
//! labels) is loaded and validated by `archipel-content`
//! ([`archipel_content::pitch`]); the figures come from
//! [`archipel_store::Store::scope_stats`] — the function behind
//! `archipel stats --territory` —, from the territory's network
//! (`archipel-network`, as `archipel network` and the dashboard compute
//! it: islands, reliance on one person, the circle of regulars, newcomers,
//! diversity, commons shared by actors of different kinds) and from the
//! latest saved assessment of a commons. This crate puts them together:
//!
//! - [`generate`] builds a [`Sheet`], plain data;
//! - [`render`] turns it into text (terminal), Markdown, a standalone HTML
//!   page or JSON, and [`pdf::render`] into a one-page A4 PDF (two when it
//!   must) with embedded DejaVu fonts.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use archipel_content::{Content, Lang};
//! use archipel_pitch::{generate, render, Format, Request};
//! let content = Content::embedded()?;
//! let dir = tempfile::tempdir()?;
//! let mut store = archipel_store::Store::open(&dir.path().join("a.db"))?;
//! let demo = content.demo_entities(chrono::Utc::now())?;
//! store.write("demo", "demo", None, |w| { for e in &demo { w.upsert(e)?; } Ok(()) })?;
//!
//! let territory = archipel_pitch::resolve_territory(&store, Some("960000008"))?;
//! let req = Request::new("elu", territory).lang(Lang::Fr);
//! let sheet = generate(&content, &store, &req)?;
//! assert!(!sheet.objections.is_empty());
//! let text = render(&sheet, Format::Markdown);
//! assert!(text.contains("Métropole de Démonstration"));
//! let pdf = archipel_pitch::pdf::render(&sheet)?;
//! assert!(pdf.starts_with(b"%PDF-"));
//! # Ok(()) }
//! ```

mod evidence;
pub mod pdf;
mod render;
mod sheet;
mod territory;
mod wrap;

pub use evidence::scope_query;
pub use evidence::NEWCOMER_YEARS;
pub use render::{body_html, render, to_json, Format};
pub use sheet::{
    generate, generate_with, Answer, Audience, Cite, CommonsInfo, Evidence, Request, Sheet,
    SheetArgument, SheetObjection, SheetSource, TerritoryInfo, MAX_ANSWERS,
};
pub use territory::{resolve_territory, territory_key};

use archipel_store::StoreError;

/// What can stop a sheet.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No persona has this id.
    #[error("unknown audience `{id}`; the personas are: {}", valid.join(", "))]
    UnknownAudience { id: String, valid: Vec<String> },
    /// No territory has this id or code.
    #[error("unknown territory `{key}`; {}", list_territories(known, *more))]
    UnknownTerritory {
        key: String,
        /// Some of the territories (`key — name`).
        known: Vec<String>,
        /// How many more there are.
        more: u64,
    },
    /// Several territories have this code.
    #[error("territory `{key}` is ambiguous: {}", candidates.join(", "))]
    AmbiguousTerritory {
        key: String,
        candidates: Vec<String>,
    },
    /// No territory was given and the registry has not exactly one top.
    #[error("say which territory (--territory CODE); {}", list_territories(known, *more))]
    TerritoryRequired { known: Vec<String>, more: u64 },
    /// No commons has this id.
    #[error("unknown commons `{0}` (give a commons id, as `archipel search` shows it)")]
    UnknownCommons(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The territory's network could not be computed.
    #[error(transparent)]
    Network(#[from] archipel_network::NetworkError),
    /// The PDF could not be written.
    #[error("PDF: {0}")]
    Pdf(String),
}

impl Error {
    /// Whether the error is the caller's (a usage error: exit code 2,
    /// HTTP 400/404) rather than the program's.
    pub fn is_usage(&self) -> bool {
        !matches!(self, Error::Store(_) | Error::Network(_) | Error::Pdf(_))
    }
}

fn list_territories(known: &[String], more: u64) -> String {
    if known.is_empty() {
        return "the registry has no territory (load one: `archipel demo`, `archipel import …`)"
            .into();
    }
    let mut s = format!("the territories are:\n  {}", known.join("\n  "));
    if more > 0 {
        s.push_str(&format!(
            "\n  … and {more} more (find one with `archipel search NAME --kind territory`)"
        ));
    }
    s
}

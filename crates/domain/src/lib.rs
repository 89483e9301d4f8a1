//! The domain model of a territory's digital-commons ecosystem.
//!
//! This crate holds plain data: the entities Archipel records (commons,
//! actors, places, territories, relations), the provenance every record
//! carries, and the checks that do not need anything but the value itself
//! (identifier syntax, coordinates, dates, URLs and e-mail addresses, the
//! rule every text field follows: [`check_text`], applied to a whole record
//! by [`value_problems`]). It performs no I/O: reading
//! files, talking to a database or to the network happens elsewhere.
//!
//! Vocabulary values (actor kinds, typology, relation types…) are stored as
//! plain keys (`"association"`, `"maintains"`); which keys exist and their
//! French and English labels is knowledge kept in `content/` and checked by
//! `archipel-content`, so that a territory can extend a vocabulary without
//! recompiling.
//!
//! ```
//! use archipel_domain::{EntityId, EntityKind};
//! let id = EntityId::new(EntityKind::Place, "mediation", "structure-1").unwrap();
//! assert_eq!(id.as_str(), "place:mediation:structure-1");
//! assert_eq!(id.kind(), EntityKind::Place);
//! ```

mod action;
mod diff;
mod entity;
mod id;
mod text;
mod validate;

pub use action::*;
pub use diff::*;
pub use entity::*;
pub use id::{slug, EntityId, EntityKind, IdError};
pub use text::*;
pub use validate::*;

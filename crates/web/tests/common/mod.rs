//! Helpers shared by the web crate's test binaries.

pub mod browser;
pub mod web;

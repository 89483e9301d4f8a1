//! The error every loading step reports: which file, which item, why.

use std::fmt;

/// A problem found while loading or validating the content files.
///
/// The first problem is in the fields; any further ones found in the same
/// pass are in [`ContentError::also`], so that whoever edits the files sees
/// everything at once. Displayed one problem a line, as
/// `FILE[:LINE]: ITEM: REASON`, for instance
/// `content/vocabularies/actor_kinds.toml:113: term "fablab": missing English label`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ContentError {
    /// The file, as given to the loader (`content/…` for embedded files,
    /// the path on disk for [`crate::Content::load_dir`]).
    pub file: String,
    /// Line of the item in the file, when known.
    pub line: Option<u64>,
    /// The item at fault (`term "fablab"`, `actor "actor:demo:x"`), or
    /// empty when the whole file is at fault.
    pub item: String,
    /// What is wrong, in plain English.
    pub reason: String,
    /// Further problems found in the same pass.
    pub also: Vec<ContentError>,
}

impl ContentError {
    /// A single problem.
    pub fn new(
        file: impl Into<String>,
        line: Option<u64>,
        item: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        ContentError {
            file: file.into(),
            line,
            item: item.into(),
            reason: reason.into(),
            also: Vec::new(),
        }
    }

    /// All the problems, this one first.
    pub fn problems(&self) -> impl Iterator<Item = &ContentError> {
        std::iter::once(self).chain(self.also.iter())
    }

    /// Folds a list of problems into one error (`None` when the list is empty).
    pub(crate) fn from_list(mut list: Vec<ContentError>) -> Option<ContentError> {
        if list.is_empty() {
            return None;
        }
        let mut first = list.remove(0);
        first.also.extend(list);
        Some(first)
    }

    fn write_one(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.item.is_empty() {
            write!(f, ": {}", self.item)?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_one(f)?;
        for other in &self.also {
            writeln!(f)?;
            other.write_one(f)?;
        }
        Ok(())
    }
}

/// Collects problems for one file.
pub(crate) struct Problems<'a> {
    pub file: &'a str,
    pub list: &'a mut Vec<ContentError>,
}

impl Problems<'_> {
    pub fn push(&mut self, line: Option<u64>, item: impl Into<String>, reason: impl Into<String>) {
        self.list
            .push(ContentError::new(self.file, line, item, reason));
    }
}

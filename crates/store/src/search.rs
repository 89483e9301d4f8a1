//! Full-text search over names and descriptions.
//!
//! Each word typed must match, in any order, as the start of a word of the
//! record (accents and case ignored: "mediat" finds "Médiathèque"); a word
//! that starts more than 64 words of the registry stands for the 64 most
//! frequent, and a one-letter word only for itself. Ranking: the records
//! whose name holds every word come first, then the others; within each,
//! shorter names first (the closest to what was typed), then older records.
//! Counts are exact.
//!
//! Matching is done by the in-memory index ([`crate::index`]). A search by
//! words alone, or words and a kind, is answered there entirely (tens of
//! microseconds). With other filters, and for facet counts, the matches go
//! to a temporary table (`search_match`) that SQL joins with `entity` to
//! filter, order the same way, and count.

use crate::index::{words, Index};
use crate::query::{FacetedQuery, Filter};
use crate::{Result, Store};
use archipel_domain::EntityKind;
use serde::Serialize;
use std::sync::Arc;

/// What to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// Words typed by the user; each must match (as a word prefix), in any
    /// order, accents and case ignored. Punctuation separates words.
    pub text: String,
    pub kind: Option<EntityKind>,
    pub limit: usize,
    pub offset: usize,
}

impl SearchQuery {
    /// Whether `text` holds a word the search can look for (a run of
    /// letters or digits). A text of punctuation or symbols alone (`!!!`,
    /// a replacement character) holds none: [`Store::search`] finds
    /// nothing for it and [`Store::search_page`] would list every record,
    /// so callers should say so rather than search.
    pub fn has_words(text: &str) -> bool {
        let mut any = false;
        crate::index::each_word(text, |_| any = true);
        any
    }

    pub fn text(text: impl Into<String>) -> Self {
        SearchQuery {
            text: text.into(),
            kind: None,
            limit: 20,
            offset: 0,
        }
    }
}

/// One matching record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub id: String,
    pub kind: String,
    pub name: String,
    /// Sub-kind (actor kind, commons kind, territory level), when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subkind: Option<String>,
    /// A short excerpt around the match, when the match is in the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

/// A page of hits and the total number of matches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// Number of matches.
    pub total: u64,
    pub hits: Vec<SearchHit>,
}

impl Store {
    /// The in-memory search index, as the registry is now.
    pub(crate) fn index(&self) -> Result<Arc<Index>> {
        let held = self.index.borrow().clone();
        let index = crate::index::current(&self.conn, &self.path, held)?;
        *self.index.borrow_mut() = Some(index.clone());
        Ok(index)
    }

    /// Builds the in-memory search index now (a server calls this at
    /// start, so that its first search does not wait for it).
    pub fn prepare_search(&self) -> Result<()> {
        self.index().map(|_| ())
    }

    /// Records whose name or description match, best first (names weigh
    /// more than descriptions).
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults> {
        if words(&q.text).is_empty() {
            return Ok(SearchResults {
                total: 0,
                hits: Vec::new(),
            });
        }
        let page = self.search_page(&FacetedQuery {
            text: q.text.clone(),
            filter: Filter {
                kind: q.kind,
                ..Filter::default()
            },
            limit: q.limit,
            offset: q.offset,
        })?;
        Ok(SearchResults {
            total: page.total,
            hits: page
                .items
                .into_iter()
                .map(|s| SearchHit {
                    id: s.id,
                    kind: s.kind,
                    name: s.name,
                    subkind: s.subkind,
                    excerpt: s.excerpt,
                })
                .collect(),
        })
    }
}

/// About twelve words of `text` around the first word that starts like a
/// word of `query` (accents and case ignored), or `None`. Computed here
/// rather than with FTS5's `snippet()`, which re-runs the match per hit.
pub(crate) fn excerpt(text: &str, query: &str) -> Option<String> {
    let wanted = words(query);
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let at = tokens.iter().position(|t| {
        words(t)
            .iter()
            .any(|w| wanted.iter().any(|q| w.starts_with(q.as_str())))
    })?;
    let start = at.saturating_sub(5);
    let end = (at + 7).min(tokens.len());
    let mut out = tokens[start..end].join(" ");
    if start > 0 {
        out.insert(0, '…');
    }
    if end < tokens.len() {
        out.push('…');
    }
    Some(out).filter(|s| !s.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::{excerpt, SearchQuery};

    #[test]
    fn words_are_runs_of_letters_or_digits() {
        for text in ["médiathèque", "  Brest 29 ", "x", "!!!x", "42"] {
            assert!(SearchQuery::has_words(text), "{text:?}");
        }
        for text in ["", "   ", "!!!", "\u{FFFD}", "-- / ?", "\u{202E}\u{2066}"] {
            assert!(!SearchQuery::has_words(text), "{text:?}");
        }
    }

    #[test]
    fn excerpts_centre_on_the_first_match() {
        let text = "un deux trois quatre cinq six sept Médiathèque huit neuf dix onze douze treize quatorze";
        assert_eq!(
            excerpt(text, "mediat").as_deref(),
            Some("…trois quatre cinq six sept Médiathèque huit neuf dix onze douze treize…")
        );
        assert_eq!(excerpt(text, "absent"), None);
    }
}

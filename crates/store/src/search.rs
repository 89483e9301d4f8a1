//! Full-text search over names and descriptions.

use crate::{Result, Store};
use archipel_domain::EntityKind;
use serde::Serialize;

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
    pub total: u64,
    pub hits: Vec<SearchHit>,
}

/// Turns user text into an FTS5 query: every word quoted (so no FTS syntax
/// can be injected) and used as a prefix, all words required.
pub(crate) fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    if words.is_empty() {
        None
    } else {
        Some(words.join(" "))
    }
}

impl Store {
    /// Records whose name or description match, best first (names weigh
    /// more than descriptions).
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults> {
        let Some(fts) = fts_query(&q.text) else {
            return Ok(SearchResults {
                total: 0,
                hits: Vec::new(),
            });
        };
        let kind = q.kind.map(|k| k.as_str());
        let total: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM entity_fts f JOIN entity e ON e.rowid = f.rowid
                 WHERE entity_fts MATCH ?1 AND (?2 IS NULL OR e.kind = ?2)",
            )?
            .query_row(rusqlite::params![fts, kind], |r| r.get(0))?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.id, e.kind, e.name, e.subkind,
                    snippet(entity_fts, 1, '', '', '…', 12)
             FROM entity_fts f JOIN entity e ON e.rowid = f.rowid
             WHERE entity_fts MATCH ?1 AND (?2 IS NULL OR e.kind = ?2)
             ORDER BY bm25(entity_fts, 10.0, 1.0), e.name
             LIMIT ?3 OFFSET ?4",
        )?;
        let hits = stmt
            .query_map(
                rusqlite::params![fts, kind, q.limit as i64, q.offset as i64],
                |r| {
                    let excerpt: Option<String> = r.get(4)?;
                    Ok(SearchHit {
                        id: r.get(0)?,
                        kind: r.get(1)?,
                        name: r.get(2)?,
                        subkind: r.get(3)?,
                        excerpt: excerpt.filter(|s| !s.trim().is_empty()),
                    })
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(SearchResults {
            total: total as u64,
            hits,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn queries_are_quoted() {
        assert_eq!(fts_query("Médiathèque"), Some("\"Médiathèque\"*".into()));
        assert_eq!(
            fts_query("a\" OR name:x"),
            Some("\"a\"* \"OR\"* \"name\"* \"x\"*".into())
        );
        assert_eq!(fts_query(" -- "), None);
    }
}

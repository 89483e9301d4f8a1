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
    /// Number of matches, counted up to 10,000.
    pub total: u64,
    /// True when there are more matches than `total` says.
    pub total_capped: bool,
    pub hits: Vec<SearchHit>,
}

/// Matches are counted up to this many.
const COUNT_CAP: i64 = 10_000;
/// Candidates ranked per query, from the name matches and from all matches.
const CANDIDATES: i64 = 1_000;

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
                total_capped: false,
                hits: Vec::new(),
            });
        };
        let kind = q.kind.map(|k| k.as_str());
        // Counting or ranking every match of a frequent word ("numérique"
        // in 100,000 places) takes hundreds of milliseconds. So the count
        // stops at COUNT_CAP, and ranking looks at a bounded set of
        // candidates: matches in the name first, then any match. When a
        // query has fewer matches than the caps, results are exact.
        let total: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM (
                   SELECT 1 FROM entity_fts f JOIN entity e ON e.rowid = f.rowid
                   WHERE entity_fts MATCH ?1 AND (?2 IS NULL OR e.kind = ?2) LIMIT ?3)",
            )?
            .query_row(rusqlite::params![fts, kind, COUNT_CAP + 1], |r| r.get(0))?;
        let mut stmt = self.conn.prepare_cached(
            "WITH cand AS (
               SELECT * FROM (
                 SELECT f.rowid AS rid, bm25(entity_fts, 10.0, 1.0) AS score
                 FROM entity_fts f JOIN entity e ON e.rowid = f.rowid
                 WHERE entity_fts MATCH '{name} : (' || ?1 || ')' AND (?2 IS NULL OR e.kind = ?2)
                 LIMIT ?5)
               UNION
               SELECT * FROM (
                 SELECT f.rowid AS rid, bm25(entity_fts, 10.0, 1.0) AS score
                 FROM entity_fts f JOIN entity e ON e.rowid = f.rowid
                 WHERE entity_fts MATCH ?1 AND (?2 IS NULL OR e.kind = ?2)
                 LIMIT ?5))
             SELECT e.id, e.kind, e.name, e.subkind,
                    json_extract(e.data, '$.description')
             FROM (SELECT rid, min(score) AS score FROM cand GROUP BY rid) c
             JOIN entity e ON e.rowid = c.rid
             ORDER BY c.score, e.name
             LIMIT ?3 OFFSET ?4",
        )?;
        let hits = stmt
            .query_map(
                rusqlite::params![fts, kind, q.limit as i64, q.offset as i64, CANDIDATES],
                |r| {
                    let description: Option<String> = r.get(4)?;
                    let excerpt = description.and_then(|d| excerpt(&d, &q.text));
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
            total: (total as u64).min(COUNT_CAP as u64),
            total_capped: total > COUNT_CAP,
            hits,
        })
    }
}

/// About twelve words of `text` around the first word that starts like a
/// word of `query` (accents and case ignored), or `None`. Computed here
/// rather than with FTS5's `snippet()`, which re-runs the match per hit.
fn excerpt(text: &str, query: &str) -> Option<String> {
    let fold = |w: &str| archipel_domain::fold_accents(w).to_lowercase();
    let wanted: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold)
        .collect();
    let words: Vec<&str> = text.split_whitespace().collect();
    let at = words.iter().position(|w| {
        let w = fold(w.trim_matches(|c: char| !c.is_alphanumeric()));
        wanted.iter().any(|q| w.starts_with(q.as_str()))
    })?;
    let start = at.saturating_sub(5);
    let end = (at + 7).min(words.len());
    let mut out = words[start..end].join(" ");
    if start > 0 {
        out.insert(0, '…');
    }
    if end < words.len() {
        out.push('…');
    }
    Some(out)
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

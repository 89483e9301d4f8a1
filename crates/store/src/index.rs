//! The search index kept in memory: for every word of the registry's names
//! and search texts, the sorted list of records holding it (all fields, and
//! names only), plus what ranking needs of each record.
//!
//! Why not FTS5 alone: FTS5 answers a prefix query (`"numeri"*`) by merging
//! the postings of every word with that prefix before it returns the first
//! row, ranks with BM25 by reading each word's whole posting list again,
//! and intersects words by walking their lists. A search of three common
//! words in a registry of 150,000 records costs it 1 to 5 ms; these lists
//! in memory answer in tens of microseconds. FTS5 stays the source of
//! truth (this index is read from its content) and serves the searches
//! this index does not (filters other than the kind, facet counts), with
//! expressions built from this index's dictionary.
//!
//! The index is built on the first search of a process (about a quarter of
//! a second for 150,000 records) and shared by its connections. It is
//! rebuilt when the full-text index changes, which FTS5 records in its
//! structure record (row 10 of its `_data` table): each search compares
//! that record, a few dozen bytes, with the one the index was built from.

use crate::Result;
use archipel_domain::EntityKind;
use rusqlite::{Connection, OptionalExtension};
use rustc_hash::FxHashMap;
use std::collections::{BinaryHeap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use unicode_normalization::UnicodeNormalization;

/// A typed word stands for at most this many words of the index (the most
/// frequent ones) when it starts more.
const MAX_EXPANSION: usize = 64;

/// The words of `text` as the index spells them: split on anything that is
/// not a letter or a digit, lower case, diacritics removed (as FTS5's
/// `unicode61 remove_diacritics 2` tokenizer does).
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_word(text, |w| out.push(w.to_string()));
    out
}

/// Calls `f` with each word of `text`, folded (see [`words`]).
pub(crate) fn each_word(text: &str, mut f: impl FnMut(&str)) {
    let mut buf = String::new();
    for raw in text.split(|c: char| !c.is_alphanumeric()) {
        if raw.is_empty() {
            continue;
        }
        buf.clear();
        if raw.is_ascii() {
            buf.push_str(raw);
            buf.make_ascii_lowercase();
        } else {
            buf.extend(
                raw.nfd()
                    .filter(|c| !is_combining(*c))
                    .flat_map(char::to_lowercase),
            );
        }
        f(&buf);
    }
}

fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Sorted lists of record numbers, one per word, packed end to end.
#[derive(Default)]
struct Postings {
    ends: Vec<u32>,
    docs: Vec<u32>,
}

impl Postings {
    fn list(&self, term: usize) -> &[u32] {
        let start = if term == 0 {
            0
        } else {
            self.ends[term - 1] as usize
        };
        &self.docs[start..self.ends[term] as usize]
    }
}

/// What one search found: record numbers, ascending.
pub(crate) struct Found {
    /// Records holding every word in some field.
    pub all: Vec<u32>,
    /// Those holding every word in their name.
    pub name: Vec<u32>,
}

pub(crate) struct Index {
    stamp: Vec<u8>,
    /// The last batch the index holds the writes of, and when it started
    /// (to know it is the same registry's batch).
    mark: Option<(i64, String)>,
    /// Record number of each record id: the full build's, and what the
    /// updates since changed (`None`: removed).
    doc_of: Arc<FxHashMap<Box<str>, u32>>,
    doc_of_since: FxHashMap<Box<str>, Option<u32>>,
    /// Record numbers no word points at any more (records changed or
    /// removed since the full build).
    dead: usize,
    /// Words, sorted by bytes, packed into one string.
    text: String,
    ends: Vec<u32>,
    all: Postings,
    name: Postings,
    /// Per record number: the row id, the kind, the name's length.
    rowids: Vec<i64>,
    kinds: Vec<u8>,
    name_len: Vec<u16>,
}

fn kind_code(kind: &str) -> u8 {
    EntityKind::ALL
        .iter()
        .position(|k| k.as_str() == kind)
        .map_or(u8::MAX, |i| i as u8)
}

impl Index {
    fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn term(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    /// The FTS5 structure record this index was built from.
    pub(crate) fn stamp(&self) -> &[u8] {
        &self.stamp
    }

    /// The row id of record number `d`.
    pub(crate) fn rowid(&self, d: u32) -> i64 {
        self.rowids[d as usize]
    }

    /// Number of records holding word `i`.
    fn docs(&self, i: usize) -> usize {
        self.all.list(i).len()
    }

    /// The words that start with `prefix`.
    fn with_prefix(&self, prefix: &str) -> Range<usize> {
        let start = self.partition(0, |t| t < prefix);
        let end = self.partition(start, |t| t.starts_with(prefix));
        start..end
    }

    /// The index of `word`, if the index holds it.
    fn find(&self, word: &str) -> Option<usize> {
        let i = self.partition(0, |t| t < word);
        (i < self.len() && self.term(i) == word).then_some(i)
    }

    /// First index at or after `from` where `pred` stops holding (it must
    /// hold on a prefix of the range and not after).
    fn partition(&self, from: usize, pred: impl Fn(&str) -> bool) -> usize {
        let (mut lo, mut hi) = (from, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if pred(self.term(mid)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The words of the index a typed word stands for: those it starts (a
    /// one-letter word only itself), the most frequent ones when there are
    /// more than [`MAX_EXPANSION`], the word itself always when present.
    pub(crate) fn expand(&self, word: &str) -> Vec<usize> {
        let mut picked: Vec<usize> = if word.chars().count() == 1 {
            self.find(word).into_iter().collect()
        } else {
            self.with_prefix(word).collect()
        };
        if picked.len() > MAX_EXPANSION {
            picked.sort_by_key(|&i| (std::cmp::Reverse(self.docs(i)), i));
            picked.truncate(MAX_EXPANSION);
            if let Some(exact) = self.find(word) {
                if !picked.contains(&exact) {
                    picked[MAX_EXPANSION - 1] = exact;
                }
            }
            picked.sort_unstable();
        }
        picked
    }

    /// Records matching every word of `words` (each a prefix, see
    /// [`Index::expand`]), of kind `kind` when given. Starts from the word
    /// with the fewest records and keeps those the other words also hold,
    /// so a rare word makes the whole search cheap.
    pub(crate) fn find_all(&self, words: &[String], kind: Option<EntityKind>) -> Found {
        let mut per_word: Vec<(usize, Vec<usize>)> = words
            .iter()
            .map(|w| {
                let terms = self.expand(w);
                (terms.iter().map(|&t| self.docs(t)).sum(), terms)
            })
            .collect();
        per_word.sort_by_key(|(n, _)| *n);
        let Some(((_, first), rest)) = per_word.split_first() else {
            return Found {
                all: Vec::new(),
                name: Vec::new(),
            };
        };
        let mut all = union(first.iter().map(|&t| self.all.list(t)));
        for (_, terms) in rest {
            keep_held(&mut all, terms.iter().map(|&t| self.all.list(t)));
        }
        if let Some(k) = kind {
            let code = kind_code(k.as_str());
            all.retain(|&d| self.kinds[d as usize] == code);
        }
        let name = if rest.is_empty() && kind.is_none() {
            union(first.iter().map(|&t| self.name.list(t)))
        } else {
            let mut name = all.clone();
            for (_, terms) in &per_word {
                keep_held(&mut name, terms.iter().map(|&t| self.name.list(t)));
            }
            name
        };
        Found { all, name }
    }

    /// Ranks what was found and returns the row ids of positions
    /// `offset..offset + limit`: records named by every word first, then
    /// the others; shorter names first within each (the closest to what
    /// was typed), then the oldest record.
    pub(crate) fn page(&self, found: &Found, offset: usize, limit: usize) -> Vec<i64> {
        let want = offset.saturating_add(limit);
        if want == 0 {
            return Vec::new();
        }
        // The `want` best keys, in a max-heap: a record that ranks after
        // its top is dropped at once.
        let mut best: BinaryHeap<(u8, u16, u32)> = BinaryHeap::with_capacity(want + 1);
        let mut offer = |k: (u8, u16, u32)| {
            if best.len() < want {
                best.push(k);
            } else if best.peek().is_some_and(|top| k < *top) {
                best.pop();
                best.push(k);
            }
        };
        for &d in &found.name {
            offer((0, self.name_len[d as usize], d));
        }
        // Enough records named by the words fill the page: the others
        // cannot reach it.
        if found.name.len() < want {
            let mut in_name = found.name.iter().peekable();
            for &d in &found.all {
                while in_name.next_if(|&&n| n < d).is_some() {}
                if in_name.peek() != Some(&&d) {
                    offer((1, self.name_len[d as usize], d));
                }
            }
        }
        best.into_sorted_vec()
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|(_, _, d)| self.rowids[d as usize])
            .collect()
    }

    fn build(conn: &Connection, stamp: Vec<u8>) -> Result<Index> {
        // The mark first: a write between it and the rows read below is
        // applied again by the next update, which does no harm.
        let mark = last_batch(conn)?;
        let mut doc_of: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut ids: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut all: Vec<Vec<u32>> = Vec::new();
        let mut name: Vec<Vec<u32>> = Vec::new();
        let mut rowids = Vec::new();
        let mut kinds = Vec::new();
        let mut name_len = Vec::new();
        let mut stmt =
            conn.prepare("SELECT rowid, kind, name, search, id FROM entity ORDER BY rowid")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let doc = u32::try_from(rowids.len()).map_err(|_| too_large())?;
            rowids.push(r.get::<_, i64>(0)?);
            doc_of.insert(r.get_ref(4)?.as_str().unwrap_or("").into(), doc);
            kinds.push(kind_code(r.get_ref(1)?.as_str().unwrap_or("")));
            let n = r.get_ref(2)?.as_str().unwrap_or("");
            name_len.push(u16::try_from(n.chars().count()).unwrap_or(u16::MAX));
            let mut add = |w: &str, in_name: bool| {
                let t = match ids.get(w) {
                    Some(&t) => t as usize,
                    None => {
                        ids.insert(w.into(), all.len() as u32);
                        all.push(Vec::new());
                        name.push(Vec::new());
                        all.len() - 1
                    }
                };
                if all[t].last() != Some(&doc) {
                    all[t].push(doc);
                }
                if in_name && name[t].last() != Some(&doc) {
                    name[t].push(doc);
                }
            };
            each_word(n, |w| add(w, true));
            each_word(r.get_ref(3)?.as_str().unwrap_or(""), |w| add(w, false));
        }
        let mut terms: Vec<(Box<str>, u32)> = ids.into_iter().collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut index = Index {
            stamp,
            mark,
            doc_of: Arc::new(doc_of),
            doc_of_since: FxHashMap::default(),
            dead: 0,
            text: String::new(),
            ends: Vec::with_capacity(terms.len()),
            all: Postings::default(),
            name: Postings::default(),
            rowids,
            kinds,
            name_len,
        };
        for (term, t) in terms {
            index.text.push_str(&term);
            index
                .ends
                .push(u32::try_from(index.text.len()).map_err(|_| too_large())?);
            for (lists, out) in [(&all, &mut index.all), (&name, &mut index.name)] {
                out.docs.extend_from_slice(&lists[t as usize]);
                out.ends
                    .push(u32::try_from(out.docs.len()).map_err(|_| too_large())?);
            }
        }
        Ok(index)
    }
}

/// Most records an update applies; beyond, the index is built again.
const MAX_UPDATE: usize = 4096;

impl Index {
    /// The record number of record `id`, if the index holds it.
    fn doc_of(&self, id: &str) -> Option<u32> {
        match self.doc_of_since.get(id) {
            Some(d) => *d,
            None => self.doc_of.get(id).copied(),
        }
    }

    /// This index with the writes made since it was built applied: the
    /// records the batches since its mark name are read again (their
    /// former record numbers dropped from every word, their current state
    /// added under new numbers). `None` when that cannot be known or is
    /// not worth it — a batch of more records than it lists (an import),
    /// another registry's batches (a restored backup), too many records
    /// changed or dropped since the full build: then the index is built
    /// again. The cost is one pass over the postings, not over the
    /// registry's text.
    fn updated(&self, conn: &Connection, stamp: Vec<u8>) -> Result<Option<Index>> {
        let Some((mark, started)) = &self.mark else {
            return Ok(None);
        };
        let same: Option<String> = conn
            .prepare_cached("SELECT started_at FROM batch WHERE rowid = ?1")?
            .query_row([mark], |r| r.get(0))
            .optional()?;
        if same.as_ref() != Some(started) {
            return Ok(None);
        }
        let mut stmt = conn.prepare_cached(
            "SELECT rowid, started_at, records FROM batch WHERE rowid > ?1 ORDER BY rowid",
        )?;
        let mut rows = stmt.query([mark])?;
        let mut changed: Vec<String> = Vec::new();
        let mut new_mark = None;
        while let Some(r) = rows.next()? {
            let Some(records) = r.get::<_, Option<String>>(2)? else {
                return Ok(None);
            };
            let Ok(ids) = serde_json::from_str::<Vec<String>>(&records) else {
                return Ok(None);
            };
            changed.extend(ids);
            new_mark = Some((r.get::<_, i64>(0)?, r.get::<_, String>(1)?));
        }
        // The full-text index changed with no batch to say why.
        let Some(new_mark) = new_mark else {
            return Ok(None);
        };
        changed.sort_unstable();
        changed.dedup();
        if changed.len() + self.doc_of_since.len() > MAX_UPDATE
            || (self.dead + changed.len()) * 4 > self.rowids.len().max(MAX_UPDATE)
        {
            return Ok(None);
        }
        let mut rowids = self.rowids.clone();
        let mut kinds = self.kinds.clone();
        let mut name_len = self.name_len.clone();
        let mut doc_of_since = self.doc_of_since.clone();
        let mut gone: Vec<u32> = Vec::new();
        // The words of the records as they are now, under new numbers.
        let mut added: std::collections::BTreeMap<String, (Vec<u32>, Vec<u32>)> =
            std::collections::BTreeMap::new();
        let mut read =
            conn.prepare_cached("SELECT rowid, kind, name, search FROM entity WHERE id = ?1")?;
        for id in &changed {
            let old = self.doc_of(id);
            if let Some(d) = old {
                gone.push(d);
            }
            let row = read
                .query_row([id], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                    ))
                })
                .optional()?;
            let now = match row {
                None => None,
                Some((rowid, kind, name, search)) => {
                    let doc = u32::try_from(rowids.len()).map_err(|_| too_large())?;
                    rowids.push(rowid);
                    kinds.push(kind_code(&kind));
                    name_len.push(u16::try_from(name.chars().count()).unwrap_or(u16::MAX));
                    let mut add = |w: &str, in_name: bool| {
                        let (all, names) = added.entry(w.to_string()).or_default();
                        if all.last() != Some(&doc) {
                            all.push(doc);
                        }
                        if in_name && names.last() != Some(&doc) {
                            names.push(doc);
                        }
                    };
                    each_word(&name, |w| add(w, true));
                    each_word(search.as_deref().unwrap_or(""), |w| add(w, false));
                    Some(doc)
                }
            };
            if old.is_some() || now.is_some() {
                doc_of_since.insert(id.as_str().into(), now);
            }
        }
        let mut is_gone = vec![false; self.rowids.len()];
        for &d in &gone {
            is_gone[d as usize] = true;
        }
        let mut index = Index {
            stamp,
            mark: Some(new_mark),
            doc_of: self.doc_of.clone(),
            doc_of_since,
            dead: self.dead + gone.len(),
            text: String::with_capacity(self.text.len()),
            ends: Vec::with_capacity(self.ends.len()),
            all: Postings::default(),
            name: Postings::default(),
            rowids,
            kinds,
            name_len,
        };
        index.all.docs.reserve(self.all.docs.len());
        index.name.docs.reserve(self.name.docs.len());
        // The old words and the new, merged in order.
        let mut new_words = added.into_iter().peekable();
        let mut old = 0;
        let empty: (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
        loop {
            let old_term = (old < self.len()).then(|| self.term(old));
            let next_new = new_words.peek().map(|(w, _)| w.as_str());
            let (term, from_old, from_new) = match (old_term, next_new) {
                (None, None) => break,
                (Some(o), Some(n)) if n < o => {
                    let (w, lists) = new_words.next().unwrap_or_default();
                    (w, None, Some(lists))
                }
                (Some(o), Some(n)) if n == o => {
                    let (w, lists) = new_words.next().unwrap_or_default();
                    old += 1;
                    (w, Some(old - 1), Some(lists))
                }
                (Some(o), _) => {
                    old += 1;
                    (o.to_string(), Some(old - 1), None)
                }
                (None, Some(_)) => {
                    let (w, lists) = new_words.next().unwrap_or_default();
                    (w, None, Some(lists))
                }
            };
            let lists = from_new.as_ref().unwrap_or(&empty);
            let start_all = index.all.docs.len();
            let start_name = index.name.docs.len();
            if let Some(t) = from_old {
                index
                    .all
                    .docs
                    .extend(self.all.list(t).iter().filter(|&&d| !is_gone[d as usize]));
                index
                    .name
                    .docs
                    .extend(self.name.list(t).iter().filter(|&&d| !is_gone[d as usize]));
            }
            index.all.docs.extend_from_slice(&lists.0);
            index.name.docs.extend_from_slice(&lists.1);
            if index.all.docs.len() == start_all {
                // No record holds the word any more.
                index.name.docs.truncate(start_name);
                continue;
            }
            index.text.push_str(&term);
            index
                .ends
                .push(u32::try_from(index.text.len()).map_err(|_| too_large())?);
            index
                .all
                .ends
                .push(u32::try_from(index.all.docs.len()).map_err(|_| too_large())?);
            index
                .name
                .ends
                .push(u32::try_from(index.name.docs.len()).map_err(|_| too_large())?);
        }
        Ok(Some(index))
    }
}

/// The registry's last batch and when it started.
fn last_batch(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .prepare_cached("SELECT rowid, started_at FROM batch ORDER BY rowid DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

fn too_large() -> crate::StoreError {
    crate::StoreError::database("full-text index too large to hold in memory")
}

/// The union of sorted lists, sorted, without repeats.
fn union<'a>(lists: impl Iterator<Item = &'a [u32]>) -> Vec<u32> {
    let lists: Vec<&[u32]> = lists.filter(|l| !l.is_empty()).collect();
    match lists.len() {
        0 => Vec::new(),
        1 => lists[0].to_vec(),
        2 => merge(lists[0], lists[1]),
        _ => {
            // Many lists: mark a bitmap, read it back in order.
            let max = lists
                .iter()
                .filter_map(|l| l.last())
                .max()
                .copied()
                .unwrap_or(0);
            let mut bits = vec![0u64; max as usize / 64 + 1];
            let mut n = 0;
            for l in &lists {
                n += l.len();
                for &d in *l {
                    bits[d as usize / 64] |= 1 << (d % 64);
                }
            }
            let mut out = Vec::with_capacity(n);
            for (i, &word) in bits.iter().enumerate() {
                let mut w = word;
                while w != 0 {
                    out.push((i * 64) as u32 + w.trailing_zeros());
                    w &= w - 1;
                }
            }
            out
        }
    }
}

/// The union of two sorted lists without repeats.
fn merge(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        out.push(x.min(y));
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Keeps the records of `docs` (sorted) that one of `lists` holds.
fn keep_held<'a>(docs: &mut Vec<u32>, lists: impl Iterator<Item = &'a [u32]>) {
    let mut cursors: Vec<&[u32]> = lists.filter(|l| !l.is_empty()).collect();
    docs.retain(|&d| cursors.iter_mut().any(|c| seek(c, d)));
}

/// Moves `list` (sorted) to its first element at least `x`, galloping;
/// true if that element is `x`.
fn seek(list: &mut &[u32], x: u32) -> bool {
    let l = *list;
    if l.first().is_none_or(|&f| f >= x) {
        return l.first() == Some(&x);
    }
    let mut step = 1;
    while step < l.len() && l[step] < x {
        step *= 2;
    }
    let lo = step / 2;
    let hi = l.len().min(step + 1);
    let i = lo + l[lo..hi].partition_point(|&v| v < x);
    *list = &l[i..];
    list.first() == Some(&x)
}

/// Indexes by database file, shared by the connections of a process.
static SHARED: Mutex<Option<HashMap<PathBuf, Arc<Index>>>> = Mutex::new(None);

/// The structure record of the FTS5 index: it changes whenever the index
/// does.
fn stamp(conn: &Connection) -> Result<Vec<u8>> {
    Ok(conn
        .prepare_cached("SELECT block FROM entity_fts_data WHERE id = 10")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or_default())
}

/// The index of the registry as it is now: `held` if still valid, else one
/// another connection of this process built, else a new one.
pub(crate) fn current(
    conn: &Connection,
    path: &Path,
    held: Option<Arc<Index>>,
) -> Result<Arc<Index>> {
    let now = stamp(conn)?;
    if let Some(i) = held.filter(|i| i.stamp == now) {
        return Ok(i);
    }
    let mut shared = SHARED.lock().unwrap_or_else(|p| p.into_inner());
    let map = shared.get_or_insert_with(HashMap::new);
    let known = map.get(path).cloned();
    if let Some(i) = known.as_ref().filter(|i| i.stamp == now) {
        return Ok(i.clone());
    }
    // The writes since the last index, applied to it when they can be
    // (an edit, a decision: milliseconds); else a full build.
    let updated = match &known {
        Some(old) => old.updated(conn, now.clone())?,
        None => None,
    };
    let fresh = Arc::new(match updated {
        Some(i) => i,
        None => Index::build(conn, now)?,
    });
    map.insert(path.to_path_buf(), fresh.clone());
    Ok(fresh)
}

#[cfg(test)]
mod update_tests {
    use super::{current, Index};
    use crate::Store;
    use archipel_domain::{Actor, Entity, EntityKind};
    use archipel_testkit::records::{actor, id};
    use std::sync::Arc;

    fn named(local: &str, name: &str, description: &str) -> Entity {
        Entity::Actor(Actor {
            description: Some(description.into()),
            ..actor(local, name)
        })
    }

    /// What a search finds, as row ids, best first.
    fn found(i: &Index, text: &str, kind: Option<EntityKind>) -> Vec<i64> {
        let words: Vec<String> = super::words(text);
        let f = i.find_all(&words, kind);
        let mut page = i.page(&f, 0, 1000);
        // Records changed since the full build rank by their new number:
        // compare the sets, and the names-first order by group.
        page.sort_unstable();
        page
    }

    #[test]
    fn edits_applied_to_the_index_find_what_a_full_build_finds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let mut store = Store::open(&path).unwrap();
        // More records than one batch lists: the first index is a full
        // build.
        store
            .write("test", "json", None, |w| {
                for i in 0..200 {
                    w.upsert(&named(
                        &format!("a{i}"),
                        &format!("Fablab numéro {i}"),
                        "atelier de réparation",
                    ))?;
                }
                Ok::<(), crate::StoreError>(())
            })
            .unwrap();
        let first = current(&store.conn, &path, None).unwrap();
        // Small batches: a rename, a new record, a removal, a new word.
        store
            .write("web", "web", None, |w| {
                w.upsert(&named(
                    "a1",
                    "Ressourcerie des Lilas",
                    "réemploi d'ordinateurs",
                ))?;
                w.upsert(&named(
                    "new",
                    "Café réparation",
                    "atelier numérique zythologie",
                ))?;
                w.remove(&id(EntityKind::Actor, "a2"))?;
                Ok::<(), crate::StoreError>(())
            })
            .unwrap();
        store
            .write("web", "web", None, |w| {
                w.upsert(&named(
                    "a3",
                    "Fablab numéro 3",
                    "atelier de réparation et couture",
                ))?;
                Ok::<(), crate::StoreError>(())
            })
            .unwrap();
        let now = super::stamp(&store.conn).unwrap();
        let updated = first
            .updated(&store.conn, now.clone())
            .unwrap()
            .expect("two small batches are applied, not rebuilt");
        let full = Index::build(&store.conn, now).unwrap();
        for q in [
            "fablab",
            "ressourcerie",
            "lilas",
            "numero 2",
            "reparation",
            "couture",
            "zythologie",
            "cafe",
            "atelier",
            "reemploi",
            "f",
            "numero",
        ] {
            assert_eq!(found(&updated, q, None), found(&full, q, None), "{q}");
            assert_eq!(
                found(&updated, q, Some(EntityKind::Actor)),
                found(&full, q, Some(EntityKind::Actor)),
                "{q}"
            );
        }
        assert!(found(&updated, "lilas", None).len() == 1);
        assert!(found(&updated, "numero 2", None).iter().all(|r| {
            store
                .conn
                .query_row("SELECT id FROM entity WHERE rowid = ?1", [r], |row| {
                    row.get::<_, String>(0)
                })
                .is_ok_and(|id| id != "actor:test:a2")
        }));
        // The dictionary holds the new word and lost none still used.
        assert_eq!(updated.expand("zytho").len(), 1);
        assert_eq!(updated.len(), full.len());
        // Through `current`, an edit is applied rather than rebuilt.
        let held = Arc::new(updated);
        let again = current(&store.conn, &path, Some(held.clone())).unwrap();
        assert!(Arc::ptr_eq(&again, &held) || again.stamp == held.stamp);
        // A large batch (no list of its records) makes a full build.
        store
            .write("test", "json", None, |w| {
                for i in 0..100 {
                    w.upsert(&named(
                        &format!("b{i}"),
                        &format!("Tiers-lieu {i}"),
                        "coworking",
                    ))?;
                }
                Ok::<(), crate::StoreError>(())
            })
            .unwrap();
        let now = super::stamp(&store.conn).unwrap();
        assert!(held.updated(&store.conn, now).unwrap().is_none());
    }
}

#[cfg(test)]
mod tests {
    use super::{keep_held, merge, seek, union, words};

    #[test]
    fn words_fold_like_the_tokenizer() {
        assert_eq!(
            words("Médiathèque  d'ÉTÉ n°42 Œuvre"),
            ["mediatheque", "d", "ete", "n", "42", "œuvre"]
        );
        assert!(words(" -- ").is_empty());
    }

    #[test]
    fn sorted_list_operations() {
        let a = [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21];
        let mut docs = vec![1, 2, 3, 7, 15, 21, 30];
        let lists: [&[u32]; 2] = [&a, &[2, 30]];
        keep_held(&mut docs, lists.into_iter());
        assert_eq!(
            docs,
            vec![1, 2, 3, 7, 15, 21, 30]
                .into_iter()
                .filter(|d| a.contains(d) || [2, 30].contains(d))
                .collect::<Vec<_>>()
        );
        let mut cur: &[u32] = &a;
        assert!(seek(&mut cur, 9));
        assert!(!seek(&mut cur, 10));
        assert_eq!(cur.first(), Some(&11));
        assert!(!seek(&mut cur, 100));
        assert!(cur.is_empty());
        let lists: [&[u32]; 3] = [&[1, 4], &[2, 4, 6], &[]];
        assert_eq!(union(lists.into_iter()), vec![1, 2, 4, 6]);
        let lists: [&[u32]; 3] = [&[1, 4, 200], &[2, 4, 6], &[0, 64, 65]];
        assert_eq!(union(lists.into_iter()), vec![0, 1, 2, 4, 6, 64, 65, 200]);
        assert_eq!(merge(&[1, 3], &[3, 5, 7]), vec![1, 3, 5, 7]);
    }
}

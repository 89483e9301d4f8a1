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
        let mut ids: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut all: Vec<Vec<u32>> = Vec::new();
        let mut name: Vec<Vec<u32>> = Vec::new();
        let mut rowids = Vec::new();
        let mut kinds = Vec::new();
        let mut name_len = Vec::new();
        let mut stmt =
            conn.prepare("SELECT rowid, kind, name, search FROM entity ORDER BY rowid")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let doc = u32::try_from(rowids.len()).map_err(|_| too_large())?;
            rowids.push(r.get::<_, i64>(0)?);
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
    if let Some(i) = map.get(path).filter(|i| i.stamp == now) {
        return Ok(i.clone());
    }
    let fresh = Arc::new(Index::build(conn, now)?);
    map.insert(path.to_path_buf(), fresh.clone());
    Ok(fresh)
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

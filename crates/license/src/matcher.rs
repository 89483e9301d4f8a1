//! Full-text matcher: Sørensen–Dice similarity between the sets of word
//! bigrams of a normalised text and of each licence text of the SPDX list
//! (the texts ship in the `spdx` crate, feature `text`).

use crate::normalize;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Similarity at or above which a text is taken to be a known licence.
///
/// A licence text reformatted (Markdown, rewrapped lines, another
/// copyright line, the optional "how to apply" appendix left out) stays
/// well above it; a licence with a clause changed, added or removed falls
/// below it.
pub const MATCH_THRESHOLD: f64 = 0.90;

/// One licence text of the SPDX list, ready to compare.
struct Template {
    /// The licence text (for LGPL-3.0, also its part without the GPL).
    text: &'static str,
    /// SPDX ids sharing this exact text (e.g. `GPL-3.0-only` and
    /// `GPL-3.0-or-later`), the first being the one reported.
    ids: Vec<&'static str>,
    /// Sorted, deduplicated hashes of the word bigrams.
    bigrams: Vec<u64>,
    /// Distinctive words of the licence's name that its body repeats
    /// (`mozilla`, `gnu`, `eclipse`…): a text without them is a renamed
    /// derivative, not this licence.
    name_words: Vec<String>,
}

/// Words of licence names that say nothing about which licence it is.
const GENERIC_NAME_WORDS: &[&str] = &[
    "a",
    "and",
    "agreement",
    "alike",
    "attribution",
    "clause",
    "conditions",
    "derivatives",
    "for",
    "free",
    "general",
    "generic",
    "international",
    "lesser",
    "library",
    "license",
    "modified",
    "new",
    "no",
    "noncommercial",
    "noderivatives",
    "non",
    "of",
    "only",
    "open",
    "or",
    "permissive",
    "public",
    "revised",
    "share",
    "sharealike",
    "simplified",
    "software",
    "source",
    "terms",
    "the",
    "universal",
    "unported",
    "v",
    "variant",
    "version",
    "with",
    "without",
    "later",
    "commercial",
    "document",
    "documentation",
    "disclaimer",
];

/// How often a name word must occur in the body of the licence text for
/// its absence from a candidate to disqualify the candidate.
const NAME_WORD_MIN_OCCURRENCES: usize = 2;

fn name_words(id: &str, words: &[String]) -> Vec<String> {
    let Some(lic) = spdx::license_id(id) else {
        return Vec::new();
    };
    // The first line is the title, which the SPDX templates mark optional.
    let body = words.get(8..).unwrap_or_default();
    let mut out: Vec<String> = normalize::words(lic.full_name)
        .into_iter()
        .filter(|w| !GENERIC_NAME_WORDS.contains(&w.as_str()))
        .filter(|w| w.chars().any(|c| c.is_alphabetic()) && !w.chars().any(|c| c.is_ascii_digit()))
        .filter(|w| body.iter().filter(|b| *b == w).count() >= NAME_WORD_MIN_OCCURRENCES)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Parts of a licence text that also stand as the licence on their own:
/// - the SPDX text of LGPL-3.0 carries the GPL-3.0 text after its own; the
///   two usually ship as separate files (`COPYING.LESSER` and `COPYING`);
/// - the "How to apply these terms" appendix after "END OF TERMS AND
///   CONDITIONS" (GNU licences, Apache-2.0) is optional in the SPDX
///   templates, and often left out.
fn optional_cuts(text: &'static str) -> Vec<&'static str> {
    let mut cuts: Vec<&'static str> = Vec::new();
    let mut offset = 0;
    let mut body_end = None;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let t = line.trim();
        if n > 0 && t == "GNU GENERAL PUBLIC LICENSE" && body_end.is_none() {
            cuts.push(&text[..offset]);
        }
        offset += line.len();
        if t.eq_ignore_ascii_case("END OF TERMS AND CONDITIONS") && body_end.is_none() {
            body_end = Some(offset);
        }
    }
    if let Some(end) = body_end {
        if !text[end..].trim().is_empty() {
            cuts.push(&text[..end]);
        }
    }
    for c in cuts.clone() {
        // LGPL-3.0 alone, without its own appendix.
        if let Some(pos) = c.find("END OF TERMS AND CONDITIONS") {
            let end = pos + "END OF TERMS AND CONDITIONS".len();
            if end < c.len() && !cuts.contains(&&c[..end]) {
                cuts.push(&c[..end]);
            }
        }
    }
    cuts
}

/// The best candidate for a text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextMatch {
    /// SPDX id of the closest licence text.
    pub spdx: &'static str,
    /// Other ids with the very same text (`-only` / `-or-later` pairs).
    pub same_text: Vec<&'static str>,
    /// Sørensen–Dice similarity of word bigrams, 0 to 1.
    pub score: f64,
    /// Distinctive words of the licence's name, repeated in its text, that
    /// the candidate text lacks (a renamed derivative when not empty).
    pub missing_name_words: Vec<String>,
    /// Where the text departs from the licence text, for candidates
    /// scoring at least [`MATCH_THRESHOLD`] (not computed below it).
    pub changes: Option<Changes>,
    template: usize,
}

/// How a text departs from a licence text, in normalised words. The
/// licence body runs from the first to the last passage the two share
/// (five words or more); before it sit titles and copyright blocks, after
/// it appendices that the SPDX templates mark optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Longest run of words the text adds (or puts in place of others)
    /// inside the licence body; shared passages shorter than five words do
    /// not end a run.
    pub added_inside: usize,
    /// Longest run of the licence's words missing inside its body.
    pub removed_inside: usize,
    /// Words the text adds after the end of the licence body.
    pub added_after: usize,
    /// All words the text adds inside the body.
    pub added_total: usize,
    /// All the licence's words missing inside the body.
    pub removed_total: usize,
    /// The longest added run inside the body (its first words).
    pub added_sample: String,
    /// The longest missing run inside the body (its first words).
    pub removed_sample: String,
    /// Length of the licence text, in words.
    pub licence_words: usize,
    /// Index, in the text's words, where the words after the licence body
    /// begin (the text's length when there are none).
    pub tail_start: usize,
}

fn sample(words: &[String]) -> String {
    let mut s = words.iter().take(12).cloned().collect::<Vec<_>>().join(" ");
    if words.len() > 12 {
        s.push_str(" …");
    }
    s
}

/// Longest run of words a text may add, or lack, inside a licence body,
/// whatever the licence's length: room for a holder's name in "Neither
/// the name of … nor", not for a clause.
pub const MIN_RUN_ALLOWANCE: usize = 12;
/// Longer licences allow runs up to this share of their length (optional
/// notices the SPDX templates mark, such as Creative Commons' closing
/// notice, sit inside the body).
pub const RUN_ALLOWANCE_SHARE: f64 = 0.01;
/// How many words a text may add after a licence body, at least…
pub const MIN_TAIL_ALLOWANCE: usize = 20;
/// …or up to this share of the licence's length (variants of the GNU
/// "How to apply these terms" appendix).
pub const TAIL_ALLOWANCE_SHARE: f64 = 0.02;
/// Shortest shared passage that anchors the licence body.
const ANCHOR_WORDS: usize = 5;

impl Changes {
    /// Whether the changes are within what reformatting and filled-in
    /// fields explain.
    pub fn are_minor(&self) -> bool {
        let n = self.licence_words as f64;
        let run = MIN_RUN_ALLOWANCE.max((n * RUN_ALLOWANCE_SHARE) as usize);
        let tail = MIN_TAIL_ALLOWANCE.max((n * TAIL_ALLOWANCE_SHARE) as usize);
        self.added_inside <= run && self.removed_inside <= run && self.added_after <= tail
    }
}

impl TextMatch {
    /// Whether the text is this licence: the similarity reaches
    /// [`MATCH_THRESHOLD`], the text keeps the licence's name words and
    /// departs from the licence text only in minor ways.
    pub fn is_match(&self) -> bool {
        self.score >= MATCH_THRESHOLD
            && self.missing_name_words.is_empty()
            && self.changes.as_ref().is_some_and(Changes::are_minor)
    }
}

/// Compares a text's words with a licence text's words.
fn changes(template: &[String], text: &[String]) -> Changes {
    use similar::{capture_diff_slices_deadline, Algorithm, DiffOp};
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
    let ops = capture_diff_slices_deadline(Algorithm::Myers, template, text, Some(deadline));
    let anchor = |op: &DiffOp| matches!(op, DiffOp::Equal { len, .. } if *len >= ANCHOR_WORDS);
    let (Some(first), Some(last)) = (ops.iter().position(anchor), ops.iter().rposition(anchor))
    else {
        return Changes {
            added_inside: text.len(),
            removed_inside: template.len(),
            added_after: 0,
            added_total: text.len(),
            removed_total: template.len(),
            added_sample: sample(text),
            removed_sample: sample(template),
            licence_words: template.len(),
            tail_start: text.len(),
        };
    };
    let tail_start = match ops[last] {
        DiffOp::Equal { new_index, len, .. } => new_index + len,
        _ => text.len(),
    };
    let mut c = Changes {
        licence_words: template.len(),
        tail_start,
        ..Changes::default()
    };
    // A run of changes goes on across passages shared by fewer than
    // ANCHOR_WORDS words: a clause written in place of another, sharing a
    // few common words with it ("the software", "be used for"), is one
    // added run, not several short ones.
    let mut run = Run::default();
    for op in &ops[first..=last] {
        if let DiffOp::Equal { len, .. } = op {
            if *len >= ANCHOR_WORDS {
                run.close(&mut c, template, text);
            }
            continue;
        }
        let (_, old, new) = op.as_tag_tuple();
        c.added_total += new.len();
        c.removed_total += old.len();
        run.add(old, new);
    }
    run.close(&mut c, template, text);
    for op in &ops[last + 1..] {
        if !matches!(op, DiffOp::Equal { .. }) {
            c.added_after += op.as_tag_tuple().2.len();
        }
    }
    c
}

/// Changes between two anchoring shared passages (see [`changes`]).
#[derive(Default)]
struct Run {
    added: usize,
    removed: usize,
    new: Option<std::ops::Range<usize>>,
    old: Option<std::ops::Range<usize>>,
}

impl Run {
    fn add(&mut self, old: std::ops::Range<usize>, new: std::ops::Range<usize>) {
        let span = |r: &mut Option<std::ops::Range<usize>>, x: std::ops::Range<usize>| {
            if !x.is_empty() {
                *r = Some(match r.take() {
                    Some(y) => y.start.min(x.start)..y.end.max(x.end),
                    None => x,
                });
            }
        };
        self.added += new.len();
        self.removed += old.len();
        span(&mut self.new, new);
        span(&mut self.old, old);
    }

    /// Records the run in `c` if it is the longest so far, and starts anew.
    fn close(&mut self, c: &mut Changes, template: &[String], text: &[String]) {
        let run = std::mem::take(self);
        if run.added > c.added_inside {
            c.added_inside = run.added;
            c.added_sample = sample(run.new.and_then(|r| text.get(r)).unwrap_or_default());
        }
        if run.removed > c.removed_inside {
            c.removed_inside = run.removed;
            c.removed_sample = sample(run.old.and_then(|r| template.get(r)).unwrap_or_default());
        }
    }
}

struct ExceptionTemplate {
    id: &'static str,
    bigrams: Vec<u64>,
}

fn exception_index() -> &'static [ExceptionTemplate] {
    static INDEX: OnceLock<Vec<ExceptionTemplate>> = OnceLock::new();
    INDEX.get_or_init(|| {
        spdx::text::EXCEPTION_TEXTS
            .iter()
            .filter(|(id, _)| spdx::exception_id(id).is_some_and(|e| !e.is_deprecated()))
            .map(|&(id, text)| ExceptionTemplate {
                id,
                bigrams: bigrams_of_words(&normalize::words(text)),
            })
            .filter(|t| !t.bigrams.is_empty())
            .collect()
    })
}

/// The closest licence exception text of the SPDX list (`LLVM-exception`,
/// `Classpath-exception-2.0`…) to a text, with its similarity.
pub fn closest_exception(words: &[String]) -> Option<(&'static str, f64)> {
    let bigrams = bigrams_of_words(words);
    if bigrams.is_empty() {
        return None;
    }
    exception_index()
        .iter()
        .map(|t| {
            let total = (bigrams.len() + t.bigrams.len()) as f64;
            (
                t.id,
                2.0 * intersection(&bigrams, &t.bigrams) as f64 / total,
            )
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

fn fnv(a: &str, b: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in a.bytes().chain(std::iter::once(b' ')).chain(b.bytes()) {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Sorted, deduplicated word-bigram hashes of a text.
pub(crate) fn bigrams_of_words(words: &[String]) -> Vec<u64> {
    let mut v: Vec<u64> = words.windows(2).map(|w| fnv(&w[0], &w[1])).collect();
    if words.len() == 1 {
        v.push(fnv(&words[0], ""));
    }
    v.sort_unstable();
    v.dedup();
    v
}

fn intersection(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

fn index() -> &'static [Template] {
    static INDEX: OnceLock<Vec<Template>> = OnceLock::new();
    INDEX.get_or_init(build_index)
}

fn build_index() -> Vec<Template> {
    let mut by_text: HashMap<&'static str, usize> = HashMap::new();
    let mut out: Vec<Template> = Vec::new();
    for &(id, text) in spdx::text::LICENSE_TEXTS {
        let Some(lic) = spdx::license_id(id) else {
            continue;
        };
        if lic.is_deprecated() {
            continue;
        }
        let names = name_words(id, &normalize::words(text));
        for variant in std::iter::once(text).chain(optional_cuts(text)) {
            if let Some(&i) = by_text.get(variant) {
                out[i].ids.push(id);
                continue;
            }
            let words = normalize::words(variant);
            if words.len() < 2 {
                continue;
            }
            by_text.insert(variant, out.len());
            out.push(Template {
                text: variant,
                ids: vec![id],
                bigrams: bigrams_of_words(&words),
                name_words: names.clone(),
            });
        }
    }
    for t in &mut out {
        t.ids.dedup();
        // Report `-only` before `-or-later` (the text alone does not say
        // which), and otherwise keep the list order.
        t.ids.sort_by_key(|id| id.ends_with("-or-later"));
    }
    out
}

/// The `n` closest licence texts to `text`, best first.
pub fn closest(text: &str, n: usize) -> Vec<TextMatch> {
    let words = normalize::words(text);
    closest_words(&words, n)
}

/// How far below the best score a licence text may score and still be
/// chosen over a better-scoring one that the text departs from more.
const NAME_TIE_MARGIN: f64 = 0.03;

pub(crate) fn closest_words(words: &[String], n: usize) -> Vec<TextMatch> {
    let bigrams = bigrams_of_words(words);
    if bigrams.is_empty() || n == 0 {
        return Vec::new();
    }
    let mut scored: Vec<(f64, usize)> = Vec::new();
    let mut floor = 0.0_f64;
    for (i, t) in index().iter().enumerate() {
        let total = (bigrams.len() + t.bigrams.len()) as f64;
        // Upper bound of the Dice score from the sizes alone.
        let bound = 2.0 * bigrams.len().min(t.bigrams.len()) as f64 / total;
        if bound < floor {
            continue;
        }
        let score = 2.0 * intersection(&bigrams, &t.bigrams) as f64 / total;
        scored.push((score, i));
        if scored.len() >= n + 2 {
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            scored.truncate(n + 2);
            floor = scored.last().map_or(0.0, |s| s.0);
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let idx = index();
    let present: std::collections::HashSet<&str> = words.iter().map(String::as_str).collect();
    let mut out: Vec<TextMatch> = Vec::new();
    for (score, i) in scored {
        let Some(t) = idx.get(i) else { continue };
        let Some((first, rest)) = t.ids.split_first() else {
            continue;
        };
        // The LGPL-3.0 part-only variant shares ids with the full text.
        if out.iter().any(|m| m.spdx == *first) {
            continue;
        }
        out.push(TextMatch {
            template: i,
            changes: None,
            spdx: first,
            same_text: rest.to_vec(),
            score,
            missing_name_words: t
                .name_words
                .iter()
                .filter(|w| !present.contains(w.as_str()))
                .cloned()
                .collect(),
        });
    }
    out.truncate(n);
    let top = out.first().map_or(0.0, |m| m.score);
    for m in &mut out {
        // The diff is only needed where best_of may look at it.
        if m.score >= MATCH_THRESHOLD && m.score >= top - NAME_TIE_MARGIN {
            if let Some(t) = idx.get(m.template) {
                m.changes = Some(changes(&normalize::words(t.text), words));
            }
        }
    }
    out
}

/// The closest licence text to `text` (if any shares a word pair with
/// it), preferring, among texts scoring within a hair of the best, one
/// whose name words the text keeps.
pub fn best_match(text: &str) -> Option<TextMatch> {
    best_of(closest(text, 5))
}

pub(crate) fn best_of(candidates: Vec<TextMatch>) -> Option<TextMatch> {
    let top = candidates.first()?.score;
    // Among texts within a hair of the best, prefer a match (right name,
    // minor changes only), and among matches the one the text departs
    // from least: close variants (Apache-2.0 and Pixar, CC BY and CC BY-ND)
    // differ by a clause that Dice barely sees.
    let pick = candidates
        .iter()
        .enumerate()
        .take_while(|(_, m)| m.score >= top - NAME_TIE_MARGIN)
        .filter(|(_, m)| m.is_match())
        .min_by_key(|(i, m)| {
            let cost = m
                .changes
                .as_ref()
                .map_or(usize::MAX, |c| c.added_total + c.removed_total);
            (cost, *i)
        })
        .map(|(i, _)| i);
    candidates.into_iter().nth(pick.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_licence_matches_its_own_text() {
        let text = spdx::license_id("MIT")
            .map(|l| l.text())
            .unwrap_or_default();
        let m = best_match(text).expect("a match");
        assert_eq!(m.spdx, "MIT");
        assert!(m.score > 0.99, "{}", m.score);
    }

    #[test]
    fn gnu_texts_are_shared_between_only_and_or_later() {
        let text = spdx::license_id("GPL-3.0-only")
            .map(|l| l.text())
            .unwrap_or_default();
        let m = best_match(text).expect("a match");
        assert_eq!(m.spdx, "GPL-3.0-only");
        assert_eq!(m.same_text, vec!["GPL-3.0-or-later"]);
    }
}

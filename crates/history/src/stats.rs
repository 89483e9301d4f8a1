//! From walked commits to figures: identities, organisations, factors, windows.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use gix::bstr::{BStr, ByteSlice};

use crate::model::{AuthorShare, KindShare, Organization, Unaffiliated, Window};
use crate::walk::{name_and_email, CommitRec, Walked};
use crate::{ActorKind, Affiliation, Affiliations};

/// Who is behind each raw identity of the walk.
pub(crate) struct People {
    /// Person of each raw identity.
    pub person_of: Vec<u32>,
    /// Organisation of each raw identity (`None`: unaffiliated).
    pub org_of: Vec<Option<u32>>,
    /// Name (after `.mailmap`) of each raw identity.
    pub name_of: Vec<String>,
    /// Number of people.
    pub persons: usize,
    /// Organisations: name, kind, domains seen.
    pub orgs: Vec<(String, ActorKind, BTreeSet<String>)>,
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

fn normalize_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Applies `.mailmap`, merges identities sharing an e-mail (case-insensitively)
/// or a name, and classifies each e-mail domain.
pub(crate) fn resolve_people(
    walked: &Walked,
    mailmap: &gix::mailmap::Snapshot,
    table: &Affiliations,
) -> People {
    let n = walked.idents.len();
    let mut names = Vec::with_capacity(n);
    let mut emails = Vec::with_capacity(n);
    for key in &walked.idents {
        let (name, email) = name_and_email(key);
        let sig = gix::actor::SignatureRef {
            name: BStr::new(name),
            email: BStr::new(email),
            time: "",
        };
        let (name, email) = match mailmap.try_resolve_ref(sig) {
            Some(r) => (
                r.name.map_or(name, |n| n.as_bytes()),
                r.email.map_or(email, |e| e.as_bytes()),
            ),
            None => (name, email),
        };
        names.push(name.trim().to_str_lossy().into_owned());
        emails.push(email.trim().to_str_lossy().into_owned());
    }

    // Union-find over identities sharing an e-mail or a name.
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut by_email: HashMap<String, u32> = HashMap::new();
    let mut by_name: HashMap<String, u32> = HashMap::new();
    for i in 0..n {
        let email = emails[i].to_lowercase();
        let name = normalize_name(&names[i]);
        for (map, key) in [(&mut by_email, email), (&mut by_name, name)] {
            if key.is_empty() {
                continue;
            }
            match map.get(&key) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i as u32), find(&mut parent, j));
                    if a != b {
                        parent[a.max(b) as usize] = a.min(b);
                    }
                }
                None => {
                    map.insert(key, i as u32);
                }
            }
        }
    }
    let mut person_index: HashMap<u32, u32> = HashMap::new();
    let mut person_of = Vec::with_capacity(n);
    for i in 0..n as u32 {
        let root = find(&mut parent, i);
        let next = person_index.len() as u32;
        person_of.push(*person_index.entry(root).or_insert(next));
    }

    // Organisations.
    let mut org_index: HashMap<(String, ActorKind), u32> = HashMap::new();
    let mut orgs: Vec<(String, ActorKind, BTreeSet<String>)> = Vec::new();
    let mut org_of = Vec::with_capacity(n);
    for email in &emails {
        match table.classify_email(email) {
            Affiliation::Unaffiliated => org_of.push(None),
            Affiliation::Organization { name, kind } => {
                let domain = email
                    .rsplit_once('@')
                    .map(|(_, d)| d.trim_end_matches('.').to_ascii_lowercase())
                    .unwrap_or_default();
                let next = orgs.len() as u32;
                let o = *org_index
                    .entry((name.clone(), kind.clone()))
                    .or_insert(next);
                if o == next {
                    orgs.push((name, kind, BTreeSet::new()));
                }
                orgs[o as usize].2.insert(domain);
                org_of.push(Some(o));
            }
        }
    }

    People {
        person_of,
        org_of,
        name_of: names,
        persons: person_index.len(),
        orgs,
    }
}

/// Commit counts per raw identity over the commits dated at or after `from`.
pub(crate) struct Tally {
    pub commits: u64,
    pub non_merge: u64,
    pub first: Option<i64>,
    pub last: Option<i64>,
    /// All commits per raw identity.
    pub all_by_ident: Vec<u64>,
    /// Non-merge commits per raw identity.
    pub nm_by_ident: Vec<u64>,
}

pub(crate) fn tally(commits: &[CommitRec], idents: usize, from: Option<i64>) -> Tally {
    let mut t = Tally {
        commits: 0,
        non_merge: 0,
        first: None,
        last: None,
        all_by_ident: vec![0; idents],
        nm_by_ident: vec![0; idents],
    };
    let from = from.unwrap_or(i64::MIN);
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for c in commits {
        if c.time < from {
            continue;
        }
        t.commits += 1;
        let i = c.ident as usize;
        t.all_by_ident[i] += 1;
        if c.parents <= 1 {
            t.non_merge += 1;
            t.nm_by_ident[i] += 1;
        }
        first = first.min(c.time);
        last = last.max(c.time);
    }
    if t.commits > 0 {
        t.first = Some(first);
        t.last = Some(last);
    }
    t
}

/// Fewest items whose counts reach half of the total (0 for an empty total).
/// "Reach" includes equality: four items of 25% give 2.
pub fn half_factor(counts: &[u64]) -> u64 {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return 0;
    }
    let mut sorted: Vec<u64> = counts.iter().copied().filter(|&c| c > 0).collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let mut acc = 0u64;
    for (k, c) in sorted.iter().enumerate() {
        acc += c;
        if acc.saturating_mul(2) >= total {
            return k as u64 + 1;
        }
    }
    sorted.len() as u64
}

/// Figures derived from a tally.
pub(crate) struct Derived {
    pub authors: u64,
    pub caf: u64,
    pub ef: u64,
    pub person_nm: Vec<u64>,
    pub org_nm: Vec<u64>,
    pub org_authors: Vec<u64>,
    pub unaffiliated: Unaffiliated,
}

pub(crate) fn derive(t: &Tally, people: &People) -> Derived {
    let mut person_all = vec![0u64; people.persons];
    let mut person_nm = vec![0u64; people.persons];
    let mut org_nm = vec![0u64; people.orgs.len()];
    let mut pairs: Vec<(u32, u32)> = Vec::new(); // (org + 1 or 0, person)
    let mut unaffiliated = Unaffiliated::default();
    for (i, (&all, &nm)) in t.all_by_ident.iter().zip(&t.nm_by_ident).enumerate() {
        let p = people.person_of[i];
        person_all[p as usize] += all;
        person_nm[p as usize] += nm;
        if nm == 0 {
            continue;
        }
        match people.org_of[i] {
            Some(o) => {
                org_nm[o as usize] += nm;
                pairs.push((o + 1, p));
            }
            None => {
                unaffiliated.commits += nm;
                pairs.push((0, p));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let mut org_authors = vec![0u64; people.orgs.len()];
    for (o, _) in pairs {
        match o.checked_sub(1) {
            Some(o) => org_authors[o as usize] += 1,
            None => unaffiliated.authors += 1,
        }
    }
    Derived {
        authors: person_all.iter().filter(|&&c| c > 0).count() as u64,
        caf: half_factor(&person_nm),
        ef: half_factor(&org_nm),
        person_nm,
        org_nm,
        org_authors,
        unaffiliated,
    }
}

pub(crate) fn organizations(d: &Derived, people: &People) -> Vec<Organization> {
    let mut out: Vec<Organization> = people
        .orgs
        .iter()
        .enumerate()
        .filter(|(i, _)| d.org_nm[*i] > 0)
        .map(|(i, (name, kind, domains))| Organization {
            name: name.clone(),
            kind: kind.clone(),
            commits: d.org_nm[i],
            authors: d.org_authors[i],
            domains: domains.iter().cloned().collect(),
        })
        .collect();
    out.sort_by(|a, b| b.commits.cmp(&a.commits).then_with(|| a.name.cmp(&b.name)));
    out
}

pub(crate) fn kinds(orgs: &[Organization]) -> (Vec<KindShare>, u64, f64) {
    let mut shares: Vec<KindShare> = Vec::new();
    let mut seen: Vec<&ActorKind> = orgs.iter().map(|o| &o.kind).collect();
    seen.sort_unstable();
    seen.dedup();
    for kind in seen {
        let of_kind: Vec<&Organization> = orgs.iter().filter(|o| &o.kind == kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        shares.push(KindShare {
            kind: kind.clone(),
            organizations: of_kind.len() as u64,
            authors: of_kind.iter().map(|o| o.authors).sum(),
            commits: of_kind.iter().map(|o| o.commits).sum(),
        });
    }
    shares.sort_by(|a, b| b.commits.cmp(&a.commits).then_with(|| a.kind.cmp(&b.kind)));
    let distinct = shares.iter().filter(|s| !s.kind.is_unknown()).count() as u64;
    let total: u64 = shares.iter().map(|s| s.commits).sum();
    let diversity = if total == 0 {
        0.0
    } else {
        let sum_sq: f64 = shares
            .iter()
            .map(|s| {
                let p = s.commits as f64 / total as f64;
                p * p
            })
            .sum();
        ((1.0 - sum_sq) * 1000.0).round() / 1000.0
    };
    (shares, distinct, diversity)
}

pub(crate) fn top_authors(d: &Derived, t: &Tally, people: &People, max: usize) -> Vec<AuthorShare> {
    // The name each person uses most.
    let mut best: Vec<(u64, Option<&str>)> = vec![(0, None); people.persons];
    for (i, &all) in t.all_by_ident.iter().enumerate() {
        let p = people.person_of[i] as usize;
        let name = people.name_of[i].as_str();
        let (count, current) = best[p];
        let better = match current {
            None => true,
            Some(cur) => all > count || (all == count && name < cur),
        };
        if better {
            best[p] = (all, Some(name));
        }
    }
    let mut ranked: Vec<(u64, &str)> = d
        .person_nm
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .map(|(p, &c)| (c, best[p].1.unwrap_or("")))
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    ranked
        .into_iter()
        .take(max)
        .map(|(commits, name)| AuthorShare {
            name: name.to_string(),
            commits,
        })
        .collect()
}

pub(crate) fn window(
    commits: &[CommitRec],
    people: &People,
    days: u32,
    now: DateTime<Utc>,
    since: Option<i64>,
) -> Window {
    let mut start = now.timestamp() - i64::from(days) * 86_400;
    if let Some(s) = since {
        start = start.max(s);
    }
    let t = tally(commits, people.name_of.len(), Some(start));
    let d = derive(&t, people);
    Window {
        days,
        start: to_date(start).unwrap_or(now),
        commits: t.commits,
        non_merge_commits: t.non_merge,
        authors: d.authors,
        contributor_absence_factor: d.caf,
        elephant_factor: d.ef,
        organizations: d.org_nm.iter().filter(|&&c| c > 0).count() as u64,
    }
}

pub(crate) fn to_date(seconds: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0)
}

#[cfg(test)]
mod tests {
    use super::half_factor;

    #[test]
    fn chaoss_examples() {
        // The CHAOSS example: 50% of 2,475 is 1,237.5; 1,000 + 433 reach it.
        assert_eq!(half_factor(&[1000, 202, 90, 33, 332, 343, 42, 433]), 2);
        // Eight organisations of 12.5% each: four.
        assert_eq!(half_factor(&[1; 8]), 4);
        assert_eq!(half_factor(&[]), 0);
        assert_eq!(half_factor(&[0, 0]), 0);
        assert_eq!(half_factor(&[5]), 1);
        assert_eq!(half_factor(&[3, 3, 3]), 2);
    }
}

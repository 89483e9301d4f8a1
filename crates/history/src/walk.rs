//! The commit walk: the hot loop. Decodes only the commit headers it needs
//! (parents and author), interns author identities, allocates nothing per
//! commit once warmed up.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use gix::bstr::ByteSlice;
use gix::objs::Find;
use gix::ObjectId;

/// One commit, as the statistics need it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CommitRec {
    /// Author time, seconds since the epoch (0 when unreadable).
    pub time: i64,
    /// Index into [`Walked::idents`].
    pub ident: u32,
    /// Number of parents.
    pub parents: u32,
}

/// What the walk found.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    /// Raw author identities, `Name <email>` as written in the commits.
    pub idents: Vec<Box<[u8]>>,
    /// Every commit reached.
    pub commits: Vec<CommitRec>,
    /// Commits named as parents but absent from the object database.
    pub missing: u64,
    /// One of them, for the note.
    pub first_missing: Option<ObjectId>,
    /// Objects that are not commits or whose header could not be read.
    pub malformed: u64,
    /// Errors of the object database (corrupt packs…), counted and skipped.
    pub read_errors: u64,
    /// The first such error.
    pub first_error: Option<String>,
    /// Shallow boundary commits met (their parents are not in the repository).
    pub shallow_boundary: u64,
    /// Commits taken from the bulk pack scan rather than decoded one by one.
    pub from_scan: u64,
}

/// A small, fast, non-cryptographic hasher (the Fx hash) for interning
/// author identities.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;

/// Interns raw author identities (`Name <email>` bytes) as small integers.
#[derive(Default)]
pub(crate) struct Interner {
    map: HashMap<Box<[u8]>, u32, FxBuild>,
    keys: Vec<Box<[u8]>>,
}

impl Interner {
    #[inline]
    pub fn intern(&mut self, key: &[u8]) -> u32 {
        match self.map.get(key) {
            Some(i) => *i,
            None => {
                let i = self.keys.len() as u32;
                self.keys.push(key.into());
                self.map.insert(key.into(), i);
                i
            }
        }
    }

    pub fn keys(&self) -> &[Box<[u8]>] {
        &self.keys
    }

    pub fn into_keys(self) -> Vec<Box<[u8]>> {
        self.keys
    }
}

/// The parts of a commit header the figures need.
pub(crate) struct Parsed<'a> {
    /// `Name <email>`, empty when there is no author line.
    pub author: &'a [u8],
    /// Author time, 0 when unreadable.
    pub time: i64,
    /// Something could not be parsed (no author, bad parent id).
    pub malformed: bool,
    /// The author line ended with a newline: it is whole even if `bytes`
    /// was only the start of the object.
    pub terminated: bool,
}

/// Parses the header of a commit object: appends its parents to `parents`
/// and returns its author; stops at the author line.
pub(crate) fn parse_commit<'a>(bytes: &'a [u8], parents: &mut Vec<ObjectId>) -> Parsed<'a> {
    let mut pos = 0usize;
    let mut malformed = false;
    while pos < bytes.len() {
        let rest = &bytes[pos..];
        let end = rest.find_byte(b'\n').unwrap_or(rest.len());
        let line = &rest[..end];
        pos += end + 1;
        if line.is_empty() {
            break; // end of the headers
        }
        if let Some(hex) = line.strip_prefix(b"parent ") {
            match ObjectId::from_hex(hex) {
                Ok(pid) => parents.push(pid),
                Err(_) => malformed = true,
            }
        } else if let Some(a) = line.strip_prefix(b"author ") {
            let (author, time) = split_signature(a);
            return Parsed {
                author,
                time,
                malformed,
                terminated: end < rest.len(),
            };
        }
    }
    Parsed {
        author: b"",
        time: 0,
        malformed: true,
        terminated: false,
    }
}

/// The bulk scan waits until the commits decoded one by one reach this
/// fraction of the packed objects.
const OBJECTS_PER_COMMIT_WORTH_A_SCAN: u64 = 100;

/// The next commit to visit: by id, or by its index in the scan's table.
enum Next {
    Id(ObjectId),
    Scanned(u32),
}

fn is_boundary(shallow: &Option<gix::shallow::Commits>, id: &ObjectId) -> bool {
    match shallow {
        Some(s) => s.binary_search(id).is_ok(),
        None => false,
    }
}

/// Walks every commit reachable from `tips`, never failing: missing or
/// unreadable objects are counted in the result. After `scan_after` commits
/// decoded one by one, if the walk is not over, the packs are decoded in bulk
/// ([`crate::scan`]) and the walk goes on over that table.
pub(crate) fn walk(repo: &gix::Repository, tips: &[ObjectId], scan_after: u64) -> Walked {
    let mut out = Walked::default();
    let shallow = repo.shallow_commits().ok().flatten();
    let odb = &repo.objects;

    let mut interner = Interner::default();
    // Commits decoded one by one are tracked by id; those of the scan by
    // their index in the scan's table (cheaper than hashing ids again).
    let mut seen: gix::hashtable::HashSet<ObjectId> = gix::hashtable::HashSet::default();
    let mut stack: Vec<Next> = Vec::with_capacity(64);
    for tip in tips {
        if seen.insert(*tip) {
            stack.push(Next::Id(*tip));
        }
    }
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut parents: Vec<ObjectId> = Vec::with_capacity(4);
    let mut scanned: Option<crate::scan::Scanned> = None;
    let mut visited: Vec<bool> = Vec::new();
    let mut remap: Vec<u32> = Vec::new();
    let mut decoded_alone = 0u64;
    let mut packed_objects: Option<u64> = None;

    while let Some(next) = stack.pop() {
        let id = match next {
            Next::Id(id) => id,
            Next::Scanned(at) => match &scanned {
                Some(scan) => {
                    let rec = scan.recs[at as usize];
                    let boundary = is_boundary(&shallow, &scan.ids[at as usize]);
                    if boundary {
                        out.shallow_boundary += 1;
                    } else {
                        let start = rec.parents_start as usize;
                        for pid in &scan.parents[start..start + rec.parents_len as usize] {
                            match scan.map.get(pid) {
                                Some(&p) => {
                                    if !visited[p as usize] {
                                        visited[p as usize] = true;
                                        stack.push(Next::Scanned(p));
                                    }
                                }
                                None => {
                                    if seen.insert(*pid) {
                                        stack.push(Next::Id(*pid));
                                    }
                                }
                            }
                        }
                    }
                    if rec.malformed {
                        out.malformed += 1;
                    }
                    let local = &mut remap[rec.ident as usize];
                    if *local == u32::MAX {
                        *local = interner.intern(&scan.idents.keys()[rec.ident as usize]);
                    }
                    out.commits.push(CommitRec {
                        time: rec.time,
                        ident: *local,
                        parents: rec.parents_len,
                    });
                    out.from_scan += 1;
                    continue;
                }
                None => continue,
            },
        };
        let boundary = is_boundary(&shallow, &id);
        if boundary {
            out.shallow_boundary += 1;
        }

        let data = match odb.try_find(&id, &mut buf) {
            Ok(Some(data)) => data,
            Ok(None) => {
                out.missing += 1;
                out.first_missing.get_or_insert(id);
                continue;
            }
            Err(e) => {
                out.read_errors += 1;
                out.first_error.get_or_insert_with(|| format!("{id}: {e}"));
                continue;
            }
        };
        if data.kind != gix::object::Kind::Commit {
            out.malformed += 1;
            continue;
        }
        parents.clear();
        let parsed = parse_commit(data.data, &mut parents);
        if !boundary {
            for pid in &parents {
                match scanned.as_ref().and_then(|s| s.map.get(pid)) {
                    Some(&p) => {
                        if !visited[p as usize] {
                            visited[p as usize] = true;
                            stack.push(Next::Scanned(p));
                        }
                    }
                    None => {
                        if seen.insert(*pid) {
                            stack.push(Next::Id(*pid));
                        }
                    }
                }
            }
        }
        if parsed.malformed {
            out.malformed += 1;
        }
        out.commits.push(CommitRec {
            time: parsed.time,
            ident: interner.intern(parsed.author),
            parents: parents.len() as u32,
        });
        decoded_alone += 1;
        if scanned.is_none() && decoded_alone >= scan_after && !stack.is_empty() {
            // Scanning costs about one header read per packed object: wait
            // until the history has shown it is long enough to be worth it
            // (a short history in a huge pack is cheaper to walk).
            let objects = *packed_objects
                .get_or_insert_with(|| odb.packed_object_count().unwrap_or(u64::MAX));
            if decoded_alone < objects / OBJECTS_PER_COMMIT_WORTH_A_SCAN {
                continue;
            }
            let scan = crate::scan::scan(repo, &seen);
            remap = vec![u32::MAX; scan.idents.keys().len()];
            visited = vec![false; scan.recs.len()];
            scanned = Some(scan);
        }
    }
    out.idents = interner.into_keys();
    out
}

/// Splits `Name <email> 1700000000 +0100` into `Name <email>` and the time.
/// A signature without `>` is taken whole, with time 0.
pub(crate) fn split_signature(sig: &[u8]) -> (&[u8], i64) {
    match sig.rfind_byte(b'>') {
        Some(gt) => (&sig[..=gt], parse_time(&sig[gt + 1..])),
        None => (sig, 0),
    }
}

fn parse_time(s: &[u8]) -> i64 {
    let s = s.trim_start();
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            break;
        }
        v = match v
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
        {
            Some(v) => v,
            None => return 0,
        };
    }
    if neg {
        -v
    } else {
        v
    }
}

/// Splits the interned `Name <email>` into trimmed name and email.
pub(crate) fn name_and_email(key: &[u8]) -> (&[u8], &[u8]) {
    match key.find_byte(b'<') {
        Some(lt) => {
            let name = key[..lt].trim();
            let rest = &key[lt + 1..];
            let email = match rest.rfind_byte(b'>') {
                Some(gt) => &rest[..gt],
                None => rest,
            };
            (name, email.trim())
        }
        None => (key.trim(), &b""[..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &std::path::Path, args: &[&str], msg_env: Option<(&str, &str)>) {
        let mut cmd = std::process::Command::new("git");
        cmd.current_dir(dir)
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_COMMITTER_NAME", "C")
            .env("GIT_COMMITTER_EMAIL", "c@example.org")
            .env("GIT_COMMITTER_DATE", "1700000000 +0000")
            .env("GIT_AUTHOR_DATE", "1700000000 +0000");
        if let Some((name, email)) = msg_env {
            cmd.env("GIT_AUTHOR_NAME", name)
                .env("GIT_AUTHOR_EMAIL", email);
        }
        let st = cmd.output().expect("git");
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
    }

    /// 30 commits with long messages, one with an author line longer than the
    /// inflated prefix, packed with `repack_args`, plus a loose tip.
    fn packed_repo(repack_args: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        git(d, &["init", "-q", "-b", "main"], None);
        let long = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(40);
        let long_name = format!("Ann {}", "Marie ".repeat(100));
        for i in 0..30 {
            std::fs::write(d.join("n.txt"), format!("{i}")).expect("write");
            git(d, &["add", "n.txt"], None);
            let who = match i {
                7 => (long_name.as_str(), "ann@x.org"),
                i if i % 2 == 0 => ("Ann", "ann@x.org"),
                _ => ("Ben", "ben@y.org"),
            };
            git(
                d,
                &["commit", "-q", "-m", &format!("{long}\n\n{i}")],
                Some(who),
            );
        }
        git(d, repack_args, None);
        // One more, loose, on top.
        git(
            d,
            &["commit", "-q", "--allow-empty", "-m", "loose"],
            Some(("Ann", "ann@x.org")),
        );
        dir
    }

    #[test]
    fn bulk_scan_covers_packed_and_deltified_commits() {
        for repack in [
            &[
                "repack",
                "-q",
                "-a",
                "-d",
                "-f",
                "--depth=50",
                "--window=50",
            ][..],
            &["repack", "-q", "-a", "-d", "-f", "--window=0"][..],
            // Without `-d`: then a second full pack, so that every commit is
            // stored in two packs.
            &["repack", "-q", "-a", "-f", "--window=0"][..],
        ] {
            let dir = packed_repo(repack);
            if !repack.contains(&"-d") {
                git(
                    dir.path(),
                    &["repack", "-q", "-a", "-f", "--window=10"],
                    None,
                );
                let packs = std::fs::read_dir(dir.path().join(".git/objects/pack"))
                    .expect("pack dir")
                    .flatten()
                    .filter(|e| e.path().extension().is_some_and(|x| x == "idx"))
                    .count();
                assert!(packs >= 2, "{packs} packs");
            }
            let repo = gix::open(dir.path()).expect("open");
            let head = repo.head_id().expect("head").detach();

            let alone = walk(&repo, &[head], u64::MAX);
            assert_eq!((alone.commits.len(), alone.from_scan), (31, 0));
            let bulk = walk(&repo, &[head], 0);
            // The loose tip is decoded alone, and so is its parent, already
            // queued when the scan starts (the scan skips what the walk has
            // seen); the other 29 come from the scan.
            assert_eq!((bulk.commits.len(), bulk.from_scan), (31, 29), "{repack:?}");
            assert_eq!(bulk.idents.len(), 3);
            let key = |w: &Walked| {
                let mut v: Vec<(i64, Vec<u8>, u32)> = w
                    .commits
                    .iter()
                    .map(|c| (c.time, w.idents[c.ident as usize].to_vec(), c.parents))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(key(&alone), key(&bulk));
            assert!(bulk.idents.iter().any(|k| k.len() > 600));
            assert_eq!((bulk.missing, bulk.malformed, bulk.read_errors), (0, 0, 0));
        }
    }

    #[test]
    fn signatures() {
        let (k, t) = split_signature(b"Ana Lopez <ana@x.org> 1700000000 +0100");
        assert_eq!(k, b"Ana Lopez <ana@x.org>");
        assert_eq!(t, 1_700_000_000);
        assert_eq!(name_and_email(k), (&b"Ana Lopez"[..], &b"ana@x.org"[..]));
        assert_eq!(split_signature(b"odd").1, 0);
        assert_eq!(split_signature(b"A <a> -5 +0000").1, -5);
        assert_eq!(split_signature(b"A <a> 99999999999999999999999 +0000").1, 0);
        assert_eq!(name_and_email(b"<a@b>"), (&b""[..], &b"a@b"[..]));
        assert_eq!(name_and_email(b"plain"), (&b"plain"[..], &b""[..]));
    }
}

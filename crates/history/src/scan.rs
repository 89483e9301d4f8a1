//! Bulk decoding of the commits stored in pack files, on several threads.
//!
//! A graph walk must decode a commit before it knows its parents, which makes
//! it sequential and spends much of its time looking ids up in the pack
//! index. For long histories the walk instead asks for this scan: it reads
//! the type of every pack entry (a few header bytes, following delta bases by
//! offset), then decodes every commit entry in pack order on all cores, and
//! hands back a table from commit id to (author, time, parents). The walk
//! then follows that table, falling back to the object database for any
//! commit the scan did not cover (loose objects, alternates, unusual deltas).

use std::path::Path;

use gix::odb::pack;
use gix::ObjectId;

use crate::walk::{parse_commit, Interner};

/// One decoded commit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScanRec {
    pub time: i64,
    /// Index into [`Scanned::idents`].
    pub ident: u32,
    /// Range in [`Scanned::parents`].
    pub parents_start: u32,
    pub parents_len: u32,
    /// The header could not be fully parsed.
    pub malformed: bool,
}

/// The commits of all packs.
#[derive(Default)]
pub(crate) struct Scanned {
    pub map: gix::hashtable::HashMap<ObjectId, u32>,
    /// Id of each record.
    pub ids: Vec<ObjectId>,
    pub recs: Vec<ScanRec>,
    pub parents: Vec<ObjectId>,
    pub idents: Interner,
}

struct ChunkOut {
    ids: Vec<ObjectId>,
    recs: Vec<ScanRec>,
    parents: Vec<ObjectId>,
    idents: Interner,
}

/// Scans every pack of the repository's object database, skipping the
/// commits in `skip` (already walked). Packs that cannot be read are left to
/// the walk's fallback.
pub(crate) fn scan(repo: &gix::Repository, skip: &gix::hashtable::HashSet<ObjectId>) -> Scanned {
    let mut out = Scanned::default();
    let pack_dir = repo.common_dir().join("objects").join("pack");
    let Ok(entries) = std::fs::read_dir(&pack_dir) else {
        return out;
    };
    let mut idx_files: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "idx"))
        .collect();
    idx_files.sort();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    for idx in idx_files {
        scan_pack(&idx, repo.object_hash(), skip, threads, &mut out);
    }
    out
}

fn scan_pack(
    idx: &Path,
    hash: gix::hash::Kind,
    skip: &gix::hashtable::HashSet<ObjectId>,
    threads: usize,
    out: &mut Scanned,
) {
    let Ok(bundle) = pack::Bundle::at(idx, hash) else {
        return;
    };
    let (index, data) = (&bundle.index, &bundle.pack);
    let n = index.num_objects();

    // Entries in pack order, so that delta bases (earlier) are typed first.
    let mut order: Vec<(u64, u32)> = (0..n).map(|i| (index.pack_offset_at_index(i), i)).collect();
    order.sort_unstable_by_key(|e| e.0);

    // Offsets of the commit entries met so far, ascending: a delta's base is
    // a commit when its offset is in there (a small array, unlike `order`).
    let mut commit_offsets: Vec<u64> = Vec::new();
    let mut commits: Vec<(u64, u32)> = Vec::new();
    for &(offset, i) in &order {
        let Ok(entry) = data.entry(offset) else {
            continue;
        };
        use pack::data::entry::Header;
        let is_commit_at = |base: u64| base < offset && commit_offsets.binary_search(&base).is_ok();
        let commit = match entry.header {
            Header::Commit => true,
            Header::Tree | Header::Blob | Header::Tag => false,
            Header::OfsDelta { base_distance } => {
                offset.checked_sub(base_distance).is_some_and(is_commit_at)
            }
            Header::RefDelta { base_id } => index
                .lookup(base_id)
                .map(|b| index.pack_offset_at_index(b))
                .is_some_and(is_commit_at),
        };
        if commit {
            commit_offsets.push(offset);
            if !skip.contains(index.oid_at_index(i)) {
                commits.push((offset, i));
            }
        }
    }
    drop(order);
    drop(commit_offsets);

    let parts = if commits.len() >= 8192 { threads } else { 1 };
    let chunk = commits.len().div_ceil(parts).max(1);
    let results: Vec<ChunkOut> = if parts == 1 {
        vec![decode_chunk(&bundle, &commits)]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = commits
                .chunks(chunk)
                .map(|c| {
                    let bundle = &bundle;
                    s.spawn(move || decode_chunk(bundle, c))
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        })
    };

    let total: usize = results.iter().map(|r| r.ids.len()).sum();
    out.map.reserve(total);
    out.recs.reserve(total);
    out.ids.reserve(total);
    for r in results {
        let remap: Vec<u32> = r
            .idents
            .keys()
            .iter()
            .map(|k| out.idents.intern(k))
            .collect();
        let base = out.parents.len() as u32;
        out.parents.extend_from_slice(&r.parents);
        for (id, mut rec) in r.ids.into_iter().zip(r.recs) {
            rec.ident = remap[rec.ident as usize];
            rec.parents_start += base;
            // A commit stored in several packs is kept once.
            if let gix::hashtable::hash_map::Entry::Vacant(slot) = out.map.entry(id) {
                slot.insert(out.recs.len() as u32);
                out.recs.push(rec);
                out.ids.push(id);
            }
        }
    }
}

/// Bytes inflated from the start of a commit: enough for the tree, two
/// parents and a long author line; longer headers are inflated whole.
const PREFIX: usize = 512;

fn decode_chunk(bundle: &pack::Bundle, commits: &[(u64, u32)]) -> ChunkOut {
    let (index, data) = (&bundle.index, &bundle.pack);
    let mut out = ChunkOut {
        ids: Vec::with_capacity(commits.len()),
        recs: Vec::with_capacity(commits.len()),
        parents: Vec::with_capacity(commits.len() + commits.len() / 8),
        idents: Interner::default(),
    };
    let mut inflate = gix::zlib::Inflate::default();
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut cache = pack::cache::lru::StaticLinkedList::<64>::new(16 * 1024 * 1024);
    let mut parents: Vec<ObjectId> = Vec::with_capacity(4);
    for &(offset, i) in commits {
        let Ok(entry) = data.entry(offset) else {
            continue;
        };
        let ok = if entry.header.is_delta() {
            match data.decode_entry(entry, &mut buf, &mut inflate, &|_, _| Ok(None), &mut cache) {
                Ok(outcome) => outcome.kind == gix::object::Kind::Commit,
                Err(_) => false,
            }
        } else {
            let Ok(size) = usize::try_from(entry.decompressed_size) else {
                continue;
            };
            if size > 64 * 1024 * 1024 {
                continue; // absurd for a commit: leave it to the walk's fallback
            }
            // Inflate only the start of the object: the header up to the
            // author line, not the committer, signature and message.
            let want = size.min(PREFIX);
            buf.resize(want, 0);
            let input = data.entry_slice(entry.data_offset..data.pack_end() as u64);
            inflate.reset();
            match input.map(|input| inflate.prefix(input, &mut buf)) {
                Some(Ok((_, _, written))) if written == want => {
                    parents.clear();
                    let parsed = parse_commit(&buf, &mut parents);
                    if want == size || parsed.terminated {
                        true
                    } else {
                        // The header is longer than the prefix: inflate it all.
                        buf.resize(size, 0);
                        data.decompress_entry(&entry, &mut inflate, &mut buf)
                            .is_ok()
                    }
                }
                _ => false,
            }
        };
        if !ok {
            continue; // the walk's fallback will report it if it matters
        }
        parents.clear();
        let parsed = parse_commit(&buf, &mut parents);
        let start = out.parents.len() as u32;
        out.parents.extend_from_slice(&parents);
        out.ids.push(index.oid_at_index(i).to_owned());
        out.recs.push(ScanRec {
            time: parsed.time,
            ident: out.idents.intern(parsed.author),
            parents_start: start,
            parents_len: parents.len() as u32,
            malformed: parsed.malformed,
        });
    }
    out
}

//! End-to-end tests on repositories generated with the `git` command line.
//! Every date is fixed: nothing depends on the wall clock.

use archipel_testkit::{git, who};
use std::path::{Path, PathBuf};

use archipel_history::{
    ActorKind, Affiliations, AuthorShare, Error, History, HistoryOptions, Repo,
    DEFAULT_MAX_FILE_BYTES,
};
use chrono::{DateTime, TimeZone, Utc};

fn date(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
        .single()
        .expect("valid date")
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0)
        .single()
        .expect("valid date")
}

struct Fixture {
    _dir: tempfile::TempDir,
    work: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let work = dir.path().join("work");
        std::fs::create_dir_all(&work).expect("mkdir");
        git(&work, &["init", "-q", "-b", "main"], &[]);
        Fixture { _dir: dir, work }
    }

    fn commit(&self, name: &str, email: &str, when: DateTime<Utc>, files: &[(&str, &str)]) {
        for (path, content) in files {
            let p = self.work.join(path);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            let mut old = std::fs::read_to_string(&p).unwrap_or_default();
            old.push_str(content);
            std::fs::write(&p, old).expect("write");
            git(&self.work, &["add", path], &[]);
        }
        git(
            &self.work,
            &[
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                &format!("work of {name}"),
            ],
            &who(name, email, when),
        );
    }

    fn merge(&self, branch: &str, name: &str, email: &str, when: DateTime<Utc>) {
        git(
            &self.work,
            &[
                "merge",
                "-q",
                "--no-ff",
                "-m",
                &format!("merge {branch}"),
                branch,
            ],
            &who(name, email, when),
        );
    }

    fn run(&self, args: &[&str]) -> String {
        git(&self.work, args, &[])
    }
}

const ALICE: (&str, &str) = ("Alice Martin", "alice@grenoble.fr");
const BOB: (&str, &str) = ("Bob Durand", "bob@acme-software.com");
const CHLOE: (&str, &str) = ("Chloé Petit", "chloe@framasoft.org");
const DEE: (&str, &str) = ("Dee Dev", "123+dee@users.noreply.github.com");
const EVE: (&str, &str) = ("Eve Roux", "eve@lab.inria.fr");

/// The reference history: 17 commits, 2 merges, 5 people behind 8 raw
/// identities, 4 organisations, 3 tags. See the assertions for the figures.
fn reference() -> Fixture {
    let f = Fixture::new();
    let c = |who: (&str, &str), when, files: &[(&str, &str)]| f.commit(who.0, who.1, when, files);
    c(
        ALICE,
        date(2020, 1, 10),
        &[
            (
                ".mailmap",
                "Alice Martin <alice@grenoble.fr> <amartin@gmail.com>\n",
            ),
            ("README.md", "# Commun\n"),
        ],
    ); // 1
    c(
        BOB,
        date(2020, 2, 10),
        &[("docs/CONTRIBUTING.md", "Contribuer\n")],
    ); // 2
    c(BOB, date(2021, 3, 10), &[("src/lib/a.rs", "fn a() {}\n")]); // 3
    c(
        ("Alice Martin", "ALICE@Grenoble.FR"),
        date(2022, 4, 10),
        &[("log.txt", "4\n")],
    ); // 4
    c(CHLOE, date(2023, 1, 5), &[("log.txt", "5\n")]); // 5
    git(
        &f.work,
        &["tag", "-a", "v1.0", "-m", "v1.0"],
        &who("Release", "release@framasoft.org", date(2023, 1, 10)),
    );
    c(
        ("A. Martin", "amartin@gmail.com"),
        date(2023, 7, 1),
        &[("log.txt", "6\n")],
    ); // 6
    c(
        ("Bob Durand", "bob.durand@gmail.com"),
        date(2023, 9, 1),
        &[("log.txt", "7\n")],
    ); // 7
    f.run(&["checkout", "-q", "-b", "feature"]);
    c(DEE, date(2023, 10, 1), &[("feature.txt", "8\n")]); // 8
    c(EVE, date(2023, 11, 1), &[("feature.txt", "9\n")]); // 9
    f.run(&["checkout", "-q", "main"]);
    c(ALICE, date(2023, 10, 15), &[("log.txt", "10\n")]); // 10
    f.merge("feature", ALICE.0, ALICE.1, date(2023, 12, 1)); // 11 (merge)
    c(CHLOE, date(2024, 3, 1), &[("log.txt", "12\n")]); // 12
    git(
        &f.work,
        &["tag", "-a", "v2.0", "-m", "v2.0"],
        &who("Release", "release@framasoft.org", date(2024, 3, 2)),
    );
    c(DEE, date(2024, 4, 1), &[("log.txt", "13\n")]); // 13
    f.run(&["checkout", "-q", "-b", "fix"]);
    c(BOB, date(2024, 4, 15), &[("fix.txt", "14\n")]); // 14
    f.run(&["checkout", "-q", "main"]);
    c(ALICE, date(2024, 5, 1), &[("log.txt", "15\n")]); // 15
    f.run(&["tag", "v2.1"]); // lightweight: the commit's date
    f.merge("fix", ALICE.0, ALICE.1, date(2024, 5, 10)); // 16 (merge)
    c(ALICE, date(2024, 5, 20), &[("log.txt", "17\n")]); // 17
    f
}

fn analyse(path: &Path, options: &HistoryOptions) -> History {
    let repo = Repo::open(path).expect("opens");
    let table = Affiliations::builtin().expect("table");
    repo.history(options, &table)
}

fn org<'a>(h: &'a History, name: &str) -> &'a archipel_history::Organization {
    h.organizations
        .iter()
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("no organisation {name} in {:?}", h.organizations))
}

/// The figures of [`reference`], whatever the storage (loose, packed, bare).
fn assert_reference_figures(h: &History) {
    assert_eq!(h.notes, vec![], "no caveat expected");
    assert_eq!(h.commits, 17);
    assert_eq!(h.merge_commits, 2);
    assert_eq!(h.non_merge_commits, 15);
    assert_eq!(h.first_commit, Some(date(2020, 1, 10)));
    assert_eq!(h.last_commit, Some(date(2024, 5, 20)));
    // Alice (3 addresses, one through .mailmap), Bob (same name, two
    // addresses), Chloé, Dee, Eve.
    assert_eq!(h.authors, 5);
    // Non-merge commits 6, 4, 2, 2, 1: 6 + 4 reach half of 15.
    assert_eq!(h.contributor_absence_factor, 2);
    assert_eq!(
        h.top_authors,
        vec![
            AuthorShare {
                name: "Alice Martin".into(),
                commits: 6
            },
            AuthorShare {
                name: "Bob Durand".into(),
                commits: 4
            },
            AuthorShare {
                name: "Chloé Petit".into(),
                commits: 2
            },
            AuthorShare {
                name: "Dee Dev".into(),
                commits: 2
            },
            AuthorShare {
                name: "Eve Roux".into(),
                commits: 1
            },
        ]
    );

    // Organisations: Grenoble 6, acme 3, Framasoft 2, Inria 1 (12 affiliated
    // commits); gmail and noreply (3 commits, 2 people) are unaffiliated.
    let names: Vec<(&str, ActorKind, u64, u64)> = h
        .organizations
        .iter()
        .map(|o| (o.name.as_str(), o.kind.clone(), o.commits, o.authors))
        .collect();
    assert_eq!(
        names,
        vec![
            (
                "Ville de Grenoble",
                ActorKind::new("local_government"),
                6,
                1
            ),
            ("acme-software.com", ActorKind::unknown(), 3, 1),
            ("Framasoft", ActorKind::new("association"), 2, 1),
            ("Inria", ActorKind::new("research_lab"), 1, 1),
        ]
    );
    assert_eq!(org(h, "Ville de Grenoble").domains, vec!["grenoble.fr"]);
    assert_eq!(org(h, "Inria").domains, vec!["lab.inria.fr"]);
    assert_eq!(h.unaffiliated.commits, 3);
    assert_eq!(h.unaffiliated.authors, 2);
    // Grenoble alone makes 6 of the 12 affiliated commits: half reached.
    assert_eq!(h.elephant_factor, 1);

    let kinds: Vec<(ActorKind, u64, u64)> = h
        .actor_kinds
        .iter()
        .map(|k| (k.kind.clone(), k.organizations, k.commits))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (ActorKind::new("local_government"), 1, 6),
            (ActorKind::unknown(), 1, 3),
            (ActorKind::new("association"), 1, 2),
            (ActorKind::new("research_lab"), 1, 1),
        ]
    );
    assert_eq!(h.distinct_actor_kinds, 3);
    // 1 - (1/2² + 1/4² + 1/6² + 1/12²) = 0.6527…
    assert_eq!(h.actor_kind_diversity, 0.653);

    // Windows before 2024-06-01.
    assert_eq!(h.windows.len(), 2);
    let w90 = &h.windows[0];
    assert_eq!(w90.days, 90);
    assert_eq!(
        w90.start,
        Utc.with_ymd_and_hms(2024, 3, 3, 0, 0, 0)
            .single()
            .expect("date")
    );
    assert_eq!(
        (w90.commits, w90.non_merge_commits, w90.authors),
        (5, 4, 3),
        "commits 13 to 17"
    );
    assert_eq!(
        (
            w90.contributor_absence_factor,
            w90.elephant_factor,
            w90.organizations
        ),
        (1, 1, 2)
    );
    let w365 = &h.windows[1];
    assert_eq!(w365.days, 365);
    assert_eq!(
        (w365.commits, w365.non_merge_commits, w365.authors),
        (12, 10, 5),
        "commits 6 to 17"
    );
    assert_eq!(
        (
            w365.contributor_absence_factor,
            w365.elephant_factor,
            w365.organizations
        ),
        (2, 1, 4)
    );

    // Tags: two annotated (tagger dates), one lightweight (commit date).
    assert_eq!(h.tags.total, 3);
    assert_eq!(h.tags.last_365_days, 2);
    let recent: Vec<(&str, Option<DateTime<Utc>>)> = h
        .tags
        .recent
        .iter()
        .map(|t| (t.name.as_str(), t.date))
        .collect();
    assert_eq!(
        recent,
        vec![
            ("v2.1", Some(date(2024, 5, 1))),
            ("v2.0", Some(date(2024, 3, 2)))
        ]
    );
    assert_eq!(
        h.tags.latest.as_ref().map(|t| t.name.as_str()),
        Some("v2.1")
    );
}

#[test]
fn work_tree_figures() {
    let f = reference();
    let h = analyse(&f.work, &HistoryOptions::at(now()));
    assert_reference_figures(&h);
    assert_eq!(
        h.head.as_deref(),
        Some(f.run(&["rev-parse", "HEAD"]).as_str())
    );
    // Opening from a folder inside the work tree finds the repository.
    let h2 = analyse(&f.work.join("docs"), &HistoryOptions::at(now()));
    assert_eq!(h2, h);
}

#[test]
fn packed_repository_gives_the_same_figures() {
    let f = reference();
    f.run(&["gc", "-q", "--aggressive"]);
    let h = analyse(&f.work, &HistoryOptions::at(now()));
    assert_reference_figures(&h);
    // The bulk pack scan, used for long histories, gives the same figures.
    let h2 = analyse(&f.work, &bulk());
    assert_eq!(h2, h);
}

/// Options that switch to the bulk pack scan after the first commit.
fn bulk() -> HistoryOptions {
    let mut o = HistoryOptions::at(now());
    o.pack_scan_after = 0;
    o
}

#[test]
fn bulk_scan_with_deltified_commits() {
    // Commits with long, similar messages, repacked with deltas allowed
    // between them: the scan must resolve delta chains of commits.
    let f = Fixture::new();
    let long = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(40);
    for i in 0..30u32 {
        let author = if i % 3 == 0 { ALICE } else { BOB };
        std::fs::write(f.work.join("n.txt"), format!("{i}\n")).expect("write");
        f.run(&["add", "n.txt"]);
        git(
            &f.work,
            &["commit", "-q", "-m", &format!("{long}\n\nstep {i}")],
            &who(author.0, author.1, date(2024, 1, 1 + i % 28)),
        );
    }
    f.run(&[
        "repack",
        "-q",
        "-a",
        "-d",
        "-f",
        "--depth=50",
        "--window=50",
    ]);
    let one_by_one = analyse(&f.work, &HistoryOptions::at(now()));
    let h = analyse(&f.work, &bulk());
    assert_eq!(h, one_by_one);
    assert_eq!(
        (h.commits, h.authors, h.contributor_absence_factor),
        (30, 2, 1)
    );
    assert_eq!(h.top_authors[0].commits, 20);
    assert!(h.notes.is_empty(), "{:?}", h.notes);
}

#[test]
fn bare_clone_figures_and_files() {
    let f = reference();
    let bare = f._dir.path().join("bare.git");
    git(
        f._dir.path(),
        &[
            "clone",
            "-q",
            "--bare",
            "work",
            bare.to_str().expect("utf-8 path"),
        ],
        &[],
    );
    let repo = Repo::open(&bare).expect("opens bare");
    assert!(repo.is_bare());
    let table = Affiliations::builtin().expect("table");
    let h = repo.history(&HistoryOptions::at(now()), &table);
    // The .mailmap is read from HEAD's tree.
    assert_reference_figures(&h);
    assert_eq!(repo.history(&bulk(), &table), h);

    let paths = repo.head_paths(None).expect("paths");
    assert_eq!(
        paths,
        vec![
            ".mailmap",
            "README.md",
            "docs/CONTRIBUTING.md",
            "feature.txt",
            "fix.txt",
            "log.txt",
            "src/lib/a.rs"
        ]
    );
    assert_eq!(
        repo.head_paths(Some(0)).expect("root"),
        vec![".mailmap", "README.md", "feature.txt", "fix.txt", "log.txt"]
    );
    assert_eq!(
        repo.head_paths(Some(1)).expect("one level").len(),
        6,
        "src/lib/a.rs is two levels down"
    );
    let readme = repo
        .read_head_file("README.md", DEFAULT_MAX_FILE_BYTES)
        .expect("read");
    assert_eq!(readme.as_deref(), Some(&b"# Commun\n"[..]));
    let nested = repo
        .read_head_file("docs/CONTRIBUTING.md", DEFAULT_MAX_FILE_BYTES)
        .expect("read");
    assert_eq!(nested.as_deref(), Some(&b"Contribuer\n"[..]));
    assert_eq!(
        repo.read_head_file("docs", DEFAULT_MAX_FILE_BYTES)
            .expect("dir"),
        None
    );
    assert_eq!(
        repo.read_head_file("nope.md", DEFAULT_MAX_FILE_BYTES)
            .expect("absent"),
        None
    );
    assert_eq!(
        repo.read_head_file("docs/../README.md", DEFAULT_MAX_FILE_BYTES)
            .expect("dots"),
        None
    );
    assert_eq!(
        repo.read_head_file("README.md/x", DEFAULT_MAX_FILE_BYTES)
            .expect("under a file"),
        None
    );
    assert!(matches!(
        repo.read_head_file("README.md", 3),
        Err(Error::TooLarge { size: 9, .. })
    ));
}

#[test]
fn since_restricts_every_figure() {
    let f = reference();
    let mut options = HistoryOptions::at(now());
    options.since = Some(
        Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
            .single()
            .expect("date"),
    );
    let h = analyse(&f.work, &options);
    // Commits 12 to 17.
    assert_eq!((h.commits, h.merge_commits, h.non_merge_commits), (6, 1, 5));
    assert_eq!(h.authors, 4);
    assert_eq!(h.first_commit, Some(date(2024, 3, 1)));
    // Alice 2 (15, 17), Chloé 1, Dee 1, Bob 1: 2 + 1 reach half of 5.
    assert_eq!(h.contributor_absence_factor, 2);
    // Grenoble 2, Framasoft 1, acme 1 (Dee is unaffiliated): 2 of 4.
    assert_eq!(h.elephant_factor, 1);
    assert_eq!(h.organizations.len(), 3);
    // The 365-day window starts at `since` when it is later.
    assert_eq!(h.windows[1].start, options.since.expect("set"));
    assert_eq!(h.windows[1].commits, 6);
    assert_eq!(h.windows[0].commits, 5);
}

#[test]
fn custom_affiliation_table() {
    let f = reference();
    let table = Affiliations::from_toml_str(
        r#"
        [unaffiliated]
        domains = ["gmail.com", "users.noreply.github.com"]
        [[organization]]
        name = "Acme"
        kind = "company"
        domains = ["acme-software.com", "framasoft.org"]
        "#,
    )
    .expect("table");
    let repo = Repo::open(&f.work).expect("opens");
    let h = repo.history(&HistoryOptions::at(now()), &table);
    let names: Vec<(&str, ActorKind, u64, u64)> = h
        .organizations
        .iter()
        .map(|o| (o.name.as_str(), o.kind.clone(), o.commits, o.authors))
        .collect();
    // Without an entry, grenoble.fr and lab.inria.fr become organisations of
    // unknown kind named after their registrable domain.
    assert_eq!(
        names,
        vec![
            ("grenoble.fr", ActorKind::unknown(), 6, 1),
            ("Acme", ActorKind::new("company"), 5, 2),
            ("inria.fr", ActorKind::unknown(), 1, 1),
        ]
    );
    assert_eq!(
        org(&h, "Acme").domains,
        vec!["acme-software.com", "framasoft.org"]
    );
    // grenoble.fr alone makes 6 of the 12 affiliated commits.
    assert_eq!(h.elephant_factor, 1);
    assert_eq!(h.distinct_actor_kinds, 1);
}

#[test]
fn json_shape() {
    let f = reference();
    let h = analyse(&f.work, &HistoryOptions::at(now()));
    let v = serde_json::to_value(&h).expect("serialises");
    for key in [
        "commits",
        "non_merge_commits",
        "authors",
        "contributor_absence_factor",
        "elephant_factor",
        "organizations",
        "first_commit",
        "last_commit",
        "windows",
        "tags",
        "actor_kinds",
        "distinct_actor_kinds",
        "notes",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["organizations"][0]["kind"], "local_government");
    assert_eq!(v["organizations"][0]["name"], "Ville de Grenoble");
    assert_eq!(v["organizations"][0]["commits"], 6);
    assert_eq!(v["first_commit"], "2020-01-10T12:00:00Z");
    let back: History = serde_json::from_value(v).expect("deserialises");
    assert_eq!(back, h);
}

#[test]
fn empty_repository() {
    let f = Fixture::new();
    let h = analyse(&f.work, &HistoryOptions::at(now()));
    assert_eq!(
        (
            h.commits,
            h.authors,
            h.contributor_absence_factor,
            h.elephant_factor
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(h.head, None);
    assert_eq!(h.first_commit, None);
    assert_eq!(
        h.notes.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        vec!["empty_repository"]
    );
    let repo = Repo::open(&f.work).expect("opens");
    assert_eq!(
        repo.head_paths(None).expect("no files"),
        Vec::<String>::new()
    );
    assert_eq!(repo.read_head_file("README.md", 100).expect("none"), None);
}

#[test]
fn not_a_repository() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(matches!(Repo::open(dir.path()), Err(Error::Open { .. })));
}

fn object_path(git_dir: &Path, id: &str) -> PathBuf {
    git_dir.join("objects").join(&id[..2]).join(&id[2..])
}

#[test]
fn missing_commit_is_a_note() {
    let f = reference();
    // Commits are loose: remove commit 3 (Bob, 2021).
    let id = f
        .run(&["rev-list", "--reverse", "HEAD"])
        .lines()
        .nth(2)
        .expect("third commit")
        .to_string();
    std::fs::remove_file(object_path(&f.work.join(".git"), &id)).expect("remove");
    let h = analyse(&f.work, &HistoryOptions::at(now()));
    // Commits 1 and 2 are behind the missing one.
    assert_eq!(h.commits, 14);
    let ids: Vec<&str> = h.notes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, vec!["missing_commits"]);
    assert!(h.notes[0].message.contains(&id));
    assert_eq!(h.first_commit, Some(date(2022, 4, 10)));
}

#[test]
fn missing_blob_is_reported_not_fatal() {
    let f = reference();
    let blob = f.run(&["rev-parse", "HEAD:README.md"]);
    std::fs::remove_file(object_path(&f.work.join(".git"), &blob)).expect("remove");
    let repo = Repo::open(&f.work).expect("opens");
    assert!(repo
        .head_paths(None)
        .expect("paths")
        .contains(&"README.md".to_string()));
    assert!(matches!(
        repo.read_head_file("README.md", DEFAULT_MAX_FILE_BYTES),
        Err(Error::MissingObject(_))
    ));
    // The history does not need blobs.
    let h = analyse(&f.work, &HistoryOptions::at(now()));
    assert_eq!(h.commits, 17);
    assert!(h.notes.is_empty());
}

#[test]
fn shallow_clone_is_a_note() {
    let f = reference();
    let shallow = f._dir.path().join("shallow");
    let url = format!("file://{}", f.work.display());
    git(
        f._dir.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "2",
            &url,
            shallow.to_str().expect("utf-8 path"),
        ],
        &[],
    );
    let h = analyse(&shallow, &HistoryOptions::at(now()));
    assert_eq!(analyse(&shallow, &bulk()), h);
    assert!(h.commits < 17, "{} commits", h.commits);
    assert!(h.commits >= 2);
    assert_eq!(
        h.notes.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        vec!["shallow"]
    );
}

#[test]
fn loose_commits_on_top_of_a_pack() {
    let f = reference();
    f.run(&["repack", "-q", "-a", "-d"]);
    f.commit(ALICE.0, ALICE.1, date(2024, 5, 25), &[("log.txt", "18\n")]);
    let h = analyse(&f.work, &HistoryOptions::at(now()));
    assert_eq!(h.commits, 18);
    assert_eq!(org(&h, "Ville de Grenoble").commits, 7);
    assert!(h.notes.is_empty());
    // The scan covers the pack; the loose commit comes from the fallback.
    assert_eq!(analyse(&f.work, &bulk()), h);
}

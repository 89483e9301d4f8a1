//! The serialisable figures of a history analysis.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ActorKind;

/// Figures about a repository's history, as embedded under `history` in the
/// assessment's JSON.
///
/// Conventions:
/// - the walk starts at `HEAD` (as `git log` does) and follows every parent;
/// - dates are author dates, in UTC;
/// - people are authors after `.mailmap`, then merged when they share an
///   e-mail address (case-insensitively) or a name (case- and
///   space-insensitively);
/// - `authors` counts the authors of all commits; per-person and
///   per-organisation shares (contributor absence factor, elephant factor,
///   `organizations`, `top_authors`, `actor_kinds`) count **non-merge**
///   commits, as the CHAOSS metrics do;
/// - each commit is attributed to the organisation of its (mailmapped) e-mail
///   domain, so a person who changed employer counts for both;
/// - unaffiliated commits (webmail, noreply) are left out of the organisations
///   and of the elephant factor, whose base is the affiliated non-merge
///   commits (CHAOSS: "companies whose employees perform 50% of commits");
///   they are reported in `unaffiliated`;
/// - when `since` is set, only commits authored at or after it count, for every
///   figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// The commit `HEAD` points to, if any.
    pub head: Option<String>,
    /// The lower bound of the analysed period, when one was given.
    pub since: Option<DateTime<Utc>>,
    /// The reference date of the windows.
    pub now: DateTime<Utc>,
    /// All commits reachable from `HEAD` (in the period).
    pub commits: u64,
    /// Commits with at most one parent.
    pub non_merge_commits: u64,
    /// Commits with two parents or more.
    pub merge_commits: u64,
    /// Oldest author date.
    pub first_commit: Option<DateTime<Utc>>,
    /// Newest author date.
    pub last_commit: Option<DateTime<Utc>>,
    /// Distinct people among the authors of all commits.
    pub authors: u64,
    /// Fewest authors who make 50% of the non-merge commits (0 when there is none).
    pub contributor_absence_factor: u64,
    /// Fewest organisations that make 50% of the affiliated non-merge commits
    /// (0 when no commit is affiliated).
    pub elephant_factor: u64,
    /// Organisations behind the non-merge commits, most commits first.
    pub organizations: Vec<Organization>,
    /// Non-merge commits from webmail, noreply and placeholder addresses.
    pub unaffiliated: Unaffiliated,
    /// Kinds of the organisations, most commits first.
    pub actor_kinds: Vec<KindShare>,
    /// Number of distinct known kinds (`unknown` left out) among the organisations.
    pub distinct_actor_kinds: u64,
    /// Gini-Simpson index of affiliated non-merge commits over kinds (`unknown`
    /// counted as one kind): the chance that two commits drawn at random come
    /// from different kinds of actors. 0 when one kind makes everything.
    pub actor_kind_diversity: f64,
    /// The authors with the most non-merge commits (at most ten), most first.
    pub top_authors: Vec<AuthorShare>,
    /// Activity over the last 90 and 365 days before `now`.
    pub windows: Vec<Window>,
    /// Tags (releases).
    pub tags: Tags,
    /// What could not be read, and other caveats. Never fatal.
    pub notes: Vec<Note>,
}

/// An organisation and its share of the non-merge commits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// Name from the affiliation table, or the domain when the table does not know it.
    pub name: String,
    /// Its kind.
    pub kind: ActorKind,
    /// Non-merge commits made from its domains.
    pub commits: u64,
    /// People who made them.
    pub authors: u64,
    /// The e-mail domains seen for it, sorted.
    pub domains: Vec<String>,
}

/// Commits from addresses that tell no organisation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Unaffiliated {
    /// Non-merge commits.
    pub commits: u64,
    /// People who made them.
    pub authors: u64,
}

/// One kind of actor among the organisations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindShare {
    /// The kind.
    pub kind: ActorKind,
    /// Organisations of that kind.
    pub organizations: u64,
    /// People who committed for them.
    pub authors: u64,
    /// Their non-merge commits.
    pub commits: u64,
}

/// One author and their non-merge commits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorShare {
    /// The name they use most (after `.mailmap`).
    pub name: String,
    /// Non-merge commits.
    pub commits: u64,
}

/// Activity over the last `days` days before `now` (commits dated after `now`
/// count too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Length of the window.
    pub days: u32,
    /// Start of the window (`now - days`, or `since` when later).
    pub start: DateTime<Utc>,
    /// Commits in the window.
    pub commits: u64,
    /// Non-merge commits in the window.
    pub non_merge_commits: u64,
    /// Distinct authors in the window.
    pub authors: u64,
    /// Contributor absence factor over the window.
    pub contributor_absence_factor: u64,
    /// Elephant factor over the window.
    pub elephant_factor: u64,
    /// Organisations with at least one non-merge commit in the window.
    pub organizations: u64,
}

/// Tags, taken as releases.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tags {
    /// All tags.
    pub total: u64,
    /// Tags dated within the 365 days before `now`.
    pub last_365_days: u64,
    /// The most recent tag.
    pub latest: Option<Tag>,
    /// The tags of the last 365 days, newest first (at most 50).
    pub recent: Vec<Tag>,
}

/// One tag. The date is the tagger's for annotated tags, else the tagged
/// commit's committer date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// Name without `refs/tags/`.
    pub name: String,
    /// Its date.
    pub date: Option<DateTime<Utc>>,
}

/// A caveat about the analysis: something missing or unusual. `id` is stable,
/// `message` is English prose for humans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Stable identifier (`shallow`, `missing_commits`, `empty_repository`…).
    pub id: String,
    /// Explanation.
    pub message: String,
}

impl Note {
    pub(crate) fn new(id: &str, message: impl Into<String>) -> Self {
        Note {
            id: id.to_string(),
            message: message.into(),
        }
    }
}

//! Applications to calls for projects: who asked, for what, how much, and
//! what came of it.

use super::{ActionId, Cents, Findings};
use crate::{EntityId, EntityKind, Provenance, TextKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Filed, not decided yet.
    Submitted,
    Accepted,
    Refused,
    /// Withdrawn by the applicant.
    Withdrawn,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 4] = [
        ApplicationStatus::Submitted,
        ApplicationStatus::Accepted,
        ApplicationStatus::Refused,
        ApplicationStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::Accepted => "accepted",
            ApplicationStatus::Refused => "refused",
            ApplicationStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<ApplicationStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// An application to a call for projects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub id: ActionId,
    /// The call applied to.
    pub call: ActionId,
    /// The applicant's actor record.
    pub applicant: EntityId,
    /// The applicant's name, as the application gives it.
    pub applicant_name: String,
    /// What the project is.
    pub purpose: String,
    /// The commons it is about.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commons: Vec<EntityId>,
    /// The amount asked for, when money is asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_asked_cents: Option<Cents>,
    pub status: ApplicationStatus,
    /// The day it was filed.
    pub submitted: NaiveDate,
    /// The day it was decided (accepted or refused) or withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<NaiveDate>,
    /// The grant it led to, when the registry holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<ActionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<EntityId>,
    pub provenance: Provenance,
}

pub(super) fn problems(a: &Application, f: &mut Findings) {
    f.text("applicant_name", &a.applicant_name, TextKind::Line);
    f.text("purpose", &a.purpose, TextKind::Line);
    f.action_kind("call", &a.call, super::ActionKind::Call);
    if let Some(g) = &a.grant {
        f.action_kind("grant", g, super::ActionKind::Grant);
    }
    f.entity_kind("applicant", &a.applicant, EntityKind::Actor);
    for c in &a.commons {
        f.entity_kind("commons", c, EntityKind::Commons);
    }
    f.cents("amount_asked_cents", a.amount_asked_cents);
    f.order(
        "decided",
        Some(a.submitted),
        a.decided,
        "it is decided before it is filed",
    );
    match a.status {
        ApplicationStatus::Submitted if a.decided.is_some() => f.push(
            "decided",
            "an application still `submitted` has no decision day; set its status",
        ),
        ApplicationStatus::Accepted => {}
        _ if a.grant.is_some() => f.push(
            "grant",
            "only an accepted application leads to a grant; set its status to `accepted`",
        ),
        _ => {}
    }
}

/// The SIREN of the body running a call (the first of its porteurs).
fn call_siren(c: &super::Call) -> &str {
    c.giver_siren.split(',').next().unwrap_or("").trim()
}

/// The applications among `actions` that were their applicant's first
/// contact with the body running the call: no earlier application to one
/// of its calls, no earlier grant from it. The body is known by its SIREN
/// (a call's `giver_siren`, the first nine digits of a grant's
/// `giver_siret`), so that calls and grants of the same body meet whatever
/// actor records they point at. Earlier means an earlier day, or for two
/// applications on the same day, the smaller id. An application whose
/// call is not among `actions` is left out.
pub fn first_time_applications(actions: &[super::Action]) -> BTreeSet<ActionId> {
    use super::Action;
    let sirens: HashMap<&ActionId, &str> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Call(c) => Some((&c.id, call_siren(c))),
            _ => None,
        })
        .collect();
    // The first grant each beneficiary received from each body.
    let mut first_grant: HashMap<(&str, &EntityId), NaiveDate> = HashMap::new();
    // The first application of each applicant to each body.
    let mut first_application: HashMap<(&str, &EntityId), (NaiveDate, &ActionId)> = HashMap::new();
    for a in actions {
        match a {
            Action::Grant(g) => {
                let siren = g.giver_siret.get(..9).unwrap_or(&g.giver_siret);
                first_grant
                    .entry((siren, &g.beneficiary))
                    .and_modify(|d| *d = (*d).min(g.date))
                    .or_insert(g.date);
            }
            Action::Application(x) => {
                let Some(siren) = sirens.get(&x.call) else {
                    continue;
                };
                let key = (x.submitted, &x.id);
                first_application
                    .entry((siren, &x.applicant))
                    .and_modify(|k| *k = (*k).min(key))
                    .or_insert(key);
            }
            _ => {}
        }
    }
    first_application
        .into_iter()
        .filter(|(who, (day, _))| first_grant.get(who).is_none_or(|g| g >= day))
        .map(|(_, (_, id))| id.clone())
        .collect()
}

//! Public action: what a territory *does* for its digital commons — calls
//! for projects, grants, applications to calls ([`application`]), in-kind
//! support (hardware, hosting: [`in_kind`]), trainings and events
//! ([`event`]), dedicated posts ([`post`]).
//!
//! Public action records are not [`crate::Entity`] variants: they point at
//! entities (the actor that gives, the beneficiary, the commons supported,
//! the territory) but nothing in the registry points at them, and they
//! have fields of their own (amounts, dates of decision and payment) that
//! the store keeps in a table of their own (`action`). Each kind is a
//! struct here and a variant of [`Action`]; adding a kind is adding both
//! (and its check in [`action_problems`]): the store, the listing and
//! `archipel support show` handle every variant through [`Action`].
//!
//! Amounts are integer euro cents ([`Cents`]), never floating point: sums
//! are exact. A beneficiary's share of a grant (`pourcentageSubvention`)
//! is kept as the decimal text it was given in ([`Share`]), so that it
//! comes back exactly.

use crate::{
    check_siret, check_text, check_url, EntityId, EntityKind, IdError, Provenance, TextKind,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

pub mod application;
pub mod event;
pub mod in_kind;
pub mod post;

pub use application::{first_time_applications, Application, ApplicationStatus};
pub use event::{Attendance, Event};
pub use in_kind::{Hardware, Hosting, Transfer};
pub use post::{format_fte, Fte, Post};

/// An amount in euro cents.
pub type Cents = i64;

/// The kinds of public action record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// A call for projects (« dispositif d'aide »).
    Call,
    /// A grant (SCDL « subventions »).
    Grant,
    /// An application to a call.
    Application,
    /// Hardware lent or given.
    Hardware,
    /// Commons hosted on someone's infrastructure.
    Hosting,
    /// A training or an event.
    Event,
    /// A post dedicated to the commons.
    Post,
}

impl ActionKind {
    pub const ALL: [ActionKind; 7] = [
        ActionKind::Call,
        ActionKind::Grant,
        ActionKind::Application,
        ActionKind::Hardware,
        ActionKind::Hosting,
        ActionKind::Event,
        ActionKind::Post,
    ];

    /// The prefix of identifiers, the store's `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Call => "call",
            ActionKind::Grant => "grant",
            ActionKind::Application => "application",
            ActionKind::Hardware => "hardware",
            ActionKind::Hosting => "hosting",
            ActionKind::Event => "event",
            ActionKind::Post => "post",
        }
    }

    /// A kind by its name, singular or plural (`grant`, `grants`).
    pub fn parse(s: &str) -> Option<ActionKind> {
        let singular = match s {
            "calls" => "call",
            "grants" => "grant",
            "applications" => "application",
            "hostings" => "hosting",
            "events" => "event",
            "posts" => "post",
            other => other,
        };
        Self::ALL.into_iter().find(|k| k.as_str() == singular)
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A public action record's identifier: `KIND:SOURCE:LOCAL`, like an
/// [`EntityId`] (`grant:scdl-subventions:…`), stable across re-imports.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ActionId(String);

impl ActionId {
    pub fn new(kind: ActionKind, source: &str, local: &str) -> Result<Self, IdError> {
        // The parts follow the entity identifiers' rule.
        let probe = EntityId::new(crate::EntityKind::Actor, source, local)?;
        let rest = &probe.as_str()["actor:".len()..];
        Ok(ActionId(format!("{}:{rest}", kind.as_str())))
    }

    pub fn parse(s: &str) -> Result<Self, IdError> {
        let mut it = s.splitn(3, ':');
        let (Some(k), Some(src), Some(local)) = (it.next(), it.next(), it.next()) else {
            return Err(IdError::Malformed(s.to_string()));
        };
        let kind = ActionKind::parse(k).ok_or_else(|| IdError::Malformed(s.to_string()))?;
        if ActionKind::parse(k).map(ActionKind::as_str) != Some(k) {
            return Err(IdError::Malformed(s.to_string()));
        }
        ActionId::new(kind, src, local)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn kind(&self) -> ActionKind {
        // Constructed only through `new`, so the prefix is always a kind.
        self.0
            .split(':')
            .next()
            .and_then(ActionKind::parse)
            .unwrap_or(ActionKind::Grant)
    }

    /// The `LOCAL` part.
    pub fn local(&self) -> &str {
        self.0.splitn(3, ':').nth(2).unwrap_or_default()
    }
}

impl TryFrom<String> for ActionId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        ActionId::parse(&s)
    }
}

impl From<ActionId> for String {
    fn from(id: ActionId) -> String {
        id.0
    }
}

impl fmt::Display for ActionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A share between 0.01 and 1 written as a decimal (`0.5`, `0.333`), kept
/// as its text so that it is never rounded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Share(String);

impl Share {
    /// Reads `0.01` to `1`, `.` as the decimal separator, at most 12
    /// decimals.
    pub fn parse(s: &str) -> Result<Share, String> {
        let bad = || {
            format!(
                "{} is not a share between 0.01 and 1 (a decimal with `.`, such as 0.5)",
                crate::echo(s)
            )
        };
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits(int) || !digits(frac) || frac.len() > 12 || int.len() > 1 {
            return Err(bad());
        }
        if s.ends_with('.') {
            return Err(bad());
        }
        let one = int == "1" && frac.bytes().all(|b| b == b'0');
        let below_one = int == "0" && {
            // At least 0.01: one of the first two decimals is not zero.
            frac.bytes().take(2).any(|b| b != b'0')
        };
        if one || below_one {
            Ok(Share(s.to_string()))
        } else {
            Err(bad())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The share of `amount`, in cents, rounded half up.
    pub fn of(&self, amount: Cents) -> Cents {
        let (int, frac) = self.0.split_once('.').unwrap_or((&self.0, ""));
        let scale = 10i128.pow(frac.len() as u32);
        let num: i128 = format!("{int}{frac}").parse().unwrap_or(0);
        let x = i128::from(amount) * num;
        ((x + scale / 2) / scale) as Cents
    }
}

impl TryFrom<String> for Share {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Share::parse(&s)
    }
}

impl From<Share> for String {
    fn from(s: Share) -> String {
        s.0
    }
}

/// Reads an amount in euros written with `.` as the decimal separator and
/// at most two decimals (`1500`, `1500.5`, `1500.50`) as cents. A decimal
/// comma, a thousands separator, a sign or a third decimal is refused with
/// what to write instead.
pub fn parse_euros(s: &str) -> Result<Cents, String> {
    let shown = crate::echo(s);
    if s.contains(',') {
        return Err(format!(
            "{shown} uses a decimal comma; write the amount with a point, such as {}",
            crate::echo(
                &s.replace([' ', '\u{a0}', '\u{202f}'], "")
                    .replacen(',', ".", 1)
            )
        ));
    }
    if s.contains([' ', '\u{a0}', '\u{202f}']) {
        return Err(format!(
            "{shown} has spaces; write the amount without thousands separators, such as {}",
            crate::echo(&s.replace([' ', '\u{a0}', '\u{202f}'], ""))
        ));
    }
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || (s.contains('.') && frac.is_empty()) {
        return Err(format!(
            "{shown} is not an amount in euros (digits, `.` before the cents, such as 15000.50)"
        ));
    }
    if frac.len() > 2 {
        return Err(format!(
            "{shown} has more than two decimals; an amount in euros stops at the cents"
        ));
    }
    if int.len() > 13 {
        return Err(format!("{shown} is too large an amount"));
    }
    let euros: i64 = int.parse().map_err(|_| format!("{shown} is too large"))?;
    let cents: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().unwrap_or(0) * 10,
        _ => frac.parse::<i64>().unwrap_or(0),
    };
    Ok(euros * 100 + cents)
}

/// Cents written as euros with `.` before the cents: `15000` when there
/// are none, `15000.50` otherwise.
pub fn format_euros(c: Cents) -> String {
    let sign = if c < 0 { "-" } else { "" };
    let c = c.unsigned_abs();
    if c.is_multiple_of(100) {
        format!("{sign}{}", c / 100)
    } else {
        format!("{sign}{}.{:02}", c / 100, c % 100)
    }
}

/// A grant: the fields of the SCDL « subventions » 2.1.1 schema (in its
/// terms, in brackets) and its links to the registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    pub id: ActionId,
    /// The granting body's official name (`nomAttribuant`).
    pub giver_name: String,
    /// Its SIRET (`idAttribuant`).
    pub giver_siret: String,
    /// The actor record of the granting body.
    pub giver: EntityId,
    /// Date of the agreement or decision (`dateConvention`).
    pub date: NaiveDate,
    /// The decision's internal reference (`referenceDecision`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_reference: Option<String>,
    /// The beneficiary's name (`nomBeneficiaire`).
    pub beneficiary_name: String,
    /// Its SIRET (`idBeneficiaire`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beneficiary_siret: Option<String>,
    /// Its RNA number (`rnaBeneficiaire`), for an association.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beneficiary_rna: Option<String>,
    /// The actor record of the beneficiary.
    pub beneficiary: EntityId,
    /// What the grant is for (`objet`).
    pub purpose: String,
    /// The whole amount before sharing between beneficiaries (`montant`).
    pub amount_cents: Cents,
    /// `aide en numéraire`, `aide en nature` or both (`nature`), as the
    /// schema writes them.
    pub nature: String,
    /// `unique`, `échelonné` or `autre` (`conditionsVersement`).
    pub payment_terms: String,
    /// When it is paid: a day, or the first day of a period
    /// (`datesPeriodeVersement`).
    pub payment_from: NaiveDate,
    /// The last day of the payment period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_until: Option<NaiveDate>,
    /// The aid's number in the European state-aid register (`idRAE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rae_id: Option<String>,
    /// Whether it was notified to the European Union (`notificationUE`).
    pub eu_notified: bool,
    /// This beneficiary's share of `amount_cents` (`pourcentageSubvention`).
    pub share: Share,
    /// The aid scheme's id (`dispositifAide`): a call's `LOCAL` part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// The call it came from, when the registry holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<ActionId>,
    /// The commons it supports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commons: Vec<EntityId>,
    /// The territory of the granting body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<EntityId>,
    pub provenance: Provenance,
}

impl Grant {
    /// What this beneficiary receives: its share of the amount, in cents.
    pub fn received_cents(&self) -> Cents {
        self.share.of(self.amount_cents)
    }
}

/// A call for projects: the « dispositif d'aide » fields (in brackets)
/// and its links to the registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub id: ActionId,
    /// The scheme's normalised name, starting with a verb
    /// (`nom_aide_normalise`).
    pub name: String,
    /// Who runs it (`porteur_aide`).
    pub giver_name: String,
    /// Its SIREN (`porteur_siren`).
    pub giver_siren: String,
    /// The actor record of the body running it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub giver: Option<EntityId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who may apply (`beneficiaires_aide`, the schema's values).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub eligible: Vec<String>,
    /// Conditions of eligibility (`condition_eligibilite`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eligibility: Option<String>,
    /// The money the call may give, in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_cents: Option<Cents>,
    /// Opening and closing days (`date_ouverture`, `date_cloture`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes: Option<NaiveDate>,
    /// A call for projects or for expressions of interest (`aap_ami`).
    #[serde(default)]
    pub call_for_projects: bool,
    /// Applications are not ranked against each other: every eligible
    /// project is supported (what the study recommends).
    #[serde(default)]
    pub non_competitive: bool,
    /// Its page (`url_descriptif`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<EntityId>,
    /// The scheme's other fields, as the source wrote them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
    pub provenance: Provenance,
}

/// Any public action record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    Call(Call),
    Grant(Grant),
    Application(Application),
    Hardware(Hardware),
    Hosting(Hosting),
    Event(Event),
    Post(Post),
}

/// `$f(x)` for whichever record `$a` holds.
macro_rules! each {
    ($a:expr, $x:ident => $e:expr) => {
        match $a {
            Action::Call($x) => $e,
            Action::Grant($x) => $e,
            Action::Application($x) => $e,
            Action::Hardware($x) => $e,
            Action::Hosting($x) => $e,
            Action::Event($x) => $e,
            Action::Post($x) => $e,
        }
    };
}

impl Action {
    pub fn id(&self) -> &ActionId {
        each!(self, x => &x.id)
    }

    pub fn kind(&self) -> ActionKind {
        self.id().kind()
    }

    /// The kind of record it is (which [`Action::kind`], read from the
    /// id, must match: [`action_problems`] checks).
    pub fn variant_kind(&self) -> ActionKind {
        match self {
            Action::Call(_) => ActionKind::Call,
            Action::Grant(_) => ActionKind::Grant,
            Action::Application(_) => ActionKind::Application,
            Action::Hardware(_) => ActionKind::Hardware,
            Action::Hosting(_) => ActionKind::Hosting,
            Action::Event(_) => ActionKind::Event,
            Action::Post(_) => ActionKind::Post,
        }
    }

    /// A human name: a call's name, a grant's or an application's
    /// purpose, hardware's items, what is hosted, an event's name, a
    /// post's role.
    pub fn name(&self) -> &str {
        match self {
            Action::Call(x) => &x.name,
            Action::Grant(x) => &x.purpose,
            Action::Application(x) => &x.purpose,
            Action::Hardware(x) => &x.items,
            Action::Hosting(x) => &x.what,
            Action::Event(x) => &x.name,
            Action::Post(x) => &x.role,
        }
    }

    pub fn provenance(&self) -> &Provenance {
        each!(self, x => &x.provenance)
    }

    pub fn provenance_mut(&mut self) -> &mut Provenance {
        each!(self, x => &mut x.provenance)
    }

    pub fn territory(&self) -> Option<&EntityId> {
        each!(self, x => x.territory.as_ref())
    }

    /// The day it is filed under: a grant's `dateConvention`, a call's
    /// opening, the day an application was filed, hardware handed over, a
    /// hosting or a post began, an event's first day.
    pub fn day(&self) -> Option<NaiveDate> {
        match self {
            Action::Call(x) => x.opens,
            Action::Grant(x) => Some(x.date),
            Action::Application(x) => Some(x.submitted),
            Action::Hardware(x) => Some(x.from),
            Action::Hosting(x) => x.since,
            Action::Event(x) => Some(x.starts),
            Action::Post(x) => Some(x.since),
        }
    }

    /// The amount it is about: a grant's whole amount, a call's budget,
    /// the amount an application asks for, what hardware is worth.
    pub fn amount_cents(&self) -> Option<Cents> {
        match self {
            Action::Call(x) => x.budget_cents,
            Action::Grant(x) => Some(x.amount_cents),
            Action::Application(x) => x.amount_asked_cents,
            Action::Hardware(x) => x.value_cents,
            Action::Hosting(_) | Action::Event(_) | Action::Post(_) => None,
        }
    }

    /// The actor giving: a grant's attribuant, a call's porteur, the
    /// actor lending or giving hardware, the host, an event's organiser,
    /// a post's employer.
    pub fn giver(&self) -> Option<&EntityId> {
        match self {
            Action::Call(x) => x.giver.as_ref(),
            Action::Grant(x) => Some(&x.giver),
            Action::Application(_) => None,
            Action::Hardware(x) => Some(&x.giver),
            Action::Hosting(x) => Some(&x.host),
            Action::Event(x) => Some(&x.organiser),
            Action::Post(x) => Some(&x.employer),
        }
    }

    /// The actor receiving, if any: a grant's beneficiary, an applicant,
    /// hardware's recipient, the actor something is hosted for.
    pub fn beneficiary(&self) -> Option<&EntityId> {
        match self {
            Action::Call(_) | Action::Event(_) | Action::Post(_) => None,
            Action::Grant(x) => Some(&x.beneficiary),
            Action::Application(x) => Some(&x.applicant),
            Action::Hardware(x) => Some(&x.recipient),
            Action::Hosting(x) => x.hosted_for.as_ref(),
        }
    }

    /// The call it comes from: a grant's, an application's.
    pub fn call(&self) -> Option<&ActionId> {
        match self {
            Action::Grant(x) => x.call.as_ref(),
            Action::Application(x) => Some(&x.call),
            _ => None,
        }
    }

    /// The commons it is about.
    pub fn commons(&self) -> &[EntityId] {
        match self {
            Action::Call(_) | Action::Hardware(_) | Action::Post(_) => &[],
            Action::Grant(x) => &x.commons,
            Action::Application(x) => &x.commons,
            Action::Hosting(x) => &x.commons,
            Action::Event(x) => &x.commons,
        }
    }

    /// Every entity slot but the territory, with its field name.
    fn slots_mut(&mut self) -> Vec<(&'static str, &mut EntityId)> {
        let mut v: Vec<(&'static str, &mut EntityId)> = Vec::new();
        match self {
            Action::Call(c) => v.extend(c.giver.as_mut().map(|g| ("giver", g))),
            Action::Grant(g) => {
                v.push(("giver", &mut g.giver));
                v.push(("beneficiary", &mut g.beneficiary));
                v.extend(g.commons.iter_mut().map(|c| ("commons", c)));
            }
            Action::Application(a) => {
                v.push(("applicant", &mut a.applicant));
                v.extend(a.commons.iter_mut().map(|c| ("commons", c)));
            }
            Action::Hardware(h) => {
                v.push(("giver", &mut h.giver));
                v.push(("recipient", &mut h.recipient));
                v.extend(h.place.as_mut().map(|p| ("place", p)));
            }
            Action::Hosting(h) => {
                v.push(("host", &mut h.host));
                v.extend(h.hosted_for.as_mut().map(|a| ("hosted_for", a)));
                v.extend(h.commons.iter_mut().map(|c| ("commons", c)));
            }
            Action::Event(e) => {
                v.push(("organiser", &mut e.organiser));
                v.extend(e.place.as_mut().map(|p| ("place", p)));
                v.extend(e.commons.iter_mut().map(|c| ("commons", c)));
            }
            Action::Post(p) => {
                v.push(("employer", &mut p.employer));
                v.extend(p.funder.as_mut().map(|a| ("funder", a)));
            }
        }
        v
    }

    fn commons_mut(&mut self) -> Option<&mut Vec<EntityId>> {
        match self {
            Action::Call(_) | Action::Hardware(_) | Action::Post(_) => None,
            Action::Grant(x) => Some(&mut x.commons),
            Action::Application(x) => Some(&mut x.commons),
            Action::Hosting(x) => Some(&mut x.commons),
            Action::Event(x) => Some(&mut x.commons),
        }
    }

    /// Records of the registry it points at, with the field naming each
    /// (the store checks they exist).
    pub fn references(&self) -> Vec<(&'static str, &EntityId)> {
        let mut v: Vec<(&'static str, &EntityId)> = Vec::new();
        if let Some(t) = self.territory() {
            v.push(("territory", t));
        }
        match self {
            Action::Call(c) => v.extend(c.giver.as_ref().map(|g| ("giver", g))),
            Action::Grant(g) => {
                v.push(("giver", &g.giver));
                v.push(("beneficiary", &g.beneficiary));
                v.extend(g.commons.iter().map(|c| ("commons", c)));
            }
            Action::Application(a) => {
                v.push(("applicant", &a.applicant));
                v.extend(a.commons.iter().map(|c| ("commons", c)));
            }
            Action::Hardware(h) => {
                v.push(("giver", &h.giver));
                v.push(("recipient", &h.recipient));
                v.extend(h.place.iter().map(|p| ("place", p)));
            }
            Action::Hosting(h) => {
                v.push(("host", &h.host));
                v.extend(h.hosted_for.iter().map(|a| ("hosted_for", a)));
                v.extend(h.commons.iter().map(|c| ("commons", c)));
            }
            Action::Event(e) => {
                v.push(("organiser", &e.organiser));
                v.extend(e.place.iter().map(|p| ("place", p)));
                v.extend(e.commons.iter().map(|c| ("commons", c)));
            }
            Action::Post(p) => {
                v.push(("employer", &p.employer));
                v.extend(p.funder.iter().map(|a| ("funder", a)));
            }
        }
        v
    }

    /// Makes every reference to `from` (giver, beneficiary, territory, a
    /// commons supported) point at `to` instead, as a merge of duplicates
    /// does; says whether anything changed.
    pub fn repoint(&mut self, from: &EntityId, to: &EntityId) -> bool {
        fn swap(slot: &mut EntityId, from: &EntityId, to: &EntityId) -> bool {
            let hit = slot == from;
            if hit {
                *slot = to.clone();
            }
            hit
        }
        let mut changed = false;
        if let Some(t) = each!(self, x => x.territory.as_mut()) {
            changed |= swap(t, from, to);
        }
        for (_, slot) in self.slots_mut() {
            changed |= swap(slot, from, to);
        }
        if let Some(commons) = self.commons_mut() {
            // A commons listed twice once both are one record.
            let mut seen = std::collections::HashSet::new();
            commons.retain(|c| seen.insert(c.clone()));
        }
        changed
    }

    /// Public action records it points at: a grant's call, an
    /// application's call and grant.
    pub fn action_references(&self) -> Vec<(&'static str, &ActionId)> {
        match self {
            Action::Grant(g) => g.call.iter().map(|c| ("call", c)).collect(),
            Action::Application(a) => std::iter::once(("call", &a.call))
                .chain(a.grant.iter().map(|g| ("grant", g)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether two versions say the same facts (times and file position
    /// of their provenance left out).
    pub fn same_facts(&self, other: &Action) -> bool {
        let mut a = self.clone();
        let mut b = other.clone();
        for x in [&mut a, &mut b] {
            let p = x.provenance_mut();
            p.created_at = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
            p.updated_at = p.created_at;
            p.file = None;
            p.line = None;
        }
        a == b
    }
}

/// The value checks of a public action record: the text rule on every
/// text field, identifiers, links, amounts not negative, periods in
/// order. Returns (field, reason) pairs, the field as in the record's
/// JSON form.
pub fn action_problems(a: &Action) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut text = |field: &str, v: &str, kind: TextKind| {
        if let Err(r) = check_text(v, kind) {
            out.push((field.to_string(), r));
        }
    };
    text("id", a.id().as_str(), TextKind::Line);
    match a {
        Action::Grant(g) => {
            text("giver_name", &g.giver_name, TextKind::Line);
            text("beneficiary_name", &g.beneficiary_name, TextKind::Line);
            text("purpose", &g.purpose, TextKind::Line);
            text("nature", &g.nature, TextKind::Line);
            text("payment_terms", &g.payment_terms, TextKind::Line);
            for (f, v) in [
                ("decision_reference", &g.decision_reference),
                ("rae_id", &g.rae_id),
                ("scheme", &g.scheme),
            ] {
                if let Some(v) = v {
                    text(f, v, TextKind::Line);
                }
            }
            if let Err(r) = check_siret(&g.giver_siret) {
                out.push(("giver_siret".into(), r));
            }
            if let Some(s) = &g.beneficiary_siret {
                if let Err(r) = check_siret(s) {
                    out.push(("beneficiary_siret".into(), r));
                }
            }
            if let Some(s) = &g.beneficiary_rna {
                if let Err(r) = crate::check_rna(s) {
                    out.push(("beneficiary_rna".into(), r));
                }
            }
            if g.amount_cents < 0 {
                out.push((
                    "amount_cents".into(),
                    "an amount may not be negative".into(),
                ));
            }
            if g.payment_until.is_some_and(|u| u < g.payment_from) {
                out.push((
                    "payment_until".into(),
                    "the payment period ends before it starts".into(),
                ));
            }
        }
        Action::Call(c) => {
            text("name", &c.name, TextKind::Line);
            text("giver_name", &c.giver_name, TextKind::Line);
            text("giver_siren", &c.giver_siren, TextKind::Line);
            if let Some(d) = &c.description {
                text("description", d, TextKind::Block);
            }
            if let Some(d) = &c.eligibility {
                text("eligibility", d, TextKind::Block);
            }
            for e in &c.eligible {
                text("eligible", e, TextKind::Line);
            }
            for (k, v) in &c.details {
                text(&format!("details.{k}"), v, TextKind::Block);
            }
            if let Some(u) = &c.url {
                if let Err(r) = check_url(u) {
                    out.push(("url".into(), r));
                }
            }
            if c.budget_cents.is_some_and(|b| b < 0) {
                out.push(("budget_cents".into(), "a budget may not be negative".into()));
            }
            if let (Some(o), Some(c)) = (c.opens, c.closes) {
                if c < o {
                    out.push(("closes".into(), "the call closes before it opens".into()));
                }
            }
        }
        other => {
            let mut f = Findings::default();
            if let Some(t) = other.territory() {
                f.entity_kind("territory", t, EntityKind::Territory);
            }
            match other {
                Action::Application(x) => application::problems(x, &mut f),
                Action::Hardware(x) => in_kind::hardware_problems(x, &mut f),
                Action::Hosting(x) => in_kind::hosting_problems(x, &mut f),
                Action::Event(x) => event::problems(x, &mut f),
                Action::Post(x) => post::problems(x, &mut f),
                Action::Call(_) | Action::Grant(_) => {}
            }
            out.extend(f.0);
        }
    }
    let variant = a.variant_kind();
    if a.id().kind() != variant {
        out.push((
            "id".into(),
            format!("`{}` is not the identifier of a {variant}", a.id()),
        ));
    }
    let p = a.provenance();
    if let Err(r) = check_text(&p.source, TextKind::Line) {
        out.push(("provenance.source".into(), r));
    }
    out
}

/// The problems found in a record, as (field, reason) pairs.
#[derive(Default)]
struct Findings(Vec<(String, String)>);

impl Findings {
    fn push(&mut self, field: &str, reason: &str) {
        self.0.push((field.to_string(), reason.to_string()));
    }

    fn text(&mut self, field: &str, v: &str, kind: TextKind) {
        if let Err(r) = check_text(v, kind) {
            self.push(field, &r);
        }
    }

    fn opt(&mut self, field: &str, v: &Option<String>, kind: TextKind) {
        if let Some(v) = v {
            self.text(field, v, kind);
        }
    }

    /// A link to a record of the wrong kind (a place where an actor is
    /// expected).
    fn entity_kind(&mut self, field: &str, id: &EntityId, kind: EntityKind) {
        if id.kind() != kind {
            self.push(field, &format!("`{id}` is not a {kind} record"));
        }
    }

    fn action_kind(&mut self, field: &str, id: &ActionId, kind: ActionKind) {
        if id.kind() != kind {
            self.push(field, &format!("`{id}` is not a {kind}"));
        }
    }

    fn cents(&mut self, field: &str, v: Option<Cents>) {
        if v.is_some_and(|c| c < 0) {
            self.push(field, "an amount may not be negative");
        }
    }

    /// `until` not before `from`.
    fn order(&mut self, field: &str, from: Option<NaiveDate>, until: Option<NaiveDate>, why: &str) {
        if let (Some(a), Some(b)) = (from, until) {
            if b < a {
                self.push(field, why);
            }
        }
    }
}

#[cfg(test)]
mod tests;

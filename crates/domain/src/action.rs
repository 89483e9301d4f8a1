//! Public action: what a territory *does* for its digital commons — calls
//! for projects, grants, and (next) applications to calls, in-kind support,
//! trainings and events, dedicated posts.
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

use crate::{check_siret, check_text, check_url, EntityId, IdError, Provenance, TextKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

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
}

impl ActionKind {
    pub const ALL: [ActionKind; 2] = [ActionKind::Call, ActionKind::Grant];

    /// The prefix of identifiers, the store's `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Call => "call",
            ActionKind::Grant => "grant",
        }
    }

    pub fn parse(s: &str) -> Option<ActionKind> {
        match s {
            "call" | "calls" => Some(ActionKind::Call),
            "grant" | "grants" => Some(ActionKind::Grant),
            _ => None,
        }
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
        match self.0.split(':').next() {
            Some("call") => ActionKind::Call,
            _ => ActionKind::Grant,
        }
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
}

impl Action {
    pub fn id(&self) -> &ActionId {
        match self {
            Action::Call(x) => &x.id,
            Action::Grant(x) => &x.id,
        }
    }

    pub fn kind(&self) -> ActionKind {
        self.id().kind()
    }

    /// A human name: a call's name, a grant's purpose.
    pub fn name(&self) -> &str {
        match self {
            Action::Call(x) => &x.name,
            Action::Grant(x) => &x.purpose,
        }
    }

    pub fn provenance(&self) -> &Provenance {
        match self {
            Action::Call(x) => &x.provenance,
            Action::Grant(x) => &x.provenance,
        }
    }

    pub fn provenance_mut(&mut self) -> &mut Provenance {
        match self {
            Action::Call(x) => &mut x.provenance,
            Action::Grant(x) => &mut x.provenance,
        }
    }

    pub fn territory(&self) -> Option<&EntityId> {
        match self {
            Action::Call(x) => x.territory.as_ref(),
            Action::Grant(x) => x.territory.as_ref(),
        }
    }

    /// The day it is filed under: a grant's `dateConvention`, a call's
    /// opening.
    pub fn day(&self) -> Option<NaiveDate> {
        match self {
            Action::Call(x) => x.opens,
            Action::Grant(x) => Some(x.date),
        }
    }

    /// The amount it is about: a grant's whole amount, a call's budget.
    pub fn amount_cents(&self) -> Option<Cents> {
        match self {
            Action::Call(x) => x.budget_cents,
            Action::Grant(x) => Some(x.amount_cents),
        }
    }

    /// The actor giving (a grant's attribuant, a call's porteur).
    pub fn giver(&self) -> Option<&EntityId> {
        match self {
            Action::Call(x) => x.giver.as_ref(),
            Action::Grant(x) => Some(&x.giver),
        }
    }

    /// The actor receiving, if any.
    pub fn beneficiary(&self) -> Option<&EntityId> {
        match self {
            Action::Call(_) => None,
            Action::Grant(x) => Some(&x.beneficiary),
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
        match self {
            Action::Call(c) => {
                for slot in c.giver.iter_mut().chain(c.territory.iter_mut()) {
                    changed |= swap(slot, from, to);
                }
            }
            Action::Grant(g) => {
                changed |= swap(&mut g.giver, from, to);
                changed |= swap(&mut g.beneficiary, from, to);
                for slot in g.territory.iter_mut().chain(g.commons.iter_mut()) {
                    changed |= swap(slot, from, to);
                }
                // A commons listed twice once both are one record.
                let mut seen = std::collections::HashSet::new();
                g.commons.retain(|c| seen.insert(c.clone()));
            }
        }
        changed
    }

    /// Public action records it points at (a grant's call).
    pub fn action_references(&self) -> Vec<(&'static str, &ActionId)> {
        match self {
            Action::Grant(g) => g.call.iter().map(|c| ("call", c)).collect(),
            Action::Call(_) => Vec::new(),
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
    }
    let p = a.provenance();
    if let Err(r) = check_text(&p.source, TextKind::Line) {
        out.push(("provenance.source".into(), r));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euros_are_read_as_exact_cents() {
        assert_eq!(parse_euros("15000"), Ok(1_500_000));
        assert_eq!(parse_euros("15000.5"), Ok(1_500_050));
        assert_eq!(parse_euros("0.07"), Ok(7));
        let e = parse_euros("1500,50").unwrap_err();
        assert!(
            e.contains("decimal comma") && e.contains("`1500.50`"),
            "{e}"
        );
        assert!(parse_euros("1 500").unwrap_err().contains("thousands"));
        assert!(parse_euros("1.005").unwrap_err().contains("two decimals"));
        assert!(parse_euros("-3").is_err());
        assert!(parse_euros("3.").is_err());
        assert!(parse_euros("99999999999999").is_err());
        assert_eq!(format_euros(1_500_000), "15000");
        assert_eq!(format_euros(1_500_050), "15000.50");
        assert_eq!(format_euros(7), "0.07");
    }

    #[test]
    fn shares_are_kept_exactly_and_bounded() {
        for ok in ["1", "1.0", "0.5", "0.01", "0.333333", "0.10"] {
            assert_eq!(Share::parse(ok).map(|s| s.0), Ok(ok.to_string()), "{ok}");
        }
        for bad in [
            "0", "0.009", "1.5", "2", "0,5", "50", ".5", "0.5.", "-0.5", "1.",
        ] {
            assert!(Share::parse(bad).is_err(), "{bad}");
        }
        let third = Share::parse("0.333333").unwrap();
        assert_eq!(third.of(300_000), 100_000);
        assert_eq!(Share::parse("0.5").unwrap().of(1001), 501);
    }

    #[test]
    fn action_ids_follow_the_entity_id_rule() {
        let id = ActionId::new(ActionKind::Grant, "scdl", "2025-001").unwrap();
        assert_eq!(id.as_str(), "grant:scdl:2025-001");
        assert_eq!(id.kind(), ActionKind::Grant);
        assert_eq!(id.local(), "2025-001");
        assert_eq!(ActionId::parse("grant:scdl:2025-001"), Ok(id));
        assert!(ActionId::parse("actor:x:y").is_err());
        assert!(ActionId::parse("grants:x:y").is_err());
        assert!(ActionId::new(ActionKind::Call, "a b", "y").is_err());
    }
}

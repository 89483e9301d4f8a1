//! Posts dedicated to the commons (a digital-commons officer, a network
//! coordinator), with their share of a full-time job.

use super::{ActionId, Findings};
use crate::{EntityId, EntityKind, Provenance, TextKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A full-time equivalent written as a decimal greater than zero (`0.5`,
/// `1`, `2.5`), at most three decimals and below 1000, kept as its text so
/// that it never rounds; sums are exact in thousandths.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Fte(String);

impl Fte {
    pub fn parse(s: &str) -> Result<Fte, String> {
        let bad = || {
            format!(
                "{} is not a full-time equivalent (a decimal above 0 with `.`, such as 0.5 or 1)",
                crate::echo(s)
            )
        };
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || int.len() > 3 || !digits(int) || !digits(frac) || s.ends_with('.') {
            return Err(bad());
        }
        if frac.len() > 3 {
            return Err(format!("{} has more than three decimals", crate::echo(s)));
        }
        let f = Fte(s.to_string());
        if f.thousandths() == 0 {
            return Err(bad());
        }
        Ok(f)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value in thousandths of a full-time job (`0.5` → 500).
    pub fn thousandths(&self) -> u64 {
        let (int, frac) = self.0.split_once('.').unwrap_or((&self.0, ""));
        let int: u64 = int.parse().unwrap_or(0);
        let mut f = frac.to_string();
        while f.len() < 3 {
            f.push('0');
        }
        int * 1000 + f.parse::<u64>().unwrap_or(0)
    }
}

/// Thousandths of a full-time job written as the shortest exact decimal
/// (`1500` → `1.5`).
pub fn format_fte(thousandths: u64) -> String {
    let int = thousandths / 1000;
    let frac = thousandths % 1000;
    if frac == 0 {
        return int.to_string();
    }
    let f = format!("{frac:03}");
    format!("{int}.{}", f.trim_end_matches('0'))
}

impl TryFrom<String> for Fte {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Fte::parse(&s)
    }
}

impl From<Fte> for String {
    fn from(f: Fte) -> String {
        f.0
    }
}

impl fmt::Display for Fte {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A post dedicated to the commons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub id: ActionId,
    /// What the post is (`chargée de mission communs numériques`).
    pub role: String,
    /// The actor employing.
    pub employer: EntityId,
    /// Its share of a full-time job.
    pub fte: Fte,
    pub since: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// How it is paid for, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funding: Option<String>,
    /// The actor paying for it, when not the employer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funder: Option<EntityId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<EntityId>,
    pub provenance: Provenance,
}

impl Post {
    /// Whether the post exists on `day`.
    pub fn live_on(&self, day: NaiveDate) -> bool {
        self.since <= day && self.until.is_none_or(|u| u >= day)
    }
}

pub(super) fn problems(p: &Post, f: &mut Findings) {
    f.text("role", &p.role, TextKind::Line);
    f.opt("funding", &p.funding, TextKind::Block);
    f.entity_kind("employer", &p.employer, EntityKind::Actor);
    if let Some(a) = &p.funder {
        f.entity_kind("funder", a, EntityKind::Actor);
    }
    f.order(
        "until",
        Some(p.since),
        p.until,
        "the post ends before it starts",
    );
}

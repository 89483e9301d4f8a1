//! In-kind support: hardware lent or given, and hosting of commons on
//! someone's infrastructure.

use super::{ActionId, Cents, Findings};
use crate::{EntityId, EntityKind, Provenance, TextKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Whether hardware is lent (and comes back) or given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transfer {
    Loan,
    Gift,
}

impl Transfer {
    pub fn as_str(self) -> &'static str {
        match self {
            Transfer::Loan => "loan",
            Transfer::Gift => "gift",
        }
    }

    pub fn parse(s: &str) -> Option<Transfer> {
        match s {
            "loan" => Some(Transfer::Loan),
            "gift" => Some(Transfer::Gift),
            _ => None,
        }
    }
}

/// Hardware lent or given by one actor to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hardware {
    pub id: ActionId,
    /// What is lent or given (`12 ordinateurs portables reconditionnés`).
    pub items: String,
    /// How many items.
    pub quantity: u32,
    pub transfer: Transfer,
    /// The actor lending or giving.
    pub giver: EntityId,
    /// The actor receiving.
    pub recipient: EntityId,
    /// The place where the hardware is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<EntityId>,
    /// The day it was handed over.
    pub from: NaiveDate,
    /// The day a loan ends (planned or actual).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// A loan's hardware has come back.
    #[serde(default)]
    pub returned: bool,
    /// What it is worth, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_cents: Option<Cents>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<EntityId>,
    pub provenance: Provenance,
}

impl Hardware {
    /// A loan whose hardware has not come back.
    pub fn out(&self) -> bool {
        self.transfer == Transfer::Loan && !self.returned
    }
}

/// Something hosted by one actor on its infrastructure: commons (a
/// service, a site, a repository) and what the text says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hosting {
    pub id: ActionId,
    /// What is hosted, in words (`Instance Nextcloud de la Maison du
    /// numérique`).
    pub what: String,
    /// The commons hosted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commons: Vec<EntityId>,
    /// The actor hosting it.
    pub host: EntityId,
    /// The actor it is hosted for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosted_for: Option<EntityId>,
    /// The infrastructure (`serveurs municipaux`, a data centre…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infrastructure: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<EntityId>,
    pub provenance: Provenance,
}

impl Hosting {
    /// Whether it is hosted on `day` (started, not ended before).
    pub fn live_on(&self, day: NaiveDate) -> bool {
        self.since.is_none_or(|s| s <= day) && self.until.is_none_or(|u| u >= day)
    }
}

pub(super) fn hardware_problems(h: &Hardware, f: &mut Findings) {
    f.text("items", &h.items, TextKind::Line);
    if h.quantity == 0 {
        f.push("quantity", "at least one item");
    }
    f.entity_kind("giver", &h.giver, EntityKind::Actor);
    f.entity_kind("recipient", &h.recipient, EntityKind::Actor);
    if let Some(p) = &h.place {
        f.entity_kind("place", p, EntityKind::Place);
    }
    f.order(
        "until",
        Some(h.from),
        h.until,
        "the loan ends before it starts",
    );
    if h.returned && h.transfer == Transfer::Gift {
        f.push(
            "returned",
            "a gift is not returned; set `transfer` to `loan`",
        );
    }
    f.cents("value_cents", h.value_cents);
}

pub(super) fn hosting_problems(h: &Hosting, f: &mut Findings) {
    f.text("what", &h.what, TextKind::Line);
    f.opt("infrastructure", &h.infrastructure, TextKind::Line);
    f.entity_kind("host", &h.host, EntityKind::Actor);
    if let Some(a) = &h.hosted_for {
        f.entity_kind("hosted_for", a, EntityKind::Actor);
    }
    for c in &h.commons {
        f.entity_kind("commons", c, EntityKind::Commons);
    }
    f.order(
        "until",
        h.since,
        h.until,
        "the hosting ends before it starts",
    );
}

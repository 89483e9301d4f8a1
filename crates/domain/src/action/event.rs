//! Trainings and events (the fields of schema.org's `Event`), with their
//! attendance.
//!
//! Times are local times in Europe/Paris (the territories Archipel covers);
//! an event without times lasts whole days. The attendance counts people:
//! a total, and how many of them came from each actor kind and each
//! typology (keys of the `actor_kinds` and `typology` vocabularies, checked
//! by `archipel-content`). `public_agents` is how many attendees are
//! agents of a local government or public body: summed over trainings it
//! is the territory's "agents trained" figure. When it is not given, the
//! `public_agent` entry of `by_typology` stands for it.

use super::{ActionId, Findings};
use crate::{check_url, EntityId, EntityKind, Provenance, TextKind};
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `event_categories` key of trainings.
pub const TRAINING: &str = "training";

/// The `typology` key of public agents.
pub const PUBLIC_AGENT: &str = "public_agent";

/// Who came to an event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    /// People who came.
    pub total: u32,
    /// Attendees by actor kind (keys of `actor_kinds`); they add up to at
    /// most `total` (an attendee may have come for no organisation).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_actor_kind: BTreeMap<String, u32>,
    /// Attendees by typology (keys of `typology`); an attendee may count
    /// under several.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_typology: BTreeMap<String, u32>,
    /// Attendees who are public agents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_agents: Option<u32>,
}

impl Attendance {
    /// Public agents among the attendees: `public_agents`, else the
    /// `public_agent` typology's count, else none.
    pub fn agents(&self) -> u32 {
        self.public_agents
            .or_else(|| self.by_typology.get(PUBLIC_AGENT).copied())
            .unwrap_or(0)
    }
}

/// A training, a workshop, a meetup, a conference…
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: ActionId,
    pub name: String,
    /// A key of the `event_categories` vocabulary (`training`, `meetup`…).
    pub category: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The actor organising it.
    pub organiser: EntityId,
    /// The registry's place where it happens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<EntityId>,
    /// Where it happens, in words (a room, an address, `en ligne`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// First day, and start time (Europe/Paris) when given.
    pub starts: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<NaiveTime>,
    /// Last day (the first when not given), and end time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<NaiveTime>,
    /// Whom it is for, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Seats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The commons it is about.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commons: Vec<EntityId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendance: Option<Attendance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<EntityId>,
    pub provenance: Provenance,
}

impl Event {
    /// A training (category `training`).
    pub fn is_training(&self) -> bool {
        self.category == TRAINING
    }

    /// The last day.
    pub fn last_day(&self) -> NaiveDate {
        self.ends.unwrap_or(self.starts)
    }
}

pub(super) fn problems(e: &Event, f: &mut Findings) {
    f.text("name", &e.name, TextKind::Line);
    f.text("category", &e.category, TextKind::Line);
    f.opt("description", &e.description, TextKind::Block);
    f.opt("location", &e.location, TextKind::Line);
    f.opt("audience", &e.audience, TextKind::Line);
    f.entity_kind("organiser", &e.organiser, EntityKind::Actor);
    if let Some(p) = &e.place {
        f.entity_kind("place", p, EntityKind::Place);
    }
    for c in &e.commons {
        f.entity_kind("commons", c, EntityKind::Commons);
    }
    if let Some(u) = &e.url {
        if let Err(r) = check_url(u) {
            f.push("url", &r);
        }
    }
    f.order("ends", Some(e.starts), e.ends, "it ends before it starts");
    if let (Some(s), Some(t)) = (e.start_time, e.end_time) {
        if e.last_day() == e.starts && t < s {
            f.push("end_time", "it ends before it starts");
        }
    }
    if e.end_time.is_some() && e.start_time.is_none() {
        f.push("start_time", "an end time needs a start time");
    }
    if e.capacity == Some(0) {
        f.push("capacity", "at least one seat (leave it out when unknown)");
    }
    if let Some(a) = &e.attendance {
        for (k, _) in a.by_actor_kind.iter().chain(&a.by_typology) {
            f.text("attendance", k, TextKind::Line);
        }
        let by_kind: u64 = a.by_actor_kind.values().map(|n| u64::from(*n)).sum();
        if by_kind > u64::from(a.total) {
            f.push(
                "attendance.by_actor_kind",
                &format!(
                    "{by_kind} attendees by actor kind, more than the {} in all",
                    a.total
                ),
            );
        }
        for (k, n) in &a.by_typology {
            if *n > a.total {
                f.push(
                    &format!("attendance.by_typology.{k}"),
                    &format!("{n} attendees, more than the {} in all", a.total),
                );
            }
        }
        if a.public_agents.is_some_and(|n| n > a.total) {
            f.push(
                "attendance.public_agents",
                &format!("more public agents than the {} attendees in all", a.total),
            );
        }
    }
}

//! The contribution form of each kind of record: which fields it shows
//! ([`fields`]), how a record fills them ([`values_of`]) and how what a
//! visitor sent makes a record again ([`build`]).
//!
//! A field's form name is the path of the value in the record's JSON
//! form (`identifiers.siret`, `address.city`, `location.lat`): the
//! problems `archipel-jobs`' checks report name the same paths, so each
//! is shown next to its field. Only what a value's syntax decides is
//! checked here (a coordinate is a number, a date a date, a nature one of
//! two); everything else is left to the checks every import applies.
//! Editing starts from the current record, so what the form does not show
//! (details of a source, other identifiers) is kept as it is.

use archipel_domain::{
    slug, Actor, Address, Commons, Entity, EntityId, EntityKind, GeoPoint, Identifiers, Nature,
    Place, Provenance, Relation, Territory,
};
use archipel_jobs::contribute::FieldError;
use chrono::{DateTime, Utc};

/// How a field is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// One line of text.
    Line,
    /// Paragraphs.
    Block,
    Url,
    Email,
    /// Decimal degrees.
    Coordinate,
    Date,
    /// One key of a vocabulary (`content/vocabularies/`).
    Vocab(&'static str),
    /// Any number of keys of a vocabulary.
    Many(&'static str),
    /// A list, one item per line.
    Lines,
    /// Organisation or person.
    Nature,
    /// A territory of the registry.
    Territory,
    /// Another record, by its identifier (or its page's address).
    Record,
}

/// A field of a form.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The form name: the value's path in the record's JSON form.
    pub name: &'static str,
    /// The key of its label in `content/ui/strings.toml`.
    pub label: &'static str,
    pub input: Input,
    pub required: bool,
}

const fn f(name: &'static str, label: &'static str, input: Input, required: bool) -> Field {
    Field {
        name,
        label,
        input,
        required,
    }
}

const ACTOR: &[Field] = &[
    f("name", "field.name", Input::Line, true),
    f("nature", "field.nature", Input::Nature, true),
    f(
        "kind",
        "field.actor_kind",
        Input::Vocab("actor_kinds"),
        false,
    ),
    f("typology", "field.typology", Input::Many("typology"), false),
    f("description", "field.description", Input::Block, false),
    f("identifiers.siret", "field.siret", Input::Line, false),
    f("identifiers.rna", "field.rna", Input::Line, false),
    f("identifiers.wikidata", "field.wikidata", Input::Line, false),
    f("website", "field.website", Input::Url, false),
    f("email", "field.email", Input::Email, false),
    f("territory", "field.territory", Input::Territory, false),
    f("location.lat", "field.lat", Input::Coordinate, false),
    f("location.lon", "field.lon", Input::Coordinate, false),
];

/// The place proposed with a new actor (names prefixed `place.`).
const ACTOR_PLACE: &[Field] = &[
    f("place.name", "field.place_name", Input::Line, false),
    f("place.address.street", "field.street", Input::Line, false),
    f(
        "place.address.postcode",
        "field.postcode",
        Input::Line,
        false,
    ),
    f("place.address.city", "field.city", Input::Line, false),
    f("place.location.lat", "field.lat", Input::Coordinate, false),
    f("place.location.lon", "field.lon", Input::Coordinate, false),
];

const PLACE: &[Field] = &[
    f("name", "field.name", Input::Line, true),
    f("actor", "field.operator", Input::Record, false),
    f("description", "field.description", Input::Block, false),
    f("address.street", "field.street", Input::Line, false),
    f("address.complement", "field.complement", Input::Line, false),
    f("address.postcode", "field.postcode", Input::Line, false),
    f("address.city", "field.city", Input::Line, false),
    f("insee_code", "field.insee_code", Input::Line, false),
    f("territory", "field.territory", Input::Territory, false),
    f("location.lat", "field.lat", Input::Coordinate, false),
    f("location.lon", "field.lon", Input::Coordinate, false),
    f("phone", "field.phone", Input::Line, false),
    f("emails", "field.emails", Input::Lines, false),
    f("websites", "field.websites", Input::Lines, false),
];

const COMMONS: &[Field] = &[
    f("name", "field.name", Input::Line, true),
    f(
        "kind",
        "field.commons_kind",
        Input::Vocab("commons_kinds"),
        true,
    ),
    f("description", "field.description", Input::Block, false),
    f("repository_url", "field.repository_url", Input::Url, false),
    f("website_url", "field.website", Input::Url, false),
    f("license", "field.license", Input::Line, false),
    f("categories", "field.categories", Input::Lines, false),
    f("identifiers.wikidata", "field.wikidata", Input::Line, false),
    f("identifiers.sill", "field.sill", Input::Line, false),
    f(
        "identifiers.comptoir_du_libre",
        "field.comptoir",
        Input::Line,
        false,
    ),
];

const RELATION: &[Field] = &[
    f("subject", "field.subject", Input::Record, true),
    f(
        "kind",
        "field.relation_kind",
        Input::Vocab("relation_types"),
        true,
    ),
    f("object", "field.object", Input::Record, true),
    f(
        "role",
        "field.role",
        Input::Vocab("governance_roles"),
        false,
    ),
    f("since", "field.since", Input::Date, false),
    f("until", "field.until", Input::Date, false),
    f("note", "field.note", Input::Block, false),
];

const TERRITORY: &[Field] = &[
    f("name", "field.name", Input::Line, true),
    f(
        "level",
        "field.level",
        Input::Vocab("territory_levels"),
        true,
    ),
    f("code", "field.code", Input::Line, true),
    f("parent", "field.parent", Input::Territory, false),
];

/// The fields of a kind's form.
pub fn fields(kind: EntityKind) -> &'static [Field] {
    match kind {
        EntityKind::Actor => ACTOR,
        EntityKind::Place => PLACE,
        EntityKind::Commons => COMMONS,
        EntityKind::Relation => RELATION,
        EntityKind::Territory => TERRITORY,
    }
}

/// The fields of the place that can be proposed with a new actor.
pub fn actor_place_fields() -> &'static [Field] {
    ACTOR_PLACE
}

/// What a form was sent, as (name, value) pairs in order; a name may come
/// more than once (a multiple choice).
#[derive(Debug, Clone, Default)]
pub struct Values(pub Vec<(String, String)>);

impl Values {
    /// The first value of `name`, trimmed; `None` when absent or empty.
    pub fn one(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Every non-empty value of `name`: the choices of a multiple choice,
    /// or the lines of a list.
    pub fn many(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.lines())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The value of `name` as the form shows it again (lists one item per
    /// line).
    pub fn shown(&self, name: &str) -> String {
        let all: Vec<&str> = self
            .0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        all.join("\n")
    }

    fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        if !value.is_empty() {
            self.0.push((name.to_string(), value));
        }
    }

    fn set_opt(&mut self, name: &str, value: &Option<String>) {
        if let Some(v) = value {
            self.set(name, v.as_str());
        }
    }

    fn set_point(&mut self, prefix: &str, p: Option<GeoPoint>) {
        if let Some(p) = p {
            self.set(&format!("{prefix}lat"), p.lat.to_string());
            self.set(&format!("{prefix}lon"), p.lon.to_string());
        }
    }

    /// Whether any of `fields` was given a value.
    pub fn any_of(&self, fields: &[Field]) -> bool {
        fields.iter().any(|f| self.one(f.name).is_some())
    }
}

/// The values a record gives its form.
pub fn values_of(e: &Entity) -> Values {
    let mut v = Values::default();
    match e {
        Entity::Actor(a) => {
            v.set("name", a.name.as_str());
            v.set("nature", a.nature.as_str());
            v.set_opt("kind", &a.kind);
            for t in &a.typology {
                v.set("typology", t.as_str());
            }
            v.set_opt("description", &a.description);
            v.set_opt("identifiers.siret", &a.identifiers.siret);
            v.set_opt("identifiers.rna", &a.identifiers.rna);
            v.set_opt("identifiers.wikidata", &a.identifiers.wikidata);
            v.set_opt("website", &a.website);
            v.set_opt("email", &a.email);
            v.set_opt("territory", &a.territory.as_ref().map(|t| t.to_string()));
            v.set_point("location.", a.location);
        }
        Entity::Place(p) => {
            v.set("name", p.name.as_str());
            v.set_opt("actor", &p.actor.as_ref().map(|t| t.to_string()));
            v.set_opt("description", &p.description);
            v.set_opt("address.street", &p.address.street);
            v.set_opt("address.complement", &p.address.complement);
            v.set_opt("address.postcode", &p.address.postcode);
            v.set_opt("address.city", &p.address.city);
            v.set_opt("insee_code", &p.insee_code);
            v.set_opt("territory", &p.territory.as_ref().map(|t| t.to_string()));
            v.set_point("location.", p.location);
            v.set_opt("phone", &p.phone);
            v.set("emails", p.emails.join("\n"));
            v.set("websites", p.websites.join("\n"));
        }
        Entity::Commons(c) => {
            v.set("name", c.name.as_str());
            v.set("kind", c.kind.as_str());
            v.set_opt("description", &c.description);
            v.set_opt("repository_url", &c.repository_url);
            v.set_opt("website_url", &c.website_url);
            v.set_opt("license", &c.license);
            v.set("categories", c.categories.join("\n"));
            v.set_opt("identifiers.wikidata", &c.identifiers.wikidata);
            v.set_opt("identifiers.sill", &c.identifiers.sill);
            v.set_opt(
                "identifiers.comptoir_du_libre",
                &c.identifiers.comptoir_du_libre,
            );
        }
        Entity::Relation(r) => {
            v.set("subject", r.subject.as_str());
            v.set("kind", r.kind.as_str());
            v.set("object", r.object.as_str());
            v.set_opt("role", &r.role);
            v.set_opt("since", &r.since.map(|d| d.to_string()));
            v.set_opt("until", &r.until.map(|d| d.to_string()));
            v.set_opt("note", &r.note);
        }
        Entity::Territory(t) => {
            v.set("name", t.name.as_str());
            v.set("level", t.level.as_str());
            v.set("code", t.code.as_str());
            v.set_opt("parent", &t.parent.as_ref().map(|p| p.to_string()));
        }
    }
    v
}

/// What [`build`] found wrong so far.
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: &str, reason: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_string(),
            reason: reason.into(),
        });
    }

    fn text(&mut self, v: &Values, field: &Field) -> Option<String> {
        let got = v.one(field.name).map(str::to_string);
        if got.is_none() && field.required {
            self.add(field.name, "required value is missing");
        }
        got
    }

    /// A record's identifier, as written or as its page's address
    /// (`https://…/actors/actor%3Ademo%3Ax`).
    fn record(&mut self, v: &Values, field: &Field) -> Option<EntityId> {
        let raw = self.text(v, field)?;
        let last = raw
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(&raw)
            .to_string();
        let decoded = percent_decode(&last);
        match EntityId::parse(&decoded) {
            Ok(id) => Some(id),
            Err(e) => {
                self.add(field.name, e.to_string());
                None
            }
        }
    }

    fn date(&mut self, v: &Values, name: &str) -> Option<chrono::NaiveDate> {
        let raw = v.one(name)?;
        match archipel_domain::parse_date(raw) {
            Ok(d) => Some(d),
            Err(e) => {
                self.add(name, e);
                None
            }
        }
    }

    /// The point of `PREFIXlat` and `PREFIXlon`: both or neither.
    fn point(&mut self, v: &Values, prefix: &str) -> Option<GeoPoint> {
        let (lat_name, lon_name) = (format!("{prefix}lat"), format!("{prefix}lon"));
        let mut coordinate = |name: &str| {
            let raw = v.one(name)?;
            match archipel_domain::parse_coordinate(raw) {
                Ok(x) => Some(Some(x)),
                Err(e) => {
                    self.add(name, e);
                    Some(None)
                }
            }
        };
        match (coordinate(&lat_name), coordinate(&lon_name)) {
            (None, None) => None,
            (Some(Some(lat)), Some(Some(lon))) => Some(GeoPoint { lat, lon }),
            (Some(_), None) => {
                self.add(&lon_name, "give the longitude with the latitude");
                None
            }
            (None, Some(_)) => {
                self.add(&lat_name, "give the latitude with the longitude");
                None
            }
            _ => None,
        }
    }
}

/// `%XX` escapes of a path segment decoded (invalid ones kept as they
/// are).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let hex = |b: u8| (b as char).to_digit(16);
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The field of `kind`'s form at `path` (`identifiers.siret`), when the
/// form shows it; a point's path (`location`) gives its latitude's field.
pub fn field_at(kind: EntityKind, path: &str) -> Option<Field> {
    let lat = format!("{path}.lat");
    fields(kind)
        .iter()
        .find(|f| f.name == path || f.name == lat)
        .copied()
}

/// The field of `kind` named `name`.
fn field(kind: EntityKind, name: &str) -> Field {
    fields(kind)
        .iter()
        .chain(ACTOR_PLACE)
        .find(|f| f.name == name)
        .copied()
        .unwrap_or(Field {
            name: "name",
            label: "field.name",
            input: Input::Line,
            required: false,
        })
}

/// The identifier a new record of `kind` named `name` gets: in the `web`
/// source, from its name (`actor:web:la-fabrique`), made unique by
/// `taken`.
pub fn new_id(kind: EntityKind, name: &str, taken: impl Fn(&EntityId) -> bool) -> Option<EntityId> {
    let base = match slug(name) {
        s if s.is_empty() => kind.as_str().to_string(),
        s => s.chars().take(80).collect(),
    };
    (1..1000u32).find_map(|n| {
        let local = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        EntityId::new(kind, archipel_jobs::contribute::WEB_SOURCE, &local)
            .ok()
            .filter(|id| !taken(id))
    })
}

/// The record a form makes: `base` (the current record, for an edit) with
/// the form's values over it, or a new record `id`. Returns the problems
/// of syntax (each with its field) when there are any.
pub fn build(
    kind: EntityKind,
    id: EntityId,
    base: Option<&Entity>,
    v: &Values,
    at: DateTime<Utc>,
) -> Result<Entity, Vec<FieldError>> {
    match build_partly(kind, id, base, v, at) {
        (Some(e), problems) if problems.is_empty() => Ok(e),
        (_, problems) => Err(problems),
    }
}

/// [`build`], keeping the record made of the values that could be read
/// (those that could not left out) beside the problems, so that the
/// checks of the rest can be said at once. No record when a relation's
/// ends cannot be read.
pub fn build_partly(
    kind: EntityKind,
    id: EntityId,
    base: Option<&Entity>,
    v: &Values,
    at: DateTime<Utc>,
) -> (Option<Entity>, Vec<FieldError>) {
    let mut p = Problems(Vec::new());
    let provenance = base
        .map(|b| b.provenance().clone())
        .unwrap_or_else(|| Provenance::new(archipel_jobs::contribute::WEB_SOURCE, at));
    let territory = |p: &mut Problems, name: &str| p.record(v, &field(kind, name));
    let e = match kind {
        EntityKind::Actor => {
            let mut a = match base {
                Some(Entity::Actor(a)) => a.clone(),
                _ => Actor {
                    id,
                    name: String::new(),
                    nature: Nature::Organisation,
                    kind: None,
                    typology: Vec::new(),
                    description: None,
                    identifiers: Identifiers::default(),
                    website: None,
                    email: None,
                    territory: None,
                    location: None,
                    provenance,
                },
            };
            a.name = p.text(v, &field(kind, "name")).unwrap_or_default();
            match v.one("nature") {
                Some(n) => match Nature::parse(n) {
                    Some(n) => a.nature = n,
                    None => p.add("nature", "choose organisation or person"),
                },
                None => p.add("nature", "required value is missing"),
            }
            a.kind = v.one("kind").map(str::to_string);
            a.typology = v.many("typology");
            a.description = v.one("description").map(str::to_string);
            a.identifiers.siret = v.one("identifiers.siret").map(compact);
            a.identifiers.rna = v.one("identifiers.rna").map(compact);
            a.identifiers.wikidata = v.one("identifiers.wikidata").map(str::to_string);
            a.website = v.one("website").map(str::to_string);
            a.email = v.one("email").map(str::to_string);
            a.territory = territory(&mut p, "territory");
            a.location = p.point(v, "location.");
            Entity::Actor(a)
        }
        EntityKind::Place => {
            let mut pl = match base {
                Some(Entity::Place(pl)) => pl.clone(),
                _ => empty_place(id, provenance),
            };
            pl.name = p.text(v, &field(kind, "name")).unwrap_or_default();
            pl.actor = p.record(v, &field(kind, "actor"));
            pl.description = v.one("description").map(str::to_string);
            pl.address = Address {
                street: v.one("address.street").map(str::to_string),
                complement: v.one("address.complement").map(str::to_string),
                postcode: v.one("address.postcode").map(str::to_string),
                city: v.one("address.city").map(str::to_string),
            };
            pl.insee_code = v.one("insee_code").map(str::to_string);
            pl.territory = territory(&mut p, "territory");
            pl.location = p.point(v, "location.");
            pl.phone = v.one("phone").map(str::to_string);
            pl.emails = v.many("emails");
            pl.websites = v.many("websites");
            Entity::Place(pl)
        }
        EntityKind::Commons => {
            let mut c = match base {
                Some(Entity::Commons(c)) => c.clone(),
                _ => Commons {
                    id,
                    name: String::new(),
                    kind: String::new(),
                    description: None,
                    repository_url: None,
                    website_url: None,
                    license: None,
                    publiccode: None,
                    categories: Vec::new(),
                    identifiers: Identifiers::default(),
                    details: Default::default(),
                    provenance,
                },
            };
            c.name = p.text(v, &field(kind, "name")).unwrap_or_default();
            c.kind = p.text(v, &field(kind, "kind")).unwrap_or_default();
            c.description = v.one("description").map(str::to_string);
            c.repository_url = v.one("repository_url").map(str::to_string);
            c.website_url = v.one("website_url").map(str::to_string);
            c.license = v.one("license").map(str::to_string);
            c.categories = v.many("categories");
            c.identifiers.wikidata = v.one("identifiers.wikidata").map(str::to_string);
            c.identifiers.sill = v.one("identifiers.sill").map(str::to_string);
            c.identifiers.comptoir_du_libre =
                v.one("identifiers.comptoir_du_libre").map(str::to_string);
            Entity::Commons(c)
        }
        EntityKind::Relation => {
            let subject = p.record(v, &field(kind, "subject"));
            let rkind = p.text(v, &field(kind, "kind")).unwrap_or_default();
            let object = p.record(v, &field(kind, "object"));
            let role = v.one("role").map(str::to_string);
            let since = p.date(v, "since");
            let until = p.date(v, "until");
            let note = v.one("note").map(str::to_string);
            match (subject, object) {
                (Some(subject), Some(object)) => {
                    // A new relation's id says what it links; an edit
                    // keeps its own.
                    let id = match base {
                        Some(b) => b.id().clone(),
                        None => Relation::derive_id(
                            archipel_jobs::contribute::WEB_SOURCE,
                            &subject,
                            &rkind,
                            &object,
                            role.as_deref(),
                        )
                        .unwrap_or(id),
                    };
                    Entity::Relation(Relation {
                        id,
                        subject,
                        kind: rkind,
                        object,
                        role,
                        since,
                        until,
                        note,
                        provenance,
                    })
                }
                _ => return (None, p.0),
            }
        }
        EntityKind::Territory => {
            let mut t = match base {
                Some(Entity::Territory(t)) => t.clone(),
                _ => Territory {
                    id,
                    name: String::new(),
                    level: String::new(),
                    code: String::new(),
                    parent: None,
                    fictional: false,
                    department: None,
                    population: None,
                    postcodes: Vec::new(),
                    provenance,
                },
            };
            t.name = p.text(v, &field(kind, "name")).unwrap_or_default();
            t.level = p.text(v, &field(kind, "level")).unwrap_or_default();
            t.code = p.text(v, &field(kind, "code")).unwrap_or_default();
            t.parent = territory(&mut p, "parent");
            Entity::Territory(t)
        }
    };
    (Some(e), p.0)
}

/// A place with nothing but its id.
fn empty_place(id: EntityId, provenance: Provenance) -> Place {
    Place {
        id,
        name: String::new(),
        actor: None,
        description: None,
        address: Address::default(),
        insee_code: None,
        location: None,
        territory: None,
        phone: None,
        emails: Vec::new(),
        websites: Vec::new(),
        details: Default::default(),
        provenance,
    }
}

/// The place proposed with a new actor (`place.` fields), when any of
/// them was given: named after the actor unless named, run by it.
pub fn actor_place(
    actor: &Entity,
    id: EntityId,
    v: &Values,
    at: DateTime<Utc>,
) -> Option<Result<Entity, Vec<FieldError>>> {
    if !v.any_of(ACTOR_PLACE) {
        return None;
    }
    let mut p = Problems(Vec::new());
    let mut pl = empty_place(
        id,
        Provenance::new(archipel_jobs::contribute::WEB_SOURCE, at),
    );
    pl.name = v
        .one("place.name")
        .map(str::to_string)
        .unwrap_or_else(|| actor.name().to_string());
    pl.actor = Some(actor.id().clone());
    pl.address = Address {
        street: v.one("place.address.street").map(str::to_string),
        complement: None,
        postcode: v.one("place.address.postcode").map(str::to_string),
        city: v.one("place.address.city").map(str::to_string),
    };
    if let Entity::Actor(a) = actor {
        pl.territory = a.territory.clone();
    }
    pl.location = p.point(v, "place.location.");
    Some(if p.0.is_empty() {
        Ok(Entity::Place(pl))
    } else {
        Err(p.0)
    })
}

/// An identifier as people write it (`123 456 789 00012`) without its
/// spaces.
fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T08:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .expect("date")
    }

    fn values(pairs: &[(&str, &str)]) -> Values {
        Values(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn a_record_fills_its_form_and_the_form_gives_it_back() {
        let id = EntityId::parse("actor:demo:fab").expect("id");
        let v = values(&[
            ("name", "La Fabrique"),
            ("nature", "organisation"),
            ("typology", "tiers-lieu"),
            ("typology", "association"),
            ("identifiers.siret", "356 000 000 00048"),
            ("location.lat", "48.39"),
            ("location.lon", "-4.48"),
            ("territory", "/territories/territory%3Ademo%3Abrest"),
        ]);
        let e = build(EntityKind::Actor, id.clone(), None, &v, at()).expect("valid");
        let Entity::Actor(a) = &e else {
            panic!("an actor")
        };
        assert_eq!(a.identifiers.siret.as_deref(), Some("35600000000048"));
        assert_eq!(a.typology, vec!["tiers-lieu", "association"]);
        assert_eq!(
            a.territory.as_ref().map(|t| t.as_str()),
            Some("territory:demo:brest")
        );
        let again = build(EntityKind::Actor, id, Some(&e), &values_of(&e), at()).expect("valid");
        assert!(again.same_facts(&e));
    }

    #[test]
    fn syntax_problems_name_their_field() {
        let id = EntityId::parse("place:web:x").expect("id");
        let v = values(&[("location.lat", "north"), ("actor", "not an id")]);
        let errors = build(EntityKind::Place, id, None, &v, at()).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"name"), "{fields:?}");
        assert!(fields.contains(&"location.lat"), "{fields:?}");
        assert!(fields.contains(&"location.lon"), "{fields:?}");
        assert!(fields.contains(&"actor"), "{fields:?}");
    }

    #[test]
    fn new_ids_come_from_the_name_and_stay_unique() {
        let taken = EntityId::parse("actor:web:la-fabrique").expect("id");
        let id = new_id(EntityKind::Actor, "La Fabrique", |i| *i == taken).expect("id");
        assert_eq!(id.as_str(), "actor:web:la-fabrique-2");
        let id = new_id(EntityKind::Actor, "<script>", |_| false).expect("id");
        assert_eq!(id.as_str(), "actor:web:script");
    }

    #[test]
    fn escapes_decode_and_bad_ones_stay() {
        assert_eq!(percent_decode("actor%3Ademo%3Ax"), "actor:demo:x");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}

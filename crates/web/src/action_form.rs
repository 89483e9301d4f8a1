//! The contribution form of each kind of public action record (a call, a
//! grant, an application, hardware, hosting, an event, a post): which
//! fields it shows ([`fields`]), how a record fills them ([`values_of`])
//! and how what a visitor sent makes a record again ([`build`]).
//!
//! As for the registry's records (`record_form`), a field's form name is
//! the path of its value in the record's JSON form (`amount_cents`,
//! `attendance.total`, `attendance.by_actor_kind.association`), so the
//! problems the import checks report are shown next to their field. The
//! form writes the values it shows into the record's JSON (the current
//! record's when editing, so what the form does not show — a grant's SCDL
//! details, a call's other fields — is kept) and the domain's own
//! deserialisation reads it back: a value the record cannot hold is named
//! by its field.

use crate::record_form::Values;
use archipel_domain::{
    echo, format_euros, parse_euros, slug, Action, ActionId, ActionKind, EntityId, Fte, Provenance,
    Share,
};
use archipel_jobs::contribute::{FieldError, WEB_SOURCE};
use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// How a field is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// One line of text.
    Line,
    /// Paragraphs.
    Block,
    Url,
    Date,
    /// An amount in euros (`1500.50`), kept in cents.
    Euros,
    /// A whole number (a quantity, seats, attendees).
    Count,
    /// Yes or no.
    Check,
    /// One of a few fixed values, each with its label's key.
    Choice(&'static [(&'static str, &'static str)]),
    /// One key of a vocabulary (`content/vocabularies/`).
    Vocab(&'static str),
    /// One count per key of a vocabulary (attendees by actor kind).
    Tally(&'static str),
    /// A record of the registry, by its identifier.
    Record,
    /// Records of the registry, one identifier per line.
    Records,
    /// A call for projects, by its identifier.
    Call,
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

const STATUS: &[(&str, &str)] = &[
    ("submitted", "support.status_submitted"),
    ("accepted", "support.status_accepted"),
    ("refused", "support.status_refused"),
    ("withdrawn", "support.status_withdrawn"),
];

const TRANSFER: &[(&str, &str)] = &[("loan", "support.loan"), ("gift", "support.gift")];

/// The SCDL's values of `nature` and `conditionsVersement`.
const NATURE: &[(&str, &str)] = &[
    ("aide en numéraire", "support.nature_cash"),
    ("aide en nature", "support.nature_kind"),
    ("aide en numéraire;aide en nature", "support.nature_both"),
    ("aide en nature;aide en numéraire", "support.nature_both"),
];

const TERMS: &[(&str, &str)] = &[
    ("unique", "support.terms_once"),
    ("échelonné", "support.terms_staged"),
    ("autre", "support.terms_other"),
];

const CALL: &[Field] = &[
    f("name", "support.call", Input::Line, true),
    f("giver_name", "support.giver", Input::Line, true),
    f("giver_siren", "support.giver_siren", Input::Line, true),
    f("giver", "form.giver_record", Input::Record, false),
    f("description", "field.description", Input::Block, false),
    f("eligibility", "support.eligibility", Input::Block, false),
    f("budget_cents", "support.budget", Input::Euros, false),
    f("opens", "support.opens", Input::Date, false),
    f("closes", "support.closes", Input::Date, false),
    f("call_for_projects", "support.aap", Input::Check, false),
    f(
        "non_competitive",
        "support.non_competitive",
        Input::Check,
        false,
    ),
    f("url", "support.url", Input::Url, false),
    f("territory", "support.territory", Input::Record, false),
];

const GRANT: &[Field] = &[
    f("purpose", "support.purpose", Input::Line, true),
    f("giver_name", "support.giver", Input::Line, true),
    f("giver_siret", "support.giver_siret", Input::Line, true),
    f("giver", "form.giver_record", Input::Record, true),
    f("date", "support.date", Input::Date, true),
    f("decision_reference", "support.decision", Input::Line, false),
    f("beneficiary_name", "support.beneficiary", Input::Line, true),
    f(
        "beneficiary_siret",
        "support.beneficiary_siret",
        Input::Line,
        false,
    ),
    f(
        "beneficiary_rna",
        "support.beneficiary_rna",
        Input::Line,
        false,
    ),
    f(
        "beneficiary",
        "form.beneficiary_record",
        Input::Record,
        true,
    ),
    f("amount_cents", "support.amount", Input::Euros, true),
    f("share", "support.share", Input::Line, true),
    f("nature", "support.nature", Input::Choice(NATURE), true),
    f(
        "payment_terms",
        "support.payment_terms",
        Input::Choice(TERMS),
        true,
    ),
    f("payment_from", "support.payment", Input::Date, true),
    f("payment_until", "form.payment_until", Input::Date, false),
    f("rae_id", "support.rae", Input::Line, false),
    f("eu_notified", "support.eu_notified", Input::Check, false),
    f("call", "support.call", Input::Call, false),
    f("commons", "support.commons", Input::Records, false),
    f("territory", "support.territory", Input::Record, false),
];

const APPLICATION: &[Field] = &[
    f("purpose", "support.project", Input::Line, true),
    f("call", "support.call", Input::Call, true),
    f("applicant_name", "support.applicant", Input::Line, true),
    f("applicant", "form.applicant_record", Input::Record, true),
    f(
        "amount_asked_cents",
        "support.amount_asked",
        Input::Euros,
        false,
    ),
    f("status", "support.status", Input::Choice(STATUS), true),
    f("submitted", "support.submitted", Input::Date, true),
    f("decided", "support.decided", Input::Date, false),
    f("commons", "support.commons", Input::Records, false),
];

const HARDWARE: &[Field] = &[
    f("items", "support.items", Input::Line, true),
    f("quantity", "support.quantity", Input::Count, true),
    f(
        "transfer",
        "support.transfer",
        Input::Choice(TRANSFER),
        true,
    ),
    f("giver", "support.lender", Input::Record, true),
    f("recipient", "support.recipient", Input::Record, true),
    f("place", "form.hardware_place", Input::Record, false),
    f("from", "support.starts", Input::Date, true),
    f("until", "support.ends", Input::Date, false),
    f("returned", "support.hw_returned", Input::Check, false),
    f("value_cents", "support.value", Input::Euros, false),
];

const HOSTING: &[Field] = &[
    f("what", "support.hosted", Input::Line, true),
    f("host", "support.host", Input::Record, true),
    f("hosted_for", "support.hosted_for", Input::Record, false),
    f("commons", "support.commons", Input::Records, false),
    f(
        "infrastructure",
        "support.infrastructure",
        Input::Line,
        false,
    ),
    f("since", "support.starts", Input::Date, false),
    f("until", "support.ends", Input::Date, false),
];

const EVENT: &[Field] = &[
    f("name", "support.event", Input::Line, true),
    f(
        "category",
        "support.category",
        Input::Vocab("event_categories"),
        true,
    ),
    f("description", "field.description", Input::Block, false),
    f("organiser", "support.organiser", Input::Record, true),
    f("place", "support.where", Input::Record, false),
    f("location", "support.location", Input::Line, false),
    f("starts", "support.starts", Input::Date, true),
    f("ends", "support.ends", Input::Date, false),
    f("audience", "support.audience", Input::Line, false),
    f("capacity", "support.capacity", Input::Count, false),
    f("url", "support.url_event", Input::Url, false),
    f("commons", "support.commons", Input::Records, false),
    f("attendance.total", "support.attendees", Input::Count, false),
    f(
        "attendance.public_agents",
        "support.public_agents",
        Input::Count,
        false,
    ),
    f(
        "attendance.by_actor_kind",
        "support.by_actor_kind_caption",
        Input::Tally("actor_kinds"),
        false,
    ),
];

const POST: &[Field] = &[
    f("role", "support.role", Input::Line, true),
    f("employer", "support.employer", Input::Record, true),
    f("fte", "support.fte", Input::Line, true),
    f("since", "support.starts", Input::Date, true),
    f("until", "support.ends", Input::Date, false),
    f("funding", "support.funding", Input::Line, false),
    f("funder", "support.funder", Input::Record, false),
];

/// The fields of a kind's form.
pub fn fields(kind: ActionKind) -> &'static [Field] {
    match kind {
        ActionKind::Call => CALL,
        ActionKind::Grant => GRANT,
        ActionKind::Application => APPLICATION,
        ActionKind::Hardware => HARDWARE,
        ActionKind::Hosting => HOSTING,
        ActionKind::Event => EVENT,
        ActionKind::Post => POST,
    }
}

/// The field a path of a record's JSON form belongs to (a difference's
/// `attendance.by_actor_kind` is the tally's).
pub fn field_at(kind: ActionKind, path: &str) -> Option<Field> {
    fields(kind).iter().copied().find(|f| {
        f.name == path
            || (matches!(f.input, Input::Tally(_))
                && path
                    .strip_prefix(f.name)
                    .is_some_and(|rest| rest.starts_with('.')))
    })
}

/// The value at a dotted path of a JSON object.
fn at<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

/// The values a record gives its form.
pub fn values_of(a: &Action) -> Values {
    let mut out = Values::default();
    let Ok(json) = serde_json::to_value(a) else {
        return out;
    };
    let mut push = |name: String, value: String| {
        if !value.is_empty() {
            out.0.push((name, value));
        }
    };
    for f in fields(a.kind()) {
        let Some(v) = at(&json, f.name) else {
            continue;
        };
        match (f.input, v) {
            (Input::Euros, Value::Number(n)) => {
                if let Some(c) = n.as_i64() {
                    push(f.name.to_string(), format_euros(c));
                }
            }
            (Input::Check, Value::Bool(true)) => push(f.name.to_string(), "true".into()),
            (Input::Tally(_), Value::Object(m)) => {
                for (k, n) in m {
                    push(format!("{}.{k}", f.name), n.to_string());
                }
            }
            (Input::Records, Value::Array(items)) => {
                let lines: Vec<String> = items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect();
                push(f.name.to_string(), lines.join("\n"));
            }
            (_, Value::String(s)) => push(f.name.to_string(), s.clone()),
            (_, Value::Number(n)) => push(f.name.to_string(), n.to_string()),
            _ => {}
        }
    }
    out
}

/// Sets `value` at a dotted path of `obj`, making the objects on the way;
/// `None` removes it (and an object the removal leaves empty).
fn set(obj: &mut Map<String, Value>, path: &str, value: Option<Value>) {
    match path.split_once('.') {
        None => {
            match value {
                Some(v) => obj.insert(path.to_string(), v),
                None => obj.remove(path),
            };
        }
        Some((head, rest)) => {
            let entry = obj
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            if let Value::Object(inner) = entry {
                set(inner, rest, value);
                if inner.is_empty() {
                    obj.remove(head);
                }
            }
        }
    }
}

/// A new record's identifier: `KIND:web:SLUG`, the slug of its name with
/// a number when `taken` says it is used.
pub fn new_id(kind: ActionKind, name: &str, taken: impl Fn(&ActionId) -> bool) -> Option<ActionId> {
    let base = slug(name);
    let base = if base.is_empty() {
        kind.as_str().to_string()
    } else {
        base
    };
    (1..1000).find_map(|n| {
        let local = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        ActionId::new(kind, WEB_SOURCE, &local)
            .ok()
            .filter(|id| !taken(id))
    })
}

fn problem(field: &str, reason: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_string(),
        reason: reason.into(),
    }
}

/// A record of `kind` with identifier `id` from what a form sent: the
/// values it shows written over `base` (the current record when editing),
/// then read back as the domain reads any record. Every value a field
/// cannot hold is named by its field; the record's own checks (the
/// import's) come after, in `archipel-jobs`.
pub fn build(
    kind: ActionKind,
    id: &ActionId,
    base: Option<&Action>,
    values: &Values,
    tally_keys: impl Fn(&str) -> Vec<String>,
    at: DateTime<Utc>,
) -> Result<Action, Vec<FieldError>> {
    let mut obj = match base.map(serde_json::to_value) {
        Some(Ok(Value::Object(m))) => m,
        _ => Map::new(),
    };
    obj.insert("type".into(), Value::String(kind.as_str().into()));
    obj.insert("id".into(), Value::String(id.to_string()));
    if let Ok(p) = serde_json::to_value(Provenance::new(WEB_SOURCE, at)) {
        obj.insert("provenance".into(), p);
    }
    let mut errors = Vec::new();
    for f in fields(kind) {
        let given = values.one(f.name);
        if f.required && given.is_none() && !matches!(f.input, Input::Check | Input::Tally(_)) {
            errors.push(problem(f.name, "required value is missing"));
            continue;
        }
        let value = match (f.input, given) {
            (Input::Check, g) => Some(Value::Bool(g.is_some())),
            (Input::Tally(vocab), _) => {
                let mut m = Map::new();
                for key in tally_keys(vocab) {
                    let name = format!("{}.{key}", f.name);
                    if let Some(n) = values.one(&name) {
                        match n.parse::<u32>() {
                            Ok(0) => {}
                            Ok(n) => {
                                m.insert(key, Value::from(n));
                            }
                            Err(_) => errors
                                .push(problem(&name, format!("{} is not a whole number", echo(n)))),
                        }
                    }
                }
                (!m.is_empty()).then_some(Value::Object(m))
            }
            (_, None) => None,
            (Input::Euros, Some(s)) => match parse_euros(s) {
                Ok(c) => Some(Value::from(c)),
                Err(r) => {
                    errors.push(problem(f.name, r));
                    continue;
                }
            },
            (Input::Count, Some(s)) => match s.parse::<u32>() {
                Ok(n) => Some(Value::from(n)),
                Err(_) => {
                    errors.push(problem(
                        f.name,
                        format!("{} is not a whole number", echo(s)),
                    ));
                    continue;
                }
            },
            (Input::Records, Some(_)) => {
                let ids = values.many(f.name);
                if let Some(bad) = ids.iter().find(|i| EntityId::parse(i).is_err()) {
                    errors.push(problem(
                        f.name,
                        format!("{} is not a record identifier", echo(bad)),
                    ));
                    continue;
                }
                Some(Value::Array(ids.into_iter().map(Value::String).collect()))
            }
            (Input::Date, Some(s)) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(_) => Some(Value::String(s.to_string())),
                Err(_) => {
                    errors.push(problem(
                        f.name,
                        format!("{} is not a date (YYYY-MM-DD)", echo(s)),
                    ));
                    continue;
                }
            },
            (Input::Record, Some(s)) => match EntityId::parse(s) {
                Ok(_) => Some(Value::String(s.to_string())),
                Err(_) => {
                    errors.push(problem(
                        f.name,
                        format!("{} is not a record identifier", echo(s)),
                    ));
                    continue;
                }
            },
            (Input::Call, Some(s)) => match ActionId::parse(s) {
                Ok(c) if c.kind() == ActionKind::Call => Some(Value::String(s.to_string())),
                _ => {
                    errors.push(problem(
                        f.name,
                        format!("{} is not the identifier of a call for projects", echo(s)),
                    ));
                    continue;
                }
            },
            (Input::Line, Some(s)) if f.name == "share" => match Share::parse(s) {
                Ok(_) => Some(Value::String(s.to_string())),
                Err(r) => {
                    errors.push(problem(f.name, r));
                    continue;
                }
            },
            (Input::Line, Some(s)) if f.name == "fte" => match Fte::parse(s) {
                Ok(_) => Some(Value::String(s.to_string())),
                Err(r) => {
                    errors.push(problem(f.name, r));
                    continue;
                }
            },
            (Input::Choice(options), Some(s)) => {
                if !options.iter().any(|(v, _)| *v == s) {
                    errors.push(problem(
                        f.name,
                        format!("{} is not one of the choices", echo(s)),
                    ));
                    continue;
                }
                Some(Value::String(s.to_string()))
            }
            (_, Some(s)) => Some(Value::String(s.to_string())),
        };
        set(&mut obj, f.name, value);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    serde_json::from_value::<Action>(Value::Object(obj)).map_err(|e| {
        let msg = e.to_string();
        let field = fields(kind)
            .iter()
            .find(|f| {
                msg.contains(&format!(
                    "`{}`",
                    f.name.rsplit('.').next().unwrap_or(f.name)
                ))
            })
            .map(|f| f.name)
            .unwrap_or("");
        vec![problem(field, msg)]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use archipel_content::Content;

    fn keys_of(content: &Content, vocab: &str) -> Vec<String> {
        content
            .vocabulary(vocab)
            .map(|v| v.keys().map(str::to_string).collect())
            .unwrap_or_default()
    }

    fn demo() -> (Content, Vec<Action>) {
        let content = Content::embedded().expect("content");
        let actions = content.demo_actions(chrono::Utc::now());
        (content, actions)
    }

    #[test]
    fn every_label_exists_in_both_languages() {
        let strings = &*crate::i18n::UI_STRINGS;
        for kind in ActionKind::ALL {
            for f in fields(kind) {
                assert!(strings.has(f.label), "{kind}: {}: {}", f.name, f.label);
                if let Input::Choice(options) = f.input {
                    for (_, label) in options {
                        assert!(strings.has(label), "{kind}: {}: {label}", f.name);
                    }
                }
            }
        }
    }

    /// What a form shows of a record, sent back unchanged over the
    /// record, gives the same record — for every kind, on every record of
    /// the demonstration.
    #[test]
    fn a_form_sent_back_unchanged_gives_the_same_record() {
        let (content, actions) = demo();
        let keys = |vocab: &str| keys_of(&content, vocab);
        let mut kinds = std::collections::BTreeSet::new();
        for a in &actions {
            kinds.insert(a.kind());
            let values = values_of(a);
            let at = chrono::Utc::now();
            let back = build(a.kind(), a.id(), Some(a), &values, keys, at)
                .unwrap_or_else(|e| panic!("{}: {e:?}", a.id()));
            let mut expected = a.clone();
            *expected.provenance_mut() = Provenance::new(WEB_SOURCE, at);
            assert!(
                back.same_facts(&expected),
                "{}:\n{back:?}\n{expected:?}",
                a.id()
            );
        }
        assert_eq!(kinds.len(), ActionKind::ALL.len(), "every kind is tried");
    }

    #[test]
    fn a_cleared_field_is_removed_and_bad_values_are_named_by_field() {
        let (content, actions) = demo();
        let keys = |vocab: &str| keys_of(&content, vocab);
        let grant = actions
            .iter()
            .find(|a| a.kind() == ActionKind::Grant)
            .expect("a grant");
        let mut values = values_of(grant);
        values.0.retain(|(k, _)| k != "decision_reference");
        values.0.push(("decision_reference".into(), "   ".into()));
        for (k, v) in values.0.iter_mut() {
            match k.as_str() {
                "amount_cents" => *v = "12 000,5".into(),
                "date" => *v = "12/03/2025".into(),
                "share" => *v = "50%".into(),
                "beneficiary" => *v = "pas un identifiant".into(),
                _ => {}
            }
        }
        let at = chrono::Utc::now();
        let errors = build(
            ActionKind::Grant,
            grant.id(),
            Some(grant),
            &values,
            keys,
            at,
        )
        .expect_err("refused");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for f in ["amount_cents", "date", "share", "beneficiary"] {
            assert!(fields.contains(&f), "{f} not named: {errors:?}");
        }
        // Cleared, a value that was there goes.
        let mut values = values_of(grant);
        values.0.retain(|(k, _)| k != "rae_id");
        let Ok(Action::Grant(g)) = build(
            ActionKind::Grant,
            grant.id(),
            Some(grant),
            &values,
            keys,
            at,
        ) else {
            panic!("built")
        };
        assert_eq!(g.rae_id, None);
    }
}

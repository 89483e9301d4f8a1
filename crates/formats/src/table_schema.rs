//! The part of the Frictionless Table Schema that schema.data.gouv.fr
//! schemas use: per field `type` (string, number, integer, date, boolean),
//! `format` (`email` and `uri` for strings, `default`), and constraints
//! `required`, `unique`, `pattern`, `enum`, `minLength`, `maxLength`,
//! `minimum`, `maximum`; `primaryKey` (its fields required and unique).
//! The schema is data (a JSON file under `content/schemas/`), so a new
//! version of a national schema is a file change, not a code change.
//!
//! A schema this engine does not fully understand is refused, naming the
//! field and key: a type, format or constraint it would not check, or a
//! table-level rule (`foreignKeys`, `missingValues`), would otherwise let
//! through values the schema forbids. Descriptive keys (`title`,
//! `description`, `example`, the catalogue's metadata) are read past.

use archipel_domain::echo;
use regex::Regex;
use rustc_hash::FxHashSet as HashSet;
use serde_json::{Map, Value};

/// Keys of a field that describe it without constraining its values.
const DESCRIPTIVE: &[&str] = &["name", "title", "description", "example", "rdfType"];

/// Table-level keys that change what a value may be, which this engine
/// does not implement.
const UNSUPPORTED_TABLE_KEYS: &[&str] = &["foreignKeys", "missingValues", "fieldsMatch"];

/// The Table Schema `type`s this engine checks.
#[derive(Clone, Copy, PartialEq)]
enum FieldType {
    Number,
    Integer,
    Date,
    Boolean,
    Text,
}

/// The `format`s of a string field this engine checks.
#[derive(Clone, Copy, PartialEq)]
enum TextFormat {
    Any,
    Email,
    Uri,
}

/// A compiled field definition.
pub struct Field {
    pub name: String,
    kind: FieldType,
    format: TextFormat,
    pub required: bool,
    pub unique: bool,
    pattern: Option<Regex>,
    enumeration: Option<Vec<String>>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    minimum: Option<f64>,
    maximum: Option<f64>,
}

/// A compiled schema.
pub struct TableSchema {
    pub fields: Vec<Field>,
}

/// A schema's JSON value that is not what a key needs.
fn wrong(field: &str, key: &str, what: &str) -> String {
    format!("field {field}: `{key}` must be {what}")
}

impl TableSchema {
    /// Compiles a Table Schema from its JSON text; refuses what it would
    /// not check, naming the field and the key.
    pub fn from_json(text: &str) -> Result<TableSchema, String> {
        let raw: Map<String, Value> = serde_json::from_str(text).map_err(|e| e.to_string())?;
        for key in UNSUPPORTED_TABLE_KEYS {
            if raw.contains_key(*key) {
                return Err(format!("`{key}` is not supported by this engine"));
            }
        }
        let Some(Value::Array(raw_fields)) = raw.get("fields") else {
            return Err("`fields` must be a list of fields".into());
        };
        let mut fields = Vec::new();
        for (i, f) in raw_fields.iter().enumerate() {
            let Value::Object(f) = f else {
                return Err(format!("field {}: not an object", i + 1));
            };
            fields.push(Field::from_json(f, i)?);
        }
        match raw.get("primaryKey") {
            None => {}
            Some(key) => {
                let names: Vec<&str> = match key {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(v) if v.len() == 1 => v.iter().filter_map(Value::as_str).collect(),
                    _ => return Err("`primaryKey`: only a single field is supported".into()),
                };
                for n in names {
                    let Some(f) = fields.iter_mut().find(|f| f.name == n) else {
                        return Err(format!("`primaryKey`: no field named {}", echo(n)));
                    };
                    f.required = true;
                    f.unique = true;
                }
            }
        }
        Ok(TableSchema { fields })
    }

    pub fn names(&self) -> Vec<&str> {
        self.fields.iter().map(|f| f.name.as_str()).collect()
    }
}

impl Field {
    /// Compiles field number `i` (from 0) of a schema.
    fn from_json(f: &Map<String, Value>, i: usize) -> Result<Field, String> {
        let name = match f.get("name") {
            Some(Value::String(n)) if !n.is_empty() => n.clone(),
            _ => return Err(format!("field {}: `name` is missing", i + 1)),
        };
        let shown = echo(&name);
        for key in f.keys() {
            if !DESCRIPTIVE.contains(&key.as_str())
                && !["type", "format", "constraints"].contains(&key.as_str())
            {
                return Err(format!(
                    "field {shown}: key `{key}` is not supported by this engine"
                ));
            }
        }
        let kind_name = match f.get("type") {
            None => "string",
            Some(Value::String(t)) => t.as_str(),
            Some(_) => return Err(wrong(&shown, "type", "a string")),
        };
        let kind = match kind_name {
            "string" => FieldType::Text,
            "number" => FieldType::Number,
            "integer" => FieldType::Integer,
            "date" => FieldType::Date,
            "boolean" => FieldType::Boolean,
            other => {
                return Err(format!(
                    "field {shown}: type {} is not supported by this engine \
                     (string, number, integer, date, boolean)",
                    echo(other)
                ))
            }
        };
        let format = match (kind, f.get("format")) {
            (_, None) => TextFormat::Any,
            (_, Some(Value::String(s))) if s == "default" => TextFormat::Any,
            (FieldType::Text, Some(Value::String(s))) if s == "email" => TextFormat::Email,
            (FieldType::Text, Some(Value::String(s))) if s == "uri" => TextFormat::Uri,
            (_, Some(other)) => {
                return Err(format!(
                    "field {shown}: format {} of a {kind_name} is not supported by this engine",
                    echo(&other.to_string())
                ))
            }
        };
        let empty = Map::new();
        let constraints = match f.get("constraints") {
            None => &empty,
            Some(Value::Object(c)) => c,
            Some(_) => return Err(wrong(&shown, "constraints", "an object")),
        };
        let mut field = Field {
            name,
            kind,
            format,
            required: false,
            unique: false,
            pattern: None,
            enumeration: None,
            min_length: None,
            max_length: None,
            minimum: None,
            maximum: None,
        };
        for (key, v) in constraints {
            let k = format!("constraints.{key}");
            let bool_ = || {
                v.as_bool()
                    .ok_or_else(|| wrong(&shown, &k, "true or false"))
            };
            let count = || {
                v.as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| wrong(&shown, &k, "a whole number"))
            };
            let number = || v.as_f64().ok_or_else(|| wrong(&shown, &k, "a number"));
            match key.as_str() {
                "required" => field.required = bool_()?,
                "unique" => field.unique = bool_()?,
                "pattern" => {
                    let p = v.as_str().ok_or_else(|| wrong(&shown, &k, "a string"))?;
                    field.pattern = Some(
                        Regex::new(&format!("^(?:{p})$"))
                            .map_err(|e| format!("field {shown}: pattern: {e}"))?,
                    );
                }
                "enum" => {
                    let items = v
                        .as_array()
                        .and_then(|a| a.iter().map(|x| x.as_str().map(str::to_string)).collect())
                        .ok_or_else(|| wrong(&shown, &k, "a list of strings"))?;
                    field.enumeration = Some(items);
                }
                "minLength" => field.min_length = Some(count()?),
                "maxLength" => field.max_length = Some(count()?),
                "minimum" | "maximum"
                    if !matches!(kind, FieldType::Number | FieldType::Integer) =>
                {
                    return Err(format!(
                        "field {shown}: `{k}` on a {kind_name} is not supported by this engine"
                    ))
                }
                "minimum" => field.minimum = Some(number()?),
                "maximum" => field.maximum = Some(number()?),
                _ => {
                    return Err(format!(
                        "field {shown}: constraint `{key}` is not supported by this engine"
                    ))
                }
            }
        }
        Ok(field)
    }
}

impl Field {
    /// Checks one value; an empty value is "missing".
    pub fn check(&self, value: &str) -> Result<(), String> {
        if value.is_empty() {
            return if self.required {
                Err("required value is missing".into())
            } else {
                Ok(())
            };
        }
        match self.kind {
            FieldType::Number => {
                let x: f64 = value
                    .parse()
                    .map_err(|_| format!("{} is not a number", echo(value)))?;
                if !x.is_finite() {
                    return Err(format!("{} is not a finite number", echo(value)));
                }
                self.check_range(x)?;
            }
            FieldType::Integer => {
                let x: i64 = value
                    .parse()
                    .map_err(|_| format!("{} is not an integer", echo(value)))?;
                self.check_range(x as f64)?;
            }
            FieldType::Date => {
                archipel_domain::parse_date(value)?;
            }
            FieldType::Boolean
                if !matches!(value, "true" | "false" | "True" | "False" | "1" | "0") =>
            {
                return Err(format!("{} is not a boolean", echo(value)));
            }
            FieldType::Text => match self.format {
                TextFormat::Any => {}
                TextFormat::Email => archipel_domain::check_email(value)?,
                TextFormat::Uri => archipel_domain::check_url(value)?,
            },
            _ => {}
        }
        if self.max_length.is_some() || self.min_length.is_some() {
            let chars = value.chars().count();
            if let Some(max) = self.max_length {
                if chars > max {
                    return Err(format!("{chars} characters, at most {max} allowed"));
                }
            }
            if let Some(min) = self.min_length {
                if chars < min {
                    return Err(format!("{chars} characters, at least {min} required"));
                }
            }
        }
        if let Some(allowed) = &self.enumeration {
            if !allowed.iter().any(|a| a == value) {
                return Err(format!(
                    "{} is not one of the allowed values ({})",
                    echo(value),
                    allowed.join(", ")
                ));
            }
        }
        if let Some(re) = &self.pattern {
            if !re.is_match(value) {
                return Err(self.pattern_reason(value));
            }
        }
        Ok(())
    }

    fn check_range(&self, x: f64) -> Result<(), String> {
        if let Some(min) = self.minimum {
            if x < min {
                return Err(format!("{x} is below the minimum {min}"));
            }
        }
        if let Some(max) = self.maximum {
            if x > max {
                return Err(format!("{x} is above the maximum {max}"));
            }
        }
        Ok(())
    }

    /// A helpful reason for a pattern mismatch. For `|`-separated lists
    /// drawn from a fixed vocabulary, name the item that is not allowed.
    fn pattern_reason(&self, value: &str) -> String {
        if let Some(re) = &self.pattern {
            if value.contains('|') || re.as_str().contains("(?:^|\\|)") {
                for item in value.split('|') {
                    if !re.is_match(item) {
                        return format!("{} is not an allowed value", echo(item));
                    }
                }
            }
        }
        match &self.pattern {
            // Short patterns say more than a paraphrase: `^\d{5}$`.
            Some(re) if re.as_str().len() <= 60 => {
                let p = re.as_str();
                let p = p
                    .strip_prefix("^(?:")
                    .and_then(|p| p.strip_suffix(")$"))
                    .unwrap_or(p);
                format!("{} does not match the expected pattern {p}", echo(value))
            }
            _ => format!("{} does not have the expected form", echo(value)),
        }
    }
}

/// Tracks values of `unique` fields across rows.
#[derive(Default)]
pub struct UniqueTracker {
    seen: Vec<HashSet<String>>,
}

impl UniqueTracker {
    pub fn new(n: usize) -> Self {
        UniqueTracker {
            seen: vec![HashSet::default(); n],
        }
    }

    /// Returns false if the value was seen before in column `i`.
    pub fn insert(&mut self, i: usize, value: &str) -> bool {
        match self.seen.get_mut(i) {
            Some(set) => set.insert(value.to_string()),
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(fields: &str) -> Result<TableSchema, String> {
        TableSchema::from_json(&format!(r#"{{"name": "t", "fields": [{fields}]}}"#))
    }

    fn refused(fields: &str) -> String {
        match schema(fields) {
            Ok(_) => panic!("accepted: {fields}"),
            Err(e) => e,
        }
    }

    /// What the engine would not check is refused, naming field and key,
    /// rather than read as an unconstrained string.
    #[test]
    fn a_schema_not_fully_understood_is_refused() {
        let e = refused(r#"{"name": "when", "type": "datetime"}"#);
        assert!(
            e.contains("field `when`: type `datetime` is not supported"),
            "{e}"
        );
        let e =
            refused(r#"{"name": "n", "type": "integer", "constraints": {"exclusiveMinimum": 0}}"#);
        assert!(
            e.contains("field `n`: constraint `exclusiveMinimum` is not supported"),
            "{e}"
        );
        let e = refused(r#"{"name": "b", "type": "boolean", "trueValues": ["oui"]}"#);
        assert!(
            e.contains("field `b`: key `trueValues` is not supported"),
            "{e}"
        );
        let e = refused(r#"{"name": "d", "type": "date", "format": "%d/%m/%Y"}"#);
        assert!(
            e.contains("field `d`: format `\"%d/%m/%Y\"` of a date"),
            "{e}"
        );
        let e = refused(r#"{"name": "s", "format": "uuid"}"#);
        assert!(e.contains("field `s`: format"), "{e}");
        let e = refused(r#"{"name": "s", "constraints": {"minimum": 3}}"#);
        assert!(
            e.contains("field `s`: `constraints.minimum` on a string"),
            "{e}"
        );
        let e = refused(r#"{"name": "s", "constraints": {"required": "yes"}}"#);
        assert!(
            e.contains("field `s`: `constraints.required` must be true or false"),
            "{e}"
        );
        let e = refused(r#"{"name": "s", "constraints": {"enum": [1, 2]}}"#);
        assert!(
            e.contains("`constraints.enum` must be a list of strings"),
            "{e}"
        );
        let e = TableSchema::from_json(
            r#"{"fields": [{"name": "a"}], "foreignKeys": [{"fields": "a"}]}"#,
        )
        .err()
        .unwrap();
        assert!(e.contains("`foreignKeys` is not supported"), "{e}");
        // The engine's own keys, descriptive keys and a catalogue's
        // metadata are fine; so is the médiation schema as published.
        assert!(schema(
            r#"{"name": "s", "title": "S", "description": "…", "example": "x", "type": "string",
                "format": "default", "constraints": {"required": true, "maxLength": 3}}"#
        )
        .is_ok());
        assert!(TableSchema::from_json(crate::mediation::SCHEMA_JSON).is_ok());
    }

    #[test]
    fn email_and_uri_formats_and_primary_key_are_checked() {
        let s = TableSchema::from_json(
            r#"{"fields": [{"name": "id"}, {"name": "mail", "format": "email"},
                {"name": "site", "type": "string", "format": "uri"}], "primaryKey": "id"}"#,
        )
        .unwrap();
        let [id, mail, site] = &s.fields[..] else {
            panic!("three fields")
        };
        assert!(id.required && id.unique);
        assert_eq!(mail.check("a@x.fr"), Ok(()));
        assert!(mail.check("\"><script>@x.fr").is_err());
        assert_eq!(site.check("https://x.fr/"), Ok(()));
        assert!(site.check("javascript:alert(1)").is_err());
        assert!(site.check("data:text/html,x").is_err());
    }
}

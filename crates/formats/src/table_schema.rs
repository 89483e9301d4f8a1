//! The part of the Frictionless Table Schema that schema.data.gouv.fr
//! schemas use: per field `type` (string, number, integer, date, boolean),
//! and constraints `required`, `unique`, `pattern`, `enum`, `minLength`,
//! `maxLength`, `minimum`, `maximum`. The schema is data (a JSON file under
//! `content/schemas/`), so a new version of a national schema is a file
//! change, not a code change.

use regex::Regex;
use rustc_hash::FxHashSet as HashSet;
use serde::Deserialize;

#[derive(Deserialize)]
struct RawSchema {
    fields: Vec<RawField>,
}

#[derive(Deserialize)]
struct RawField {
    name: String,
    #[serde(rename = "type", default = "default_type")]
    kind: String,
    #[serde(default)]
    constraints: RawConstraints,
}

fn default_type() -> String {
    "string".into()
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawConstraints {
    #[serde(default)]
    required: bool,
    #[serde(default)]
    unique: bool,
    pattern: Option<String>,
    #[serde(rename = "enum")]
    enumeration: Option<Vec<String>>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    minimum: Option<f64>,
    maximum: Option<f64>,
}

/// The Table Schema `type`s this engine checks; any other is a string.
#[derive(Clone, Copy)]
enum FieldType {
    Number,
    Integer,
    Date,
    Boolean,
    Text,
}

/// A compiled field definition.
pub struct Field {
    pub name: String,
    kind: FieldType,
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

impl TableSchema {
    /// Compiles a Table Schema from its JSON text.
    pub fn from_json(text: &str) -> Result<TableSchema, String> {
        let raw: RawSchema = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut fields = Vec::new();
        for f in raw.fields {
            let pattern = match &f.constraints.pattern {
                Some(p) => Some(
                    Regex::new(&format!("^(?:{p})$"))
                        .map_err(|e| format!("field {}: pattern: {e}", f.name))?,
                ),
                None => None,
            };
            fields.push(Field {
                name: f.name,
                kind: match f.kind.as_str() {
                    "number" => FieldType::Number,
                    "integer" => FieldType::Integer,
                    "date" => FieldType::Date,
                    "boolean" => FieldType::Boolean,
                    _ => FieldType::Text,
                },
                required: f.constraints.required,
                unique: f.constraints.unique,
                pattern,
                enumeration: f.constraints.enumeration,
                min_length: f.constraints.min_length,
                max_length: f.constraints.max_length,
                minimum: f.constraints.minimum,
                maximum: f.constraints.maximum,
            });
        }
        Ok(TableSchema { fields })
    }

    pub fn names(&self) -> Vec<&str> {
        self.fields.iter().map(|f| f.name.as_str()).collect()
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
                    .map_err(|_| format!("`{value}` is not a number"))?;
                if !x.is_finite() {
                    return Err(format!("`{value}` is not a finite number"));
                }
                self.check_range(x)?;
            }
            FieldType::Integer => {
                let x: i64 = value
                    .parse()
                    .map_err(|_| format!("`{value}` is not an integer"))?;
                self.check_range(x as f64)?;
            }
            FieldType::Date => {
                archipel_domain::parse_date(value)?;
            }
            FieldType::Boolean
                if !matches!(value, "true" | "false" | "True" | "False" | "1" | "0") =>
            {
                return Err(format!("`{value}` is not a boolean"));
            }
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
                    "`{value}` is not one of the allowed values ({})",
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
                        return format!("`{item}` is not an allowed value");
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
                format!("`{value}` does not match the expected pattern {p}")
            }
            _ => format!("`{value}` does not have the expected form"),
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

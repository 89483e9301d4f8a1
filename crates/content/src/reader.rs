//! Reading TOML files and their items with line numbers and plain messages.

use crate::files::{line_of, SourceFile};
use crate::ContentError;
use archipel_domain::GeoPoint;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use toml::{Spanned, Table, Value};

/// The shape shared by every content file: a few header keys and arrays of
/// tables. Which arrays a file may hold depends on its folder.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFile {
    pub name: Option<String>,
    pub source: Option<String>,
    /// Free text about the file; not used by the loader.
    #[allow(dead_code)]
    pub description: Option<String>,
    pub extras: Option<Vec<String>>,
    #[serde(default)]
    pub term: Vec<Spanned<Table>>,
    #[serde(default)]
    pub code: Vec<Spanned<Table>>,
    #[serde(default)]
    pub territory: Vec<Spanned<Table>>,
    #[serde(default)]
    pub actor: Vec<Spanned<Table>>,
    #[serde(default)]
    pub place: Vec<Spanned<Table>>,
    #[serde(default)]
    pub commons: Vec<Spanned<Table>>,
    #[serde(default)]
    pub relation: Vec<Spanned<Table>>,
}

impl RawFile {
    /// Names of the arrays that hold at least one item.
    pub fn arrays_used(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        for (name, items) in [
            ("term", &self.term),
            ("code", &self.code),
            ("territory", &self.territory),
            ("actor", &self.actor),
            ("place", &self.place),
            ("commons", &self.commons),
            ("relation", &self.relation),
        ] {
            if !items.is_empty() {
                v.push(name);
            }
        }
        v
    }
}

pub(crate) fn parse(file: &SourceFile) -> Result<RawFile, ContentError> {
    toml::from_str::<RawFile>(&file.text).map_err(|e| {
        let line = e.span().map(|s| line_of(&file.text, s.start));
        ContentError::new(
            &file.shown,
            line,
            "",
            format!("not valid TOML: {}", e.message().trim()),
        )
    })
}

/// One item (a table of an array) being read: typed getters that note the
/// keys used and collect `(field, reason)` problems instead of failing.
pub(crate) struct Fields<'a> {
    table: &'a Table,
    used: BTreeSet<&'a str>,
    pub problems: Vec<(String, String)>,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}

impl<'a> Fields<'a> {
    pub fn new(table: &'a Table) -> Self {
        Fields {
            table,
            used: BTreeSet::new(),
            problems: Vec::new(),
        }
    }

    fn bad(&mut self, key: &str, reason: impl Into<String>) {
        self.problems.push((key.to_string(), reason.into()));
    }

    fn get(&mut self, key: &str) -> Option<&'a Value> {
        let (k, v) = self.table.get_key_value(key)?;
        self.used.insert(k.as_str());
        Some(v)
    }

    /// A string; blank strings count as absent.
    pub fn str(&mut self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(s.clone()),
            other => {
                let t = type_name(other);
                self.bad(key, format!("expected a string, found {t}"));
                None
            }
        }
    }

    /// A string that must be there; `what` names it in the message
    /// (`missing English label`).
    pub fn req_str(&mut self, key: &str, what: &str) -> String {
        match self.str(key) {
            Some(s) => s,
            None => {
                if !self.problems.iter().any(|(k, _)| k == key) {
                    self.bad(key, format!("missing {what}"));
                }
                String::new()
            }
        }
    }

    pub fn bool(&mut self, key: &str) -> Option<bool> {
        match self.get(key)? {
            Value::Boolean(b) => Some(*b),
            other => {
                let t = type_name(other);
                self.bad(key, format!("expected true or false, found {t}"));
                None
            }
        }
    }

    /// A whole number, zero or more.
    pub fn count(&mut self, key: &str) -> Option<u64> {
        match self.get(key)? {
            Value::Integer(i) if *i >= 0 => Some(*i as u64),
            other => {
                let t = type_name(other);
                self.bad(
                    key,
                    format!("expected a whole number, zero or more, found {t}"),
                );
                None
            }
        }
    }

    pub fn float(&mut self, key: &str) -> Option<f64> {
        match self.get(key)? {
            Value::Float(x) => Some(*x),
            Value::Integer(i) => Some(*i as f64),
            other => {
                let t = type_name(other);
                self.bad(key, format!("expected a number, found {t}"));
                None
            }
        }
    }

    /// A list of strings (a single string is accepted as a list of one).
    pub fn str_list(&mut self, key: &str) -> Vec<String> {
        match self.get(key) {
            None => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, v) in items.iter().enumerate() {
                    match v {
                        Value::String(s) => out.push(s.clone()),
                        other => {
                            let t = type_name(other);
                            self.bad(key, format!("item {} is {t}, expected a string", i + 1));
                        }
                    }
                }
                out
            }
            Some(other) => {
                let t = type_name(other);
                self.bad(key, format!("expected a list of strings, found {t}"));
                Vec::new()
            }
        }
    }

    /// A calendar date, written as a TOML date (`2016-03-01`) or a string.
    pub fn date(&mut self, key: &str) -> Option<NaiveDate> {
        let v = self.get(key)?;
        let text = match v {
            Value::Datetime(dt) => match (dt.date, dt.time) {
                (Some(d), None) => {
                    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
                }
                _ => {
                    self.bad(key, format!("`{dt}` is not a plain date (YYYY-MM-DD)"));
                    return None;
                }
            },
            Value::String(s) => s.clone(),
            other => {
                let t = type_name(other);
                self.bad(key, format!("expected a date, found {t}"));
                return None;
            }
        };
        match archipel_domain::parse_date(&text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.bad(key, e);
                None
            }
        }
    }

    /// A sub-table, whose own keys are read with another [`Fields`].
    pub fn table(&mut self, key: &str) -> Option<&'a Table> {
        match self.get(key)? {
            Value::Table(t) => Some(t),
            other => {
                let t = type_name(other);
                self.bad(key, format!("expected a table, found {t}"));
                None
            }
        }
    }

    /// `{ lat = …, lon = … }`.
    pub fn point(&mut self, key: &str) -> Option<GeoPoint> {
        let t = self.table(key)?;
        let mut f = Fields::new(t);
        let lat = f.float("lat");
        let lon = f.float("lon");
        let unknown = f.unknown(&["lat", "lon"]);
        for (k, reason) in f.problems {
            self.bad(&format!("{key}.{k}"), reason);
        }
        for k in unknown {
            self.bad(&format!("{key}.{k}"), "unknown field (expected lat, lon)");
        }
        match (lat, lon) {
            (Some(lat), Some(lon)) => Some(GeoPoint { lat, lon }),
            _ => {
                self.bad(key, "needs both lat and lon");
                None
            }
        }
    }

    /// A table of string values.
    pub fn str_map(&mut self, key: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(t) = self.table(key) else {
            return out;
        };
        for (k, v) in t {
            match v {
                Value::String(s) => {
                    out.insert(k.clone(), s.clone());
                }
                other => {
                    let t = type_name(other);
                    self.bad(
                        &format!("{key}.{k}"),
                        format!("expected a string, found {t}"),
                    );
                }
            }
        }
        out
    }

    /// Any value, untouched.
    pub fn value(&mut self, key: &str) -> Option<&'a Value> {
        self.get(key)
    }

    /// Keys present in the table that no getter asked for and that are not
    /// in `allowed`.
    pub fn unknown(&self, allowed: &[&str]) -> Vec<String> {
        self.table
            .keys()
            .filter(|k| !self.used.contains(k.as_str()) && !allowed.contains(&k.as_str()))
            .cloned()
            .collect()
    }

    /// Reports every key nobody read as unknown.
    pub fn finish_strict(&mut self) {
        for k in self.unknown(&[]) {
            self.bad(&k, "unknown field");
        }
    }
}

//! How a record is kept in a row of `entity`: the columns hold what is
//! filtered, joined or sorted on (id, kind, name, territory, owner,
//! coordinates, source, times), and `data` holds the rest of the record as
//! JSON — the record's own JSON without the members the columns already
//! hold. Nothing is said twice, so rows are about a third smaller, and an
//! import writes that much less. Reading a record puts the two back
//! together. Relations keep their whole JSON in `relation.data`.
//!
//! Members held by columns, by kind (all kinds: `type`, `id`, `name` and,
//! in `provenance`, `source`, `created_at`, `updated_at`):
//! actor `territory`, `location`; place `territory`, `actor`, `location`;
//! territory `parent`, `department` (in the `territory` column). SQL that reads `data` (`json_extract`) must read
//! those from the columns.

use crate::{Result, StoreError};
use archipel_domain::Entity;
use serde::ser::{self, Serialize, Serializer};
use serde_json::{Map, Value};

/// The columns a record is read back from, in the order
/// [`entity_from_row`] expects; the table is aliased `e`.
pub(crate) const ENTITY_COLUMNS: &str = "e.id, e.kind, e.name, e.territory, e.owner, \
     e.lat, e.lon, e.source, e.created_at, e.updated_at, e.data";

const COMMON: &[&str] = &["type", "id", "name"];
const IN_PROVENANCE: &[&str] = &["source", "created_at", "updated_at"];

/// Top-level members of a kind's JSON that columns hold, besides [`COMMON`].
fn held_by_columns(e: &Entity) -> &'static [&'static str] {
    match e {
        Entity::Actor(_) => &["territory", "location"],
        Entity::Place(_) => &["territory", "actor", "location"],
        Entity::Territory(_) => &["parent", "department"],
        Entity::Commons(_) | Entity::Relation(_) => &[],
    }
}

/// The whole JSON of a record (relations, and records given to callers).
pub(crate) fn full_json(e: &Entity) -> Result<String> {
    encode_with(|buf| serde_json::to_writer(buf, e))
}

/// The `data` of a record's `entity` row: its JSON without what the
/// columns hold.
pub(crate) fn entity_data(e: &Entity) -> Result<String> {
    let top = held_by_columns(e);
    encode_with(|buf| {
        e.serialize(Strip {
            inner: &mut serde_json::Serializer::new(buf),
            skip: &[COMMON, top],
            nested: Some(("provenance", IN_PROVENANCE)),
        })
    })
}

fn encode_with(
    f: impl FnOnce(&mut Vec<u8>) -> std::result::Result<(), serde_json::Error>,
) -> Result<String> {
    // Encoded into a buffer the thread keeps, then copied into a string of
    // the exact size: one allocation per record instead of a growing
    // buffer's several (an import encodes hundreds of thousands).
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUF.with_borrow_mut(|buf| {
        buf.clear();
        f(buf).map_err(|err| StoreError::database_because("encoding a record", err))?;
        std::str::from_utf8(buf)
            .map(str::to_owned)
            .map_err(|err| StoreError::database_because("encoding a record", err))
    })
}

/// Reads a record from its whole JSON (relations).
pub(crate) fn decode(id: &str, data: &str) -> Result<Entity> {
    serde_json::from_str(data).map_err(|e| corrupt(id, e))
}

fn corrupt(id: &str, e: impl Into<crate::Cause>) -> StoreError {
    StoreError::Corrupt {
        id: id.to_string(),
        source: e.into(),
    }
}

/// Reads a record from a row whose columns, from `at` on, are
/// [`ENTITY_COLUMNS`].
pub(crate) fn entity_from_row(r: &rusqlite::Row<'_>, at: usize) -> Result<Entity> {
    let text = |i: usize| -> Result<Option<String>> { Ok(r.get(at + i)?) };
    let id: String = r.get(at)?;
    let data: String = r.get(at + 10)?;
    let mut map: Map<String, Value> = serde_json::from_str(&data).map_err(|e| corrupt(&id, e))?;
    if !map.contains_key("type") {
        let kind: String = r.get(at + 1)?;
        let (territory, owner) = (text(3)?, text(4)?);
        let point: (Option<f64>, Option<f64>) = (r.get(at + 5)?, r.get(at + 6)?);
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                map.insert(k.into(), Value::String(v));
            }
        };
        put("name", text(2)?);
        match kind.as_str() {
            "actor" => put("territory", territory),
            "place" => {
                put("territory", territory);
                put("actor", owner);
            }
            "territory" => {
                put("parent", owner);
                put("department", territory);
            }
            _ => {}
        }
        if let (Some(lat), Some(lon)) = point {
            map.insert(
                "location".into(),
                serde_json::json!({ "lat": lat, "lon": lon }),
            );
        }
        map.insert("type".into(), Value::String(kind));
        map.insert("id".into(), Value::String(id.clone()));
        let prov = map
            .entry("provenance")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(p) = prov {
            for (k, i) in [("source", 7), ("created_at", 8), ("updated_at", 9)] {
                if let Some(v) = text(i)? {
                    p.insert(k.into(), Value::String(v));
                }
            }
        }
    }
    serde_json::from_value(Value::Object(map)).map_err(|e| corrupt(&id, e))
}

/// A serializer that leaves out some members of the outermost struct, and
/// some members of one struct inside it.
struct Strip<'k, S> {
    inner: S,
    skip: &'k [&'k [&'static str]],
    nested: Option<(&'static str, &'k [&'static str])>,
}

struct StripStruct<'k, S> {
    inner: S,
    skip: &'k [&'k [&'static str]],
    nested: Option<(&'static str, &'k [&'static str])>,
}

/// A member serialized through [`Strip`] with its own list.
struct Nested<'k, T: ?Sized> {
    value: &'k T,
    skip: &'k [&'static str],
}

impl<T: Serialize + ?Sized> Serialize for Nested<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.value.serialize(Strip {
            inner: s,
            skip: &[self.skip],
            nested: None,
        })
    }
}

impl<S: ser::SerializeStruct> ser::SerializeStruct for StripStruct<'_, S> {
    type Ok = S::Ok;
    type Error = S::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> std::result::Result<(), S::Error> {
        if self.skip.iter().any(|l| l.contains(&key)) {
            return Ok(());
        }
        match self.nested {
            Some((k, skip)) if k == key => self.inner.serialize_field(key, &Nested { value, skip }),
            _ => self.inner.serialize_field(key, value),
        }
    }

    fn skip_field(&mut self, key: &'static str) -> std::result::Result<(), S::Error> {
        self.inner.skip_field(key)
    }

    fn end(self) -> std::result::Result<S::Ok, S::Error> {
        self.inner.end()
    }
}

/// Methods that pass straight to the inner serializer.
macro_rules! forward {
    ($($name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        $(fn $name(self, $($arg: $ty),*) -> std::result::Result<$ret, S::Error> {
            self.inner.$name($($arg),*)
        })*
    };
}

impl<'k, S: Serializer> Serializer for Strip<'k, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = S::SerializeSeq;
    type SerializeTuple = S::SerializeTuple;
    type SerializeTupleStruct = S::SerializeTupleStruct;
    type SerializeTupleVariant = S::SerializeTupleVariant;
    type SerializeMap = S::SerializeMap;
    type SerializeStruct = StripStruct<'k, S::SerializeStruct>;
    type SerializeStructVariant = S::SerializeStructVariant;

    forward! {
        serialize_bool(v: bool) -> S::Ok;
        serialize_i8(v: i8) -> S::Ok;
        serialize_i16(v: i16) -> S::Ok;
        serialize_i32(v: i32) -> S::Ok;
        serialize_i64(v: i64) -> S::Ok;
        serialize_i128(v: i128) -> S::Ok;
        serialize_u8(v: u8) -> S::Ok;
        serialize_u16(v: u16) -> S::Ok;
        serialize_u32(v: u32) -> S::Ok;
        serialize_u64(v: u64) -> S::Ok;
        serialize_u128(v: u128) -> S::Ok;
        serialize_f32(v: f32) -> S::Ok;
        serialize_f64(v: f64) -> S::Ok;
        serialize_char(v: char) -> S::Ok;
        serialize_str(v: &str) -> S::Ok;
        serialize_bytes(v: &[u8]) -> S::Ok;
        serialize_none() -> S::Ok;
        serialize_unit() -> S::Ok;
        serialize_unit_struct(name: &'static str) -> S::Ok;
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> S::Ok;
        serialize_seq(len: Option<usize>) -> S::SerializeSeq;
        serialize_tuple(len: usize) -> S::SerializeTuple;
        serialize_tuple_struct(name: &'static str, len: usize) -> S::SerializeTupleStruct;
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> S::SerializeTupleVariant;
        serialize_map(len: Option<usize>) -> S::SerializeMap;
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> S::SerializeStructVariant;
    }

    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> std::result::Result<S::Ok, S::Error> {
        self.inner.serialize_some(v)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        v: &T,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.inner.serialize_newtype_struct(name, v)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        v: &T,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.inner
            .serialize_newtype_variant(name, index, variant, v)
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> std::result::Result<Self::SerializeStruct, S::Error> {
        Ok(StripStruct {
            inner: self.inner.serialize_struct(name, len)?,
            skip: self.skip,
            nested: self.nested,
        })
    }

    fn collect_str<T: std::fmt::Display + ?Sized>(
        self,
        v: &T,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.inner.collect_str(v)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

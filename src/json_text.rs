//! JSON typed by a user (`--config`), read strictly: a key given twice is refused naming the key
//! (serde_json's `Value` keeps the last one silently, so `{"k":0,"k":10}` would run with k 10
//! after an invalid first value), and each top-level value keeps the text it was typed as, so a
//! number can be judged by what was typed rather than by the float it rounds to
//! (`Config::from_json_text_over`). Numbers parse correctly rounded (serde_json's
//! `float_roundtrip`), the same as a flag's `str::parse` and the page's `Number()`.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::{shorten, Error, Result};

/// One top-level entry of an object as typed: its key, its value and the value's own text.
#[derive(Clone, Debug)]
pub struct Entry {
    pub key: String,
    pub value: Value,
    pub text: String,
}

/// The entries of the JSON object `text`, in the order typed. `what` names the input in errors
/// (`--config`). Refuses what is not one object, and any key given twice at any depth.
pub fn object_entries(text: &str, what: &str) -> Result<Vec<Entry>> {
    let duplicate = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let raw = TopLevel(&duplicate)
        .deserialize(&mut de)
        .and_then(|raw| de.end().map(|()| raw));
    let raw = match (raw, duplicate.into_inner()) {
        (_, Some(key)) => return Err(twice(&key)),
        (Ok(raw), None) => raw,
        (Err(e), None) => return Err(Error::config(what, json_error(&e))),
    };
    raw.into_iter()
        .map(|(key, raw)| {
            let value = parse_value(raw.get(), &key)?;
            Ok(Entry {
                key,
                value,
                text: raw.get().to_string(),
            })
        })
        .collect()
}

/// Any JSON text as a `Value`, with duplicate keys at any depth refused naming the key; `what`
/// names the text in other errors.
pub fn parse_value(text: &str, what: &str) -> Result<Value> {
    let duplicate = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Strict(&duplicate)
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    match (v, duplicate.into_inner()) {
        (_, Some(key)) => Err(twice(&key)),
        (Ok(v), None) => Ok(v),
        (Err(e), None) => Err(Error::config(what, json_error(&e))),
    }
}

fn twice(key: &str) -> Error {
    Error::config(
        key,
        "given twice in the JSON: give each key once (the second would silently replace the first)",
    )
}

/// serde_json's message, cut to fit a one-line error: "expected `,` or `}` at line 1 column 9".
fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    format!("not valid JSON: {}", crate::error::shorten_to(&text, 120))
}

const MARK: &str = "duplicate key";

/// The top level: an object whose values are kept as raw text.
struct TopLevel<'a>(&'a RefCell<Option<String>>);

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    type Value = Vec<(String, Box<RawValue>)>;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = Vec<(String, Box<RawValue>)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut out: Vec<(String, Box<RawValue>)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.iter().any(|(k, _)| *k == key) {
                *self.0.borrow_mut() = Some(key);
                return Err(de::Error::custom(MARK));
            }
            let raw: Box<RawValue> = map.next_value()?;
            out.push((key, raw));
        }
        Ok(out)
    }
}

/// A `Value` that refuses duplicate keys in every object it holds.
#[derive(Clone, Copy)]
struct Strict<'a>(&'a RefCell<Option<String>>);

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                *self.0.borrow_mut() = Some(key);
                return Err(de::Error::custom(MARK));
            }
            let v = map.next_value_seed(self)?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// Whether two decimal number texts denote the same number (`1`, `1.0`, `1e0`, `10e-1`: yes;
/// `1` and `0.99999999999999999`: no). Texts that are not plain decimals are never the same.
pub fn same_decimal(a: &str, b: &str) -> bool {
    match (decimal_key(a), decimal_key(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// A decimal text as (negative, significant digits, exponent of the last digit); zero is
/// (false, "", 0) whatever its sign.
fn decimal_key(text: &str) -> Option<(bool, String, i64)> {
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], t[i + 1..].parse::<i64>().ok()?),
        None => (t, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let digits = format!("{int}{frac}");
    let mut exp = exponent.checked_sub(i64::try_from(frac.len()).ok()?)?;
    let digits = digits.trim_start_matches('0');
    let trimmed = digits.trim_end_matches('0');
    exp = exp.checked_add(i64::try_from(digits.len() - trimmed.len()).ok()?)?;
    if trimmed.is_empty() {
        return Some((false, String::new(), 0));
    }
    Some((negative, trimmed.to_string(), exp))
}

/// `shorten` for a typed value in a message.
pub fn typed(text: &str) -> String {
    shorten(text.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_refused_naming_the_key_at_any_depth() {
        let e = object_entries(r#"{"k":0,"k":10}"#, "--config").unwrap_err();
        assert!(e.to_string().starts_with("config: k: given twice"), "{e}");
        let e = object_entries(r#"{"a":{"b":1,"b":2}}"#, "--config").unwrap_err();
        assert!(e.to_string().starts_with("config: b: given twice"), "{e}");
        let e = parse_value(r#"[{"x":1},{"y":1,"y":1}]"#, "v").unwrap_err();
        assert!(e.to_string().starts_with("config: y:"), "{e}");
        let ok = object_entries(r#" {"k": 10, "lr" : 0.010 } "#, "--config").unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!((ok[1].key.as_str(), ok[1].text.as_str()), ("lr", "0.010"));
        assert_eq!(ok[1].value, serde_json::json!(0.01));
    }

    #[test]
    fn json_errors_are_short_and_name_the_input() {
        let e = object_entries("[1,2]", "--config").unwrap_err().to_string();
        assert!(
            e.starts_with("config: --config: not valid JSON: invalid type"),
            "{e}"
        );
        let e = object_entries(r#"{"k":1} x"#, "--config")
            .unwrap_err()
            .to_string();
        assert!(e.contains("trailing characters"), "{e}");
        // A value out of f64's range passes the raw split and is named by its key.
        let e = object_entries(r#"{"k":1e400}"#, "--config")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("config: k: not valid JSON: number out of range"),
            "{e}"
        );
        let long = format!(r#"{{"k": "{}"#, "x".repeat(5000));
        let e = object_entries(&long, "--config").unwrap_err().to_string();
        assert!(e.chars().count() <= 200, "{}", e.chars().count());
    }

    #[test]
    fn numbers_parse_correctly_rounded() {
        // serde_json's default (fast) float parse reads this as 1.0; the flag's parse does not.
        let v = parse_value("0.9999999999999999", "v").unwrap();
        assert_eq!(
            v.as_f64(),
            Some("0.9999999999999999".parse::<f64>().unwrap())
        );
        assert!(v.as_f64().unwrap() < 1.0);
    }

    #[test]
    fn decimals_compare_by_value() {
        assert!(same_decimal("1", "1.0"));
        assert!(same_decimal("1e0", "10e-1"));
        assert!(same_decimal("0.010", "1e-2"));
        assert!(same_decimal("-0", "0.000"));
        assert!(!same_decimal("1", "0.99999999999999999"));
        assert!(!same_decimal("1", "1.00000000000000001"));
        assert!(!same_decimal("1", "-1"));
        assert!(!same_decimal("x", "x"));
        assert!(!same_decimal(".", "."));
        assert!(same_decimal(".5", "0.5"));
    }
}

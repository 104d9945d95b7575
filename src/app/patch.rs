//! A change to one application's settings: what `app add` and `app edit` were given,
//! and what a preset supplies, in the configuration file's own terms (`scopes`,
//! `token_request.body`). Built from anything serde can serialize, filled from
//! another patch, written into the app's table; checked by the one validation every
//! configuration goes through ([`super::validate`], when the edited file is parsed
//! again). No setting is named here: adding one changes none of this.

use serde::Serialize;
use toml::{Table, Value};
use toml_edit::{Array, InlineTable, Item, TableLike};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Patch(Table);

impl Patch {
    /// The settings `value` holds: its fields by their serialized names, `None`s and
    /// empty lists or tables left out, and dotted names (`token_request.body`) nested.
    pub fn from_serialize(value: &impl Serialize) -> Result<Patch, String> {
        let flat = Table::try_from(value).map_err(|e| e.to_string())?;
        let mut patch = Patch::default();
        for (key, value) in flat {
            if is_empty(&value) {
                continue;
            }
            patch.set(&key, value);
        }
        Ok(patch)
    }

    /// A preset's or a file's table, as it is.
    pub fn from_table(table: Table) -> Patch {
        Patch(table)
    }

    /// The patch as TOML, as it would be written (for `--dry-run`).
    pub fn to_toml(&self) -> String {
        toml::to_string(&self.0).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The setting at a (dotted) key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        let mut parts = key.split('.');
        let mut value = self.0.get(parts.next()?)?;
        for part in parts {
            value = value.as_table()?.get(part)?;
        }
        Some(value)
    }

    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    /// Sets a (dotted) key, creating the tables on the way.
    pub fn set(&mut self, key: &str, value: impl Into<Value>) {
        let mut table = &mut self.0;
        let mut parts: Vec<&str> = key.split('.').collect();
        let last = parts.pop().unwrap_or_default();
        for part in parts {
            let entry = table
                .entry(part.to_owned())
                .or_insert_with(|| Value::Table(Table::new()));
            if !entry.is_table() {
                *entry = Value::Table(Table::new());
            }
            let Value::Table(inner) = entry else { return };
            table = inner;
        }
        table.insert(last.to_owned(), value.into());
    }

    /// Takes from `other` what this patch leaves out; tables merge key by key, this
    /// patch winning (explicit flags over a preset).
    pub fn fill_from(&mut self, other: &Patch) {
        fill(&mut self.0, &other.0);
    }

    /// Rewrites every string in the patch (a preset's `{param}` placeholders).
    pub fn map_strings(&mut self, f: &impl Fn(&str) -> String) {
        for (_, value) in self.0.iter_mut() {
            map_value(value, f);
        }
    }

    /// Writes the patch into an application's table: values replace (keeping the
    /// decor of the one they replace), lists replace, tables merge key by key.
    pub fn apply(&self, table: &mut dyn TableLike) {
        apply_table(table, &self.0);
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Array(a) => a.is_empty(),
        Value::Table(t) => t.is_empty(),
        _ => false,
    }
}

fn fill(mine: &mut Table, theirs: &Table) {
    for (key, value) in theirs {
        match (mine.get_mut(key), value) {
            (None, v) => {
                mine.insert(key.clone(), v.clone());
            }
            (Some(Value::Table(inner)), Value::Table(other)) => fill(inner, other),
            (Some(_), _) => {}
        }
    }
}

fn map_value(value: &mut Value, f: &impl Fn(&str) -> String) {
    match value {
        Value::String(s) => *s = f(s),
        Value::Array(items) => items.iter_mut().for_each(|v| map_value(v, f)),
        Value::Table(t) => t.iter_mut().for_each(|(_, v)| map_value(v, f)),
        _ => {}
    }
}

fn apply_table(table: &mut dyn TableLike, patch: &Table) {
    for (key, value) in patch {
        if let Value::Table(inner) = value {
            if !table.get(key).is_some_and(|i| i.is_table_like()) {
                table.insert(
                    key,
                    Item::Value(toml_edit::Value::InlineTable(InlineTable::new())),
                );
            }
            if let Some(sub) = table.get_mut(key).and_then(Item::as_table_like_mut) {
                apply_table(sub, inner);
            }
            continue;
        }
        let mut new = to_edit(value);
        match table.get_mut(key) {
            // Replacing in place keeps the key's own formatting (`id    =`) too.
            Some(item) => {
                if let Some(old) = item.as_value() {
                    *new.decor_mut() = old.decor().clone();
                }
                *item = Item::Value(new);
            }
            None => {
                table.insert(key, Item::Value(new));
            }
        }
    }
}

/// A `toml` value as a `toml_edit` one.
fn to_edit(value: &Value) -> toml_edit::Value {
    match value {
        Value::String(s) => s.as_str().into(),
        Value::Integer(i) => (*i).into(),
        Value::Float(f) => (*f).into(),
        Value::Boolean(b) => (*b).into(),
        Value::Datetime(d) => d.to_string().into(),
        Value::Array(items) => {
            let array: Array = items.iter().map(to_edit).collect();
            toml_edit::Value::Array(array)
        }
        Value::Table(t) => {
            let mut inline = InlineTable::new();
            for (k, v) in t {
                inline.insert(k, to_edit(v));
            }
            toml_edit::Value::InlineTable(inline)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Flags {
        url: Option<String>,
        none: Option<String>,
        list: Vec<String>,
        empty: Vec<String>,
        #[serde(rename = "nested.body")]
        body: Option<String>,
    }

    #[test]
    fn built_filled_and_applied() {
        let flags = Flags {
            url: Some("https://a".into()),
            none: None,
            list: vec!["x".into()],
            empty: vec![],
            body: Some("json".into()),
        };
        let mut patch = Patch::from_serialize(&flags).unwrap();
        assert_eq!(patch.get_str("url"), Some("https://a"));
        assert!(patch.get("none").is_none() && patch.get("empty").is_none());
        assert_eq!(patch.get_str("nested.body"), Some("json"));
        let preset: Table = toml::from_str(
            "url = \"https://preset\"\nother = \"{p}\"\n[nested]\nbody = \"form\"\nkeep = 1\n",
        )
        .unwrap();
        let mut preset = Patch::from_table(preset);
        preset.map_strings(&|s| s.replace("{p}", "v"));
        patch.fill_from(&preset);
        assert_eq!(patch.get_str("url"), Some("https://a"), "ours win");
        assert_eq!(patch.get_str("other"), Some("v"));
        assert_eq!(patch.get_str("nested.body"), Some("json"));
        assert_eq!(
            patch.get("nested.keep").and_then(Value::as_integer),
            Some(1)
        );
        let mut doc: toml_edit::DocumentMut = "[apps.a]\nurl    = \"old\" # kept comment\n"
            .parse()
            .unwrap();
        let table = doc["apps"]["a"].as_table_like_mut().unwrap();
        patch.apply(table);
        let text = doc.to_string();
        assert!(
            text.contains("url    = \"https://a\" # kept comment"),
            "{text}"
        );
        assert!(
            text.contains("nested = { body = \"json\", keep = 1 }"),
            "{text}"
        );
    }
}

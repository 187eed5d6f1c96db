//! The JSON Schema of the JSON report, derived from the wire types themselves (schemars), so
//! that the types, their `///` docs and the schema cannot drift. The schema is committed as
//! `docs/report.schema.json` and a test fails when the types change without it; regenerate
//! it with `UPDATE_SCHEMA=1 cargo test --release -p backscratch --features schema --lib
//! schema`.

use super::model::Report;

/// The JSON Schema (draft 2020-12) of a `schema_version` 1 report, as committed in
/// `docs/report.schema.json`: pretty-printed, with one trailing newline.
pub fn report_schema() -> String {
    let schema = schemars::schema_for!(Report);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema is plain JSON");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::Value;

    use super::*;

    fn committed_path() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/report.schema.json")
    }

    #[test]
    fn schema_matches_the_committed_file() {
        let derived = report_schema();
        let path = committed_path();
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &derived).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == derived,
            "docs/report.schema.json differs from the wire types: review the change, then \
             regenerate it with UPDATE_SCHEMA=1 cargo test --release -p backscratch --features schema --lib schema"
        );
    }

    /// The schemas that `schema` stands for: itself, or what its `$ref`, `anyOf`, `oneOf`
    /// and `allOf` lead to.
    fn alternatives<'a>(root: &'a Value, schema: &'a Value, out: &mut Vec<&'a Value>) {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = reference.trim_start_matches("#/$defs/");
            alternatives(root, &root["$defs"][name], out);
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            for s in schema.get(key).and_then(Value::as_array).into_iter().flatten() {
                alternatives(root, s, out);
            }
        }
        out.push(schema);
    }

    /// Every key of `value` is one the schema names, at every depth; returns the keys checked.
    fn described(root: &Value, schema: &Value, value: &Value, at: &str) -> usize {
        let mut options = Vec::new();
        alternatives(root, schema, &mut options);
        // A schema that constrains nothing (a signal's free-form `value`) admits any value.
        let constrains = |o: &&Value| {
            ["type", "$ref", "anyOf", "oneOf", "allOf", "properties", "items", "enum", "const"]
                .iter()
                .any(|k| o.get(k).is_some())
        };
        if !options.iter().any(constrains) {
            return 0;
        }
        match value {
            Value::Object(map) => map
                .iter()
                .map(|(key, v)| {
                    let named = options.iter().filter_map(|o| o.get("properties")?.get(key));
                    // A map (keyed by cycle length, say) describes its values once, for any key.
                    let mapped = options.iter().filter_map(|o| o.get("additionalProperties").filter(|a| a.is_object()));
                    let sub: Vec<&Value> = named.chain(mapped).collect();
                    assert!(!sub.is_empty(), "{at}.{key} is in the report but not in the schema");
                    // Any alternative naming the key must describe its value.
                    1 + described(root, sub[0], v, &format!("{at}.{key}"))
                })
                .sum(),
            Value::Array(items) => {
                let item = options.iter().find_map(|o| o.get("items")).expect("a list has an item schema");
                items.iter().map(|v| described(root, item, v, &format!("{at}[]"))).sum()
            }
            _ => 0,
        }
    }

    #[test]
    fn schema_describes_every_key_of_a_real_report() {
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample");
        let root: Value = serde_json::from_str(&report_schema()).unwrap();
        let mut keys = 0;
        // A scan, and a check of a trader and an honest colleague (its `subjects`).
        for subjects in [None, Some(vec!["Kofi Mensah".to_string(), "Amara Okafor".to_string()])] {
            let config = crate::ScanConfig {
                inputs: vec![sample.join("recommendations.csv")],
                people: Some(sample.join("employment.csv")),
                subjects,
                ..crate::ScanConfig::default()
            };
            let report = crate::scan(&config).expect("the sample scans").report;
            assert!(!report.cases.is_empty());
            let value = serde_json::to_value(&report).unwrap();
            keys += described(&root, &root, &value, "report");
        }
        assert!(keys > 200, "only {keys} keys checked");
    }
}

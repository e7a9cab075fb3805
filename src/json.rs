//! Canonical JSON: object keys sorted by UTF-16 code units (as `json-stable-stringify` sorts them)
//! and no white space. The manifest hash and provider JWTs are computed over this form, so both use
//! this one writer; it sorts itself, whatever map type serde_json was built with.

use serde_json::Value;

/// `v` as canonical JSON.
pub fn canonical(v: &Value) -> String {
    let mut out = String::with_capacity(1024);
    write(v, &mut out);
    out
}

fn write(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                write(&map[k.as_str()], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn keys_sorted_by_code_unit_without_spaces() {
        let v = json!({"b": 1, "a": [true, null, {"z": "x\"y", "B": 2.5}], "A": "<"});
        assert_eq!(super::canonical(&v), r#"{"A":"<","a":[true,null,{"B":2.5,"z":"x\"y"}],"b":1}"#);
    }
}

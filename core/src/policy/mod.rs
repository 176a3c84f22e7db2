//! IAM policy documents: parsing and evaluation.

/// A parsed policy document.
#[derive(Debug, Clone)]
pub struct Document {
    _raw: serde_json::Value,
}

impl Document {
    /// Compiles a policy document given as a JSON object.
    pub fn from_json(value: &serde_json::Value) -> Result<Document, String> {
        if !value.is_object() {
            return Err("a policy document must be a JSON object".into());
        }
        Ok(Document { _raw: value.clone() })
    }
}

/// Turns a document given as a JSON object, a JSON string, or a URL-encoded JSON string
/// into a JSON object.
pub fn decode_document(value: &serde_json::Value) -> Result<serde_json::Value, String> {
    match value {
        serde_json::Value::String(s) => {
            let text = if s.trim_start().starts_with('{') {
                s.clone()
            } else {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8()
                    .map_err(|e| e.to_string())?
                    .into_owned()
            };
            serde_json::from_str(&text).map_err(|e| format!("policy document is not valid JSON: {e}"))
        }
        other => Ok(other.clone()),
    }
}

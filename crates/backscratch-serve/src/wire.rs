//! The wire form shared by both transports: a recommendation is the JSON object
//! `{"from": "...", "to": "...", "date": "..."}` (`date` optional, text or a number of Unix
//! seconds; names may be numbers), and a row's answer carries the line it came on.

use serde::Serialize;
use serde_json::Value;

use crate::engine::Answer;
use crate::store::Row;

/// A row's answer as sent: the line it came on, then the answer.
#[derive(Serialize)]
pub struct Reply<'a> {
    /// The input line (stdio) or the body's line (HTTP), from 1.
    pub line: u64,
    /// The answer.
    #[serde(flatten)]
    pub answer: &'a Answer,
}

/// One input line, read.
pub enum Request {
    /// A recommendation.
    Row(Row),
    /// `{"op": "totals"}`.
    Totals,
    /// Not a request; why.
    Bad(String),
}

/// Read one line: a recommendation object, the totals request, or what is wrong with it.
pub fn request(line: &str) -> Request {
    let value: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return Request::Bad(format!("not JSON: {e}")),
    };
    let Some(object) = value.as_object() else { return Request::Bad("not a JSON object".into()) };
    if let Some(op) = object.get("op") {
        return match op.as_str() {
            Some("totals") => Request::Totals,
            _ => Request::Bad(format!("unknown op {op}; the one op is \"totals\"")),
        };
    }
    let name = |key: &str| match object.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(other) => Err(format!("'{key}' must be a name (text or a number), not {other}")),
        None => Err(format!("'{key}' is missing: a recommendation needs \"from\" and \"to\"")),
    };
    let date = match object.get("date") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => return Request::Bad(format!("'date' must be text or a number, not {other}")),
    };
    match (name("from"), name("to")) {
        (Ok(from), Ok(to)) => Request::Row(Row { from, to, date }),
        (Err(e), _) | (_, Err(e)) => Request::Bad(e),
    }
}

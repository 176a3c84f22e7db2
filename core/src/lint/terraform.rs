//! The policy documents written in a Terraform file, at their real lines and columns.
//!
//! An attribute named `policy` or ending in `_policy` (`assume_role_policy`, the `policy`
//! of an `inline_policy` block, a bucket's `policy`, ...) whose value is
//!
//! - a heredoc, `<<EOF` or `<<-EOF`, holding JSON: the JSON is the document. Inside its
//!   strings `${...}` interpolations are data (a string holding them matches nothing
//!   special), and `$${` is Terraform's escape for a literal `${` (an IAM policy variable);
//! - `jsonencode({...})`: the expression is read as Terraform would encode it. Literal
//!   strings, numbers, booleans, null, tuples and objects are themselves; any other
//!   expression (`var.bucket_arn`, `aws_s3_bucket.logs.arn`, `concat(...)`, a `for`
//!   expression) is an opaque string, its source text in `${...}`, which is no action or
//!   resource pattern anything matches.
//!
//! A `data "aws_iam_policy_document"` block is the document Terraform renders from it: its
//! `statement` blocks (`sid`, `effect`, `actions`, `not_actions`, `resources`,
//! `not_resources`, `principals`, `not_principals`, `condition`) and `version`, each value at
//! its place; its `dynamic` blocks and the documents it merges (`source_policy_documents`,
//! `override_policy_documents`) are not read.
//!
//! A document that is JSON but not a policy (no `Statement`, such as a queue's
//! `redrive_policy`) is skipped; so is a value that is no literal at all
//! (`data.aws_iam_policy_document.x.json`, `file("p.json")`: lint that file itself).
//!
//! The file is scanned rather than fully parsed: comments, strings (with their
//! interpolations) and heredocs are skipped, so nothing inside them is taken for an
//! attribute.

use serde_json::{Map, Number, Value};

use super::source::{json_document, pointer_token, FoundDocument, LineIndex, Offsets, Unreadable};
use crate::policy::VERSION_2012;

/// How deeply collections may nest inside `jsonencode(...)`.
const MAX_DEPTH: usize = 64;

type Found = (Vec<FoundDocument>, Vec<Unreadable>);

/// The policy documents of the Terraform file `text`, and the policy-valued attributes that
/// could not be read as documents. An error when the file itself is broken (an unclosed
/// string, comment or heredoc).
pub(crate) fn policies(text: &str, lines: &LineIndex) -> Result<Found, Unreadable> {
    let mut s = Scanner {
        text,
        b: text.as_bytes(),
        pos: 0,
        last_offsets: Vec::new(),
    };
    let mut found: Found = (Vec::new(), Vec::new());
    while s.pos < s.b.len() {
        match s.b[s.pos] {
            b'#' => s.line_comment(),
            b'/' if s.at("//") => s.line_comment(),
            b'/' if s.at("/*") => s.block_comment()?,
            b'"' => {
                s.quoted()?;
            }
            b'<' if s.at("<<") && s.heredoc_marker().is_some() => {
                s.heredoc()?;
            }
            c if is_ident_start(c) && (s.pos == 0 || !(is_ident(s.b[s.pos - 1]) || s.b[s.pos - 1] == b'.')) => {
                let name = s.ident();
                s.inline_ws();
                if name == "data" && s.peek() == b'"' {
                    s.data_block(&mut found)?;
                } else if s.peek() == b'=' && s.b.get(s.pos + 1) != Some(&b'=') {
                    s.pos += 1;
                    if name == "policy" || name.ends_with("_policy") {
                        s.inline_ws();
                        s.policy_value(lines, &mut found)?;
                    }
                }
            }
            _ => s.pos += 1,
        }
    }
    Ok(found)
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// Terraform's template escapes in a literal: `$${` is `${`, `%%{` is `%{`.
fn unescape_template(s: &str) -> String {
    s.replace("$${", "${").replace("%%{", "%{")
}

/// [`unescape_template`] on every string and key of `value`.
fn unescape_value(value: &mut Value) {
    match value {
        Value::String(s) if s.contains("{") => *s = unescape_template(s),
        Value::Array(items) => items.iter_mut().for_each(unescape_value),
        Value::Object(map) if map.keys().any(|k| k.contains("{")) => {
            let old = std::mem::take(map);
            for (k, mut v) in old {
                unescape_value(&mut v);
                map.insert(unescape_template(&k), v);
            }
        }
        Value::Object(map) => map.values_mut().for_each(unescape_value),
        _ => {}
    }
}

struct Scanner<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    /// The offsets of each attribute the last [`Scanner::attributes`] read.
    last_offsets: Vec<(String, Offsets)>,
}

impl<'a> Scanner<'a> {
    fn at(&self, s: &str) -> bool {
        self.b[self.pos..].starts_with(s.as_bytes())
    }

    fn peek(&self) -> u8 {
        self.b.get(self.pos).copied().unwrap_or(0)
    }

    fn error(&self, offset: usize, message: impl Into<String>) -> Unreadable {
        Unreadable {
            offset,
            message: message.into(),
        }
    }

    fn ident(&mut self) -> &'a str {
        let start = self.pos;
        while self.pos < self.b.len() && is_ident(self.b[self.pos]) {
            self.pos += 1;
        }
        &self.text[start..self.pos]
    }

    fn line_comment(&mut self) {
        while self.pos < self.b.len() && self.b[self.pos] != b'\n' {
            self.pos += 1;
        }
    }

    fn block_comment(&mut self) -> Result<(), Unreadable> {
        let start = self.pos;
        match self.text[self.pos + 2..].find("*/") {
            Some(i) => {
                self.pos += 2 + i + 2;
                Ok(())
            }
            None => Err(self.error(start, "this /* comment is not closed")),
        }
    }

    /// Spaces, tabs and comments up to the end of the line.
    fn inline_ws(&mut self) {
        loop {
            match self.peek() {
                b' ' | b'\t' => self.pos += 1,
                b'#' => self.line_comment(),
                b'/' if self.at("//") => self.line_comment(),
                b'/' if self.at("/*") && self.text[self.pos..].find("*/").is_some() => {
                    let _ = self.block_comment();
                }
                _ => return,
            }
        }
    }

    /// Spaces, tabs, line ends and comments.
    fn all_ws(&mut self) {
        loop {
            self.inline_ws();
            match self.peek() {
                b'\n' | b'\r' => self.pos += 1,
                _ => return,
            }
        }
    }

    /// At `<<`: the heredoc's marker and whether it is `<<-`, when one starts here.
    fn heredoc_marker(&self) -> Option<(&'a str, usize)> {
        let mut p = self.pos + 2;
        if self.b.get(p) == Some(&b'-') {
            p += 1;
        }
        let start = p;
        if !self.b.get(p).is_some_and(|&c| is_ident_start(c)) {
            return None;
        }
        while p < self.b.len() && is_ident(self.b[p]) {
            p += 1;
        }
        let marker = &self.text[start..p];
        // The rest of the line must be empty.
        while self.b.get(p).is_some_and(|c| matches!(c, b' ' | b'\t' | b'\r')) {
            p += 1;
        }
        (self.b.get(p) == Some(&b'\n')).then_some((marker, p + 1))
    }

    /// At `<<`: skips the heredoc; its body's byte range.
    fn heredoc(&mut self) -> Result<std::ops::Range<usize>, Unreadable> {
        let start = self.pos;
        let Some((marker, body)) = self.heredoc_marker() else {
            return Err(self.error(start, "expected a heredoc marker after <<"));
        };
        let mut line = body;
        while line < self.b.len() {
            let end = self.text[line..].find('\n').map_or(self.b.len(), |i| line + i);
            if self.text[line..end].trim_matches([' ', '\t', '\r']) == marker {
                self.pos = end;
                return Ok(body..line);
            }
            line = end + 1;
        }
        Err(self.error(start, format!("this heredoc is not closed by a line {marker}")))
    }

    /// At `"`: skips the string, its interpolations included; its decoded text, with
    /// interpolations and directives kept as written and the `$${` / `%%{` escapes undone.
    fn quoted(&mut self) -> Result<String, Unreadable> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let unterminated = |s: &Self| s.error(start, "this string is not closed on its line");
        loop {
            let Some(c) = self.text[self.pos..].chars().next() else {
                return Err(unterminated(self));
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                '\n' => return Err(unterminated(self)),
                '\\' => {
                    let esc = self.b.get(self.pos + 1).copied().unwrap_or(0);
                    self.pos += 2;
                    match esc {
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'u' | b'U' => {
                            let n = if esc == b'u' { 4 } else { 8 };
                            let hex = self.text.get(self.pos..self.pos + n).unwrap_or("");
                            let ch = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                            match ch {
                                Some(ch) if hex.bytes().all(|b| b.is_ascii_hexdigit()) => out.push(ch),
                                _ => return Err(self.error(self.pos - 2, "invalid \\u escape")),
                            }
                            self.pos += n;
                        }
                        _ => return Err(self.error(self.pos - 2, "invalid escape in a string")),
                    }
                }
                '$' | '%' if self.at("$${") || self.at("%%{") => {
                    out.push(c);
                    out.push('{');
                    self.pos += 3;
                }
                '$' | '%' if self.b.get(self.pos + 1) == Some(&b'{') => {
                    let from = self.pos;
                    self.pos += 2;
                    self.skip_until_close(b'}')?;
                    self.pos += 1;
                    out.push_str(&self.text[from..self.pos]);
                }
                c => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// Skips an expression up to the `close` that ends it (not consumed): nested brackets,
    /// strings and heredocs inside are skipped whole.
    fn skip_until_close(&mut self, close: u8) -> Result<(), Unreadable> {
        let start = self.pos;
        let mut stack = vec![close];
        while let Some(&c) = self.b.get(self.pos) {
            match c {
                b'"' => {
                    self.quoted()?;
                    continue;
                }
                b'<' if self.at("<<") && self.heredoc_marker().is_some() => {
                    self.heredoc()?;
                    continue;
                }
                b'(' => stack.push(b')'),
                b'[' => stack.push(b']'),
                b'{' => stack.push(b'}'),
                b')' | b']' | b'}' if stack.last() == Some(&c) => {
                    stack.pop();
                    if stack.is_empty() {
                        return Ok(());
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
        Err(self.error(start, format!("expected {} to close this expression", close as char)))
    }

    /// At the value of a policy attribute: notes the document it holds.
    fn policy_value(&mut self, lines: &LineIndex, found: &mut Found) -> Result<(), Unreadable> {
        if self.at("<<") && self.heredoc_marker().is_some() {
            let body = self.heredoc()?;
            let text = &self.text[body.clone()];
            let trimmed = text.trim();
            // A heredoc that is one interpolation (`${data.x.json}`) holds no literal document.
            if trimmed.is_empty() || (trimmed.starts_with("${") && trimmed.ends_with('}') && !trimmed.contains('\n')) {
                return Ok(());
            }
            match json_document(self.text, body, lines) {
                Ok(Some(mut doc)) => {
                    unescape_value(&mut doc.value);
                    found.0.push(doc);
                }
                Ok(None) => {}
                Err(e) => found.1.push(Unreadable {
                    offset: e.offset,
                    message: format!("this heredoc is {}", e.message),
                }),
            }
            return Ok(());
        }
        if !self.at("jsonencode") {
            return Ok(());
        }
        let call = self.pos;
        self.ident();
        self.all_ws();
        if self.peek() != b'(' {
            return Ok(());
        }
        self.pos += 1;
        let mut offsets = Offsets::default();
        let read = self.expr("", &mut offsets, b')', 0).and_then(|value| {
            self.all_ws();
            if self.peek() == b')' {
                self.pos += 1;
                Ok(value)
            } else {
                Err(self.error(self.pos, "expected ) to close jsonencode("))
            }
        });
        match read {
            Ok(value) => {
                if value.as_object().is_some_and(|o| o.contains_key("Statement")) {
                    found.0.push(FoundDocument { value, offsets });
                }
            }
            Err(e) => {
                found.1.push(Unreadable {
                    offset: e.offset,
                    message: format!("this jsonencode(...) could not be read: {}", e.message),
                });
                // Carry on after the call, as Terraform sees it.
                self.pos = call + "jsonencode".len();
                self.all_ws();
                self.pos += 1;
                self.skip_until_close(b')')?;
            }
        }
        Ok(())
    }

    /// After `data`, at its first label: a `data "aws_iam_policy_document"` block becomes the
    /// document Terraform renders from it; any other data block is left to the scan.
    fn data_block(&mut self, found: &mut Found) -> Result<(), Unreadable> {
        let start = self.pos;
        let kind = self.quoted()?;
        self.inline_ws();
        if kind != "aws_iam_policy_document" || self.peek() != b'"' {
            self.pos = start;
            return Ok(());
        }
        self.quoted()?;
        self.inline_ws();
        if self.peek() != b'{' {
            self.pos = start;
            return Ok(());
        }
        let open = self.pos;
        match self.policy_document(open) {
            Ok(doc) => found.0.push(doc),
            Err(e) => {
                found.1.push(Unreadable {
                    offset: e.offset,
                    message: format!("this aws_iam_policy_document could not be read: {}", e.message),
                });
                self.pos = open + 1;
                self.skip_until_close(b'}')?;
                self.pos += 1;
            }
        }
        Ok(())
    }

    /// The items of a block body, `pos` at its `{`: `f(self, name, is_block)` reads each one
    /// (at the value after `=` of an attribute, or at the `{` of a block, labels skipped),
    /// leaving `pos` after it.
    fn block_items(
        &mut self,
        mut f: impl FnMut(&mut Self, &str, bool) -> Result<(), Unreadable>,
    ) -> Result<(), Unreadable> {
        let open = self.pos;
        self.pos += 1;
        loop {
            self.all_ws();
            match self.peek() {
                b'}' => {
                    self.pos += 1;
                    return Ok(());
                }
                0 => return Err(self.error(open, "this { is not closed")),
                c if is_ident_start(c) => {}
                _ => return Err(self.error(self.pos, "expected an attribute or a block")),
            }
            let name = self.ident();
            self.inline_ws();
            if self.peek() == b'=' {
                self.pos += 1;
                f(self, name, false)?;
                self.inline_ws();
                if !matches!(self.peek(), b'\n' | b'\r' | b'}' | 0) {
                    return Err(self.error(self.pos, format!("expected a new line after {name} = ...")));
                }
                continue;
            }
            while self.peek() == b'"' {
                self.quoted()?;
                self.inline_ws();
            }
            if self.peek() != b'{' {
                return Err(self.error(self.pos, format!("expected = or {{ after {name}")));
            }
            f(self, name, true)?;
        }
    }

    /// Skips a block, `pos` at its `{`.
    fn skip_block(&mut self) -> Result<(), Unreadable> {
        self.pos += 1;
        self.skip_until_close(b'}')?;
        self.pos += 1;
        Ok(())
    }

    /// The body of a `data "aws_iam_policy_document"` block at `open`: its `version` and
    /// `statement` blocks as the policy document Terraform renders (`Version` 2012-10-17 and
    /// `Effect` Allow unless given). Other arguments (`source_policy_documents`, ...) and
    /// `dynamic` blocks are not read.
    fn policy_document(&mut self, open: usize) -> Result<FoundDocument, Unreadable> {
        self.pos = open;
        let mut offsets = Offsets::default();
        offsets.insert(String::new(), open);
        let mut version = Value::String(VERSION_2012.into());
        let mut statements = Vec::new();
        self.block_items(|s, name, block| match (name, block) {
            ("version", false) => {
                version = s.expr("/Version", &mut offsets, b'}', 0)?;
                Ok(())
            }
            ("statement", true) => {
                let i = statements.len();
                statements.push(s.statement(i, &mut offsets)?);
                Ok(())
            }
            (_, true) => s.skip_block(),
            (_, false) => s.expr("", &mut Offsets::default(), b'}', 0).map(drop),
        })?;
        let mut doc = Map::new();
        doc.insert("Version".into(), version);
        doc.insert("Statement".into(), Value::Array(statements));
        Ok(FoundDocument {
            value: Value::Object(doc),
            offsets,
        })
    }

    /// A `statement` block, `pos` at its `{`: statement `i` of the document.
    fn statement(&mut self, i: usize, offsets: &mut Offsets) -> Result<Value, Unreadable> {
        let base = format!("/Statement/{i}");
        offsets.insert(base.clone(), self.pos);
        let mut statement = Map::new();
        statement.insert("Effect".into(), Value::String("Allow".into()));
        self.block_items(|s, name, block| {
            let key = match (name, block) {
                ("sid", false) => "Sid",
                ("effect", false) => "Effect",
                ("actions", false) => "Action",
                ("not_actions", false) => "NotAction",
                ("resources", false) => "Resource",
                ("not_resources", false) => "NotResource",
                ("principals", true) => return s.principals(&base, "Principal", &mut statement, offsets),
                ("not_principals", true) => return s.principals(&base, "NotPrincipal", &mut statement, offsets),
                ("condition", true) => return s.condition(&base, &mut statement, offsets),
                (_, true) => return s.skip_block(),
                (_, false) => return s.expr("", &mut Offsets::default(), b'}', 0).map(drop),
            };
            let value = s.expr(&format!("{base}/{key}"), offsets, b'}', 1)?;
            statement.insert(key.into(), value);
            Ok(())
        })?;
        Ok(Value::Object(statement))
    }

    /// The attributes of a block, `pos` at its `{`, each read on its own: name -> (value,
    /// where its values are).
    fn attributes(&mut self) -> Result<Map<String, Value>, Unreadable> {
        let mut out = Map::new();
        let mut where_ = Vec::new();
        self.block_items(|s, name, block| {
            if block {
                return s.skip_block();
            }
            let mut offsets = Offsets::default();
            let value = s.expr("", &mut offsets, b'}', 1)?;
            out.insert(name.to_string(), value);
            where_.push((name.to_string(), offsets));
            Ok(())
        })?;
        self.last_offsets = where_;
        Ok(out)
    }

    /// The offsets of attribute `name` of the last [`Scanner::attributes`].
    fn offsets_of(&mut self, name: &str) -> Offsets {
        let i = self.last_offsets.iter().position(|(n, _)| n == name);
        i.map(|i| self.last_offsets.swap_remove(i).1).unwrap_or_default()
    }

    /// A `principals` (or `not_principals`) block: `{type = T, identifiers = [...]}` as
    /// `Principal: {T: [...]}` (`*` with `["*"]` as `Principal: "*"`), merged with the others.
    fn principals(
        &mut self,
        base: &str,
        key: &str,
        statement: &mut Map<String, Value>,
        offsets: &mut Offsets,
    ) -> Result<(), Unreadable> {
        let block = self.pos;
        let attributes = self.attributes()?;
        let kind = attributes.get("type").and_then(Value::as_str).unwrap_or("").to_string();
        let identifiers = match attributes.get("identifiers") {
            Some(Value::Array(a)) => a.clone(),
            Some(other) => vec![other.clone()],
            None => Vec::new(),
        };
        let at = self.offsets_of("identifiers");
        offsets.insert_first(format!("{base}/{key}"), block);
        if kind == "*" && identifiers == [Value::String("*".into())] {
            statement.insert(key.into(), Value::String("*".into()));
            offsets.graft(at, &format!("{base}/{key}"), 0);
            return Ok(());
        }
        let principal = statement
            .entry(key.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(map) = principal {
            let list = map.entry(kind.clone()).or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = list {
                let shift = list.len();
                offsets.graft(at, &format!("{base}/{key}/{}", pointer_token(&kind)), shift);
                list.extend(identifiers);
            }
        }
        Ok(())
    }

    /// A `condition` block: `{test = T, variable = V, values = [...]}` as
    /// `Condition: {T: {V: [...]}}`, merged with the others.
    fn condition(
        &mut self,
        base: &str,
        statement: &mut Map<String, Value>,
        offsets: &mut Offsets,
    ) -> Result<(), Unreadable> {
        let block = self.pos;
        let attributes = self.attributes()?;
        let text = |k: &str| attributes.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let (test, variable) = (text("test"), text("variable"));
        let values = match attributes.get("values") {
            Some(Value::Array(a)) => a.clone(),
            Some(other) => vec![other.clone()],
            None => Vec::new(),
        };
        let at = self.offsets_of("values");
        let condition = format!("{base}/Condition");
        let by_test = format!("{condition}/{}", pointer_token(&test));
        offsets.insert_first(condition, block);
        offsets.insert_first(by_test.clone(), block);
        let tests = statement
            .entry("Condition".to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(tests) = tests {
            let variables = tests.entry(test).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(variables) = variables {
                let list = variables
                    .entry(variable.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = list {
                    let shift = list.len();
                    offsets.graft(at, &format!("{by_test}/{}", pointer_token(&variable)), shift);
                    list.extend(values);
                }
            }
        }
        Ok(())
    }

    /// An expression inside `jsonencode(...)`, ending before `end` (`)`, `]` or `}`), a
    /// comma, or (in an object) the end of the line.
    fn expr(&mut self, pointer: &str, offsets: &mut Offsets, end: u8, depth: usize) -> Result<Value, Unreadable> {
        if depth > MAX_DEPTH {
            return Err(self.error(self.pos, format!("nested more than {MAX_DEPTH} levels deep")));
        }
        self.all_ws();
        let start = self.pos;
        offsets.insert(pointer.to_string(), start);
        let literal = match self.peek() {
            b'{' => self.object(pointer, offsets, depth)?,
            b'[' => self.tuple(pointer, offsets, depth)?,
            b'"' => Some(Value::String(self.quoted()?)),
            b'-' | b'0'..=b'9' => self.number(),
            c if is_ident_start(c) => match self.ident() {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                "null" => Some(Value::Null),
                _ => None,
            },
            _ => None,
        };
        self.inline_ws();
        let ends = matches!(self.peek(), b',' | b'\n' | b'\r' | 0) || self.peek() == end;
        if let (Some(value), true) = (literal, ends) {
            return Ok(value);
        }
        // Anything else is opaque: its source text, as Terraform would interpolate it.
        self.pos = start;
        offsets.remove_below(pointer);
        self.skip_opaque(end)?;
        let source = self.text[start..self.pos].trim();
        if source.is_empty() {
            return Err(self.error(start, "expected a value"));
        }
        Ok(Value::String(format!("${{{source}}}")))
    }

    /// Skips an expression up to a comma, a line end (inside an object) or `end`, outside
    /// brackets.
    fn skip_opaque(&mut self, end: u8) -> Result<(), Unreadable> {
        while let Some(&c) = self.b.get(self.pos) {
            match c {
                b',' | b')' | b']' | b'}' => return Ok(()),
                b'\n' | b'\r' if end == b'}' => return Ok(()),
                b'#' => self.line_comment(),
                b'/' if self.at("//") => self.line_comment(),
                b'"' => {
                    self.quoted()?;
                }
                b'<' if self.at("<<") && self.heredoc_marker().is_some() => {
                    self.heredoc()?;
                }
                b'(' | b'[' | b'{' => {
                    let close = match c {
                        b'(' => b')',
                        b'[' => b']',
                        _ => b'}',
                    };
                    self.pos += 1;
                    self.skip_until_close(close)?;
                    self.pos += 1;
                }
                _ => self.pos += 1,
            }
        }
        Ok(())
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.pos;
        if self.peek() == b'-' {
            self.pos += 1;
        }
        while self
            .b
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
        {
            self.pos += 1;
        }
        serde_json::from_str::<Number>(&self.text[start..self.pos])
            .ok()
            .map(Value::Number)
    }

    /// Whether a `for` expression starts here (`[for x in ...]`, `{for k, v in ...}`).
    fn at_for(&self) -> bool {
        self.at("for")
            && self
                .b
                .get(self.pos + 3)
                .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n'))
    }

    /// At `{`: an object constructor; `None` for a `for` expression.
    fn object(&mut self, pointer: &str, offsets: &mut Offsets, depth: usize) -> Result<Option<Value>, Unreadable> {
        let open = self.pos;
        self.pos += 1;
        let mut map = Map::new();
        loop {
            self.all_ws();
            match self.peek() {
                b'}' => {
                    self.pos += 1;
                    return Ok(Some(Value::Object(map)));
                }
                0 => return Err(self.error(open, "this { is not closed")),
                _ if map.is_empty() && self.at_for() => return Ok(None),
                _ => {}
            }
            let key = match self.peek() {
                b'"' => self.quoted()?,
                c if is_ident_start(c) => self.ident().to_string(),
                b'(' => {
                    let from = self.pos;
                    self.pos += 1;
                    self.skip_until_close(b')')?;
                    self.pos += 1;
                    format!("${{{}}}", &self.text[from..self.pos])
                }
                _ => return Err(self.error(self.pos, "expected an attribute name")),
            };
            self.inline_ws();
            if !matches!(self.peek(), b'=' | b':') {
                return Err(self.error(self.pos, format!("expected = or : after {key}")));
            }
            self.pos += 1;
            let value = self.expr(&format!("{pointer}/{}", pointer_token(&key)), offsets, b'}', depth + 1)?;
            map.insert(key, value);
            self.inline_ws();
            match self.peek() {
                b',' => self.pos += 1,
                b'\n' | b'\r' | b'}' => {}
                _ => return Err(self.error(self.pos, "expected a comma, a new line or } after a value")),
            }
        }
    }

    /// At `[`: a tuple constructor; `None` for a `for` expression.
    fn tuple(&mut self, pointer: &str, offsets: &mut Offsets, depth: usize) -> Result<Option<Value>, Unreadable> {
        let open = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.all_ws();
            match self.peek() {
                b']' => {
                    self.pos += 1;
                    return Ok(Some(Value::Array(items)));
                }
                0 => return Err(self.error(open, "this [ is not closed")),
                _ if items.is_empty() && self.at_for() => return Ok(None),
                _ => {}
            }
            let value = self.expr(&format!("{pointer}/{}", items.len()), offsets, b']', depth + 1)?;
            items.push(value);
            self.all_ws();
            match self.peek() {
                b',' => self.pos += 1,
                b']' => {}
                _ => return Err(self.error(self.pos, "expected a comma or ] after a value")),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> (Vec<FoundDocument>, Vec<Unreadable>, LineIndex) {
        let lines = LineIndex::new(text);
        let (docs, bad) = policies(text, &lines).unwrap();
        (docs, bad, lines)
    }

    fn at(text: &str, doc: &FoundDocument, pointer: &str) -> (usize, usize) {
        let p = LineIndex::new(text).position(text, doc.offsets.of(pointer));
        (p.line, p.column)
    }

    #[test]
    fn heredocs_are_read_at_their_lines_and_columns() {
        let text = r#"# policy = <<EOF in a comment is not an attribute
resource "aws_iam_policy" "logs" {
  name   = "logs-${var.env}" // policy = "x"
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": ["s3:GetObjects"],
    "Resource": "arn:aws:s3:::${var.bucket}/home/$${aws:username}/*"
  }]
}
EOF
}
"#;
        let (docs, bad, _) = read(text);
        assert!(bad.is_empty());
        assert_eq!(docs.len(), 1);
        let doc = &docs[0];
        assert_eq!(
            doc.value["Statement"][0]["Resource"],
            json!("arn:aws:s3:::${var.bucket}/home/${aws:username}/*")
        );
        assert_eq!(at(text, doc, "/Statement/0/Action/0"), (9, 16));
        assert_eq!(at(text, doc, ""), (5, 1));
    }

    #[test]
    fn indented_heredocs_keep_their_columns() {
        let text = "resource \"aws_iam_role\" \"r\" {\r\n  assume_role_policy = <<-POLICY\r\n    {\r\n      \"Statement\": {\r\n        \"Effect\": \"Allow\",\r\n        \"Action\": \"sts:AssumeRole\"\r\n      }\r\n    }\r\n    POLICY\r\n}\r\n";
        let (docs, bad, _) = read(text);
        assert!(bad.is_empty());
        assert_eq!(docs[0].value["Statement"]["Action"], json!("sts:AssumeRole"));
        assert_eq!(at(text, &docs[0], "/Statement/Action"), (6, 19));
        assert_eq!(at(text, &docs[0], ""), (3, 5));
    }

    #[test]
    fn jsonencode_is_read_as_terraform_encodes_it() {
        let text = r#"resource "aws_iam_role_policy" "p" {
  role = aws_iam_role.r.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Read" # a comment
        Effect   = "Allow",
        Action   = ["kms:decrypts", "s3:Get*"]
        Resource = [var.bucket_arn, "${aws_s3_bucket.b.arn}/*", "é😀"]
        "Condition" : { Bool = { "aws:MultiFactorAuthPresent" = true } }
        NotResource = concat(local.a,
          local.b)
      },
    ]
  })
}
"#;
        let (docs, bad, _) = read(text);
        assert!(bad.is_empty(), "{bad:?}");
        let doc = &docs[0];
        assert_eq!(
            doc.value,
            json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "Read",
                    "Effect": "Allow",
                    "Action": ["kms:decrypts", "s3:Get*"],
                    "Resource": ["${var.bucket_arn}", "${aws_s3_bucket.b.arn}/*", "é😀"],
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": true}},
                    "NotResource": "${concat(local.a,\n          local.b)}",
                }]
            })
        );
        assert_eq!(at(text, doc, ""), (3, 23));
        assert_eq!(at(text, doc, "/Statement/0/Action/0"), (9, 21));
        assert_eq!(at(text, doc, "/Statement/0/Resource/0"), (10, 21));
        assert_eq!(
            at(text, doc, "/Statement/0/Condition/Bool/aws:MultiFactorAuthPresent"),
            (11, 65)
        );
        assert_eq!(at(text, doc, "/Statement/0/NotResource"), (12, 23));
    }

    #[test]
    fn columns_after_wide_characters_count_characters() {
        // Two-, three- and four-byte characters before the value on its line, in a string
        // with an escape and an interpolation.
        let text = "policy = jsonencode({ Statement = { Sid = \"é€😀\\\"${x}\", Action = \"s3:*\" } })\n";
        let (docs, bad, _) = read(text);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(docs[0].value["Statement"]["Sid"], json!("é€😀\"${x}"));
        assert_eq!(at(text, &docs[0], "/Statement/Action"), (1, 65));
    }

    #[test]
    fn policy_document_data_sources_are_rendered_as_terraform_renders_them() {
        let text = r#"data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:root"]
    }
    principals {
      type        = "AWS"
      identifiers = [data.aws_caller_identity.current.arn]
    }
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["true"]
    }
  }
}

data "aws_iam_policy_document" "deny" {
  source_policy_documents = [data.aws_iam_policy_document.assume.json]
  version = "2012-10-17"
  statement {
    sid         = "DenyWithoutMfa"
    effect      = "Deny"
    not_actions = ["iam:EnableMfaDevices", "sts:GetSessionToken"]
    resources   = ["*"]
    condition {
      test     = "BoolIfExists"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["false"]
    }
  }
  statement {
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::public/*"]
  }
  dynamic "statement" {
    for_each = var.extra
    content {
      actions = statement.value
    }
  }
}
"#;
        let (docs, bad, _) = read(text);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(docs.len(), 2);
        assert_eq!(
            docs[0].value,
            json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Action": ["sts:AssumeRole"],
                    "Principal": {"AWS": ["arn:aws:iam::123456789012:root", "${data.aws_caller_identity.current.arn}"]},
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": ["true"]}},
                }]
            })
        );
        let doc = &docs[0];
        assert_eq!(at(text, doc, ""), (3, 41));
        assert_eq!(at(text, doc, "/Statement/0"), (4, 13));
        assert_eq!(at(text, doc, "/Statement/0/Effect"), (4, 13));
        assert_eq!(at(text, doc, "/Statement/0/Action/0"), (5, 16));
        assert_eq!(at(text, doc, "/Statement/0/Principal"), (6, 16));
        assert_eq!(at(text, doc, "/Statement/0/Principal/AWS/0"), (8, 22));
        // The second block's identifiers follow the first's.
        assert_eq!(at(text, doc, "/Statement/0/Principal/AWS/1"), (12, 22));
        assert_eq!(at(text, doc, "/Statement/0/Condition/Bool"), (14, 15));
        assert_eq!(
            at(text, doc, "/Statement/0/Condition/Bool/aws:MultiFactorAuthPresent"),
            (17, 18)
        );
        assert_eq!(
            at(text, doc, "/Statement/0/Condition/Bool/aws:MultiFactorAuthPresent/0"),
            (17, 19)
        );

        let doc = &docs[1];
        assert_eq!(
            doc.value,
            json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Deny",
                    "Sid": "DenyWithoutMfa",
                    "NotAction": ["iam:EnableMfaDevices", "sts:GetSessionToken"],
                    "Resource": ["*"],
                    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": ["false"]}},
                }, {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["s3:GetObject"],
                    "Resource": ["arn:aws:s3:::public/*"],
                }]
            })
        );
        assert_eq!(at(text, doc, "/Version"), (24, 13));
        assert_eq!(at(text, doc, "/Statement/0/NotAction/0"), (28, 20));
        assert_eq!(at(text, doc, "/Statement/1/Principal"), (37, 16));
    }

    #[test]
    fn values_that_are_not_policies_are_skipped() {
        let text = r#"
resource "aws_sqs_queue" "q" {
  redrive_policy = jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn, maxReceiveCount = 4 })
  policy = data.aws_iam_policy_document.q.json
  ssl_policy = "ELBSecurityPolicy-2016-08"
  other = <<EOF
  policy = <<X
EOF
  lifecycle_policy = <<EOT
${data.template_file.p.rendered}
EOT
  access_policy = jsonencode({ Statement = [for s in local.statements : s] })
}
"#;
        let (docs, bad, _) = read(text);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(docs.len(), 1);
        assert_eq!(
            docs[0].value,
            json!({"Statement": "${[for s in local.statements : s]}"})
        );
    }

    #[test]
    fn a_heredoc_that_is_not_json_is_reported_where_it_breaks() {
        let text = "resource \"aws_iam_policy\" \"p\" {\n  policy = <<EOF\n{\n  \"Statement\": [\n    ${local.statement}\n  ]\n}\nEOF\n}\n";
        let (docs, bad, lines) = read(text);
        assert!(docs.is_empty());
        assert_eq!(bad.len(), 1);
        assert!(
            bad[0]
                .message
                .starts_with("this heredoc is not valid JSON: expected value"),
            "{}",
            bad[0].message
        );
        let p = lines.position(text, bad[0].offset);
        assert_eq!((p.line, p.column), (5, 5));
    }

    #[test]
    fn a_broken_file_is_an_error_at_its_place() {
        for (text, line, message) in [
            (
                "a = 1\npolicy = <<EOF\n{}\n",
                2,
                "this heredoc is not closed by a line EOF",
            ),
            ("a = \"x\n", 1, "this string is not closed on its line"),
            ("/* x\n", 1, "this /* comment is not closed"),
        ] {
            let lines = LineIndex::new(text);
            let e = policies(text, &lines).unwrap_err();
            assert_eq!(e.message, message);
            assert_eq!(lines.position(text, e.offset).line, line);
        }
        // A jsonencode that cannot be read is reported, and the rest of the file still is.
        let text = "policy = jsonencode({ Statement = { = 1 } })\nassume_role_policy = jsonencode({Statement = {Action = \"sts:AssumeRole\"}})\n";
        let (docs, bad, _) = read(text);
        assert_eq!(docs.len(), 1);
        assert_eq!(bad.len(), 1);
        assert!(
            bad[0]
                .message
                .starts_with("this jsonencode(...) could not be read: expected an attribute name"),
            "{}",
            bad[0].message
        );
        // So is a policy document data source, and the scan goes on after it.
        let text = "data \"aws_iam_policy_document\" \"x\" {\n  statement {\n    actions = \n  }\n}\npolicy = jsonencode({Statement = []})\n";
        let (docs, bad, lines) = read(text);
        assert_eq!(docs.len(), 1);
        assert_eq!(bad.len(), 1);
        assert_eq!(
            bad[0].message,
            "this aws_iam_policy_document could not be read: expected a value"
        );
        assert_eq!(lines.position(text, bad[0].offset).line, 4);
        // Nesting is bounded.
        let deep = format!("policy = jsonencode({}{})\n", "[".repeat(100), "]".repeat(100));
        let (_, bad, _) = read(&deep);
        assert!(
            bad[0].message.contains("nested more than 64 levels deep"),
            "{}",
            bad[0].message
        );
    }
}

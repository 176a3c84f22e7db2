//! Policy documents read from files kept in a repository, each with a way back from a JSON
//! pointer into the document to the line and column in its file.
//!
//! Supported:
//!
//! - a JSON file holding one policy document (an object with `Statement`);
//! - a Terraform file (`.tf`): the heredocs (`<<EOF`, `<<-EOF`) holding JSON and the
//!   `jsonencode({...})` expressions assigned to an attribute named `policy` or ending in
//!   `_policy` (`assume_role_policy`, `inline_policy { policy = ... }`, ...), and the
//!   `data "aws_iam_policy_document"` blocks, see [`super::terraform`];
//! - a directory: every `*.json` and `*.tf` file below it, hidden directories (and so
//!   `.terraform/`) skipped; a JSON file there that is not a policy document is skipped.
//!
//! Every file goes through [`crate::input::read_file`] (regular files only, a size limit).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::{Error, Result};

/// The largest policy file read unless [`crate::input::MAX_INPUT_SIZE_ENV`] says otherwise
/// (a policy document is at most 10,240 characters; a Terraform file of many is still far
/// smaller than this).
pub const MAX_POLICY_FILE_BYTES: u64 = 16 << 20;

/// A line and a column in a file, both from 1; the column counts characters (Unicode
/// scalar values), not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column in characters, from 1.
    pub column: usize,
}

/// The start of every line of a text, to turn byte offsets into [`Position`]s. Lines end
/// at `\n` (a `\r` before it is the end of the line's text, so CRLF files count alike).
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// The index of `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The position of byte `offset` of `text` (the text the index was made of). An offset
    /// inside a character counts as that character; one past the end is the end.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = text
            .get(start..)
            .unwrap_or("")
            .char_indices()
            .take_while(|(i, _)| start + i < offset)
            .count()
            + 1;
        Position { line: line + 1, column }
    }

    /// The byte offset of `line` (from 1) and byte `column` (from 1) as a parser that
    /// counts bytes reports them, `line_base` lines into the text.
    fn offset_of(&self, text: &str, line_base: usize, line: usize, byte_column: usize) -> usize {
        let index = (line_base + line.max(1) - 1).min(self.starts.len() - 1);
        let start = self.starts[index];
        let end = self.starts.get(index + 1).copied().unwrap_or(text.len());
        (start + byte_column.saturating_sub(1)).min(end)
    }
}

/// Where a policy document sits in its file: the byte offset of every value of it, by
/// JSON pointer (RFC 6901).
#[derive(Debug, Clone, Default)]
pub struct Offsets {
    by_pointer: BTreeMap<String, usize>,
}

impl Offsets {
    pub(crate) fn insert(&mut self, pointer: String, offset: usize) {
        self.by_pointer.insert(pointer, offset);
    }

    /// Notes `offset` for `pointer` unless it has one (the first of several blocks that
    /// make one value).
    pub(crate) fn insert_first(&mut self, pointer: String, offset: usize) {
        self.by_pointer.entry(pointer).or_insert(offset);
    }

    /// Forgets the values below `pointer` (an expression first read as a literal, then
    /// found to go on, is one opaque value).
    pub(crate) fn remove_below(&mut self, pointer: &str) {
        let prefix = format!("{pointer}/");
        self.by_pointer.retain(|p, _| !p.starts_with(&prefix));
    }

    /// Adds the offsets of `other` (a value read on its own, at pointer `""`) as those of the
    /// value at `prefix`, the indexes of an array at `prefix` moved up by `shift` (a list
    /// appended to one already there).
    pub(crate) fn graft(&mut self, other: Offsets, prefix: &str, shift: usize) {
        for (p, o) in other.by_pointer {
            let p = match p.strip_prefix('/') {
                Some(rest) if shift > 0 => {
                    let (first, tail) = rest.split_once('/').map_or((rest, ""), |(a, b)| (a, b));
                    match first.parse::<usize>() {
                        Ok(i) if tail.is_empty() => format!("/{}", i + shift),
                        Ok(i) => format!("/{}/{tail}", i + shift),
                        Err(_) => format!("/{rest}"),
                    }
                }
                _ => p,
            };
            if p.is_empty() && shift > 0 {
                continue;
            }
            self.by_pointer.entry(format!("{prefix}{p}")).or_insert(o);
        }
    }

    /// The offset of the value at `pointer`; for a pointer to something the document does
    /// not have (a missing `Effect`), that of the nearest enclosing value that it has.
    pub fn of(&self, pointer: &str) -> usize {
        let mut p = pointer;
        loop {
            if let Some(&o) = self.by_pointer.get(p) {
                return o;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return self.by_pointer.get("").copied().unwrap_or(0),
            }
        }
    }
}

/// A JSON pointer's reference token for `key`: `~` as `~0`, `/` as `~1`.
pub fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// One policy document found in a file.
#[derive(Debug, Clone)]
pub struct FoundDocument {
    /// The document.
    pub value: Value,
    /// Where each of its values is written.
    pub offsets: Offsets,
}

/// Something in a file that looks like a policy document but could not be read as one (a
/// Terraform heredoc that is not JSON): where, and why.
#[derive(Debug, Clone)]
pub struct Unreadable {
    /// The byte offset of the problem.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// A file and the policy documents in it.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// The path as given (or as found below a directory that was given).
    pub path: PathBuf,
    text: String,
    lines: LineIndex,
    /// The policy documents, in the order they appear.
    pub documents: Vec<FoundDocument>,
    /// What could not be read as a document.
    pub unreadable: Vec<Unreadable>,
}

impl PolicyFile {
    /// The position of byte `offset` of the file.
    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(&self.text, offset)
    }

    /// The file's path with `/` separators, as reports name it.
    pub fn name(&self) -> String {
        display_path(&self.path)
    }
}

/// `path` with `/` separators (reports are read the same on every system).
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// How a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One JSON policy document.
    Json,
    /// Terraform: the policy heredocs and `jsonencode` expressions.
    Terraform,
}

impl Kind {
    /// By the file name: `.tf` is Terraform, anything else JSON.
    pub fn of(path: &Path) -> Kind {
        match path.extension() {
            Some(e) if e.eq_ignore_ascii_case("tf") => Kind::Terraform,
            _ => Kind::Json,
        }
    }
}

/// A file to read, and whether it was named itself (rather than found in a directory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The file.
    pub path: PathBuf,
    /// Named on its own: a JSON file that is not a policy document is an error, not skipped.
    pub named: bool,
}

/// The files `paths` stand for: each file itself, and below each directory every `*.json`
/// and `*.tf` file (sorted; hidden directories such as `.terraform/`, and directories that
/// are symbolic links, skipped). A path that does not exist is an error naming it.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<Input>> {
    let mut out: Vec<Input> = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.is_dir() {
            walk(path, &mut out)?;
        } else {
            out.push(Input {
                path: path.clone(),
                named: true,
            });
        }
    }
    // A file given twice (named, and in a directory given too) is read once, as named.
    let mut seen: std::collections::HashMap<PathBuf, usize> = std::collections::HashMap::new();
    let mut unique: Vec<Input> = Vec::with_capacity(out.len());
    for input in out {
        match seen.get(&input.path) {
            Some(&i) => unique[i].named |= input.named,
            None => {
                seen.insert(input.path.clone(), unique.len());
                unique.push(input);
            }
        }
    }
    Ok(unique)
}

fn walk(dir: &Path, out: &mut Vec<Input>) -> Result<()> {
    let mut entries: Vec<(PathBuf, std::fs::FileType)> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .map(|e| e.and_then(|e| Ok((e.path(), e.file_type()?))))
        .collect::<std::io::Result<_>>()
        .map_err(|e| Error::io(dir, e))?;
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, file_type) in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if file_type.is_dir() {
            if !name.starts_with('.') {
                walk(&path, out)?;
            }
            continue;
        }
        let wanted = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json") || e.eq_ignore_ascii_case("tf"));
        // A symbolic link to a directory is not followed (it may lead back up).
        if wanted && !path.is_dir() {
            out.push(Input { path, named: false });
        }
    }
    Ok(())
}

/// What a file holds.
#[derive(Debug)]
pub enum Read {
    /// Policy documents (a Terraform file may hold none).
    Policies(PolicyFile),
    /// A JSON file found in a directory that is not a policy document: skipped.
    NotPolicy,
    /// A file found in a directory that is not valid JSON: skipped, with this warning.
    NotJson(Error),
}

/// Reads `input`. A file named on its own that is not a JSON policy document is an error;
/// one found in a directory is [`Read::NotPolicy`] or [`Read::NotJson`].
pub fn read(input: &Input, limit: u64) -> Result<Read> {
    let path = &input.path;
    let bytes = crate::input::read_file(path, limit)?;
    let text = String::from_utf8(crate::input::strip_bom(&bytes).to_vec())
        .map_err(|e| Error::input(path, "", format!("is not UTF-8 text ({e})")))?;
    let lines = LineIndex::new(&text);
    let mut file = PolicyFile {
        path: path.clone(),
        text,
        lines,
        documents: Vec::new(),
        unreadable: Vec::new(),
    };
    let at = |file: &PolicyFile, e: Unreadable| {
        let p = file.position(e.offset);
        Error::input(path, format!("line {} column {}", p.line, p.column), e.message)
    };
    match Kind::of(path) {
        Kind::Json => match json_document(&file.text, 0..file.text.len(), &file.lines) {
            Ok(Some(doc)) => file.documents.push(doc),
            Ok(None) if !input.named => return Ok(Read::NotPolicy),
            Ok(None) => {
                return Err(Error::input(
                    path,
                    "",
                    "is not an IAM policy document (a JSON object with \"Statement\")",
                ))
            }
            Err(e) if !input.named => return Ok(Read::NotJson(at(&file, e))),
            Err(e) => return Err(at(&file, e)),
        },
        Kind::Terraform => {
            let (documents, unreadable) =
                super::terraform::policies(&file.text, &file.lines).map_err(|e| at(&file, e))?;
            file.documents = documents;
            file.unreadable = unreadable;
        }
    }
    Ok(Read::Policies(file))
}

/// A policy document written as JSON in `text[range]` (`range` starting at the beginning of
/// a line of the file `lines` indexes): `None` when it is JSON but not a policy document, an
/// [`Unreadable`] when it is not JSON.
pub(crate) fn json_document(
    text: &str,
    range: std::ops::Range<usize>,
    lines: &LineIndex,
) -> std::result::Result<Option<FoundDocument>, Unreadable> {
    let start = range.start;
    let first_line = lines.starts.partition_point(|&s| s <= start) - 1;
    let body = &text[range];
    if body.trim().is_empty() {
        return Err(Unreadable {
            offset: start,
            message: "the file is empty (expected a JSON policy document)".into(),
        });
    }
    let value: Value = serde_json::from_str(body).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        Unreadable {
            offset: lines.offset_of(text, first_line, e.line(), e.column()),
            message: format!("not valid JSON: {msg}"),
        }
    })?;
    if !value.as_object().is_some_and(|o| o.contains_key("Statement")) {
        return Ok(None);
    }
    let mut offsets = Offsets::default();
    JsonScanner {
        bytes: text.as_bytes(),
        text,
        pos: start,
        offsets: &mut offsets,
    }
    .value(String::new());
    Ok(Some(FoundDocument { value, offsets }))
}

/// Walks JSON already known to be valid, noting where each value starts.
struct JsonScanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    offsets: &'a mut Offsets,
}

impl JsonScanner<'_> {
    fn ws(&mut self) {
        while self.bytes.get(self.pos).is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> u8 {
        self.bytes.get(self.pos).copied().unwrap_or(0)
    }

    /// The string starting at `pos` (decoded), `pos` moved past it.
    fn string(&mut self) -> String {
        let start = self.pos;
        self.pos += 1;
        while self.pos < self.bytes.len() {
            match self.bytes[self.pos] {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    break;
                }
                _ => self.pos += 1,
            }
        }
        serde_json::from_str(&self.text[start..self.pos.min(self.text.len())]).unwrap_or_default()
    }

    fn value(&mut self, pointer: String) {
        self.ws();
        self.offsets.insert(pointer.clone(), self.pos);
        match self.peek() {
            b'{' => {
                self.pos += 1;
                loop {
                    self.ws();
                    match self.peek() {
                        b'"' => {
                            let key = self.string();
                            self.ws();
                            self.pos += 1; // ':'
                            self.value(format!("{pointer}/{}", pointer_token(&key)));
                        }
                        b',' => self.pos += 1,
                        b'}' => {
                            self.pos += 1;
                            return;
                        }
                        _ => return,
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                let mut index = 0;
                loop {
                    self.ws();
                    match self.peek() {
                        b',' => self.pos += 1,
                        b']' => {
                            self.pos += 1;
                            return;
                        }
                        0 => return,
                        _ => {
                            self.value(format!("{pointer}/{index}"));
                            index += 1;
                        }
                    }
                }
            }
            b'"' => {
                self.string();
            }
            _ => {
                while self
                    .bytes
                    .get(self.pos)
                    .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
                {
                    self.pos += 1;
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn located(text: &str) -> (FoundDocument, LineIndex) {
        let lines = LineIndex::new(text);
        (json_document(text, 0..text.len(), &lines).unwrap().unwrap(), lines)
    }

    fn at(text: &str, pointer: &str) -> (usize, usize) {
        let (doc, lines) = located(text);
        let p = lines.position(text, doc.offsets.of(pointer));
        (p.line, p.column)
    }

    #[test]
    fn pointers_map_to_lines_and_columns() {
        let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\", \"s3:*\"], \"Resource\": \"*\"},\n    {\"Effect\": \"Deny\", \"NotAction\": \"iam:*\", \"Resource\": \"*\"}\n  ]\n}\n";
        assert_eq!(at(text, ""), (1, 1));
        assert_eq!(at(text, "/Statement"), (3, 16));
        assert_eq!(at(text, "/Statement/0"), (4, 5));
        assert_eq!(at(text, "/Statement/0/Action/1"), (4, 52));
        assert_eq!(at(text, "/Statement/1/NotAction"), (5, 37));
        // A missing member: the nearest enclosing value.
        assert_eq!(at(text, "/Statement/1/Condition"), (5, 5));
        assert_eq!(at(text, "/Statement/7/Action"), (3, 16));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        // "Sid" holds two-byte, three-byte and four-byte characters before the action.
        let text = "{\"Statement\": {\"Sid\": \"é€😀\", \"Action\": \"kms:decrypts\"}}";
        assert_eq!(at(text, "/Statement/Action"), (1, 40));
        assert_eq!(at(text, "/Statement/Sid"), (1, 23));
        // Keys with escapes, `/` and `~` are found under their pointer tokens.
        let text = "{\"Statement\": [], \"a/b~\": {\"\\u00e9\\\"x\": 1}}";
        assert_eq!(at(text, "/a~1b~0/é\"x"), (1, 41));
    }

    #[test]
    fn a_single_statement_object_is_pointed_into() {
        let text = "{\n \"Statement\": {\n  \"Effect\": \"Allow\",\n  \"Condition\": {\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}}\n }\n}";
        assert_eq!(at(text, "/Statement/Condition"), (4, 16));
        assert_eq!(
            at(text, "/Statement/Condition/Bool/aws:MultiFactorAuthPresent"),
            (4, 56)
        );
    }

    #[test]
    fn crlf_line_endings_count_as_one_line_end() {
        let text = "{\r\n  \"Statement\": [\r\n    {\"Action\": \"s3:GetObjects\"}\r\n  ]\r\n}\r\n";
        assert_eq!(at(text, "/Statement/0/Action"), (3, 16));
        assert_eq!(at(text, "/Statement"), (2, 16));
    }

    #[test]
    fn invalid_json_is_located_in_characters() {
        let text = "{\n  \"Statement\": [\n    {\"Sid\": \"ü\", \"Action\": \"s3:*\",}\n  ]\n}\n";
        let lines = LineIndex::new(text);
        let e = json_document(text, 0..text.len(), &lines).unwrap_err();
        assert!(e.message.starts_with("not valid JSON: trailing comma"), "{}", e.message);
        // serde_json counts the byte column (36, with the two-byte ü); the position is in characters.
        assert_eq!(lines.position(text, e.offset), Position { line: 3, column: 35 });
    }

    #[test]
    fn json_that_is_not_a_policy_is_told_apart() {
        let text = "{\"compilerOptions\": {}}";
        assert!(json_document(text, 0..text.len(), &LineIndex::new(text))
            .unwrap()
            .is_none());
        let text = "[{\"Statement\": []}]";
        assert!(json_document(text, 0..text.len(), &LineIndex::new(text))
            .unwrap()
            .is_none());
    }

    #[test]
    fn line_index_positions() {
        let text = "ab\r\nçd\n\nx";
        let lines = LineIndex::new(text);
        assert_eq!(lines.position(text, 0), Position { line: 1, column: 1 });
        assert_eq!(lines.position(text, 4), Position { line: 2, column: 1 });
        assert_eq!(lines.position(text, 6), Position { line: 2, column: 2 });
        assert_eq!(lines.position(text, 9), Position { line: 4, column: 1 });
        assert_eq!(lines.position(text, 99), Position { line: 4, column: 2 });
    }

    #[test]
    fn directories_are_walked_for_json_and_terraform_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "b.json",
            "a.tf",
            "notes.md",
            "sub/c.JSON",
            ".hidden/d.json",
            "mod/.terraform/modules/e.tf",
            "mod/main.tf",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "{}").unwrap();
        }
        let found = expand(&[
            root.to_path_buf(),
            root.join("notes.md"),
            root.join("b.json"),
            root.to_path_buf(),
        ])
        .unwrap();
        let names: Vec<(String, bool)> = found
            .iter()
            .map(|i| (display_path(i.path.strip_prefix(root).unwrap()), i.named))
            .collect();
        // Each file once; b.json, also named, is read as named.
        let want = [
            ("a.tf", false),
            ("b.json", true),
            ("mod/main.tf", false),
            ("sub/c.JSON", false),
            ("notes.md", true),
        ];
        assert_eq!(names, want.map(|(n, b)| (n.to_string(), b)));
        let e = expand(&[root.join("missing.json")]).unwrap_err();
        assert!(e.to_string().contains("missing.json"), "{e}");
    }

    #[test]
    fn a_named_file_must_be_a_policy_and_a_found_one_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("package.json");
        std::fs::write(&pkg, "{\"name\": \"x\"}").unwrap();
        let bad = dir.path().join("bad.json");
        std::fs::write(
            &bad,
            "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\" \"Action\": \"*\"}\n  ]\n}\n",
        )
        .unwrap();
        let named = |path: &Path| Input {
            path: path.to_path_buf(),
            named: true,
        };
        let found = |path: &Path| Input {
            path: path.to_path_buf(),
            named: false,
        };
        assert!(matches!(
            read(&found(&pkg), MAX_POLICY_FILE_BYTES).unwrap(),
            Read::NotPolicy
        ));
        match read(&found(&bad), MAX_POLICY_FILE_BYTES).unwrap() {
            Read::NotJson(e) => assert!(e.to_string().contains("bad.json: line 3 column 24"), "{e}"),
            other => panic!("{other:?}"),
        }
        let e = read(&named(&pkg), MAX_POLICY_FILE_BYTES).unwrap_err().to_string();
        assert!(
            e.ends_with("package.json: is not an IAM policy document (a JSON object with \"Statement\")"),
            "{e}"
        );
        let e = read(&named(&bad), MAX_POLICY_FILE_BYTES).unwrap_err().to_string();
        assert!(
            e.contains("bad.json: line 3 column 24: not valid JSON: expected `,` or `}`"),
            "{e}"
        );
        // A byte-order mark is not part of the text, and does not shift the columns.
        let bom = dir.path().join("bom.json");
        std::fs::write(&bom, "\u{feff}{\"Statement\": {\"Action\": \"s3:*\"}}").unwrap();
        let Read::Policies(file) = read(&named(&bom), MAX_POLICY_FILE_BYTES).unwrap() else {
            panic!("a policy file")
        };
        let doc = &file.documents[0];
        assert_eq!(
            file.position(doc.offsets.of("/Statement/Action")),
            Position { line: 1, column: 26 }
        );
        // Over the size limit: the input reader's error.
        let e = read(&named(&bom), 8).unwrap_err().to_string();
        assert!(e.contains("over the limit"), "{e}");
    }
}

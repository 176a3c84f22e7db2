//! The one CSV writer every evidence CSV goes through.
//!
//! - RFC 4180 quoting (the `csv` crate): a cell with a comma, a quote or a line break is
//!   quoted, quotes doubled.
//! - UTF-8 without a byte-order mark by default; [`CsvTable::to_bytes`] with `excel`
//!   prepends the UTF-8 BOM so that Excel opens non-ASCII names correctly.
//! - **Formula injection.** A spreadsheet treats a cell that begins with `=`, `+`, `-`,
//!   `@`, a tab or a carriage return as a formula, and IAM names may contain `+=,.@_-`
//!   (a user can be called `=1+2` or `@SUM`). Such a cell is written with a leading
//!   apostrophe (`'`): `=1+2` becomes `'=1+2`, which every spreadsheet shows as text. A
//!   cell that itself begins with an apostrophe gets one too, so the rule is reversible:
//!   to read a value back, remove ONE leading apostrophe if there is one
//!   ([`unneutralise`]).

/// The characters that make a spreadsheet read a cell as a formula (plus the apostrophe
/// itself, so that neutralising is reversible).
pub const NEUTRALISED_FIRST_CHARS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// `value` as it is written into a CSV cell: prefixed with `'` when it begins with one
/// of [`NEUTRALISED_FIRST_CHARS`].
pub fn neutralise(value: &str) -> std::borrow::Cow<'_, str> {
    match value.chars().next() {
        Some(c) if NEUTRALISED_FIRST_CHARS.contains(&c) => std::borrow::Cow::Owned(format!("'{value}")),
        _ => std::borrow::Cow::Borrowed(value),
    }
}

/// The original value of a cell written by [`neutralise`].
pub fn unneutralise(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// A table to be written as CSV: a header row and data rows of the same width.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvTable {
    /// Column names.
    pub headers: Vec<String>,
    /// Rows, each as wide as `headers`.
    pub rows: Vec<Vec<String>>,
}

impl CsvTable {
    /// An empty table with these column names.
    pub fn new(headers: &[&str]) -> Self {
        CsvTable { headers: headers.iter().map(|h| h.to_string()).collect(), rows: Vec::new() }
    }

    /// Appends a row.
    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.headers.len(), "CSV row width");
        self.rows.push(row);
    }

    /// The CSV bytes: header and rows, every cell neutralised, CRLF line ends as RFC 4180
    /// says, and the UTF-8 BOM first when `excel`.
    pub fn to_bytes(&self, excel: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if excel {
            out.extend_from_slice(b"\xEF\xBB\xBF");
        }
        {
            let mut w = csv::WriterBuilder::new()
                .flexible(true)
                .terminator(csv::Terminator::CRLF)
                .quote_style(csv::QuoteStyle::Necessary)
                .from_writer(&mut out);
            for record in std::iter::once(&self.headers).chain(self.rows.iter()) {
                // Writing into a Vec cannot fail (and `flexible` rules out the width error).
                let _ = w.write_record(record.iter().map(|c| neutralise(c).into_owned()));
            }
            let _ = w.flush();
        }
        out
    }
}

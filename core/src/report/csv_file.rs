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
        CsvTable {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
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
        // Writing into a Vec cannot fail.
        let _ = self.write_to(&mut out, excel);
        out
    }

    /// Streams the table to `w` as [`CsvTable::to_bytes`] renders it.
    pub fn write_to(&self, w: &mut dyn std::io::Write, excel: bool) -> std::io::Result<()> {
        let mut out = CsvStream::new(w, &self.headers, excel)?;
        for row in &self.rows {
            out.row(row)?;
        }
        out.finish()
    }
}

/// The streaming form of the one CSV writer: rows go to the writer as they come, under the
/// same rules as [`CsvTable`] (header first, every cell neutralised, CRLF, optional BOM).
pub struct CsvStream<'w> {
    w: csv::Writer<&'w mut dyn std::io::Write>,
    width: usize,
}

impl<'w> CsvStream<'w> {
    /// Starts a CSV on `w`: the BOM when `excel`, then the header row.
    pub fn new<H: AsRef<str>>(w: &'w mut dyn std::io::Write, headers: &[H], excel: bool) -> std::io::Result<Self> {
        if excel {
            w.write_all(b"\xEF\xBB\xBF")?;
        }
        let mut out = CsvStream {
            w: csv::WriterBuilder::new()
                .flexible(true)
                .terminator(csv::Terminator::CRLF)
                .quote_style(csv::QuoteStyle::Necessary)
                .buffer_capacity(64 * 1024)
                .from_writer(w),
            width: headers.len(),
        };
        out.row(headers)?;
        Ok(out)
    }

    /// Writes one row (as wide as the header), every cell neutralised.
    pub fn row<C: AsRef<str>>(&mut self, cells: &[C]) -> std::io::Result<()> {
        debug_assert_eq!(cells.len(), self.width, "CSV row width");
        for c in cells {
            self.w.write_field(neutralise(c.as_ref()).as_bytes()).map_err(csv_io)?;
        }
        self.w.write_record(None::<&[u8]>).map_err(csv_io)
    }

    /// Flushes what is buffered to the underlying writer.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

impl std::fmt::Debug for CsvStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvStream")
            .field("width", &self.width)
            .finish_non_exhaustive()
    }
}

fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

//! Reading input files that come from elsewhere (account data, configuration, manifests,
//! remediation requests): only regular files, within a size limit, and JSON parsed with
//! errors that name the file and the line, column or JSON path.

use std::io::Read;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::{Error, Result};

/// The environment variable that replaces the size limits of input files: a size in bytes,
/// or with a `KiB`, `MiB` or `GiB` suffix (`K`, `M`, `G` too).
pub const MAX_INPUT_SIZE_ENV: &str = "HIPAA_IAM_MAX_INPUT_SIZE";

/// The size limit [`MAX_INPUT_SIZE_ENV`] sets, or `None` when it is not set; a malformed
/// value is an error naming the variable.
pub fn size_limit_from_env() -> Result<Option<u64>> {
    match std::env::var_os(MAX_INPUT_SIZE_ENV) {
        None => Ok(None),
        Some(v) => {
            let text = v.to_string_lossy();
            parse_size(&text).map(Some).ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "{MAX_INPUT_SIZE_ENV}={text:?}: expected a size in bytes, optionally with a KiB, MiB or GiB suffix (e.g. 2GiB)"
                ))
            })
        }
    }
}

/// `1048576`, `512 MiB`, `2G`, ...: binary multiples; `None` when malformed or too large.
pub(crate) fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let number: u64 = text[..digits].parse().ok()?;
    let shift = match text[digits..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kib" => 10,
        "m" | "mib" => 20,
        "g" | "gib" => 30,
        "t" | "tib" => 40,
        _ => return None,
    };
    number.checked_mul(1u64 << shift)
}

/// A size for messages: `256 MiB` when it is a whole number of KiB / MiB / GiB, else bytes.
fn size_text(bytes: u64) -> String {
    for (shift, unit) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] {
        if bytes >= 1 << shift && bytes.is_multiple_of(1 << shift) {
            return format!("{} {unit}", bytes >> shift);
        }
    }
    format!("{bytes} bytes")
}

/// Refuses what is not a regular file, or a regular file over `limit` bytes.
fn check_input(path: &Path, meta: &std::fs::Metadata, limit: u64) -> Result<()> {
    if let Some(kind) = crate::files::not_regular(meta.file_type()) {
        return Err(Error::input(
            path,
            "",
            format!("is {kind}, not a regular file (input files are read only from regular files)"),
        ));
    }
    if meta.len() > limit {
        return Err(Error::input(
            path,
            "",
            format!(
                "{} bytes ({}) is over the limit of {} for this file; set {} (e.g. {}=4GiB) to read larger files",
                meta.len(),
                size_text(meta.len()),
                size_text(limit),
                MAX_INPUT_SIZE_ENV,
                MAX_INPUT_SIZE_ENV
            ),
        ));
    }
    Ok(())
}

/// Reads an input file: only a regular file (a symbolic link to one is fine) of at most
/// `limit` bytes, in one allocation of its size. `None` when there is no such file.
///
/// A FIFO, device, socket or directory is an error naming it, found before the file is
/// opened for reading (and opened without blocking, so a FIFO swapped in meanwhile cannot
/// hang the read); so is a symbolic link whose target does not exist.
pub fn read_input_file(path: &Path, limit: u64) -> Result<Option<Vec<u8>>> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match std::fs::symlink_metadata(path) {
                Ok(_) => Err(Error::input(
                    path,
                    "",
                    "is a symbolic link to a file that does not exist",
                )),
                Err(_) => Ok(None),
            };
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    check_input(path, &meta, limit)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    check_input(path, &meta, limit)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(usize::MAX));
    // A file that grows while it is read is read up to one byte over the limit, then refused.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(Error::input(
            path,
            "",
            format!(
                "grew over the limit of {} while it was read; set {} to read larger files",
                size_text(limit),
                MAX_INPUT_SIZE_ENV
            ),
        ));
    }
    Ok(Some(bytes))
}

/// [`read_input_file`] for a file that must exist: its absence is an error naming it.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>> {
    read_input_file(path, limit)?.ok_or_else(|| Error::io(path, std::io::Error::from(std::io::ErrorKind::NotFound)))
}

/// Parses JSON `bytes` of file `path` into `T`; errors name the file, the line and
/// column for syntax errors, and the JSON path for shape errors.
pub fn parse_json<T: DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<T> {
    let bytes = strip_bom(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::input(path, "", "the file is empty (expected JSON)"));
    }
    // Every file of the account data is one JSON object (serde would otherwise read a
    // top-level array positionally as a struct, e.g. `[]` as an empty account).
    if let Some(pos) = bytes.iter().position(|b| !b.is_ascii_whitespace()) {
        if bytes[pos] != b'{' {
            let before = &bytes[..pos];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = pos - before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
            let found = match bytes[pos] {
                b'[' => "an array",
                b'"' => "a string",
                b'-' | b'0'..=b'9' => "a number",
                b't' | b'f' => "a boolean",
                b'n' => "null",
                _ => "something that is not JSON",
            };
            return Err(Error::input(
                path,
                format!("line {line} column {column}"),
                format!("expected a JSON object (the AWS CLI's `--output json`), found {found}"),
            ));
        }
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    // Parsed without tracking the JSON path (a large file parses markedly faster); only a
    // document that fails is parsed again, with the path, to say where.
    let value = match T::deserialize(&mut de) {
        Ok(v) => v,
        Err(_) => {
            let mut again = serde_json::Deserializer::from_slice(bytes);
            let Err(e) = serde_path_to_error::deserialize::<_, T>(&mut again) else {
                return Err(Error::input(path, "", "the file could not be parsed"));
            };
            let json_path = e.path().to_string();
            let inner = e.into_inner();
            let location = if inner.is_syntax() || inner.is_eof() || json_path == "." {
                format!("line {} column {}", inner.line(), inner.column())
            } else {
                format!("at {json_path}")
            };
            let msg = inner.to_string();
            // serde_json appends " at line L column C"; the location already says it.
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            return Err(Error::input(path, location, msg));
        }
    };
    // One document per file: a second one appended (two concatenated CLI outputs) would
    // otherwise be dropped unread.
    de.end().map_err(|e| {
        Error::input(
            path,
            format!("line {} column {}", e.line(), e.column()),
            "unexpected data after the JSON document (a file holds exactly one JSON document)",
        )
    })?;
    Ok(value)
}

/// Removes a UTF-8 byte-order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

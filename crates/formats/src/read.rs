//! Reading input files, shared by every parser: where each record starts
//! (line numbers), how large a record may be, what to say about a file that
//! is not UTF-8, and the CSV layer of the CSV formats (médiation, SILL CSV,
//! Archipel CSV).
//!
//! Line numbers are counted here from byte offsets, the way an editor
//! counts them: a line ends at `\n`, `\r\n` or a lone `\r` (the csv crate's
//! own line count takes `\r\n` for no line at all and a lone `\r` likewise,
//! its issue #395). A CSV record's line is the line its first field starts
//! on, after any blank lines.
//!
//! CSV records are read as bytes, so that one record that is not UTF-8, or
//! too large, is a problem on its line and not the end of the file: the
//! record is rejected, its bytes go to the rejects file as they were, and
//! reading goes on.

use crate::{ImportContext, Parsed};
use archipel_domain::echo;
use serde_json::value::RawValue;

/// Bytes one record may take: a CSV row (quoted line breaks included) or
/// an item of a JSON array. Each field has its own, smaller limit
/// (`archipel_domain::TextKind`).
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;

/// Line numbers of byte offsets in a text. Asking for offsets in
/// increasing order counts each byte once.
pub(crate) struct Lines<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a [u8]) -> Self {
        Lines {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of byte `offset`.
    pub(crate) fn at(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            *self = Lines::new(self.text);
        }
        let from = self.offset;
        for i in memchr::memchr2_iter(b'\n', b'\r', &self.text[from..offset]) {
            let at = from + i;
            // `\r\n` is one line break, counted at its `\n`.
            if self.text[at] == b'\n' || self.text.get(at + 1) != Some(&b'\n') {
                self.line += 1;
            }
        }
        self.offset = offset;
        self.line
    }
}

/// The 1-based line of byte `offset` in `text`.
pub(crate) fn line_at(text: &[u8], offset: usize) -> u64 {
    Lines::new(text).at(offset)
}

/// Drops a UTF-8 byte order mark, which spreadsheet programs like to add.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Why bytes are not text: the byte at `bad` in `bytes` starts no UTF-8
/// character. With `advice`, says how to convert the file (said once per
/// file: a file in another encoding usually has the problem on many lines).
pub(crate) fn not_utf8(bytes: &[u8], bad: usize, extension: &str, advice: bool) -> String {
    let before = String::from_utf8_lossy(&bytes[..bad]);
    let tail: String = {
        let n = before.chars().count();
        before.chars().skip(n.saturating_sub(20)).collect()
    };
    let mut reason = match bytes.get(bad) {
        Some(b) if tail.is_empty() => format!("not UTF-8 text (byte 0x{b:02X})"),
        Some(b) => format!("not UTF-8 text (byte 0x{b:02X} after {})", echo(&tail)),
        None => "not UTF-8 text (cut in the middle of a character)".to_string(),
    };
    if advice {
        reason.push_str(&format!(
            "; the file seems to be in another encoding, often Windows-1252 or Latin-1: \
             convert it to UTF-8 first, for example \
             `iconv -f WINDOWS-1252 -t UTF-8 in.{extension} > out.{extension}`"
        ));
    }
    reason
}

/// Why a record is too large, if it is.
pub(crate) fn record_too_large(bytes: usize) -> Option<String> {
    (bytes > MAX_RECORD_BYTES).then(|| {
        format!("the record takes {bytes} bytes; a record may take at most {MAX_RECORD_BYTES}")
    })
}

/// Splits a JSON array into its items with the line each starts on.
pub(crate) fn json_items<'a>(
    text: &'a str,
    ctx: &ImportContext<'_>,
) -> Result<Vec<(u64, &'a RawValue)>, crate::Problem> {
    let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| {
        ctx.problem(
            e.line() as u64,
            "",
            format!("not a JSON array of objects: {e}"),
        )
    })?;
    let base = text.as_ptr() as usize;
    let mut lines = Lines::new(text.as_bytes());
    Ok(items
        .into_iter()
        .map(|it| {
            let off = (it.get().as_ptr() as usize).saturating_sub(base);
            (lines.at(off), it)
        })
        .collect())
}

/// Reads a JSON file as UTF-8 text; if it is not, stops `parsed` with a
/// problem on the line of the first byte that is not.
pub(crate) fn json_text<'b>(
    bytes: &'b [u8],
    ctx: &ImportContext<'_>,
    parsed: &mut Parsed,
) -> Option<&'b str> {
    let bytes = strip_bom(bytes);
    match std::str::from_utf8(bytes) {
        Ok(t) => Some(t),
        Err(e) => {
            let bad = e.valid_up_to();
            let line = line_at(bytes, bad);
            let start = bytes[..bad]
                .iter()
                .rposition(|&b| b == b'\n' || b == b'\r')
                .map_or(0, |i| i + 1);
            let reason = not_utf8(&bytes[start..], bad - start, "json", true);
            parsed.stop(ctx.problem(line, "", reason));
            None
        }
    }
}

/// A CSV file being read: the reader, the text (without its byte order
/// mark) for line numbers and the rejects file, and the header.
pub(crate) struct CsvFile<'b> {
    rdr: csv::Reader<&'b [u8]>,
    text: &'b [u8],
    lines: Lines<'b>,
    headers: csv::StringRecord,
    /// The line the header is on.
    pub(crate) header_line: u64,
    /// The file's line break (`\n`, `\r\n` or `\r`), for the rejects file.
    newline: &'static [u8],
}

/// Where a record's own text starts: the reader's position before it may
/// still be on the line break that ended the previous record (the `\n` of
/// a `\r\n`), or before blank lines it skipped.
fn text_start(text: &[u8], from: usize) -> usize {
    let from = from.min(text.len());
    from + text[from..]
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count()
}

/// A record's text from `start` to the reader's position `end`, without
/// the line break that ends it.
fn record_text(text: &[u8], start: usize, end: usize) -> &[u8] {
    let end = end.clamp(start, text.len());
    let t = &text[start..end];
    let keep = t.len()
        - t.iter()
            .rev()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
    &t[..keep]
}

/// The separator a one-column header seems to use instead of commas.
fn other_separator(header: &[u8]) -> Option<&'static str> {
    let count = |c: u8| header.iter().filter(|&&b| b == c).count();
    [(b';', "`;` (semicolon)"), (b'\t', "a tab")]
        .into_iter()
        .filter(|&(c, _)| count(c) > 0)
        .max_by_key(|&(c, _)| count(c))
        .map(|(_, name)| name)
}

/// The column of each of `names` in a CSV file's header (`None`: not
/// there). A column named twice, a column not in `names` (`unknown` says
/// which columns are known) and a missing column `required` says must be
/// there each stop the import, on the header's line `at`.
pub(crate) fn column_index(
    headers: &csv::StringRecord,
    names: &[&str],
    required: impl Fn(usize) -> bool,
    unknown: &str,
    at: u64,
    ctx: &ImportContext<'_>,
    parsed: &mut Parsed,
) -> Vec<Option<usize>> {
    let mut index: Vec<Option<usize>> = vec![None; names.len()];
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim();
        match names.iter().position(|n| *n == h) {
            Some(j) if index[j].is_some() => {
                parsed.stop(ctx.problem(at, h, "column appears twice"))
            }
            Some(j) => index[j] = Some(i),
            None => parsed.stop(ctx.problem(at, h, unknown)),
        }
    }
    for (j, name) in names.iter().enumerate() {
        if required(j) && index[j].is_none() {
            parsed.stop(ctx.problem(at, name, "required column is missing"));
        }
    }
    index
}

/// Opens a CSV file and reads its header. An empty file, a header that is
/// not UTF-8 or is too large, or a header of one column that seems to use
/// another separator, stops `parsed` with one problem saying so.
pub(crate) fn csv_reader<'b>(
    bytes: &'b [u8],
    ctx: &ImportContext<'_>,
    parsed: &mut Parsed,
) -> Option<(CsvFile<'b>, csv::StringRecord)> {
    let text = strip_bom(bytes);
    if text.iter().all(u8::is_ascii_whitespace) {
        parsed.stop(ctx.problem(0, "", "the file is empty"));
        return None;
    }
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text);
    let mut lines = Lines::new(text);
    let header = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            parsed.stop(ctx.problem(1, "", format!("unreadable CSV header: {e}")));
            return None;
        }
    };
    let start = text_start(text, header.position().map_or(0, |p| p.byte() as usize));
    let header_line = lines.at(start);
    let end = rdr.position().byte() as usize;
    let raw = record_text(text, start, end);
    if let Some(reason) = record_too_large(raw.len()) {
        parsed.stop(ctx.problem(header_line, "", format!("header: {reason}")));
        return None;
    }
    let headers = match csv::StringRecord::from_byte_record(header) {
        Ok(h) => h,
        Err(e) => {
            let bad = e.utf8_error().valid_up_to();
            let field = e.utf8_error().field();
            let bytes = e.into_byte_record();
            let cell = bytes.get(field).unwrap_or_default();
            let reason = not_utf8(cell, bad, "csv", true);
            parsed.stop(ctx.problem(header_line, "", format!("header: {reason}")));
            return None;
        }
    };
    if headers.len() == 1 {
        if let Some(sep) = other_separator(raw) {
            parsed.stop(ctx.problem(
                header_line,
                "",
                format!(
                    "the header is a single column: the separator looks like {sep}, \
                     but this format separates fields with commas (`,`); export the \
                     file again as CSV with commas"
                ),
            ));
            return None;
        }
    }
    let after = &text[start + raw.len()..];
    let newline: &'static [u8] = if after.starts_with(b"\r\n") {
        b"\r\n"
    } else if after.starts_with(b"\r") {
        b"\r"
    } else {
        b"\n"
    };
    let mut line = raw.to_vec();
    line.extend_from_slice(newline);
    parsed.rejects.header = Some(line);
    let file = CsvFile {
        rdr,
        text,
        lines,
        headers: headers.clone(),
        header_line,
        newline,
    };
    Some((file, headers))
}

/// Calls `f` on each record with the line it starts on. A record for
/// which `f` reports problems is counted as rejected and its text kept for
/// the rejects file. A record that is too large or not UTF-8 is rejected
/// here, with the column at fault, and reading goes on.
pub(crate) fn each_record(
    file: &mut CsvFile<'_>,
    ctx: &ImportContext<'_>,
    parsed: &mut Parsed,
    mut f: impl FnMut(&csv::StringRecord, u64, &mut Parsed),
) {
    each_record_raw(file, ctx, parsed, |r, line, _, parsed| f(r, line, parsed))
}

/// [`each_record`], handing `f` the row as the file wrote it too, with
/// its line break (what a rejects file would hold of it).
pub(crate) fn each_record_raw(
    file: &mut CsvFile<'_>,
    ctx: &ImportContext<'_>,
    parsed: &mut Parsed,
    mut f: impl FnMut(&csv::StringRecord, u64, &[u8], &mut Parsed),
) {
    let column = |i: usize| -> String {
        match file.headers.get(i) {
            Some(h) if !h.trim().is_empty() => h.trim().to_string(),
            _ => format!("column {}", i + 1),
        }
    };
    let mut advised = false;
    let mut record = csv::ByteRecord::new();
    loop {
        match file.rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                // Reading bytes from memory with flexible rows has no
                // error left; should one come, the file is not read on
                // quietly: the import stops.
                let at = e.position().map_or(0, |p| p.byte() as usize);
                let line = file.lines.at(at);
                parsed.stop(ctx.problem(line, "", format!("unreadable CSV: {e}")));
                break;
            }
        }
        parsed.records += 1;
        let from = record.position().map_or(0, |p| p.byte() as usize);
        let start = text_start(file.text, from);
        let line = file.lines.at(start);
        let raw = record_text(file.text, start, file.rdr.position().byte() as usize);
        let before = parsed.problems.len();
        if let Some(reason) = record_too_large(raw.len()) {
            let (i, largest) = record
                .iter()
                .enumerate()
                .max_by_key(|(_, v)| v.len())
                .map_or((0, 0), |(i, v)| (i, v.len()));
            parsed.problems.push(ctx.problem(
                line,
                &column(i),
                format!("{largest} bytes in this field; {reason}"),
            ));
        } else {
            record = match csv::StringRecord::from_byte_record(record) {
                Ok(r) => {
                    let mut text = Vec::with_capacity(raw.len() + 2);
                    text.extend_from_slice(raw);
                    text.extend_from_slice(file.newline);
                    f(&r, line, &text, parsed);
                    r.into_byte_record()
                }
                Err(e) => {
                    let (i, bad) = (e.utf8_error().field(), e.utf8_error().valid_up_to());
                    let r = e.into_byte_record();
                    let reason = not_utf8(r.get(i).unwrap_or_default(), bad, "csv", !advised);
                    advised = true;
                    parsed.problems.push(ctx.problem(line, &column(i), reason));
                    r
                }
            };
        }
        if parsed.problems.len() > before {
            parsed.rejected += 1;
            let mut text = Vec::with_capacity(raw.len() + 2);
            text.extend_from_slice(raw);
            text.extend_from_slice(file.newline);
            parsed.rejects.records.push(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_end_at_lf_crlf_and_lone_cr() {
        for (text, offsets) in [
            (&b"a\nb\nc"[..], [0, 2, 4]),
            (b"a\r\nb\r\nc", [0, 3, 6]),
            (b"a\rb\rc", [0, 2, 4]),
            (b"a\r\n\nc", [0, 3, 4]),
        ] {
            let mut lines = Lines::new(text);
            let got: Vec<u64> = offsets.iter().map(|&o| lines.at(o)).collect();
            assert_eq!(got, [1, 2, 3], "{:?}", String::from_utf8_lossy(text));
            // Asked out of order, the answer is the same.
            assert_eq!(lines.at(0), 1);
            assert_eq!(line_at(text, offsets[2]), 3);
        }
        // The `\n` of a `\r\n` is still on the line the `\r` ends.
        assert_eq!(line_at(b"a\r\nb", 2), 1);
        assert_eq!(line_at(b"a\r\nb", 3), 2);
    }
}

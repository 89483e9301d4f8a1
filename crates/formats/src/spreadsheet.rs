//! CSV cells that a spreadsheet would run as formulas.
//!
//! A spreadsheet opening a CSV file takes a cell that starts with `=`, `+`,
//! `-` or `@` for a formula (and some skip a leading tab or carriage return
//! first): a name such as `=HYPERLINK("http://…")` or `+cmd|' /C calc'!A0`
//! would run on the computer of whoever opens the export. Following
//! OWASP's rule for CSV injection, every CSV export writes such a cell
//! with a single quote before it (`'=HYPERLINK(…)`), which spreadsheets
//! show as text.
//!
//! Two exceptions keep data as it is: a plain number or telephone number
//! (`-4.48`, `+33298000000`: a sign, then digits, spaces, dots and commas
//! only, which no spreadsheet can turn into a function call), and nothing
//! else. So that the rule can be undone exactly, a value that already
//! starts with quotes followed by one of those characters gets one more
//! quote: [`restore`] removes one quote from a cell that starts with
//! quotes followed by a formula character, and so gives back every value
//! [`neutralise`] was given. Archipel's own CSV import (`flat`) restores
//! cells; the médiation schema's file keeps the quote (its readers are
//! spreadsheets and other programs, not Archipel alone).

use std::borrow::Cow;

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `cell` as a CSV export writes it: with a quote before it when a
/// spreadsheet would read it as a formula (see the module's rule).
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let unquoted = cell.trim_start_matches('\'');
    let formula = unquoted.starts_with(FORMULA);
    let quoted = unquoted.len() != cell.len();
    if formula && (quoted || !plain_number(cell)) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The value a cell written by [`neutralise`] stood for.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(FORMULA) => rest,
        _ => cell,
    }
}

/// A sign, a digit, then only digits, spaces, dots and commas.
fn plain_number(cell: &str) -> bool {
    let mut chars = cell.chars();
    matches!(chars.next(), Some('+' | '-'))
        && chars.next().is_some_and(|c| c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | ','))
}

#[cfg(test)]
mod tests {
    use super::{neutralise, restore};

    #[test]
    fn formulas_get_a_quote_and_numbers_do_not() {
        for (value, written) in [
            (
                "=HYPERLINK(\"http://x.invalid\",\"clic\")",
                "'=HYPERLINK(\"http://x.invalid\",\"clic\")",
            ),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("-2+3", "'-2+3"),
            ("- accueil libre", "'- accueil libre"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-4.48", "-4.48"),
            ("+33298000000", "+33298000000"),
            ("+33 2 98 00 00 00", "+33 2 98 00 00 00"),
            ("Médiathèque", "Médiathèque"),
            ("", ""),
            ("'", "'"),
            ("'quoted", "'quoted"),
            ("'=already", "''=already"),
            ("''-4.48", "'''-4.48"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(neutralise(value), written, "{value:?}");
            assert_eq!(restore(&neutralise(value)), value, "{value:?}");
        }
    }
}

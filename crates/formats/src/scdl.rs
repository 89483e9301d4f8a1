//! SCDL « subventions » 2.1.1: the grants file a local government
//! publishes on data.gouv.fr (CSV, 16 columns, one grant — or one
//! beneficiary's share of it — per row).
//!
//! [`parse`] checks every row against the schema file
//! (`content/schemas/scdl-subventions.schema.json`, through the Table Schema
//! engine) after the text rule on every cell (no control characters), and
//! names the quirks published files often have with what to write instead:
//! a decimal comma or thousands separator in `montant`, a date written
//! DD/MM/YYYY, a share written as a percentage. A valid row gives a
//! [`ScdlGrant`]: the [`Grant`] and the two actors it names (attribuant and
//! beneficiary, identified by SIRET, else RNA, else name), which the caller
//! replaces by the registry's own actors with the same SIRET or RNA.
//!
//! [`Writer`] writes grants back in the schema's column order. Round trip:
//! a valid file read and written again gives the same cells, except that
//! cells are trimmed, `montant` is written in its shortest exact form
//! (`1500.00` → `1500`, `1500.5` → `1500.50`), rows come by
//! `dateConvention` then identifier, and a cell a spreadsheet would run as
//! a formula gets a `'` before it ([`crate::spreadsheet`]); line ends are
//! `\n` and there is no byte order mark.

use crate::table_schema::TableSchema;
use crate::{column_index, csv_reader, each_record, ExportError, ImportContext, Parsed, Problem};
use archipel_domain::*;
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// The schema, kept under `content/schemas/`.
pub const SCHEMA_JSON: &str = archipel_content::embedded::SCDL_SUBVENTIONS_SCHEMA.1;

/// The format's name: default source, batch log.
pub const FORMAT: &str = "scdl-subventions";

fn schema() -> &'static TableSchema {
    static SCHEMA: OnceLock<TableSchema> = OnceLock::new();
    SCHEMA.get_or_init(|| match TableSchema::from_json(SCHEMA_JSON) {
        Ok(s) => s,
        // The file is part of the binary and tested; failing here is a build defect.
        Err(e) => panic!("embedded SCDL subventions schema is invalid: {e}"),
    })
}

/// The schema's column names, in order.
pub fn columns() -> Vec<&'static str> {
    schema().names()
}

/// A valid row: the grant and the actors it names.
#[derive(Debug, Clone)]
pub struct ScdlGrant {
    pub line: u64,
    pub grant: Grant,
    /// The attribuant, as a new record (`actor:SOURCE:SIRET`).
    pub giver: Actor,
    /// The beneficiary, as a new record (`actor:SOURCE:SIRET`, else
    /// `actor:SOURCE:RNA`, else `actor:SOURCE:name-SLUG`).
    pub beneficiary: Actor,
}

/// What [`parse`] found: problems and rejects as every parser reports
/// them (`parsed.entities` stays empty), and the valid rows.
pub struct ScdlParsed {
    pub parsed: Parsed,
    pub grants: Vec<ScdlGrant>,
}

/// Date columns, and the column holding a day or a period.
const DATES: &[&str] = &["dateConvention"];
const PERIOD: &str = "datesPeriodeVersement";

/// A date written `DD/MM/YYYY` (or with `-` or `.`), as `YYYY-MM-DD`.
pub(crate) fn french_date(v: &str) -> Option<String> {
    let b = v.as_bytes();
    let sep = |c: u8| matches!(c, b'/' | b'-' | b'.');
    let dig = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    (b.len() == 10 && sep(b[2]) && b[5] == b[2] && dig(0..2) && dig(3..5) && dig(6..10))
        .then(|| format!("{}-{}-{}", &v[6..10], &v[3..5], &v[0..2]))
}

/// What to write instead of a date (or a period's dates) written
/// DD/MM/YYYY.
fn date_advice(v: &str) -> Option<String> {
    let mut fixed = Vec::new();
    let mut any = false;
    for part in v.split('/').collect::<Vec<_>>().chunks(3) {
        let joined = part.join("/");
        match french_date(&joined) {
            Some(d) => {
                any = true;
                fixed.push(d);
            }
            None => fixed.push(joined),
        }
    }
    any.then(|| {
        format!(
            "{} is written DD/MM/YYYY; write dates as YYYY-MM-DD: {}",
            echo(v),
            echo(&fixed.join("/"))
        )
    })
}

/// Reads an SCDL subventions CSV file.
pub fn parse(bytes: &[u8], ctx: &ImportContext<'_>) -> ScdlParsed {
    let mut parsed = Parsed::new("csv", None);
    let mut grants = Vec::new();
    let schema = schema();
    let Some((mut file, headers)) = csv_reader(bytes, ctx, &mut parsed) else {
        return ScdlParsed { parsed, grants };
    };
    let at = file.header_line;
    let index = column_index(
        &headers,
        &schema.names(),
        |j| schema.fields[j].required,
        "unknown column (not in the SCDL schema « subventions » 2.1.1)",
        at,
        ctx,
        &mut parsed,
    );
    if parsed.stopped {
        return ScdlParsed { parsed, grants };
    }
    let position: FxHashMap<&str, usize> = schema
        .fields
        .iter()
        .enumerate()
        .map(|(j, f)| (f.name.as_str(), j))
        .collect();
    let mut seen: FxHashMap<ActionId, u64> = FxHashMap::default();
    each_record(&mut file, ctx, &mut parsed, |record, line, parsed| {
        let before = parsed.problems.len();
        if record.len() != headers.len() {
            parsed.problems.push(ctx.problem(
                line,
                "",
                format!("{} fields, the header has {}", record.len(), headers.len()),
            ));
        }
        let mut values: Vec<&str> = Vec::with_capacity(schema.fields.len());
        for (j, f) in schema.fields.iter().enumerate() {
            let v = index[j].and_then(|i| record.get(i)).unwrap_or("").trim();
            values.push(v);
            let name = f.name.as_str();
            let quirk = if let Err(r) = check_text(v, TextKind::Line) {
                Some(r)
            } else if name == "montant" && (v.contains(',') || v.contains([' ', '\u{a0}'])) {
                parse_euros(v).err()
            } else if name == "pourcentageSubvention" && v.contains(',') {
                Some(format!(
                    "{} uses a decimal comma; write the share with a point, such as {}",
                    echo(v),
                    echo(&v.replace(',', "."))
                ))
            } else if name == "pourcentageSubvention"
                && v.parse::<f64>().is_ok_and(|x| x > 1.0 && x <= 100.0)
            {
                Some(format!(
                    "{} looks like a percentage; write the share between 0.01 and 1 (50 % is 0.5)",
                    echo(v)
                ))
            } else if DATES.contains(&name) || name == PERIOD {
                date_advice(v)
            } else {
                None
            };
            if let Some(reason) = quirk {
                parsed.problems.push(ctx.problem(line, name, reason));
            } else if let Err(reason) = f.check(v) {
                parsed.problems.push(ctx.problem(line, name, reason));
            }
        }
        if parsed.problems.len() > before {
            return;
        }
        let row = Row {
            values: &values,
            position: &position,
        };
        match build(&row, line, ctx) {
            Ok(g) => {
                if let Some(first) = seen.insert(g.grant.id.clone(), line) {
                    parsed.problems.push(ctx.problem(
                        line,
                        "",
                        format!(
                            "the same grant as line {first} (same attribuant, date, decision, \
                             beneficiary and purpose); merge the two rows or tell them apart \
                             with referenceDecision"
                        ),
                    ));
                } else {
                    grants.push(g);
                }
            }
            Err(p) => parsed.problems.extend(p),
        }
    });
    ScdlParsed { parsed, grants }
}

fn opt(v: &str) -> Option<String> {
    (!v.is_empty()).then(|| v.to_string())
}

/// A row's checked values, by column position.
struct Row<'r> {
    values: &'r [&'r str],
    position: &'r FxHashMap<&'r str, usize>,
}

impl<'r> Row<'r> {
    fn get(&self, column: &str) -> &'r str {
        self.position
            .get(column)
            .and_then(|&j| self.values.get(j))
            .copied()
            .unwrap_or("")
    }
}

/// The grant and actors of a row whose cells passed the schema.
fn build(row: &Row<'_>, line: u64, ctx: &ImportContext<'_>) -> Result<ScdlGrant, Vec<Problem>> {
    let get = |k: &str| row.get(k);
    let mut problems = Vec::new();
    let mut fail = |field: &str, reason: String| problems.push(ctx.problem(line, field, reason));
    let giver_siret = get("idAttribuant").to_string();
    if let Err(r) = check_siret(&giver_siret) {
        fail("idAttribuant", r);
    }
    let beneficiary_siret = opt(get("idBeneficiaire"));
    if let Some(s) = &beneficiary_siret {
        if let Err(r) = check_siret(s) {
            fail("idBeneficiaire", r);
        }
    }
    let beneficiary_rna = opt(get("rnaBeneficiaire"));
    let date = parse_date(get("dateConvention"));
    let amount = parse_euros(get("montant"));
    let share = Share::parse(get("pourcentageSubvention"));
    let period = get(PERIOD);
    let (from, until) = match period.split_once('/') {
        Some((a, b)) => (parse_date(a), parse_date(b).map(Some)),
        None => (parse_date(period), Ok(None)),
    };
    let (date, amount, share, from, until) = match (date, amount, share, from, until) {
        (Ok(d), Ok(a), Ok(s), Ok(f), Ok(u)) => (d, a, s, f, u),
        (d, a, s, f, u) => {
            for (field, e) in [
                ("dateConvention", d.err()),
                ("montant", a.err()),
                ("pourcentageSubvention", s.err()),
                (PERIOD, f.err().or(u.err())),
            ] {
                if let Some(e) = e {
                    fail(field, e);
                }
            }
            return Err(problems);
        }
    };
    if until.is_some_and(|u| u < from) {
        fail(PERIOD, format!("{} ends before it starts", echo(period)));
    }
    let beneficiary_name = get("nomBeneficiaire").to_string();
    let beneficiary_local = match (&beneficiary_siret, &beneficiary_rna) {
        (Some(s), _) => s.clone(),
        (None, Some(r)) => r.clone(),
        (None, None) => format!("name-{}", slug(&beneficiary_name)),
    };
    let source = &*ctx.source;
    let ids = (
        EntityId::new(EntityKind::Actor, source, &giver_siret),
        EntityId::new(EntityKind::Actor, source, &beneficiary_local),
    );
    let key = format!(
        "{}|{}|{}|{}",
        get("referenceDecision"),
        beneficiary_local,
        get("objet"),
        get("dispositifAide")
    );
    let local = format!(
        "{giver_siret}-{date}-{:012x}",
        fnv1a64(key.as_bytes()) >> 16
    );
    let grant_id = ActionId::new(ActionKind::Grant, source, &local);
    let (giver_id, beneficiary_id, grant_id) = match (ids.0, ids.1, grant_id) {
        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
        (a, b, c) => {
            for e in [a.err(), b.err(), c.err()].into_iter().flatten() {
                fail("", e.to_string());
            }
            return Err(problems);
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let provenance = ctx.provenance(line);
    let actor = |id: EntityId, name: &str, ids: Identifiers, kind: Option<&str>| Actor {
        id,
        name: name.to_string(),
        nature: Nature::Organisation,
        kind: kind.map(str::to_string),
        typology: Vec::new(),
        description: None,
        identifiers: ids,
        website: None,
        email: None,
        territory: None,
        location: None,
        provenance: provenance.clone(),
    };
    let giver = actor(
        giver_id.clone(),
        get("nomAttribuant"),
        Identifiers {
            siret: Some(giver_siret.clone()),
            ..Identifiers::default()
        },
        None,
    );
    let beneficiary = actor(
        beneficiary_id.clone(),
        &beneficiary_name,
        Identifiers {
            siret: beneficiary_siret.clone(),
            rna: beneficiary_rna.clone(),
            ..Identifiers::default()
        },
        // An RNA number is an association's.
        beneficiary_rna.as_ref().map(|_| "association"),
    );
    let grant = Grant {
        id: grant_id,
        giver_name: get("nomAttribuant").to_string(),
        giver_siret,
        giver: giver_id,
        date,
        decision_reference: opt(get("referenceDecision")),
        beneficiary_name,
        beneficiary_siret,
        beneficiary_rna,
        beneficiary: beneficiary_id,
        purpose: get("objet").to_string(),
        amount_cents: amount,
        nature: get("nature").to_string(),
        payment_terms: get("conditionsVersement").to_string(),
        payment_from: from,
        payment_until: until,
        rae_id: opt(get("idRAE")),
        eu_notified: get("notificationUE") == "oui",
        share,
        scheme: opt(get("dispositifAide")),
        call: None,
        commons: Vec::new(),
        territory: None,
        provenance,
    };
    let mut problems: Vec<Problem> = Vec::new();
    let action = Action::Grant(grant);
    for (f, r) in action_problems(&action) {
        problems.push(ctx.problem(line, &f, r));
    }
    for a in [&giver, &beneficiary] {
        for (f, r) in ctx.content.check_entity(&Entity::Actor(a.clone())) {
            problems.push(ctx.problem(line, &format!("actor.{f}"), r));
        }
    }
    let Action::Grant(grant) = action else {
        unreachable!("built as a grant above")
    };
    if problems.is_empty() {
        Ok(ScdlGrant {
            line,
            grant,
            giver,
            beneficiary,
        })
    } else {
        Err(problems)
    }
}

/// The cells of a grant, in the schema's column order.
pub fn cells(g: &Grant) -> Vec<String> {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let period = match g.payment_until {
        Some(u) => format!("{}/{u}", g.payment_from),
        None => g.payment_from.to_string(),
    };
    schema()
        .fields
        .iter()
        .map(|f| match f.name.as_str() {
            "nomAttribuant" => g.giver_name.clone(),
            "idAttribuant" => g.giver_siret.clone(),
            "dateConvention" => g.date.to_string(),
            "referenceDecision" => o(&g.decision_reference),
            "nomBeneficiaire" => g.beneficiary_name.clone(),
            "idBeneficiaire" => o(&g.beneficiary_siret),
            "rnaBeneficiaire" => o(&g.beneficiary_rna),
            "objet" => g.purpose.clone(),
            "montant" => format_euros(g.amount_cents),
            "nature" => g.nature.clone(),
            "conditionsVersement" => g.payment_terms.clone(),
            "datesPeriodeVersement" => period.clone(),
            "idRAE" => o(&g.rae_id),
            "notificationUE" => if g.eu_notified { "oui" } else { "non" }.to_string(),
            "pourcentageSubvention" => g.share.as_str().to_string(),
            "dispositifAide" => o(&g.scheme),
            _ => String::new(),
        })
        .collect()
}

/// Writes grants as an SCDL subventions CSV file, one at a time
/// ([`Writer::begin`], [`Writer::grant`], [`Writer::finish`]); cells a
/// spreadsheet would run as formulas get a `'` before them, giving up
/// their last characters when a maximum length would not hold it, so
/// that the file keeps to the schema.
pub struct Writer<'w> {
    csv: csv::Writer<&'w mut dyn std::io::Write>,
}

impl<'w> Writer<'w> {
    pub fn begin(out: &'w mut dyn std::io::Write) -> Result<Self, ExportError> {
        let mut csv = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(out);
        csv.write_record(columns())?;
        Ok(Writer { csv })
    }

    pub fn grant(&mut self, g: &Grant) -> Result<(), ExportError> {
        for (field, val) in schema().fields.iter().zip(cells(g)) {
            let mut cell = crate::spreadsheet::neutralise(&val).into_owned();
            while cell.len() > val.len() && field.check(&cell).is_err() && field.check(&val).is_ok()
            {
                cell.pop();
            }
            self.csv.write_field(cell.as_bytes())?;
        }
        self.csv.write_record(None::<&[u8]>)?;
        Ok(())
    }

    pub fn finish(mut self) -> Result<(), ExportError> {
        self.csv.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_schema_file_is_understood_by_the_engine() {
        assert_eq!(super::columns().len(), 16);
        assert_eq!(super::columns()[0], "nomAttribuant");
        assert_eq!(super::columns()[15], "dispositifAide");
    }
}

//! « Dispositif d'aide » (schema.data.gouv.fr, etalab/schema-dispositif-aide):
//! aid schemes as CSV, one a row; a call for projects is a scheme whose
//! `aap_ami` is true. Each row becomes a [`Call`].
//!
//! Rows are checked against the schema file
//! (`content/schemas/dispositif-aide.schema.json`) after the text rule on
//! every cell (descriptions may span lines, other cells may not). Two
//! optional columns that the schema does not have are read too, for what
//! the national schema does not say: `archipel_budget` (euros, `.` before
//! the cents) and `archipel_non_competitif` (`oui`/`non`). The scheme's
//! fields without a place in [`Call`] are kept in its `details`, as
//! written. The body running the scheme is named by SIREN; the caller
//! attaches the call to the registry's actor with that SIREN, if any.

use crate::table_schema::TableSchema;
use crate::{column_index, csv_reader, each_record, ImportContext, Parsed, Problem};
use archipel_domain::*;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The schema, kept under `content/schemas/`.
pub const SCHEMA_JSON: &str = archipel_content::embedded::DISPOSITIF_SCHEMA.1;

/// The format's name: default source, batch log.
pub const FORMAT: &str = "dispositifs";

/// Archipel's own optional columns.
const BUDGET: &str = "archipel_budget";
const NON_COMPETITIVE: &str = "archipel_non_competitif";

/// Cells that may hold several lines.
const BLOCKS: &[&str] = &[
    "description",
    "exemple_projet",
    "condition_eligibilite",
    "taux_subvention_commentaire",
    "contact",
];

/// Columns mapped onto [`Call`]'s own fields (the others go to `details`).
const CORE: &[&str] = &[
    "id_aide",
    "nom_aide_normalise",
    "porteur_aide",
    "porteur_siren",
    "description",
    "beneficiaires_aide",
    "condition_eligibilite",
    "date_ouverture",
    "date_cloture",
    "aap_ami",
    "url_descriptif",
];

fn schema() -> &'static TableSchema {
    static SCHEMA: OnceLock<TableSchema> = OnceLock::new();
    SCHEMA.get_or_init(|| match TableSchema::from_json(SCHEMA_JSON) {
        Ok(s) => s,
        // The file is part of the binary and tested; failing here is a build defect.
        Err(e) => panic!("embedded dispositif d'aide schema is invalid: {e}"),
    })
}

/// The schema's column names, in order.
pub fn columns() -> Vec<&'static str> {
    schema().names()
}

/// What [`parse`] found: problems and rejects as every parser reports
/// them, and the calls of the valid rows with their lines.
pub struct DispositifParsed {
    pub parsed: Parsed,
    pub calls: Vec<(u64, Call)>,
}

/// Reads a « dispositif d'aide » CSV file.
pub fn parse(bytes: &[u8], ctx: &ImportContext<'_>) -> DispositifParsed {
    let mut parsed = Parsed::new("csv", None);
    let mut calls = Vec::new();
    let schema = schema();
    let Some((mut file, headers)) = csv_reader(bytes, ctx, &mut parsed) else {
        return DispositifParsed { parsed, calls };
    };
    let at = file.header_line;
    // Schema fields, then Archipel's two columns.
    let mut names: Vec<&str> = schema.names();
    names.extend([BUDGET, NON_COMPETITIVE]);
    let index = column_index(
        &headers,
        &names,
        |j| schema.fields.get(j).is_some_and(|f| f.required),
        "unknown column (not in the schema « dispositif d'aide », nor archipel_budget \
         or archipel_non_competitif)",
        at,
        ctx,
        &mut parsed,
    );
    if parsed.stopped {
        return DispositifParsed { parsed, calls };
    }
    let mut seen: FxHashMap<String, u64> = FxHashMap::default();
    each_record(&mut file, ctx, &mut parsed, |record, line, parsed| {
        let before = parsed.problems.len();
        if record.len() != headers.len() {
            parsed.problems.push(ctx.problem(
                line,
                "",
                format!("{} fields, the header has {}", record.len(), headers.len()),
            ));
        }
        let values: Vec<&str> = (0..names.len())
            .map(|j| index[j].and_then(|i| record.get(i)).unwrap_or("").trim())
            .collect();
        for (j, name) in names.iter().enumerate() {
            let v = values[j];
            let kind = if BLOCKS.contains(name) {
                TextKind::Block
            } else {
                TextKind::Line
            };
            let checked = check_text(v, kind).and_then(|()| match schema.fields.get(j) {
                Some(f) => f.check(v),
                None => Ok(()),
            });
            if let Err(reason) = checked {
                parsed.problems.push(ctx.problem(line, name, reason));
            }
        }
        if parsed.problems.len() > before {
            return;
        }
        let id_aide = cell(&names, &values, "id_aide");
        match build(&names, &values, line, ctx) {
            Ok(call) => {
                let key = id_aide.to_string();
                if let Some(first) = seen.insert(key, line) {
                    parsed.problems.push(ctx.problem(
                        line,
                        "id_aide",
                        format!(
                            "{} is used by line {first}; it must be unique",
                            echo(id_aide)
                        ),
                    ));
                } else {
                    calls.push((line, call));
                }
            }
            Err(p) => parsed.problems.extend(p),
        }
    });
    DispositifParsed { parsed, calls }
}

fn opt(v: &str) -> Option<String> {
    (!v.is_empty()).then(|| v.to_string())
}

/// The cell of column `k` in a row.
fn cell<'v>(names: &[&str], values: &[&'v str], k: &str) -> &'v str {
    names
        .iter()
        .position(|n| *n == k)
        .and_then(|j| values.get(j))
        .copied()
        .unwrap_or("")
}

fn build(
    names: &[&str],
    values: &[&str],
    line: u64,
    ctx: &ImportContext<'_>,
) -> Result<Call, Vec<Problem>> {
    let get = |k: &str| cell(names, values, k);
    let mut problems = Vec::new();
    let date = |field: &str, problems: &mut Vec<Problem>| match get(field) {
        "" => None,
        v => match parse_date(v) {
            Ok(d) => Some(d),
            Err(r) => {
                problems.push(ctx.problem(line, field, r));
                None
            }
        },
    };
    let opens = date("date_ouverture", &mut problems);
    let closes = date("date_cloture", &mut problems);
    let budget_cents = match get(BUDGET) {
        "" => None,
        v => match parse_euros(v) {
            Ok(c) => Some(c),
            Err(r) => {
                problems.push(ctx.problem(line, BUDGET, r));
                None
            }
        },
    };
    let non_competitive = match get(NON_COMPETITIVE) {
        "" | "non" => false,
        "oui" => true,
        other => {
            problems.push(ctx.problem(
                line,
                NON_COMPETITIVE,
                format!("{} is not oui or non", echo(other)),
            ));
            false
        }
    };
    let id = match ActionId::new(ActionKind::Call, &ctx.source, get("id_aide")) {
        Ok(id) => id,
        Err(e) => {
            problems.push(ctx.problem(line, "id_aide", e.to_string()));
            return Err(problems);
        }
    };
    let details: BTreeMap<String, String> = names
        .iter()
        .zip(values)
        .filter(|(n, v)| {
            !v.is_empty() && !CORE.contains(n) && **n != BUDGET && **n != NON_COMPETITIVE
        })
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let call = Call {
        id,
        name: get("nom_aide_normalise").to_string(),
        giver_name: get("porteur_aide").to_string(),
        giver_siren: get("porteur_siren").to_string(),
        giver: None,
        description: opt(get("description")),
        eligible: get("beneficiaires_aide")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        eligibility: opt(get("condition_eligibilite")),
        budget_cents,
        opens,
        closes,
        call_for_projects: matches!(get("aap_ami"), "true" | "True" | "1"),
        non_competitive,
        url: opt(get("url_descriptif")),
        territory: None,
        details,
        provenance: ctx.provenance(line),
    };
    let action = Action::Call(call);
    for (f, r) in action_problems(&action) {
        problems.push(ctx.problem(line, &f, r));
    }
    match action {
        Action::Call(call) if problems.is_empty() => Ok(call),
        _ => Err(problems),
    }
}

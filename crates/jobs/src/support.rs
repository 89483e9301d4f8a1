//! Public action in and out of the registry: the SCDL « subventions »
//! import and export (`archipel import scdl-subventions`, `archipel export
//! scdl-subventions`), the « dispositif d'aide » import, and Archipel's
//! own JSON and CSV for every kind (`archipel import actions`, `archipel
//! export actions|actions-csv`: [`import_actions`], [`export_actions`]).
//!
//! [`import_scdl`] parses the whole file first (`archipel_formats::scdl`),
//! then decides once, as every import does, whether anything may be
//! written: not when the file itself could not be used, nor when a row is
//! invalid and invalid rows may not be set aside (or none is valid). Then,
//! in one transaction: the attribuant and the beneficiary of each grant are
//! the registry's actors with the same SIRET (else RNA) when there are
//! some — those are left as they are —, else new actors made from the
//! row (once per file); then the grants, pointing at them and on the
//! attribuant's territory when the registry knows it. The file is
//! bounded by the caller (`--max-size`); a grants file is small next to
//! the registry, so it is held whole.

use crate::export::{to_file, ExportError};
use archipel_domain::{Action, ActionId, ActionKind, Entity, EntityId};
use archipel_formats::{actions, dispositif, scdl, ImportContext, Problem, Rejects};
use archipel_store::{ActionQuery, Store, StoreError, WriteSummary};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;

/// What an import of public action did (SCDL, « dispositif d'aide »,
/// Archipel's own formats).
#[derive(Debug)]
pub struct ScdlReport {
    /// Data rows read, valid or not.
    pub records: usize,
    /// Rows set aside (or that stopped the import).
    pub rejected: usize,
    pub problems: Vec<Problem>,
    pub rejects: Rejects,
    /// The file itself could not be used.
    pub stopped: bool,
    /// Records written — grants, calls — (`None`: nothing was written).
    pub written: Option<WriteSummary>,
    /// Actors created for attribuants and beneficiaries the registry did
    /// not hold.
    pub actors_created: usize,
    /// Actors found in the registry by SIRET or RNA.
    pub actors_matched: usize,
}

impl ScdlReport {
    /// Valid rows.
    pub fn valid(&self) -> usize {
        self.records - self.rejected
    }
}

impl ScdlReport {
    /// What the parser found, nothing written yet.
    fn of(p: archipel_formats::Parsed) -> ScdlReport {
        ScdlReport {
            records: p.records,
            rejected: p.rejected,
            problems: p.problems,
            rejects: p.rejects,
            stopped: p.stopped,
            written: None,
            actors_created: 0,
            actors_matched: 0,
        }
    }
}

/// Imports an SCDL subventions file; see the module's documentation.
pub fn import_scdl(
    store: &mut Store,
    bytes: &[u8],
    ctx: &ImportContext<'_>,
    skip_invalid: bool,
) -> Result<ScdlReport, StoreError> {
    let parsed = scdl::parse(bytes, ctx);
    let mut report = ScdlReport::of(parsed.parsed);
    let abort = report.stopped
        || parsed.grants.is_empty()
        || (!report.problems.is_empty() && !skip_invalid);
    if abort {
        return Ok(report);
    }
    // A grant's `dispositifAide` names a call by its `id_aide`: the
    // registry's call with that local id, when there is one (import the
    // calls first).
    let mut calls: HashMap<String, archipel_domain::ActionId> = HashMap::new();
    store.for_each_action::<StoreError>(
        &ActionQuery {
            kind: Some(ActionKind::Call),
            ..ActionQuery::default()
        },
        |c| {
            calls
                .entry(c.id().local().to_string())
                .or_insert_with(|| c.id().clone());
            Ok(())
        },
    )?;
    let file = ctx.file.to_string();
    let (counts, summary) = store.write(&ctx.source, scdl::FORMAT, Some(&file), |w| {
        let mut r = Resolver {
            by_siret: w.actors_by_identifier("siret")?,
            by_rna: w.actors_by_identifier("rna")?,
            made: HashSet::new(),
            matched: HashSet::new(),
        };
        for row in &parsed.grants {
            let mut grant = row.grant.clone();
            grant.giver = r.resolve(w, &row.giver)?;
            grant.beneficiary = r.resolve(w, &row.beneficiary)?;
            grant.call = grant.scheme.as_ref().and_then(|s| calls.get(s)).cloned();
            // The grant is the attribuant's action, on its territory.
            grant.territory = w.territory_of(&grant.giver)?;
            w.upsert_action(&Action::Grant(grant))?;
        }
        Ok((r.made.len(), r.matched.len()))
    })?;
    report.actors_created = counts.0;
    report.actors_matched = counts.1;
    // The summary counts actors created with the grants: the report's
    // counts are the grants'.
    report.written = Some(WriteSummary {
        inserted: summary.inserted - counts.0 as u64,
        ..summary
    });
    Ok(report)
}

/// Imports a « dispositif d'aide » file: each row a call for projects,
/// attached to the registry's actor with the SIREN of its `porteur_siren`
/// (its first, when several are given) if there is one. All or nothing,
/// as [`import_scdl`].
pub fn import_dispositifs(
    store: &mut Store,
    bytes: &[u8],
    ctx: &ImportContext<'_>,
    skip_invalid: bool,
) -> Result<ScdlReport, StoreError> {
    let parsed = dispositif::parse(bytes, ctx);
    let mut report = ScdlReport::of(parsed.parsed);
    if report.stopped || parsed.calls.is_empty() || (!report.problems.is_empty() && !skip_invalid) {
        return Ok(report);
    }
    let file = ctx.file.to_string();
    let (matched, summary) = store.write(&ctx.source, dispositif::FORMAT, Some(&file), |w| {
        let mut by_siren: HashMap<String, EntityId> = HashMap::new();
        for (siret, id) in w.actors_by_identifier("siret")? {
            if let Some(siren) = siret.get(..9) {
                by_siren.entry(siren.to_string()).or_insert(id);
            }
        }
        by_siren.extend(w.actors_by_identifier("siren")?);
        let mut matched = HashSet::new();
        for (_, call) in &parsed.calls {
            let mut call = call.clone();
            let first = call.giver_siren.split(',').next().unwrap_or("").trim();
            call.giver = by_siren.get(first).cloned();
            call.territory = match &call.giver {
                Some(g) => w.territory_of(g)?,
                None => None,
            };
            if let Some(g) = &call.giver {
                matched.insert(g.clone());
            }
            w.upsert_action(&Action::Call(call))?;
        }
        Ok(matched.len())
    })?;
    report.actors_matched = matched;
    report.written = Some(summary);
    Ok(report)
}

/// The order records are written in, so that what one points at is
/// written before it: calls, grants, applications, then the rest.
fn rank(k: ActionKind) -> u8 {
    match k {
        ActionKind::Call => 0,
        ActionKind::Grant => 1,
        ActionKind::Application => 2,
        _ => 3,
    }
}

/// Imports a file of Archipel's own formats for public action (JSON or
/// CSV, [`archipel_formats::actions`]). All or nothing (or the valid
/// records with `skip_invalid`), as [`import_scdl`]. Besides each
/// record's own checks, what it points at must be in the registry — or,
/// for a call or a grant, in the file —, or it is a problem on its line
/// naming the field: such a record (and one pointing at it) is set aside
/// with `skip_invalid`, copied as the file wrote it into the rejects file
/// with the records the parser refused. A record
/// without a territory is on its giver's (lending, hosting, organising,
/// employing actor's), an application on its call's.
pub fn import_actions(
    store: &mut Store,
    bytes: &[u8],
    ctx: &ImportContext<'_>,
    skip_invalid: bool,
) -> Result<ScdlReport, StoreError> {
    let parsed = actions::parse(bytes, ctx);
    let mut report = ScdlReport::of(parsed.parsed);
    let mut records: Vec<((u64, Action), Vec<u8>)> =
        parsed.actions.into_iter().zip(parsed.sources).collect();
    if report.stopped {
        return Ok(report);
    }
    // What the records point at. A record set aside takes those pointing
    // at it along: loop until nothing more goes.
    loop {
        let in_file: HashSet<ActionId> = records.iter().map(|((_, a), _)| a.id().clone()).collect();
        let mut dangling: Vec<(usize, Problem)> = Vec::new();
        for (i, ((line, a), _)) in records.iter().enumerate() {
            for (field, target) in a.references() {
                if store.get(target)?.is_none() {
                    dangling.push((
                        i,
                        problem(
                            ctx,
                            *line,
                            field,
                            format!("no record `{target}` in the registry"),
                        ),
                    ));
                }
            }
            for (field, target) in a.action_references() {
                if !in_file.contains(target) && store.action(target)?.is_none() {
                    dangling.push((
                        i,
                        problem(
                            ctx,
                            *line,
                            field,
                            format!(
                                "no {} `{target}` in the registry or in the file",
                                target.kind()
                            ),
                        ),
                    ));
                }
            }
        }
        if dangling.is_empty() {
            break;
        }
        let gone: HashSet<usize> = dangling.iter().map(|(i, _)| *i).collect();
        report.rejected += gone.len();
        report.problems.extend(dangling.into_iter().map(|(_, p)| p));
        let mut i = 0;
        records.retain(|(_, source)| {
            i += 1;
            let keep = !gone.contains(&(i - 1));
            if !keep {
                report.rejects.records.push(source.clone());
            }
            keep
        });
    }
    let mut records: Vec<(u64, Action)> = records.into_iter().map(|(r, _)| r).collect();
    report.problems.sort_by_key(|p| p.line);
    if records.is_empty() || (!report.problems.is_empty() && !skip_invalid) {
        return Ok(report);
    }
    records.sort_by_key(|(_, a)| rank(a.variant_kind()));
    let file = ctx.file.to_string();
    let ((), summary) = store.write(&ctx.source, actions::FORMAT, Some(&file), |w| {
        for (_, a) in &records {
            let mut a = a.clone();
            if a.territory().is_none() {
                let t = match &a {
                    Action::Application(x) => match w.action_by_id(&x.call)? {
                        Some(c) => c.territory().cloned(),
                        None => None,
                    },
                    other => match other.giver() {
                        Some(g) => w.territory_of(g)?,
                        None => None,
                    },
                };
                set_territory(&mut a, t);
            }
            w.upsert_action(&a)?;
        }
        Ok(())
    })?;
    report.written = Some(summary);
    Ok(report)
}

fn problem(ctx: &ImportContext<'_>, line: u64, field: &str, reason: String) -> Problem {
    Problem {
        file: ctx.file.to_string(),
        line,
        field: field.to_string(),
        reason,
    }
}

fn set_territory(a: &mut Action, t: Option<EntityId>) {
    let slot = match a {
        Action::Call(x) => &mut x.territory,
        Action::Grant(x) => &mut x.territory,
        Action::Application(x) => &mut x.territory,
        Action::Hardware(x) => &mut x.territory,
        Action::Hosting(x) => &mut x.territory,
        Action::Event(x) => &mut x.territory,
        Action::Post(x) => &mut x.territory,
    };
    *slot = t;
}

/// The form of [`export_actions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionsForm {
    /// Every kind, lossless.
    Json,
    /// Applications, hardware, hosting, events and posts.
    Csv,
}

/// Writes the public action records `q` selects in Archipel's JSON or CSV
/// form, from one snapshot; returns how many were written.
pub fn export_actions(
    store: &Store,
    q: &ActionQuery,
    form: ActionsForm,
    out: &mut dyn Write,
) -> Result<usize, ExportError> {
    let mut n = 0;
    match form {
        ActionsForm::Json => {
            let mut w = actions::JsonWriter::begin(out)?;
            store.in_snapshot(|s| {
                s.for_each_action::<ExportError>(q, |a| {
                    w.record(&a)?;
                    n += 1;
                    Ok(())
                })
            })?;
            w.finish()?;
        }
        ActionsForm::Csv => {
            let mut w = actions::CsvWriter::begin(out)?;
            store.in_snapshot(|s| {
                s.for_each_action::<ExportError>(q, |a| {
                    n += usize::from(w.record(&a)?);
                    Ok(())
                })
            })?;
            w.finish()?;
        }
    }
    Ok(n)
}

/// [`export_actions`] into the file at `path`, whole or not at all.
pub fn export_actions_file(
    store: &Store,
    q: &ActionQuery,
    form: ActionsForm,
    path: &Path,
) -> Result<usize, ExportError> {
    let mut n = 0;
    to_file(path, |out| {
        n = export_actions(store, q, form, out)?;
        Ok(())
    })?;
    Ok(n)
}

/// Finds or makes the actors grants point at.
struct Resolver {
    by_siret: HashMap<String, EntityId>,
    by_rna: HashMap<String, EntityId>,
    /// Actors this import wrote.
    made: HashSet<EntityId>,
    /// Actors of the registry found by SIRET or RNA.
    matched: HashSet<EntityId>,
}

impl Resolver {
    fn resolve(
        &mut self,
        w: &mut archipel_store::Writer<'_>,
        a: &archipel_domain::Actor,
    ) -> Result<EntityId, StoreError> {
        let found = a
            .identifiers
            .siret
            .as_ref()
            .and_then(|s| self.by_siret.get(s))
            .or_else(|| a.identifiers.rna.as_ref().and_then(|r| self.by_rna.get(r)));
        if let Some(id) = found {
            if !self.made.contains(id) {
                self.matched.insert(id.clone());
            }
            return Ok(id.clone());
        }
        // An actor known by its name only may be there from an earlier
        // import: it is left as it is.
        if !w.exists(&a.id)? {
            w.upsert(&Entity::Actor(a.clone()))?;
            self.made.insert(a.id.clone());
        } else {
            self.matched.insert(a.id.clone());
        }
        if let Some(s) = &a.identifiers.siret {
            self.by_siret.insert(s.clone(), a.id.clone());
        }
        if let Some(r) = &a.identifiers.rna {
            self.by_rna.insert(r.clone(), a.id.clone());
        }
        Ok(a.id.clone())
    }
}

/// Writes the grants `siret` gave whose `dateConvention` falls in `year`,
/// as the SCDL subventions file a government publishes; returns how many.
pub fn export_scdl(
    store: &Store,
    siret: &str,
    year: i32,
    out: &mut dyn Write,
) -> Result<usize, ExportError> {
    let q = ActionQuery {
        kind: Some(ActionKind::Grant),
        giver_siret: Some(siret.to_string()),
        year: Some(year),
        territory: None,
    };
    let mut w = scdl::Writer::begin(out)?;
    let mut n = 0;
    store.in_snapshot(|s| {
        s.for_each_action::<ExportError>(&q, |a| {
            if let Action::Grant(g) = a {
                w.grant(&g)?;
                n += 1;
            }
            Ok(())
        })
    })?;
    w.finish()?;
    Ok(n)
}

/// [`export_scdl`] into the file at `path`, whole or not at all.
pub fn export_scdl_file(
    store: &Store,
    siret: &str,
    year: i32,
    path: &Path,
) -> Result<usize, ExportError> {
    let mut n = 0;
    to_file(path, |out| {
        n = export_scdl(store, siret, year, out)?;
        Ok(())
    })?;
    Ok(n)
}

/// Public action records by kind, for listings: counts and amounts.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Totals {
    pub records: u64,
    /// Grants: what beneficiaries receive (each one's share), in cents.
    pub granted_cents: i64,
}

/// Counts and sums of the records `q` selects, by kind.
pub fn totals(store: &Store, q: &ActionQuery) -> Result<HashMap<ActionKind, Totals>, StoreError> {
    let mut out: HashMap<ActionKind, Totals> = HashMap::new();
    store.for_each_action::<StoreError>(q, |a| {
        let t = out.entry(a.kind()).or_default();
        t.records += 1;
        if let Action::Grant(g) = &a {
            t.granted_cents += g.received_cents();
        }
        Ok(())
    })?;
    Ok(out)
}

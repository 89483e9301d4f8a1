//! `archipel export FORMAT`: write the registry in a format the field uses.
use super::Global;
use anyhow::Context;
use archipel_domain::EntityKind;
use archipel_jobs::export::{self, Export, ExportError};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// Places as the national schema "lieux de médiation numérique" (CSV).
    Mediation,
    /// Places and actors with coordinates (GeoJSON FeatureCollection).
    Geojson,
    /// Everything, lossless (Archipel JSON).
    Json,
    /// One entity kind as CSV (--entity), or every kind into a folder (-o DIR).
    Csv,
    /// Grants as SCDL « subventions » 2.1.1 (CSV), the file a government
    /// publishes: those of --attribuant SIRET dated in --year YEAR.
    ScdlSubventions,
    /// Public action records (every kind, or --kind, --year), Archipel
    /// JSON, lossless.
    Actions,
    /// Public action records as one CSV (applications, hardware, hosting,
    /// events, posts; --kind, --year).
    ActionsCsv,
}

#[derive(clap::Args)]
pub struct Args {
    #[arg(value_enum)]
    format: Format,
    /// Output file (standard output when absent), written whole or not at
    /// all; for `csv` without --entity, a folder that receives one file
    /// per kind.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// For `csv`: the entity kind (territory, actor, place, commons, relation).
    #[arg(long)]
    entity: Option<EntityKind>,
    /// For `scdl-subventions`: the SIRET of the body that gave the grants.
    #[arg(long, value_name = "SIRET")]
    attribuant: Option<String>,
    /// For `scdl-subventions`: the year of the grants' dateConvention; for
    /// `actions`: the year of the day each record is filed under.
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1900..=2999))]
    year: Option<i32>,
    /// For `actions` and `actions-csv`: only this kind (call, grant,
    /// application, hardware, hosting, event, post).
    #[arg(long)]
    kind: Option<String>,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let what = match (args.format, args.entity, &args.output) {
        (Format::ScdlSubventions, ..) => {
            return super::support::export_scdl(
                g,
                args.attribuant.as_deref(),
                args.year,
                args.output.as_deref(),
            )
        }
        (f @ (Format::Actions | Format::ActionsCsv), ..) => {
            return super::support::export_actions(
                g,
                matches!(f, Format::ActionsCsv),
                args.kind.as_deref(),
                args.year,
                args.output.as_deref(),
            )
        }
        (Format::Json, ..) => Export::Json,
        (Format::Geojson, ..) => Export::Geojson,
        (Format::Mediation, ..) => Export::Mediation,
        (Format::Csv, Some(kind), _) => Export::Csv(kind),
        (Format::Csv, None, Some(dir)) => {
            let store = g.read_store()?;
            std::fs::create_dir_all(dir)
                .with_context(|| format!("{}: cannot create folder", dir.display()))?;
            // One snapshot for every file: they agree with each other.
            store.in_snapshot(|s| {
                EntityKind::ALL.into_iter().try_for_each(|kind| {
                    let path = dir.join(format!("{}.csv", kind.as_str()));
                    export::write_file(s, Export::Csv(kind), &path)
                })
            })?;
            return Ok(ExitCode::SUCCESS);
        }
        (Format::Csv, None, None) => {
            eprintln!("archipel export csv: give --entity KIND, or -o FOLDER for every kind");
            return Ok(ExitCode::from(2));
        }
    };
    let store = g.read_store()?;
    match &args.output {
        Some(path) => export::write_file(&store, what, path)?,
        None => {
            let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
            export::write(&store, what, &mut out)?;
            out.flush().map_err(ExportError::from)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

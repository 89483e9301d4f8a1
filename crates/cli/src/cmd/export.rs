//! `archipel export FORMAT`: write the registry in a format the field uses.
use super::Global;
use anyhow::Context;
use archipel_domain::{Entity, EntityKind};
use archipel_formats::{flat, geojson, mediation, native};
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
}

#[derive(clap::Args)]
pub struct Args {
    #[arg(value_enum)]
    format: Format,
    /// Output file (standard output when absent); for `csv` without
    /// --entity, a folder that receives one file per kind.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// For `csv`: the entity kind (territory, actor, place, commons, relation).
    #[arg(long)]
    entity: Option<EntityKind>,
}

fn sink(path: &Option<PathBuf>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("{}: cannot create", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let store = g.existing_store()?;
    let all = store.all()?;
    match args.format {
        Format::Json => {
            let mut out = sink(&args.output)?;
            native::export(&all, &mut out)?;
            out.flush()?;
        }
        Format::Geojson => {
            let mut out = sink(&args.output)?;
            geojson::export(&all, &mut out)?;
            out.flush()?;
        }
        Format::Mediation => {
            let places: Vec<_> = all
                .iter()
                .filter_map(|e| match e {
                    Entity::Place(p) => Some(p),
                    _ => None,
                })
                .collect();
            let actor_of = |id: &archipel_domain::EntityId| match store.get(id) {
                Ok(Some(Entity::Actor(a))) => Some(a),
                _ => None,
            };
            let mut out = sink(&args.output)?;
            mediation::export(&places, &actor_of, &mut out)?;
            out.flush()?;
        }
        Format::Csv => match (args.entity, &args.output) {
            (Some(kind), out) => {
                let mut out = sink(out)?;
                flat::export(kind, &all, &mut out)?;
                out.flush()?;
            }
            (None, Some(dir)) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("{}: cannot create folder", dir.display()))?;
                for kind in EntityKind::ALL {
                    let path = dir.join(format!("{}.csv", kind.as_str()));
                    let mut out = sink(&Some(path))?;
                    flat::export(kind, &all, &mut out)?;
                    out.flush()?;
                }
            }
            (None, None) => {
                eprintln!("archipel export csv: give --entity KIND, or -o FOLDER for every kind");
                return Ok(ExitCode::from(2));
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

//! `archipel init`: create the registry file; with `--territory CODE`,
//! write the official territory and its whole hierarchy into it.
use super::Global;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Prepare the registry for a territory: a commune (INSEE code, 29019),
    /// an EPCI (SIREN, 242900314), a department (29) or a region (53);
    /// `region:CODE` or `departement:CODE` where both have the code. The
    /// territory, everything above it and everything below it are written
    /// from the official divisions.
    #[arg(long, value_name = "CODE")]
    territory: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let content = g.content()?;
    // Checked before the registry is made: a misspelt code leaves nothing.
    let scope = match &args.territory {
        Some(code) => {
            let divisions = archipel_formats::territories::official()?;
            Some((divisions, divisions.find(code)?))
        }
        None => None,
    };
    let mut store = g.store()?;
    let version = store.schema_version()?;
    let report = match &scope {
        Some((divisions, scope)) => Some(super::territories::write(
            &mut store, &content, divisions, scope, args.json,
        )?),
        None => None,
    };
    if args.json {
        let mut out = serde_json::json!({
            "db": g.db.display().to_string(),
            "schema_version": version,
        });
        if let (Some(r), Some(map)) = (&report, out.as_object_mut()) {
            map.insert("territories".into(), serde_json::to_value(r)?);
        }
        crate::output::print_json(&out)?;
    } else {
        println!(
            "registry ready: {} (schema version {version})",
            g.db.display()
        );
        if let Some(r) = &report {
            super::territories::say(g, r, false)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

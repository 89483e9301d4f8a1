//! `archipel pitch`: an argument sheet for a persona, in a register, backed
//! by the territory's own figures.
//!
//! Exit status: 0 when the sheet was written; 1 when it could not be (no
//! registry, unwritable file); 2 for a usage error (unknown persona,
//! territory or commons, a PDF to a terminal).
use super::Global;
use anyhow::Context;
use archipel_content::pitch::Register;
use archipel_content::{Content, Lang};
use archipel_domain::EntityId;
use archipel_pitch::{generate, render, Format, Request};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  archipel pitch --list\n  archipel pitch --audience elu\n  archipel pitch --audience technicien-dsi --register technical --territory 96001\n  archipel pitch --audience elu --commons commons:sill:234 --format pdf -o fiche.pdf\n  archipel pitch --audience directeur-innovation --lang en --json"
)]
pub struct Args {
    /// The persona the sheet is for (`--list` shows them).
    #[arg(long, value_name = "ID")]
    audience: Option<String>,
    /// The register to argue in (default: the persona's best).
    #[arg(long, value_parser = ["political", "technical", "economic"])]
    register: Option<String>,
    /// The territory whose figures back the arguments: INSEE code, SIREN,
    /// `level:code` or id (default: the registry's only top-level territory).
    #[arg(long, value_name = "CODE")]
    territory: Option<String>,
    /// A commons to argue for (its id): its users and contributors on the
    /// territory, and its saved assessment (`archipel assess … --save`).
    #[arg(long, value_name = "ID")]
    commons: Option<String>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "markdown", "md", "html", "pdf", "json"])]
    format: String,
    /// Same as `--format json`.
    #[arg(long)]
    json: bool,
    /// Language of the sheet.
    #[arg(long, default_value = "fr", value_parser = super::parse_lang)]
    lang: Lang,
    /// Write to this file instead of standard output (needed for a PDF on a terminal).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// List the personas and exit.
    #[arg(long)]
    list: bool,
}

/// Prints a usage error and returns exit code 2.
fn usage(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("archipel: {message}");
    ExitCode::from(2)
}

fn personas_list(content: &Content) -> String {
    content
        .pitch()
        .personas
        .iter()
        .map(|p| format!("  {:<26} {}", p.id, p.name(Lang::Fr)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn list(content: &Content, json: bool, lang: Lang) -> anyhow::Result<ExitCode> {
    let pitch = content.pitch();
    if json {
        let v: Vec<_> = pitch
            .personas
            .iter()
            .map(|p| {
                serde_json::json!({
                    "id": p.id,
                    "name": p.name(lang),
                    "profile": p.profile(lang),
                    "registers": p.registers,
                    "objections": p.objections,
                })
            })
            .collect();
        crate::output::print_json(&v)?;
    } else {
        for p in &pitch.personas {
            let registers: Vec<&str> = p.registers.iter().map(|r| r.as_str()).collect();
            println!("{:<26} {}  [{}]", p.id, p.name(lang), registers.join(", "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_out(bytes: &[u8], output: Option<&PathBuf>) -> anyhow::Result<()> {
    match output {
        Some(p) => std::fs::write(p, bytes).with_context(|| format!("writing {}", p.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is no error.
            if let Err(e) = out.write_all(bytes).and_then(|_| out.flush()) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e.into());
                }
            }
        }
    }
    Ok(())
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let content = g.content()?;
    let lang = args.lang;
    if args.list {
        return list(&content, args.json, lang);
    }
    let pdf = args.format == "pdf" && !args.json;
    let format = if args.json {
        Format::Json
    } else {
        Format::parse(&args.format).unwrap_or(Format::Text)
    };
    let Some(audience) = args.audience.as_deref() else {
        return Ok(usage(format!(
            "say who the sheet is for (--audience ID); the personas are:\n{}",
            personas_list(&content)
        )));
    };
    if content.pitch().persona(audience).is_none() {
        return Ok(usage(format!(
            "unknown audience `{audience}`; the personas are:\n{}",
            personas_list(&content)
        )));
    }
    if pdf && args.output.is_none() && std::io::stdout().is_terminal() {
        return Ok(usage(
            "a PDF is not for a terminal: give -o FILE, or redirect the output (> fiche.pdf)",
        ));
    }
    let commons = match args.commons.as_deref() {
        None => None,
        Some(c) => match c.parse::<EntityId>() {
            Ok(id) => Some(id),
            Err(_) => {
                return Ok(usage(format!(
                    "--commons `{c}`: expected a commons id such as commons:sill:234"
                )))
            }
        },
    };
    let store = g.read_store()?;
    let territory = match archipel_pitch::resolve_territory(&store, args.territory.as_deref()) {
        Ok(t) => t,
        Err(e) if e.is_usage() => return Ok(usage(e)),
        Err(e) => return Err(e.into()),
    };
    let mut req = Request::new(audience, territory).lang(lang);
    req.register = args.register.as_deref().and_then(Register::parse);
    req.commons = commons;
    let sheet = match generate(&content, &store, &req) {
        Ok(s) => s,
        Err(e) if e.is_usage() => return Ok(usage(e)),
        Err(e) => return Err(e.into()),
    };
    let bytes = if pdf {
        archipel_pitch::pdf::render(&sheet)?
    } else {
        let text = render(&sheet, format);
        match format {
            // Names from the registry never reach a terminal raw.
            Format::Text | Format::Markdown => crate::output::term_lines(&text).into_owned(),
            Format::Html | Format::Json => text,
        }
        .into_bytes()
    };
    write_out(&bytes, args.output.as_ref())?;
    Ok(ExitCode::SUCCESS)
}

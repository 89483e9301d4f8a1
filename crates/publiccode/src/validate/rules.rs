//! Rules on single values: required, allowed values, URLs, lengths,
//! iPA codes, files and images, countries, languages, deprecations.

use super::decode::{error, warning, Cx, Out};
use super::path::Path;
use crate::checks;
use crate::data;
use crate::files::{self, FileProblem, Reference};
use crate::NetKind;

pub(super) fn required_str(cx: &Cx, out: &mut Out, path: &Path, v: &Option<String>) -> bool {
    match v {
        Some(s) if !s.is_empty() => true,
        _ => {
            error(cx, out, path, "this key is required and must not be empty");
            false
        }
    }
}

pub(super) fn one_of(cx: &Cx, out: &mut Out, path: &Path, v: &str, allowed: &[&str]) {
    if !allowed.contains(&v) {
        error(
            cx,
            out,
            path,
            format!(
                "`{v}` is not one of the accepted values: {}",
                allowed.join(", ")
            ),
        );
    }
}

pub(super) fn http_url(cx: &mut Cx, out: &mut Out, path: &Path, v: &str) {
    if checks::is_http_url(v) {
        cx.net_push(path, v, NetKind::Reachable);
    } else {
        error(
            cx,
            out,
            path,
            format!("`{v}` is not a valid http or https URL"),
        );
    }
}

pub(super) fn max_len(cx: &Cx, out: &mut Out, path: &Path, v: &str, max: usize) {
    if checks::longer_than(v, max) {
        let n = checks::graphemes(v);
        error(
            cx,
            out,
            path,
            format!("too long: {n} characters, at most {max} are allowed"),
        );
    }
}

pub(super) fn uri_with_ipa(cx: &Cx, out: &mut Out, path: &Path, v: &str) {
    if !checks::is_uri(v) {
        error(
            cx,
            out,
            path,
            format!("`{v}` is not a valid URI (it needs a scheme, as in `https://…` or `urn:…`)"),
        );
        return;
    }
    if let Some(code) = checks::italian_pa_code(v) {
        ipa_code(cx, out, path, code);
    }
}

/// Check an iPA code: its syntax, then that the index holds it (the list
/// of [`Options::ipa_codes`], or the built-in one). True when it passes.
pub(super) fn ipa_code(cx: &Cx, out: &mut Out, path: &Path, code: &str) -> bool {
    if !checks::is_ipa_code_syntax(code) {
        error(
            cx,
            out,
            path,
            format!(
                "`{code}` is not a valid code of the Italian public administration index (iPA)"
            ),
        );
        return false;
    }
    let known = match &cx.opts.ipa_codes {
        Some(codes) => codes.contains(&code.to_ascii_lowercase()),
        None => data::is_builtin_ipa_code(code),
    };
    if !known {
        error(
            cx,
            out,
            path,
            format!("`{code}` is not in the Italian public administration index (iPA)"),
        );
    }
    known
}

/// Logo-like references: extension, scheme, then the local file.
pub(super) fn image_ref(
    cx: &mut Cx,
    out: &mut Out,
    path: &Path,
    v: &str,
    extensions: &'static [&'static str],
) {
    if let Err(FileProblem::Extension(allowed)) = files::check_extension(v, extensions) {
        error(
            cx,
            out,
            path,
            format!("unsupported file type: use one of {}", allowed.join(", ")),
        );
        return;
    }
    file_ref(cx, out, path, v);
}

pub(super) fn file_ref(cx: &mut Cx, out: &mut Out, path: &Path, v: &str) {
    match files::classify(v) {
        Ok(Reference::Remote(url)) => cx.net_push(path, url, NetKind::Reachable),
        Ok(Reference::Relative(rel)) => {
            if let Some(base) = &cx.opts.base_dir {
                if let Err(p) = files::check_local(base, rel) {
                    error(cx, out, path, file_problem(&p, v));
                }
            }
        }
        Err(p) => error(cx, out, path, file_problem(&p, v)),
    }
}

fn file_problem(p: &FileProblem, v: &str) -> String {
    match p {
        FileProblem::BadScheme(s) => format!(
            "`{v}` uses the `{s}:` scheme; give an http(s) URL or a path relative to the repository root"
        ),
        FileProblem::Absolute => format!(
            "`{v}` is an absolute path; give a path relative to the repository root or an http(s) URL"
        ),
        FileProblem::Extension(allowed) => {
            format!("unsupported file type: use one of {}", allowed.join(", "))
        }
        FileProblem::Missing => format!("`{v}` does not exist next to this publiccode.yml"),
        FileProblem::NotAFile => format!("`{v}` is a folder, not a file"),
        FileProblem::NotPng => format!("`{v}` is not a valid PNG image"),
        FileProblem::Unreadable(e) => format!("`{v}` cannot be read: {e}"),
    }
}

pub(super) fn country(cx: &Cx, out: &mut Out, path: &Path, v: &str) {
    if data::is_country(v) {
        return;
    }
    let upper = v.to_ascii_uppercase();
    if v.chars().all(|c| c.is_ascii_lowercase()) && data::is_country(&upper) {
        warning(
            cx,
            out,
            path,
            format!("lowercase country codes are deprecated: write `{upper}`"),
        );
    } else {
        error(
            cx,
            out,
            path,
            format!("`{v}` is not an ISO 3166-1 alpha-2 country code (two uppercase letters, as `IT` or `FR`)"),
        );
    }
}

pub(super) fn language(cx: &Cx, out: &mut Out, path: &Path, v: &str) {
    if !checks::is_language_tag(v) {
        error(
            cx,
            out,
            path,
            format!("`{v}` is not a valid BCP 47 language tag (as `en`, `fr` or `pt-BR`)"),
        );
    }
}

pub(super) fn deprecated(cx: &Cx, out: &mut Out, path: &Path, advice: &str) {
    warning(cx, out, path, format!("this key is deprecated; {advice}"));
}

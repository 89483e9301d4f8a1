//! Typed values of a publiccode.yml file.
//!
//! Fields the file leaves out are `None` or empty. Values that had the wrong
//! YAML type are left out too (and reported as findings); values with the
//! right type but failing a rule (an unknown category, a bad URL…) are kept
//! as written, so that a caller can still show them.

use serde::Serialize;

/// A whole publiccode.yml file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicCode {
    /// `publiccodeYmlVersion`, as written.
    pub publiccode_yml_version: String,
    /// `name`.
    pub name: Option<String>,
    /// `applicationSuite`.
    pub application_suite: Option<String>,
    /// `url`: the source repository.
    pub url: Option<String>,
    /// `landingURL`.
    #[serde(rename = "landingURL")]
    pub landing_url: Option<String>,
    /// `isBasedOn`: one URL or a list, always a list here.
    pub is_based_on: Vec<String>,
    /// `softwareVersion`.
    pub software_version: Option<String>,
    /// `releaseDate` (`YYYY-MM-DD`).
    pub release_date: Option<String>,
    /// `logo`.
    pub logo: Option<String>,
    /// `monochromeLogo` (deprecated).
    pub monochrome_logo: Option<String>,
    /// `inputTypes` (deprecated).
    pub input_types: Vec<String>,
    /// `outputTypes` (deprecated).
    pub output_types: Vec<String>,
    /// `platforms`.
    pub platforms: Vec<String>,
    /// `categories`.
    pub categories: Vec<String>,
    /// `usedBy`.
    pub used_by: Vec<String>,
    /// `roadmap`.
    pub roadmap: Option<String>,
    /// `developmentStatus`.
    pub development_status: Option<String>,
    /// `softwareType`.
    pub software_type: Option<String>,
    /// `supports`.
    pub supports: Vec<Support>,
    /// `intendedAudience`.
    pub intended_audience: Option<IntendedAudience>,
    /// `description`, one entry per language, in file order.
    pub description: Vec<(String, Description)>,
    /// `legal`.
    pub legal: Option<Legal>,
    /// `maintenance`.
    pub maintenance: Option<Maintenance>,
    /// `localisation`.
    pub localisation: Option<Localisation>,
    /// `dependsOn`.
    pub depends_on: Option<DependsOn>,
    /// `organisation`.
    pub organisation: Option<Organisation>,
    /// `fundedBy`.
    pub funded_by: Vec<FundingOrganisation>,
    /// The Italian section (`IT`, or the deprecated `it`).
    #[serde(rename = "IT")]
    pub it: Option<ItalianSection>,
}

/// One `supports` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Support {
    /// `alias:<name>` or a URI.
    pub id: Option<String>,
}

/// `intendedAudience`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IntendedAudience {
    /// `scope`.
    pub scope: Vec<String>,
    /// `countries` (ISO 3166-1 alpha-2).
    pub countries: Vec<String>,
    /// `unsupportedCountries` (ISO 3166-1 alpha-2).
    pub unsupported_countries: Vec<String>,
}

/// One language of `description`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Description {
    /// `localisedName`.
    pub localised_name: Option<String>,
    /// `genericName` (deprecated).
    pub generic_name: Option<String>,
    /// `shortDescription`.
    pub short_description: Option<String>,
    /// `longDescription`.
    pub long_description: Option<String>,
    /// `documentation`.
    pub documentation: Option<String>,
    /// `apiDocumentation`.
    pub api_documentation: Option<String>,
    /// `features`.
    pub features: Vec<String>,
    /// `screenshots`.
    pub screenshots: Vec<String>,
    /// `videos`.
    pub videos: Vec<String>,
    /// `awards`.
    pub awards: Vec<String>,
}

/// `legal`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Legal {
    /// `license`: an SPDX expression.
    pub license: Option<String>,
    /// `mainCopyrightOwner`.
    pub main_copyright_owner: Option<String>,
    /// `repoOwner` (deprecated).
    pub repo_owner: Option<String>,
    /// `authorsFile` (deprecated).
    pub authors_file: Option<String>,
}

/// `maintenance`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Maintenance {
    /// `type`: internal, contract, community or none.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `contractors`.
    pub contractors: Vec<Contractor>,
    /// `contacts`.
    pub contacts: Vec<Contact>,
}

/// One `maintenance.contractors` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Contractor {
    /// `name`.
    pub name: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `website`.
    pub website: Option<String>,
    /// `until` (`YYYY-MM-DD`).
    pub until: Option<String>,
}

/// One `maintenance.contacts` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// `name`.
    pub name: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `affiliation`.
    pub affiliation: Option<String>,
    /// `phone`.
    pub phone: Option<String>,
}

/// `localisation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Localisation {
    /// `localisationReady`.
    pub localisation_ready: Option<bool>,
    /// `availableLanguages` (BCP 47 tags).
    pub available_languages: Vec<String>,
}

/// `dependsOn`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DependsOn {
    /// `open`.
    pub open: Vec<Dependency>,
    /// `proprietary`.
    pub proprietary: Vec<Dependency>,
    /// `hardware`.
    pub hardware: Vec<Dependency>,
}

/// One dependency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    /// `name`.
    pub name: Option<String>,
    /// `versionMin`.
    pub version_min: Option<String>,
    /// `versionMax`.
    pub version_max: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// `optional`.
    pub optional: Option<bool>,
}

/// `organisation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Organisation {
    /// `name`.
    pub name: Option<String>,
    /// `uri`.
    pub uri: Option<String>,
}

/// One `fundedBy` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FundingOrganisation {
    /// `name`.
    pub name: Option<String>,
    /// `uri`.
    pub uri: Option<String>,
}

/// The Italian country section (deprecated as a whole since 0.7).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItalianSection {
    /// `countryExtensionVersion`.
    pub country_extension_version: Option<String>,
    /// `conforme`.
    pub conforme: Option<Conforme>,
    /// `riuso.codiceIPA`.
    pub codice_ipa: Option<String>,
    /// `piattaforme`.
    pub piattaforme: Option<Piattaforme>,
}

/// `IT.conforme`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Conforme {
    /// `lineeGuidaDesign`.
    pub linee_guida_design: Option<bool>,
    /// `modelloInteroperabilita`.
    pub modello_interoperabilita: Option<bool>,
    /// `misureMinimeSicurezza`.
    pub misure_minime_sicurezza: Option<bool>,
    /// `gdpr`.
    pub gdpr: Option<bool>,
}

/// `IT.piattaforme`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Piattaforme {
    /// `spid`.
    pub spid: Option<bool>,
    /// `pagopa`.
    pub pagopa: Option<bool>,
    /// `cie`.
    pub cie: Option<bool>,
    /// `anpr`.
    pub anpr: Option<bool>,
    /// `io`.
    pub io: Option<bool>,
}

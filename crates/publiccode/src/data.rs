//! Vocabularies of the publiccode.yml standard and small reference tables.

/// Versions of the standard this validator reads (all as the latest one).
pub const SUPPORTED_VERSIONS: &[&str] = &[
    "0", "0.2", "0.2.0", "0.2.1", "0.2.2", "0.3", "0.3.0", "0.4", "0.4.0", "0.5", "0.5.0", "0.6",
    "0.6.0", "0.7", "0.7.0",
];

/// Versions that need no "old version" warning.
pub const CURRENT_VERSIONS: &[&str] = &["0", "0.7", "0.7.0"];

/// The latest version of the standard.
pub const LATEST_VERSION: &str = "0.7";

/// `developmentStatus` values.
pub const DEVELOPMENT_STATUSES: &[&str] = &["concept", "development", "beta", "stable", "obsolete"];

/// `softwareType` values.
pub const SOFTWARE_TYPES: &[&str] = &[
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
];

/// `maintenance.type` values.
pub const MAINTENANCE_TYPES: &[&str] = &["internal", "contract", "community", "none"];

/// `countryExtensionVersion` values of the Italian section.
pub const IT_EXTENSION_VERSIONS: &[&str] = &["0.2", "1.0"];

/// Known `supports` aliases (`alias:<name>`).
pub const SUPPORT_ALIASES: &[&str] = &[
    "gdpr", "eidas", "nis2", "cra", "spid", "cie", "anpr", "pagopa", "io",
];

/// `categories` values.
pub const CATEGORIES: &[&str] = &[
    "accounting",
    "agile-project-management",
    "applicant-tracking",
    "application-development",
    "appointment-scheduling",
    "backup",
    "billing-and-invoicing",
    "blog",
    "budgeting",
    "business-intelligence",
    "business-process-management",
    "cad",
    "call-center-management",
    "cloud-management",
    "collaboration",
    "communications",
    "compliance-management",
    "contact-management",
    "content-management",
    "crm",
    "customer-service-and-support",
    "data-analytics",
    "data-collection",
    "data-visualization",
    "design",
    "design-system",
    "digital-asset-management",
    "digital-citizenship",
    "document-management",
    "donor-management",
    "e-commerce",
    "e-signature",
    "educational-content",
    "email-management",
    "email-marketing",
    "employee-management",
    "enterprise-project-management",
    "enterprise-social-networking",
    "erp",
    "event-management",
    "facility-management",
    "feedback-and-reviews-management",
    "financial-reporting",
    "fleet-management",
    "fundraising",
    "gamification",
    "geographic-information-systems",
    "grant-management",
    "graphic-design",
    "help-desk",
    "hr",
    "ide",
    "identity-management",
    "instant-messaging",
    "integrated-library-system",
    "inventory-management",
    "it-asset-management",
    "it-development",
    "it-management",
    "it-security",
    "it-service-management",
    "knowledge-management",
    "learning-management-system",
    "marketing",
    "mind-mapping",
    "mobile-marketing",
    "mobile-payment",
    "network-management",
    "office",
    "online-booking",
    "online-community",
    "other",
    "payment-gateway",
    "payroll",
    "predictive-analysis",
    "procurement",
    "productivity-suite",
    "project-collaboration",
    "project-management",
    "property-management",
    "real-estate-management",
    "regulations-and-directives",
    "remote-support",
    "resource-management",
    "sales-management",
    "seo",
    "service-desk",
    "social-media-management",
    "survey",
    "talent-management",
    "task-management",
    "taxes-management",
    "test-management",
    "time-management",
    "time-tracking",
    "translation",
    "video-conferencing",
    "video-editing",
    "visitor-management",
    "voip",
    "warehouse-management",
    "web-collaboration",
    "web-conferencing",
    "website-builder",
    "whistleblowing",
    "workflow-management",
];

/// `intendedAudience.scope` values.
pub const SCOPES: &[&str] = &[
    "agriculture",
    "culture",
    "defence",
    "education",
    "emergency-services",
    "employment",
    "energy",
    "environment",
    "finance-and-economic-development",
    "foreign-affairs",
    "government",
    "healthcare",
    "infrastructures",
    "justice",
    "local-authorities",
    "manufacturing",
    "research",
    "science-and-technology",
    "security",
    "society",
    "sport",
    "tourism",
    "transportation",
    "welfare",
];

/// ISO 3166-1 alpha-2 country codes (officially assigned), sorted.
pub const COUNTRIES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// Registered top-level media types (RFC 6838 and the IANA registry).
pub const MEDIA_TOP_LEVEL_TYPES: &[&str] = &[
    "application",
    "audio",
    "example",
    "font",
    "haptics",
    "image",
    "message",
    "model",
    "multipart",
    "text",
    "video",
];

/// Keys the standard removed or renamed before 0.2 (its CHANGELOG), by the
/// key of the mapping that held them (`""`: the top level), with what
/// replaced them. They are unknown keys, errors as for the reference
/// validator; the message says what to write instead.
pub const REMOVED_KEYS: &[(&str, &str, &str)] = &[
    ("", "publiccode-yaml-version", "it was renamed `publiccodeYmlVersion` in 0.2"),
    ("", "tags", "it was replaced by `categories`, with another list of values, in 0.2"),
    ("", "freeTags", "it was removed in 0.2; use `categories`"),
    ("intendedAudience", "onlyFor", "it was renamed `scope`, with another list of values, in 0.2"),
    ("conforme", "accessibile", "it was renamed `lineeGuidaDesign` in 0.2, and the whole `conforme` section is deprecated since"),
    ("conforme", "interoperabile", "it was renamed `modelloInteroperabilita` in 0.2, and the whole `conforme` section is deprecated since"),
    ("conforme", "sicuro", "it was renamed `misureMinimeSicurezza` in 0.2, and the whole `conforme` section is deprecated since"),
    ("conforme", "privacy", "it was renamed `gdpr` in 0.2; today list `alias:gdpr` under `supports`"),
    ("IT", "ecosistemi", "it was removed in 0.2: its values are in `intendedAudience.scope`"),
    ("it", "ecosistemi", "it was removed in 0.2: its values are in `intendedAudience.scope`"),
    ("IT", "designKit", "it was removed in 0.2"),
    ("it", "designKit", "it was removed in 0.2"),
];

/// What replaced `key`, removed from the mapping under `parent`, if known.
pub fn removed_key(parent: &str, key: &str) -> Option<&'static str> {
    REMOVED_KEYS
        .iter()
        .find(|(p, k, _)| *p == parent && *k == key)
        .map(|(_, _, advice)| *advice)
}

/// The codes of IndicePA, Italy's index of public administrations, one a
/// line: the reference validator's copy (see `data/README.md`).
const IPA_CODES: &str = include_str!("../data/it/ipa_codes.txt");

/// True when `code` (any case) is in the built-in list of iPA codes. The
/// list is read into a set on first use.
pub fn is_builtin_ipa_code(code: &str) -> bool {
    static SET: std::sync::OnceLock<std::collections::HashSet<String>> = std::sync::OnceLock::new();
    SET.get_or_init(|| crate::load_ipa_codes(IPA_CODES))
        .contains(&code.to_ascii_lowercase())
}

/// True when `code` is an uppercase ISO 3166-1 alpha-2 code.
pub fn is_country(code: &str) -> bool {
    COUNTRIES.binary_search(&code).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_ipa_codes() {
        assert!(
            IPA_CODES.lines().count() > 20_000,
            "the iPA list looks truncated"
        );
        // Any case: the list writes `pcm` and `00L7M4KW`.
        assert!(is_builtin_ipa_code("pcm") && is_builtin_ipa_code("PCM"));
        assert!(is_builtin_ipa_code("00l7m4kw") && is_builtin_ipa_code("c_h501"));
        assert!(!is_builtin_ipa_code("NO_SUCH_IPA_CODE") && !is_builtin_ipa_code(""));
    }

    #[test]
    fn countries_sorted_and_complete() {
        assert_eq!(COUNTRIES.len(), 249);
        assert!(COUNTRIES.windows(2).all(|w| w[0] < w[1]));
        assert!(is_country("IT") && is_country("FR") && !is_country("XX") && !is_country("it"));
    }
}

//! Klientinnstillinger, tab "Samtykke": the privacy-policy link, the controller's identity and
//! the register of companies personal data is exchanged with (GDPR art. 13, 28 and 30).

use super::{optional, parse_date, Email, FieldError, FieldErrors, OptionalText, OrgNo, RequiredText};
use serde::{Deserialize, Serialize};

pub const URL_MAX: usize = 500;
pub const RECIPIENT_NAME_MAX: usize = 120;
pub const RECIPIENT_TEXT_MAX: usize = 200;
pub const RECIPIENTS_MAX: usize = 200;

/// A privacy-policy address: absolute, http or https, with a host.
///
/// Parsed by the WHATWG URL standard on both sides: the `url` crate on the server and in
/// tests, the browser's own `URL` in WebAssembly (the same standard, without shipping it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PolicyUrl(String);

impl PolicyUrl {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(FieldError::Required);
        }
        if s.chars().count() > URL_MAX {
            return Err(FieldError::TooLong { max: URL_MAX });
        }
        let (scheme, has_host, href) = whatwg_parse(s).ok_or(FieldError::InvalidUrl)?;
        if !matches!(scheme.as_str(), "http:" | "https:") || !has_host {
            return Err(FieldError::InvalidUrl);
        }
        Ok(PolicyUrl(href))
    }
}

impl From<PolicyUrl> for String {
    fn from(u: PolicyUrl) -> String {
        u.0
    }
}

string_newtype!(PolicyUrl);

/// Scheme (with its colon), whether there is a host, and the serialised address.
#[cfg(not(target_arch = "wasm32"))]
fn whatwg_parse(s: &str) -> Option<(String, bool, String)> {
    let u = url::Url::parse(s).ok()?;
    Some((format!("{}:", u.scheme()), u.host_str().is_some_and(|h| !h.is_empty()), u.to_string()))
}

#[cfg(target_arch = "wasm32")]
fn whatwg_parse(s: &str) -> Option<(String, bool, String)> {
    let u = web_sys::Url::new(s).ok()?;
    Some((u.protocol(), !u.hostname().is_empty(), u.href()))
}

/// The recipient's part in the processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecipientRole {
    Processor,
    SubProcessor,
    IndependentController,
}

impl RecipientRole {
    pub const ALL: &'static [RecipientRole] =
        &[RecipientRole::Processor, RecipientRole::SubProcessor, RecipientRole::IndependentController];

    pub fn as_str(self) -> &'static str {
        match self {
            RecipientRole::Processor => "processor",
            RecipientRole::SubProcessor => "sub_processor",
            RecipientRole::IndependentController => "independent_controller",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.as_str() == s)
    }
}

/// One company in the register as typed; only the name is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RecipientInput {
    pub name: String,
    pub role: Option<RecipientRole>,
    pub purpose: String,
    pub country: String,
    /// The date of the data processing agreement, YYYY-MM-DD.
    pub dpa_date: String,
}

/// The "Samtykke" tab as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ConsentSettingsInput {
    pub policy_url: String,
    pub controller_name: String,
    pub controller_org_no: String,
    pub controller_address: String,
    pub privacy_email: String,
    pub recipients: Vec<RecipientInput>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRecipient {
    pub name: String,
    pub role: Option<RecipientRole>,
    pub purpose: Option<String>,
    pub country: Option<String>,
    pub dpa_date: Option<time::Date>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidConsentSettings {
    pub policy_url: Option<PolicyUrl>,
    pub controller_name: Option<String>,
    pub controller_org_no: Option<OrgNo>,
    pub controller_address: Option<String>,
    pub privacy_email: Option<Email>,
    pub recipients: Vec<ValidRecipient>,
}

/// The key of a name in the register: the same company typed twice is a duplicate whatever
/// its case or spacing.
fn name_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Whether `name` may join `recipients` (the editor's Enter): not empty, not there already.
pub fn check_new_recipient(recipients: &[RecipientInput], name: &str) -> Result<String, FieldError> {
    let name = RequiredText::parse(name, RECIPIENT_NAME_MAX)?;
    if recipients.iter().any(|r| name_key(&r.name) == name_key(&name)) {
        return Err(FieldError::Taken);
    }
    if recipients.len() >= RECIPIENTS_MAX {
        return Err(FieldError::TooMany { max: RECIPIENTS_MAX });
    }
    Ok(name)
}

impl ValidConsentSettings {
    /// Field errors are keyed by field name; a recipient's as `recipients.<index>.<field>`.
    pub fn parse(input: &ConsentSettingsInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let policy_url = errors.check("policy_url", optional(PolicyUrl::parse(&input.policy_url)));
        let controller_name = errors.check("controller_name", OptionalText::parse(&input.controller_name, RECIPIENT_NAME_MAX));
        let controller_org_no = errors.check("controller_org_no", optional(OrgNo::parse(&input.controller_org_no)));
        let controller_address = errors.check("controller_address", OptionalText::parse(&input.controller_address, RECIPIENT_TEXT_MAX));
        let privacy_email = errors.check("privacy_email", optional(Email::parse(&input.privacy_email)));
        if input.recipients.len() > RECIPIENTS_MAX {
            errors.push("recipients", FieldError::TooMany { max: RECIPIENTS_MAX });
        }
        let mut recipients = Vec::new();
        for (i, r) in input.recipients.iter().enumerate() {
            let key = |field: &str| format!("recipients.{i}.{field}");
            let earlier = &input.recipients[..i];
            let name = match check_new_recipient(earlier, &r.name) {
                Err(FieldError::TooMany { .. }) => RequiredText::parse(&r.name, RECIPIENT_NAME_MAX),
                other => other,
            };
            let name = errors.check(&key("name"), name);
            let purpose = errors.check(&key("purpose"), OptionalText::parse(&r.purpose, RECIPIENT_TEXT_MAX));
            let country = errors.check(&key("country"), OptionalText::parse(&r.country, RECIPIENT_NAME_MAX));
            let dpa_date = errors.check(&key("dpa_date"), parse_date(&r.dpa_date));
            if let (Some(name), Some(purpose), Some(country), Some(dpa_date)) = (name, purpose, country, dpa_date) {
                recipients.push(ValidRecipient { name, role: r.role, purpose, country, dpa_date });
            }
        }
        match (policy_url, controller_name, controller_org_no, controller_address, privacy_email) {
            (Some(policy_url), Some(controller_name), Some(controller_org_no), Some(controller_address), Some(privacy_email))
                if errors.is_empty() =>
            {
                Ok(ValidConsentSettings { policy_url, controller_name, controller_org_no, controller_address, privacy_email, recipients })
            }
            _ => Err(errors),
        }
    }

    /// The policy link and the recipients are what a person is told (GDPR art. 13): a save
    /// that changes them publishes a new version, which consent events then point at.
    pub fn publishes_new_version(&self, current: Option<&ValidConsentSettings>) -> bool {
        match current {
            None => self.policy_url.is_some() || !self.recipients.is_empty(),
            Some(c) => c.policy_url != self.policy_url || c.recipients != self.recipients,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_urls_are_http_or_https_with_a_host() {
        assert_eq!(PolicyUrl::parse(" https://nordlys.no/personvern ").unwrap().as_str(), "https://nordlys.no/personvern");
        assert_eq!(PolicyUrl::parse("HTTP://Nordlys.NO").unwrap().as_str(), "http://nordlys.no/");
        for bad in ["nordlys.no/personvern", "javascript:alert(1)", "ftp://nordlys.no/p", "mailto:a@b.no", "https://"] {
            assert_eq!(PolicyUrl::parse(bad), Err(FieldError::InvalidUrl), "{bad}");
        }
        assert_eq!(PolicyUrl::parse(""), Err(FieldError::Required));
        let long = format!("https://a.no/{}", "x".repeat(URL_MAX));
        assert_eq!(PolicyUrl::parse(&long), Err(FieldError::TooLong { max: URL_MAX }));
    }

    #[test]
    fn a_new_recipient_is_refused_when_empty_or_already_listed() {
        let list = vec![RecipientInput { name: "Regnskapsbyrået AS".into(), ..Default::default() }];
        assert_eq!(check_new_recipient(&list, "  Posten Norge AS "), Ok("Posten Norge AS".into()));
        assert_eq!(check_new_recipient(&list, "   "), Err(FieldError::Required));
        assert_eq!(check_new_recipient(&list, "regnskapsbyrået  as"), Err(FieldError::Taken));
    }

    #[test]
    fn settings_parse_every_field_and_name_the_bad_ones() {
        let input = ConsentSettingsInput {
            policy_url: "ftp://x.no".into(),
            controller_org_no: "123".into(),
            privacy_email: "personvern@".into(),
            recipients: vec![
                RecipientInput { name: "Posten".into(), dpa_date: "2026-02-30".into(), ..Default::default() },
                RecipientInput { name: "posten".into(), ..Default::default() },
                RecipientInput { name: "".into(), ..Default::default() },
            ],
            ..Default::default()
        };
        let errors = ValidConsentSettings::parse(&input).unwrap_err();
        assert_eq!(errors.get("policy_url"), Some(FieldError::InvalidUrl));
        assert_eq!(errors.get("controller_org_no"), Some(FieldError::InvalidOrgNo));
        assert_eq!(errors.get("privacy_email"), Some(FieldError::InvalidEmail));
        assert_eq!(errors.get("recipients.0.dpa_date"), Some(FieldError::InvalidDate));
        assert_eq!(errors.get("recipients.1.name"), Some(FieldError::Taken));
        assert_eq!(errors.get("recipients.2.name"), Some(FieldError::Required));
        assert_eq!(errors.get("recipients.0.name"), None);
    }

    #[test]
    fn only_the_policy_link_and_the_recipients_make_a_new_version() {
        let parse = |url: &str, names: &[&str], controller: &str| {
            ValidConsentSettings::parse(&ConsentSettingsInput {
                policy_url: url.into(),
                controller_name: controller.into(),
                recipients: names.iter().map(|n| RecipientInput { name: (*n).into(), ..Default::default() }).collect(),
                ..Default::default()
            })
            .unwrap()
        };
        let v1 = parse("https://a.no/p", &["Posten"], "A AS");
        assert!(v1.publishes_new_version(None));
        assert!(!parse("", &[], "A AS").publishes_new_version(None));
        assert!(!parse("https://a.no/p", &["Posten"], "Nytt navn AS").publishes_new_version(Some(&v1)));
        assert!(parse("https://a.no/ny", &["Posten"], "A AS").publishes_new_version(Some(&v1)));
        assert!(parse("https://a.no/p", &["Posten", "Bring"], "A AS").publishes_new_version(Some(&v1)));
        assert!(parse("https://a.no/p", &[], "A AS").publishes_new_version(Some(&v1)));
    }
}

//! The customer and contact-person forms parsed into domain values.
//!
//! Parsing collects every field's error at once, so the form can show them all beside their
//! fields; the same code runs in the browser (instant feedback) and on the server (the rule).

use crate::domain::*;
use crate::model::{ContactPersonInput, CustomerInput, CustomerKind};

pub const NAME_MAX: usize = 100;
pub const ADDRESS_MAX: usize = 200;
pub const CITY_MAX: usize = 60;
pub const POSITION_MAX: usize = 100;
pub const TAG_MAX: usize = 40;
pub const TAGS_MAX: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerName {
    Private { first_name: String, last_name: String },
    Business { company_name: String, org_no: OrgNo },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCustomer {
    pub customer_number: CustomerNumber,
    pub name: CustomerName,
    pub address_line: Option<String>,
    pub postal_code: Option<PostalCode>,
    pub city: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub tags: Vec<String>,
}

impl ValidCustomer {
    pub fn parse(input: &CustomerInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let customer_number = errors.check("customer_number", CustomerNumber::parse(&input.customer_number));
        let name = match input.kind {
            CustomerKind::Private => {
                let first = errors.check("first_name", RequiredText::parse(&input.first_name, NAME_MAX));
                let last = errors.check("last_name", RequiredText::parse(&input.last_name, NAME_MAX));
                first.zip(last).map(|(first_name, last_name)| CustomerName::Private {
                    first_name,
                    last_name,
                })
            }
            CustomerKind::Business => {
                let company = errors.check("company_name", RequiredText::parse(&input.company_name, NAME_MAX));
                let org_no = errors.check("org_no", OrgNo::parse(&input.org_no));
                company.zip(org_no).map(|(company_name, org_no)| CustomerName::Business {
                    company_name,
                    org_no,
                })
            }
        };
        let address_line = errors.check("address_line", OptionalText::parse(&input.address_line, ADDRESS_MAX));
        let postal_code = errors.check("postal_code", optional(PostalCode::parse(&input.postal_code)));
        let city = errors.check("city", OptionalText::parse(&input.city, CITY_MAX));
        let email = errors.check("email", optional(Email::parse(&input.email)));
        let phone = errors.check("phone", optional(Phone::parse(&input.phone)));
        let tags = errors.check("tags", parse_tags(&input.tags));
        match (customer_number, name, address_line, postal_code, city, email, phone, tags) {
            (Some(customer_number), Some(name), Some(address_line), Some(postal_code), Some(city), Some(email), Some(phone), Some(tags))
                if errors.is_empty() =>
            {
                Ok(ValidCustomer {
                    customer_number,
                    name,
                    address_line,
                    postal_code,
                    city,
                    email,
                    phone,
                    tags,
                })
            }
            _ => Err(errors),
        }
    }

    /// The name lists sort by: company name, or "last first" for a person.
    pub fn sort_name(&self) -> String {
        match &self.name {
            CustomerName::Private { first_name, last_name } => format!("{last_name} {first_name}").to_lowercase(),
            CustomerName::Business { company_name, .. } => company_name.to_lowercase(),
        }
    }

    /// The text Kundesøk matches: number, names, org no, e-mail and phone.
    pub fn search_document(&self) -> String {
        let (a, b, org_no) = match &self.name {
            CustomerName::Private { first_name, last_name } => (first_name.as_str(), last_name.as_str(), ""),
            CustomerName::Business { company_name, org_no } => (company_name.as_str(), "", org_no.as_str()),
        };
        search_document(&[
            self.customer_number.as_str(),
            a,
            b,
            org_no,
            self.email.as_ref().map_or("", |e| e.as_str()),
            self.phone.as_ref().map_or("", |p| p.as_str()),
        ])
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidContactPerson {
    pub name: String,
    pub position: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
}

impl ValidContactPerson {
    pub fn parse(input: &ContactPersonInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.check("name", RequiredText::parse(&input.name, NAME_MAX));
        let position = errors.check("position", OptionalText::parse(&input.position, POSITION_MAX));
        let email = errors.check("email", optional(Email::parse(&input.email)));
        let phone = errors.check("phone", optional(Phone::parse(&input.phone)));
        match (name, position, email, phone) {
            (Some(name), Some(position), Some(email), Some(phone)) if errors.is_empty() => Ok(ValidContactPerson {
                name,
                position,
                email,
                phone,
            }),
            _ => Err(errors),
        }
    }
}

/// Tags are typed comma-separated; duplicates (ignoring case) are dropped.
pub fn parse_tags(s: &str) -> Result<Vec<String>, FieldError> {
    let mut tags: Vec<String> = Vec::new();
    for tag in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if tag.chars().count() > TAG_MAX {
            return Err(FieldError::TooLong { max: TAG_MAX });
        }
        if !tags.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            tags.push(tag.to_string());
        }
    }
    if tags.len() > TAGS_MAX {
        return Err(FieldError::TooMany { max: TAGS_MAX });
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn private() -> CustomerInput {
        CustomerInput {
            kind: CustomerKind::Private,
            customer_number: "10001".into(),
            first_name: "Kari".into(),
            last_name: "Nordmann".into(),
            email: "kari@example.no".into(),
            phone: "912 34 567".into(),
            tags: "vip, Vip, nyhetsbrev".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_private_customer_parses() {
        let c = ValidCustomer::parse(&private()).unwrap();
        assert_eq!(c.tags, vec!["vip", "nyhetsbrev"]);
        assert_eq!(c.sort_name(), "nordmann kari");
        assert!(c.search_document().split(' ').any(|t| t == "91234567"));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let input = CustomerInput { first_name: " ".into(), email: "kari@".into(), phone: "12".into(), ..private() };
        let errors = ValidCustomer::parse(&input).unwrap_err();
        assert_eq!(errors.get("first_name"), Some(FieldError::Required));
        assert_eq!(errors.get("email"), Some(FieldError::InvalidEmail));
        assert_eq!(errors.get("phone"), Some(FieldError::InvalidPhone));
        assert_eq!(errors.get("last_name"), None);
    }

    #[test]
    fn a_business_needs_a_valid_org_no_but_no_person_name() {
        let input = CustomerInput {
            kind: CustomerKind::Business,
            company_name: "Fjord AS".into(),
            org_no: "923 609 017".into(),
            first_name: String::new(),
            ..private()
        };
        assert_eq!(ValidCustomer::parse(&input).unwrap_err().get("org_no"), Some(FieldError::InvalidOrgNo));
        let ok = CustomerInput { org_no: "923609016".into(), ..input };
        assert!(matches!(ValidCustomer::parse(&ok).unwrap().name, CustomerName::Business { .. }));
    }

    #[test]
    fn too_many_or_too_long_tags_are_refused() {
        let many = (0..=TAGS_MAX).map(|i| format!("t{i}")).collect::<Vec<_>>().join(",");
        assert_eq!(parse_tags(&many), Err(FieldError::TooMany { max: TAGS_MAX }));
        assert_eq!(parse_tags(&"x".repeat(TAG_MAX + 1)), Err(FieldError::TooLong { max: TAG_MAX }));
    }

    #[test]
    fn a_contact_person_needs_a_name_and_valid_contact_details() {
        let errors = ValidContactPerson::parse(&ContactPersonInput { email: "nei".into(), ..Default::default() }).unwrap_err();
        assert_eq!(errors.get("name"), Some(FieldError::Required));
        assert_eq!(errors.get("email"), Some(FieldError::InvalidEmail));
    }
}

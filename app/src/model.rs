//! What the server functions send and receive: plain data shared by server and browser.

use serde::{Deserialize, Serialize};

pub type TenantId = i64;
pub type StaffUserId = i64;
pub type CustomerId = i64;
pub type ContactPersonId = i64;
pub type AccessGroupId = i64;
pub type SecretId = i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Admin,
    Staff,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Role::Admin),
            "staff" => Some(Role::Staff),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantRef {
    pub id: TenantId,
    pub name: String,
    pub role: Role,
}

/// The logged-in staff user as the app shell shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: StaffUserId,
    pub name: String,
    pub email: String,
    pub tenant: Option<TenantRef>,
    pub tenants: Vec<TenantRef>,
    /// What the user may do in the chosen tenant, for the UI to hide and disable by; the server
    /// checks again on every call.
    pub rights: crate::domain::access::Rights,
}

/// An access group (Tilgangsgruppe) as the Tilgangsstyring page edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessGroup {
    pub id: AccessGroupId,
    pub name: String,
    pub rights: crate::domain::access::Rights,
    pub members: Vec<StaffUserId>,
    /// Edit version: a save names the version it started from.
    pub version: i64,
}

/// A member of the tenant, for choosing group members and marking administrators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantStaff {
    pub user_id: StaffUserId,
    pub name: String,
    pub email: String,
    pub admin: bool,
    /// Has set up tofaktor (MFA).
    pub mfa_enrolled: bool,
}

/// Everything the Tilgangsstyring page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AccessControl {
    pub groups: Vec<AccessGroup>,
    pub staff: Vec<TenantStaff>,
    /// "Krev tofaktor for alle ansatte".
    pub require_mfa: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum CustomerKind {
    #[default]
    Private,
    Business,
}

impl CustomerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerKind::Private => "private",
            CustomerKind::Business => "business",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "private" => Some(CustomerKind::Private),
            "business" => Some(CustomerKind::Business),
            _ => None,
        }
    }
}

/// One row in Kundesøk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerHit {
    pub id: CustomerId,
    pub customer_number: String,
    pub display_name: String,
    pub org_no: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchPage {
    pub hits: Vec<CustomerHit>,
    pub page: u32,
    pub has_more: bool,
}

pub const SEARCH_PAGE_SIZE: u32 = 20;

/// A customer as stored; `version` goes back with an edit so a stale save is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub version: i64,
    pub input: CustomerInput,
}

impl Customer {
    pub fn display_name(&self) -> String {
        self.input.display_name()
    }
}

/// The customer form exactly as typed: kept whole so an error never loses what the user wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CustomerInput {
    pub kind: CustomerKind,
    pub customer_number: String,
    pub first_name: String,
    pub last_name: String,
    pub company_name: String,
    pub org_no: String,
    pub address_line: String,
    pub postal_code: String,
    pub city: String,
    pub email: String,
    pub phone: String,
    /// Comma-separated.
    pub tags: String,
}

impl CustomerInput {
    pub fn display_name(&self) -> String {
        match self.kind {
            CustomerKind::Business => self.company_name.clone(),
            CustomerKind::Private => format!("{} {}", self.first_name, self.last_name)
                .trim()
                .to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPerson {
    pub id: ContactPersonId,
    pub version: i64,
    pub input: ContactPersonInput,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ContactPersonInput {
    pub name: String,
    pub position: String,
    pub email: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerCard {
    pub customer: Customer,
    pub contact_persons: Vec<ContactPerson>,
}

pub use crate::domain::consent::{
    Channel, ConsentActor, ConsentChange, ConsentMark, ConsentSource, LegalBasis, PurposeId, PurposeInput,
};

/// A consent purpose as stored, with the version of its wording now in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentPurpose {
    pub id: PurposeId,
    /// Bumped by every edit, so a stale edit is refused.
    pub version: i64,
    /// Bumped only when the wording changes: consents point at the wording they were given under.
    pub wording_version: i64,
    pub input: PurposeInput,
}

impl ConsentPurpose {
    pub fn label(&self, locale: crate::i18n::Locale) -> &str {
        match locale {
            crate::i18n::Locale::Nb => &self.input.label_nb,
            crate::i18n::Locale::En => &self.input.label_en,
        }
    }
}

/// One given or withdrawn consent as it stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentStanding {
    pub contact_person_id: ContactPersonId,
    pub purpose_id: PurposeId,
    pub given: bool,
    pub purpose_version: i64,
    pub changed_ms: i64,
}

/// A customer's consents: the active purposes, the contact persons and where each stands.
/// `consent_version` goes back with a save, so a save on top of someone else's is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerConsents {
    pub customer_id: CustomerId,
    pub consent_version: i64,
    pub purposes: Vec<ConsentPurpose>,
    pub contact_persons: Vec<(ContactPersonId, String)>,
    pub standings: Vec<ConsentStanding>,
}

impl CustomerConsents {
    pub fn marks(&self) -> std::collections::BTreeMap<crate::domain::consent::Cell, ConsentMark> {
        self.standings
            .iter()
            .map(|s| ((s.contact_person_id, s.purpose_id), ConsentMark::from_given(s.given)))
            .collect()
    }

    pub fn mark(&self, contact: ContactPersonId, purpose: PurposeId) -> ConsentMark {
        self.standings
            .iter()
            .find(|s| s.contact_person_id == contact && s.purpose_id == purpose)
            .map_or(ConsentMark::NeverAsked, |s| ConsentMark::from_given(s.given))
    }
}

/// One line of a contact person's consent history, or of the tenant's export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEventView {
    pub id: i64,
    pub at_ms: i64,
    pub customer_number: String,
    pub contact_person_id: ContactPersonId,
    pub contact_person_name: String,
    pub purpose_id: PurposeId,
    pub purpose_code: String,
    pub purpose_label_nb: String,
    pub purpose_label_en: String,
    pub purpose_version: i64,
    pub given: bool,
    pub actor: ConsentActor,
    /// The staff user's name; None when the customer acted.
    pub staff_name: Option<String>,
    pub source: ConsentSource,
    pub policy_version: Option<i64>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// More cells than any customer card holds; bounds the work one request can ask for.
pub const MAX_CONSENT_CHANGES: usize = 2000;

/// The privacy-policy version now in force: the link and recipients a person is told about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedPolicy {
    pub version: i64,
    pub published_ms: i64,
    pub published_by: Option<String>,
}

/// Klientinnstillinger, tab "Samtykke", as stored; `version` goes back with a save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentSettings {
    pub version: i64,
    pub published: Option<PublishedPolicy>,
    pub input: crate::domain::settings::ConsentSettingsInput,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSettings {
    pub version: i64,
    /// The version in force after the save (new if the link or the recipients changed).
    pub policy_version: Option<i64>,
}

/// What the consent form (Samtykkeskjema) prints: four parts from the client settings and,
/// from a customer card, that customer's contact persons and their consents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentFormData {
    pub settings: ConsentSettings,
    /// The active purposes, with the wording a person agrees to.
    pub purposes: Vec<ConsentPurpose>,
    pub customer: Option<ConsentFormCustomer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentFormCustomer {
    pub title: String,
    pub consents: CustomerConsents,
}

/// Min Side: a customer's login, one per invited contact person.
pub type CustomerAccountId = i64;

/// When, how and by whom a consent last changed, as Min Side shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastChange {
    pub at_ms: i64,
    pub given: bool,
    pub actor: ConsentActor,
    pub source: ConsentSource,
}

/// One purpose on Min Side: its wording, the switch's state and the last change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyConsent {
    pub purpose_id: PurposeId,
    pub label_nb: String,
    pub label_en: String,
    pub wording: String,
    pub channel: Channel,
    pub mark: ConsentMark,
    pub last_change: Option<LastChange>,
}

impl MyConsent {
    pub fn label(&self, locale: crate::i18n::Locale) -> &str {
        match locale {
            crate::i18n::Locale::Nb => &self.label_nb,
            crate::i18n::Locale::En => &self.label_en,
        }
    }
}

/// The company a customer deals with, as Min Side introduces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyCompany {
    pub tenant_id: TenantId,
    /// The controller's name from Klientinnstillinger, else the client's own name.
    pub name: String,
    pub policy_url: Option<String>,
    pub privacy_email: Option<String>,
    pub recipients: Vec<crate::domain::settings::RecipientInput>,
}

/// Min Side's front page. `consent_version` goes back with a switch, so a change made meanwhile
/// (by staff, or by a colleague on the same customer) is never silently overwritten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyPage {
    pub company: MyCompany,
    pub contact_name: String,
    pub email: String,
    pub consent_version: i64,
    pub consents: Vec<MyConsent>,
}

/// A consent event in the customer's own copy of their data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyConsentEvent {
    pub at_ms: i64,
    pub purpose_code: String,
    pub purpose_label_nb: String,
    pub purpose_label_en: String,
    pub purpose_version: i64,
    pub given: bool,
    pub actor: ConsentActor,
    pub source: ConsentSource,
    pub policy_version: Option<i64>,
    /// Only on the customer's own changes.
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A login to Min Side (or a password being set), from the customer login log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyLogin {
    pub at_ms: i64,
    pub outcome: String,
    pub ip: Option<String>,
}

/// "Mine data": everything held about the customer (GDPR art. 15 and 20), as JSON and as a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyData {
    pub generated_ms: i64,
    pub company: MyCompany,
    pub customer: CustomerInput,
    pub contact_person: ContactPersonInput,
    pub consents: Vec<MyConsent>,
    pub consent_events: Vec<MyConsentEvent>,
    pub min_side_logins: Vec<MyLogin>,
    /// Who looked at or changed the customer's data, from the access log (Innsynslogg).
    pub access_log: Vec<MyAccessEntry>,
}

/// An access-log entry about the customer, as the customer sees it: what and when, and whether
/// staff or the customer acted; which staff user, and their address, stay out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAccessEntry {
    pub at_ms: i64,
    pub action: String,
    pub by_staff: bool,
    pub ip: Option<String>,
}

/// A secret on the customer card as the card lists it: never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretSummary {
    pub id: SecretId,
    pub label: String,
    /// The groups whose members may see it, by name.
    pub groups: Vec<(AccessGroupId, String)>,
    /// Whether this user may reveal (and so change) it.
    pub may_reveal: bool,
    pub version: i64,
}

/// The card's Hemmeligheter section: the secrets, and the tenant's groups to choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CustomerSecrets {
    pub secrets: Vec<SecretSummary>,
    pub groups: Vec<(AccessGroupId, String)>,
}

/// Every action the access log records, by its stored code, in the order the filter lists them.
/// `ports::AccessAction::as_str` answers one of these (a unit test holds the two together).
pub const ACCESS_LOG_ACTIONS: [&str; 32] = [
    "staff_login",
    "staff_login_failed",
    "mfa_enrolled",
    "mfa_failed",
    "mfa_recovery_code_used",
    "mfa_reset",
    "mfa_requirement_changed",
    "customer_card_viewed",
    "customer_saved",
    "contact_person_saved",
    "consent_changed",
    "consent_events_exported",
    "consent_form_printed",
    "client_settings_changed",
    "consent_purpose_changed",
    "min_side_invitation",
    "min_side_login",
    "min_side_password_set",
    "my_data_exported",
    "access_group_created",
    "access_group_saved",
    "access_group_deleted",
    "administrator_marked",
    "administrator_unmarked",
    "secret_revealed",
    "secret_saved",
    "secret_deleted",
    "access_log_exported",
    "access_log_retention_changed",
    "customer_anonymised",
    "invoice_copy_printed",
    "invoice_archive_read",
];

/// The Innsynslogg filter. Empty fields do not filter; dates are inclusive days (YYYY-MM-DD).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AccessLogFilter {
    pub user: Option<StaffUserId>,
    pub customer_number: Option<String>,
    pub action: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One access-log entry as the Innsynslogg shows it, with names resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLogRow {
    pub seq: i64,
    pub at_ms: i64,
    /// The staff user's name, or the Min Side contact person's.
    pub who: String,
    pub by_customer: bool,
    pub action: String,
    pub customer_id: Option<CustomerId>,
    /// "10003 Åse Ødegård".
    pub customer: Option<String>,
    pub object: Option<String>,
    pub ip: Option<String>,
}

/// A page of the Innsynslogg, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AccessLogPage {
    pub rows: Vec<AccessLogRow>,
    /// Pass the last row's `seq` as `before` for the next page.
    pub has_more: bool,
    /// The tenant's staff, for the user filter.
    pub staff: Vec<(StaffUserId, String)>,
    /// Entries older than this many months are purged; None keeps them.
    pub retention_months: Option<u32>,
}

pub const ACCESS_LOG_PAGE_SIZE: u32 = 100;

pub type InvoiceId = i64;

/// One line of a sale: text, quantity, price per unit in øre (before VAT).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLine {
    pub text: String,
    pub quantity: i64,
    pub unit_price_ore: i64,
}

/// A sale as the demo data and the tests record it: an order, its invoice to the customer as
/// they are now, and the invoice's entry in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSale {
    pub order_number: String,
    pub invoice_number: String,
    /// YYYY-MM-DD.
    pub date: String,
    pub note: String,
    pub lines: Vec<SaleLine>,
    pub vat_percent: i64,
}

/// An invoice as the customer card lists it, with what is still open of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceSummary {
    pub id: InvoiceId,
    pub invoice_number: String,
    pub credit_note: bool,
    pub invoice_date: String,
    pub due_date: String,
    pub buyer_name: String,
    pub total_ore: i64,
    pub open_ore: i64,
}

/// An invoice in the archive: as issued, kept for the bookkeeping after its customer was
/// anonymised, until its retention ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedInvoice {
    pub id: InvoiceId,
    pub invoice_number: String,
    pub credit_note: bool,
    pub invoice_date: String,
    pub customer_number: String,
    pub buyer_name: String,
    pub archived_ms: i64,
    /// YYYY-MM-DD: five years after the end of the invoice's financial year.
    pub retain_until: String,
}

/// A customer the retention rule would anonymise, as its preview lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InactiveCustomer {
    pub id: CustomerId,
    pub customer_number: String,
    pub name: String,
}

/// What the retention rule reaches today: how many customers, and the first of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionPreview {
    pub years: u32,
    /// YYYY-MM-DD: no activity since this day.
    pub cutoff: String,
    pub count: i64,
    pub first: Vec<InactiveCustomer>,
}

/// One batch of the retention rule, for the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionBatch {
    pub anonymised: u32,
    /// Refused after all (a sale or payment came in meanwhile).
    pub skipped: u32,
    pub remaining: i64,
}

/// One line of an invoice copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub text: String,
    pub quantity: i64,
    pub unit_price_ore: i64,
    pub vat_percent: i64,
}

/// An invoice as a copy prints it now: after anonymisation every buyer field says "Anonym".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceCopy {
    pub id: InvoiceId,
    pub seller: String,
    pub invoice_number: String,
    pub credit_note: bool,
    pub invoice_date: String,
    pub due_date: String,
    pub customer_number: String,
    pub buyer_name: String,
    pub buyer_address: String,
    pub buyer_postal_code: String,
    pub buyer_city: String,
    pub buyer_org_no: String,
    pub buyer_email: String,
    pub lines: Vec<InvoiceLine>,
    pub net_ore: i64,
    pub vat_ore: i64,
}

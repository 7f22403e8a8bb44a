//! Anonymisering of a customer: the rules, apart from HTTP and SQL.
//!
//! - May this customer be anonymised? Only with a zero balance in the ledger (reskontro):
//!   [`eligibility`]. Amounts are whole øre, so a balance is exact; credit notes are negative.
//! - Where might the customer still be named in free text (notes, tasks, orders)? The system
//!   cannot know whether "Kari Nordmann" in a note is this Kari, so it only finds candidates
//!   ([`find_mentions`]) and staff decide, one by one, what to redact ([`redact`]).
//! - The word every personal field becomes: [`ANONYMOUS`].
//! - The tenant's retention rule: customers with no activity for [`InactivityYears`] and a
//!   zero balance are anonymised in bulk; [`InactivityYears::cutoff`] is the day activity must
//!   be older than.

use super::FieldError;
use serde::{Deserialize, Serialize};

/// What a name becomes, and what an invoice copy printed afterwards shows in every buyer field.
pub const ANONYMOUS: &str = "Anonym";
/// What a redacted mention in free text becomes.
pub const REDACTED: &str = "[anonymisert]";

/// An amount in øre: 1 krone = 100 øre. Never a float, so sums are exact.
pub type Ore = i64;

/// Why a customer may not be anonymised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// The ledger's open items do not sum to zero: the customer owes (positive) or is owed
    /// (negative, an unpaid credit note) this much.
    OpenBalance { ore: Ore },
    /// Already anonymised: there is nothing left to remove.
    AlreadyAnonymised,
}

/// The open amounts of the customer's ledger entries (invoices positive, credit notes and
/// payments negative) decide: the sum must be exactly zero. A credit note that cancels an
/// invoice leaves two open items that sum to zero, which is a settled account.
pub fn eligibility(open_amounts: &[Ore], already_anonymised: bool) -> Result<(), Refusal> {
    if already_anonymised {
        return Err(Refusal::AlreadyAnonymised);
    }
    match open_amounts.iter().sum::<Ore>() {
        0 => Ok(()),
        ore => Err(Refusal::OpenBalance { ore }),
    }
}

/// The tenant's retention rule (Automatisk anonymisering): anonymise customers who have had no
/// activity for this many whole years. Between one and thirty years: less would anonymise
/// customers in the middle of a season, more outlives every purpose the data was kept for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InactivityYears(u32);

impl InactivityYears {
    pub const MIN: u32 = 1;
    pub const MAX: u32 = 30;

    /// The rule as typed: empty means no rule.
    pub fn parse(text: &str) -> Result<Option<InactivityYears>, FieldError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let out_of_range = FieldError::OutOfRange { min: Self::MIN, max: Self::MAX };
        let years: u32 = text.parse().map_err(|_| out_of_range)?;
        Self::new(years).map(Some).ok_or(out_of_range)
    }

    /// A rule as stored; None outside the range.
    pub fn new(years: u32) -> Option<InactivityYears> {
        (Self::MIN..=Self::MAX).contains(&years).then_some(InactivityYears(years))
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// Activity must be older than this for the rule to reach a customer, from `today_ms`.
    pub fn cutoff_at(self, today_ms: i64) -> Cutoff {
        let today = super::utc_day(today_ms).unwrap_or(time::Date::MIN);
        let day = self.cutoff(today);
        Cutoff { ms: day.midnight().assume_utc().unix_timestamp() * 1000, date: day.to_string() }
    }

    /// The day activity must be before: the same day `years` earlier (29 February, in a year
    /// without one, the 28th).
    pub fn cutoff(self, today: time::Date) -> time::Date {
        let year = today.year() - self.0 as i32;
        time::Date::from_calendar_date(year, today.month(), today.day())
            .or_else(|_| time::Date::from_calendar_date(year, today.month(), today.day() - 1))
            .expect("the 28th exists in every month")
    }
}

/// The start of the cutoff day (UTC): as Unix milliseconds for times, as YYYY-MM-DD for dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cutoff {
    pub ms: i64,
    pub date: String,
}

/// "1 234,50" for 123450 øre, as Norwegian accounts print amounts.
pub fn format_nok(ore: Ore) -> String {
    let sign = if ore < 0 { "-" } else { "" };
    let abs = ore.unsigned_abs();
    let kroner = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in kroner.chars().enumerate() {
        if i > 0 && (kroner.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{:02}", abs % 100)
}

/// Where free text lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextSource {
    Note,
    Task,
    Order,
    OrderLine,
    /// A line of an invoice as printed on copies; the as-issued line stays in the archive.
    InvoiceLine,
}

impl TextSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TextSource::Note => "note",
            TextSource::Task => "task",
            TextSource::Order => "order",
            TextSource::OrderLine => "order_line",
            TextSource::InvoiceLine => "invoice_line",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [TextSource::Note, TextSource::Task, TextSource::Order, TextSource::OrderLine, TextSource::InvoiceLine].into_iter().find(|t| t.as_str() == s)
    }
}

/// One piece of free text that might name the customer, and the customer it is filed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeText {
    pub source: TextSource,
    pub id: i64,
    pub customer_id: i64,
    pub text: String,
}

/// A mention staff chose to redact: in which text, which words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redaction {
    pub source: TextSource,
    pub id: i64,
    pub needle: String,
}

/// What an anonymisation did, as recorded (counts only: no personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnonymisationRecord {
    pub id: i64,
    pub at_ms: i64,
    pub contact_persons: i64,
    pub consent_events: i64,
    pub invoices: i64,
    pub redactions: i64,
}

/// The last day an as-issued invoice must be kept: five years after the end of its financial
/// year (bokføringsloven § 13; the financial year is the calendar year). None for a bad date.
pub fn retain_until(invoice_date: &str) -> Option<String> {
    let date = super::parse_date(invoice_date).ok()??;
    Some(format!("{:04}-12-31", date.year() + 5))
}

/// A possible mention: which text, what matched, and where (byte offsets into the text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    pub source: TextSource,
    pub id: i64,
    pub customer_id: i64,
    pub needle: String,
    pub start: usize,
    pub end: usize,
}

/// What to look for: the customer's and contact persons' names, e-mails and phone numbers.
/// Names shorter than three letters ("Li") would match too much and are left out; full names
/// are searched as well as their parts, so "Kari Nordmann" is found as one mention.
pub fn needles<'a>(names: impl IntoIterator<Item = &'a str>, emails: impl IntoIterator<Item = &'a str>, phones: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: &str| {
        let s = s.trim();
        if s.chars().count() >= 3 && !out.iter().any(|o| o.to_lowercase() == s.to_lowercase()) {
            out.push(s.to_string());
        }
    };
    for name in names {
        add(name);
        for part in name.split_whitespace() {
            add(part);
        }
    }
    for e in emails {
        add(e);
    }
    for p in phones {
        add(p);
        // "+47 912 34 567" is also typed "91234567".
        let digits: String = p.chars().filter(char::is_ascii_digit).collect();
        if let Some(national) = digits.strip_prefix("47").filter(|d| d.len() == 8) {
            add(national);
        }
        add(&digits);
    }
    // Longest first, so a full name is reported before its parts.
    out.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    out
}

/// Letters and digits make words; so does '@', so "kari" is not found inside "kari@firma.no"
/// (the whole address is a needle of its own).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '@'
}

/// Every place a needle occurs in the texts as a whole word (not "Kari" inside "Karianne"),
/// ignoring case. Overlapping matches keep the longer one (the full name over its parts).
pub fn find_mentions(needles: &[String], texts: &[FreeText]) -> Vec<Mention> {
    let mut found = Vec::new();
    for t in texts {
        let lower = t.text.to_lowercase();
        // Lower-casing can change byte lengths (rarely); offsets then refer to the lowered
        // text, so only texts whose length it keeps are searched by offset.
        if lower.len() != t.text.len() {
            continue;
        }
        let mut taken: Vec<(usize, usize)> = Vec::new();
        for needle in needles {
            let n = needle.to_lowercase();
            let mut from = 0;
            while let Some(pos) = lower[from..].find(&n) {
                let start = from + pos;
                let end = start + n.len();
                let before = lower[..start].chars().next_back();
                let after = lower[end..].chars().next();
                let whole = !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char);
                if whole && !taken.iter().any(|(s, e)| start < *e && *s < end) {
                    taken.push((start, end));
                    found.push(Mention { source: t.source, id: t.id, customer_id: t.customer_id, needle: t.text[start..end].to_string(), start, end });
                }
                from = end;
            }
        }
    }
    found.sort_by_key(|m| (m.source as u8, m.id, m.start));
    found
}

/// The text with every whole-word occurrence of `needle` replaced by [`REDACTED`].
pub fn redact(text: &str, needle: &str) -> String {
    let mentions = find_mentions(&[needle.to_string()], &[FreeText { source: TextSource::Note, id: 0, customer_id: 0, text: text.to_string() }]);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for m in mentions {
        out.push_str(&text[at..m.start]);
        out.push_str(REDACTED);
        at = m.end;
    }
    out.push_str(&text[at..]);
    out
}

/// A mention as the preview lists it, with some text around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentionView {
    pub mention: Mention,
    /// Up to 40 characters either side, with "…" where cut.
    pub excerpt: String,
}

/// What "Anonymiser" shows before anything is removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnonymisationPreview {
    pub customer_number: String,
    pub display_name: String,
    /// The personal fields that hold something now (their form field names).
    pub fields: Vec<String>,
    pub contact_persons: Vec<String>,
    pub open_balance_ore: Ore,
    /// Why it cannot be done now, if it cannot.
    pub refusal: Option<Refusal>,
    pub invoices: usize,
    pub mentions: Vec<MentionView>,
}

fn excerpt(text: &str, start: usize, end: usize) -> String {
    let before: String = text[..start].chars().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
    let after: String = text[end..].chars().take(40).collect();
    let (open, before) = if before.len() < start { ("…", before.trim_start()) } else { ("", before.as_str()) };
    let (close, after) = if end + after.len() < text.len() { ("…", after.trim_end()) } else { ("", after.as_str()) };
    format!("{open}{before}{}{after}{close}", &text[start..end])
}

/// The needles of a customer and its contact persons: names, e-mails, phones.
pub fn needles_of(customer: &crate::model::CustomerInput, contacts: &[crate::model::ContactPersonInput]) -> Vec<String> {
    let mut names = vec![customer.first_name.as_str(), customer.last_name.as_str(), customer.company_name.as_str()];
    let full = format!("{} {}", customer.first_name, customer.last_name);
    names.push(&full);
    names.extend(contacts.iter().map(|c| c.name.as_str()));
    let emails = std::iter::once(customer.email.as_str()).chain(contacts.iter().map(|c| c.email.as_str()));
    let phones = std::iter::once(customer.phone.as_str()).chain(contacts.iter().map(|c| c.phone.as_str()));
    needles(names, emails, phones)
}

/// The preview: what will be removed, whether it may be, and where the customer may be named.
pub fn preview(
    customer: &crate::model::CustomerInput,
    contacts: &[crate::model::ContactPersonInput],
    open_amounts: &[Ore],
    anonymised: bool,
    invoices: usize,
    texts: &[FreeText],
) -> AnonymisationPreview {
    let present = [
        ("first_name", &customer.first_name),
        ("last_name", &customer.last_name),
        ("company_name", &customer.company_name),
        ("address_line", &customer.address_line),
        ("postal_code", &customer.postal_code),
        ("city", &customer.city),
        ("email", &customer.email),
        ("phone", &customer.phone),
        ("tags", &customer.tags),
    ];
    let mut fields: Vec<String> = present.iter().filter(|(_, v)| !v.trim().is_empty()).map(|(k, _)| k.to_string()).collect();
    // A private person's organisation number is personal; a company's stays.
    if customer.kind == crate::model::CustomerKind::Private && !customer.org_no.trim().is_empty() {
        fields.push("org_no".into());
    }
    let mentions = if anonymised { Vec::new() } else { find_mentions(&needles_of(customer, contacts), texts) };
    let mentions = mentions
        .into_iter()
        .filter_map(|m| {
            let text = texts.iter().find(|t| t.source == m.source && t.id == m.id)?;
            Some(MentionView { excerpt: excerpt(&text.text, m.start, m.end), mention: m })
        })
        .collect();
    AnonymisationPreview {
        customer_number: customer.customer_number.clone(),
        display_name: customer.display_name(),
        fields,
        contact_persons: contacts.iter().map(|c| c.name.clone()).collect(),
        open_balance_ore: open_amounts.iter().sum(),
        refusal: eligibility(open_amounts, anonymised).err(),
        invoices,
        mentions,
    }
}

/// A redaction is allowed only where the preview found a mention: the free text of other
/// customers is not for rewriting at will.
pub fn redaction_allowed(r: &Redaction, mentions: &[Mention]) -> bool {
    mentions.iter().any(|m| m.source == r.source && m.id == r.id && m.needle.eq_ignore_ascii_case(&r.needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_zero_balance_may_be_anonymised() {
        assert_eq!(eligibility(&[], false), Ok(()));
        // Paid: the invoice's open amount is zero.
        assert_eq!(eligibility(&[0, 0], false), Ok(()));
        // One øre open is open.
        assert_eq!(eligibility(&[1], false), Err(Refusal::OpenBalance { ore: 1 }));
        // A credit note cancels an invoice: settled.
        assert_eq!(eligibility(&[125_000, -125_000], false), Ok(()));
        // A credit note larger than what is owed: the company owes the customer.
        assert_eq!(eligibility(&[10_000, -12_550], false), Err(Refusal::OpenBalance { ore: -2_550 }));
        // Part payment.
        assert_eq!(eligibility(&[99_950, -50_000], false), Err(Refusal::OpenBalance { ore: 49_950 }));
        assert_eq!(eligibility(&[], true), Err(Refusal::AlreadyAnonymised));
    }

    #[test]
    fn invoices_are_kept_five_years_after_their_financial_year() {
        assert_eq!(retain_until("2026-01-15").as_deref(), Some("2031-12-31"));
        assert_eq!(retain_until("2026-12-31").as_deref(), Some("2031-12-31"));
        assert_eq!(retain_until("31.12.2026"), None);
        assert_eq!(TextSource::parse("order_line"), Some(TextSource::OrderLine));
        assert_eq!(TextSource::parse("blokk"), None);
    }

    #[test]
    fn amounts_print_as_norwegian_kroner() {
        assert_eq!(format_nok(0), "0,00");
        assert_eq!(format_nok(5), "0,05");
        assert_eq!(format_nok(123_450), "1\u{a0}234,50");
        assert_eq!(format_nok(-2_550), "-25,50");
        assert_eq!(format_nok(100_000_000), "1\u{a0}000\u{a0}000,00");
    }

    fn note(id: i64, text: &str) -> FreeText {
        FreeText { source: TextSource::Note, id, customer_id: 1, text: text.into() }
    }

    #[test]
    fn names_emails_and_phones_are_found_as_whole_words() {
        let n = needles(["Kari Nordmann"], ["kari@example.no"], ["+47 912 34 567"]);
        assert_eq!(n[0], "kari@example.no");
        assert!(n.contains(&"Kari".to_string()) && n.contains(&"91234567".to_string()));
        let texts = [
            note(1, "Ringte Kari Nordmann om faktura"),
            note(2, "Karianne kommer fredag"),
            note(3, "Send til KARI@example.no eller ring 91234567."),
            note(4, "Ingen navn her"),
        ];
        let found = find_mentions(&n, &texts);
        let seen: Vec<(i64, &str)> = found.iter().map(|m| (m.id, m.needle.as_str())).collect();
        // The full name once, not also its parts; "Karianne" is not Kari.
        assert_eq!(seen, [(1, "Kari Nordmann"), (3, "KARI@example.no"), (3, "91234567")]);
    }

    #[test]
    fn short_names_are_not_searched() {
        assert!(needles(["Li Wu"], [], []).iter().all(|n| n == "Li Wu"));
    }

    #[test]
    fn redaction_replaces_each_whole_word_mention() {
        assert_eq!(redact("Kari ringte. Karianne svarte. kari igjen", "Kari"), "[anonymisert] ringte. Karianne svarte. [anonymisert] igjen");
        assert_eq!(redact("Ingen treff", "Kari"), "Ingen treff");
        assert_eq!(redact("Åse Ødegård, åse", "Åse"), "[anonymisert] Ødegård, [anonymisert]");
    }

    #[test]
    fn the_preview_lists_fields_contacts_balance_and_mentions() {
        use crate::model::{ContactPersonInput, CustomerInput, CustomerKind};
        let kari = CustomerInput {
            kind: CustomerKind::Private,
            customer_number: "10002".into(),
            first_name: "Kari".into(),
            last_name: "Nordmann".into(),
            email: "kari@example.no".into(),
            city: "Oslo".into(),
            ..Default::default()
        };
        let contact = ContactPersonInput { name: "Kari Nordmann".into(), ..Default::default() };
        let texts = [note(7, "Lang tekst før navnet kommer, og så: Kari Nordmann ringte i dag om regningen sin, som var for høy.")];
        let p = preview(&kari, &[contact], &[125_000], false, 1, &texts);
        assert_eq!(p.fields, ["first_name", "last_name", "city", "email"]);
        assert_eq!(p.contact_persons, ["Kari Nordmann"]);
        assert_eq!((p.open_balance_ore, p.refusal), (125_000, Some(Refusal::OpenBalance { ore: 125_000 })));
        assert_eq!(p.mentions.len(), 1);
        assert_eq!(p.mentions[0].excerpt, "Lang tekst før navnet kommer, og så: Kari Nordmann ringte i dag om regningen sin, som var…");
        let r = Redaction { source: TextSource::Note, id: 7, needle: "kari nordmann".into() };
        assert!(redaction_allowed(&r, &[p.mentions[0].mention.clone()]));
        assert!(!redaction_allowed(&Redaction { id: 8, ..r.clone() }, &[p.mentions[0].mention.clone()]));
        assert!(!redaction_allowed(&Redaction { needle: "regningen".into(), ..r }, &[p.mentions[0].mention.clone()]));
    }

    #[test]
    fn the_retention_rule_is_whole_years_from_one_to_thirty() {
        assert_eq!(InactivityYears::parse(" 5 ").unwrap().map(InactivityYears::get), Some(5));
        assert_eq!(InactivityYears::parse(""), Ok(None));
        for bad in ["0", "31", "-1", "2,5", "fem"] {
            assert_eq!(InactivityYears::parse(bad), Err(FieldError::OutOfRange { min: 1, max: 30 }), "{bad}");
        }
    }

    #[test]
    fn the_cutoff_is_the_same_day_years_earlier() {
        let years = |n: &str| InactivityYears::parse(n).unwrap().unwrap();
        let day = |s: &str| crate::domain::parse_date(s).unwrap().unwrap();
        assert_eq!(years("3").cutoff(day("2026-12-05")), day("2023-12-05"));
        assert_eq!(years("1").cutoff(day("2028-02-29")), day("2027-02-28"));
        assert_eq!(years("4").cutoff(day("2028-02-29")), day("2024-02-29"));
    }
}

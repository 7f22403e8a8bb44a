//! The consent form (Samtykkeskjema) and the invoice copy (Fakturakopi) as PDF, written with
//! `pdf-writer`.
//!
//! It uses the standard Helvetica faces with WinAnsiEncoding, which every PDF reader has and
//! which holds æ, ø and å, so no font file ships with the app. Lines wrap by an average glyph
//! width: a conservative estimate that keeps every line inside the margin.

use app::domain::settings::RecipientRole;
use app::i18n::{mark_msg, Locale, Msg};
use app::model::{ConsentFormData, ConsentMark, InvoiceCopy};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

const A4: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 56.0;
const REGULAR: Name = Name(b"F1");
const BOLD: Name = Name(b"F2");
/// Helvetica's mean advance width is about 0.5 em; 0.56 leaves room for wide letters.
const EM_PER_CHAR: f32 = 0.56;

fn cp1252(text: &str) -> Vec<u8> {
    encoding_rs::WINDOWS_1252.encode(text).0.into_owned()
}

/// Greedy word wrap at `size` points into lines no wider than the text column.
pub fn wrap(text: &str, size: f32) -> Vec<String> {
    wrap_to(text, size, A4.0 - 2.0 * MARGIN)
}

/// [`wrap`] into a column `column` points wide.
fn wrap_to(text: &str, size: f32, column: f32) -> Vec<String> {
    let max = ((column / (size * EM_PER_CHAR)) as usize).max(10);
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > max {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

/// Helvetica's advance widths for what amounts are made of (digits, space, comma, period),
/// the mean width for the rest: enough to right-align a column of amounts.
fn text_width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| match c {
            '0'..='9' => 0.556,
            ' ' | ',' | '.' | '\u{a0}' => 0.278,
            '-' | '\u{2212}' => 0.333,
            _ => EM_PER_CHAR,
        })
        .sum::<f32>()
        * size
}

enum Align {
    Left,
    Right,
}

struct Cell {
    x: f32,
    text: String,
    align: Align,
}

fn left(x: f32, text: impl Into<String>) -> Cell {
    Cell { x, text: text.into(), align: Align::Left }
}

fn right(x: f32, text: impl Into<String>) -> Cell {
    Cell { x, text: text.into(), align: Align::Right }
}

/// Pages of text laid out top to bottom.
struct Writer {
    pages: Vec<Content>,
    y: f32,
}

impl Writer {
    fn new() -> Self {
        let mut w = Writer { pages: Vec::new(), y: 0.0 };
        w.new_page();
        w
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = A4.1 - MARGIN;
    }

    fn line(&mut self, text: &str, font: Name, size: f32, indent: f32) {
        let height = size * 1.35;
        if self.y - height < MARGIN {
            self.new_page();
        }
        self.y -= height;
        let page = self.pages.last_mut().expect("a page");
        page.begin_text();
        page.set_font(font, size);
        page.next_line(MARGIN + indent, self.y);
        page.show(Str(&cp1252(text)));
        page.end_text();
    }

    /// One table row: each cell at its x offset from the margin, amounts right-aligned to it.
    fn row(&mut self, cells: &[Cell], font: Name, size: f32) {
        let height = size * 1.5;
        if self.y - height < MARGIN {
            self.new_page();
        }
        self.y -= height;
        let page = self.pages.last_mut().expect("a page");
        for cell in cells {
            let x = match cell.align {
                Align::Left => MARGIN + cell.x,
                Align::Right => MARGIN + cell.x - text_width(&cell.text, size),
            };
            page.begin_text();
            page.set_font(font, size);
            page.next_line(x, self.y);
            page.show(Str(&cp1252(&cell.text)));
            page.end_text();
        }
    }

    fn paragraph(&mut self, text: &str, font: Name, size: f32, indent: f32) {
        for line in wrap(text, size) {
            self.line(&line, font, size, indent);
        }
    }

    fn heading(&mut self, text: &str) {
        self.y -= 8.0;
        self.line(text, BOLD, 12.0, 0.0);
    }

    fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    fn finish(self) -> Vec<u8> {
        let mut pdf = Pdf::new();
        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let (regular, bold) = (Ref::new(3), Ref::new(4));
        let first_page = 5;
        let ids: Vec<(Ref, Ref)> =
            (0..self.pages.len() as i32).map(|i| (Ref::new(first_page + 2 * i), Ref::new(first_page + 2 * i + 1))).collect();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree).kids(ids.iter().map(|(page, _)| *page)).count(ids.len() as i32);
        for ((page_id, content_id), content) in ids.iter().zip(self.pages) {
            let mut page = pdf.page(*page_id);
            page.media_box(Rect::new(0.0, 0.0, A4.0, A4.1));
            page.parent(tree);
            page.contents(*content_id);
            page.resources().fonts().pair(REGULAR, regular).pair(BOLD, bold);
            page.finish();
            pdf.stream(*content_id, &content.finish());
        }
        pdf.type1_font(regular).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.type1_font(bold).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.finish()
    }
}

fn role_text(role: RecipientRole, locale: Locale) -> &'static str {
    match role {
        RecipientRole::Processor => Msg::RoleProcessor.text(locale),
        RecipientRole::SubProcessor => Msg::RoleSubProcessor.text(locale),
        RecipientRole::IndependentController => Msg::RoleIndependentController.text(locale),
    }
}

/// The same four parts as the preview (controller, policy link, recipients, purposes), then
/// the consents of the customer's contact persons or boxes to tick, and the signature lines.
pub fn consent_form(data: &ConsentFormData, locale: Locale) -> Vec<u8> {
    let t = |m: Msg| m.text(locale);
    let s = &data.settings.input;
    let mut w = Writer::new();
    w.line(t(Msg::ConsentDeclaration), BOLD, 18.0, 0.0);
    if let Some(c) = &data.customer {
        w.line(&c.title, REGULAR, 11.0, 0.0);
    }

    w.heading(t(Msg::Controller));
    let org_no = (!s.controller_org_no.is_empty()).then(|| format!("Org.nr. {}", s.controller_org_no));
    for line in [Some(s.controller_name.clone()), org_no, Some(s.controller_address.clone()), Some(s.privacy_email.clone())]
        .into_iter()
        .flatten()
        .filter(|l| !l.is_empty())
    {
        w.line(&line, REGULAR, 10.0, 0.0);
    }

    w.heading(t(Msg::PrivacyPolicy));
    if s.policy_url.is_empty() {
        w.line("–", REGULAR, 10.0, 0.0);
    } else {
        w.paragraph(&format!("{} {}", t(Msg::PolicyLinkLead), s.policy_url), REGULAR, 10.0, 0.0);
    }

    w.heading(t(Msg::Recipients));
    if s.recipients.is_empty() {
        w.line(t(Msg::NoRecipients), REGULAR, 10.0, 0.0);
    }
    for r in &s.recipients {
        let details: Vec<&str> = [r.role.map(|role| role_text(role, locale)), Some(r.purpose.as_str()), Some(r.country.as_str())]
            .into_iter()
            .flatten()
            .filter(|d| !d.is_empty())
            .collect();
        let text = if details.is_empty() { format!("• {}", r.name) } else { format!("• {} – {}", r.name, details.join(", ")) };
        w.paragraph(&text, REGULAR, 10.0, 0.0);
    }

    w.heading(t(Msg::Consent));
    w.paragraph(t(Msg::ConsentFormLead), REGULAR, 10.0, 0.0);
    w.gap(4.0);
    for p in &data.purposes {
        let label = if locale == Locale::Nb { &p.input.label_nb } else { &p.input.label_en };
        let boxed = if data.customer.is_none() { format!("[  ]  {label}") } else { label.clone() };
        w.line(&boxed, BOLD, 10.0, 0.0);
        w.paragraph(&p.input.wording, REGULAR, 9.5, 14.0);
        w.gap(3.0);
    }
    if let Some(c) = &data.customer {
        for (cp, name) in &c.consents.contact_persons {
            w.gap(4.0);
            w.line(name, BOLD, 10.0, 0.0);
            for p in &data.purposes {
                let mark = c.consents.mark(*cp, p.id);
                let label = if locale == Locale::Nb { &p.input.label_nb } else { &p.input.label_en };
                let tick = if mark == ConsentMark::Given { "[X]" } else { "[  ]" };
                w.line(&format!("{tick}  {label}: {}", mark_msg(mark).text(locale)), REGULAR, 10.0, 14.0);
            }
        }
    }

    w.gap(18.0);
    for label in [Msg::Name, Msg::Place, Msg::Signature] {
        w.gap(10.0);
        w.line(&format!("{}:  ______________________________________________", t(label)), REGULAR, 10.0, 0.0);
    }
    w.finish()
}

fn kroner(ore: i64) -> String {
    format!("{} kr", app::domain::anonymise::format_nok(ore))
}

/// The same content as the print view: seller, invoice head, the buyer as the copy shows it now
/// (after anonymisation "Anonym" in every field), the lines and the totals.
pub fn invoice_copy(copy: &InvoiceCopy, locale: Locale) -> Vec<u8> {
    let t = |m: Msg| m.text(locale);
    let kind = if copy.credit_note { Msg::CreditNote } else { Msg::Invoice };
    let width = A4.0 - 2.0 * MARGIN;
    let mut w = Writer::new();
    w.line(&format!("{} {}", t(kind), copy.invoice_number), BOLD, 18.0, 0.0);
    w.line(t(Msg::InvoiceCopy), REGULAR, 10.0, 0.0);
    w.gap(6.0);
    w.line(&format!("{}: {}", t(Msg::Seller), copy.seller), REGULAR, 10.0, 0.0);
    for (label, value) in [(Msg::InvoiceDate, &copy.invoice_date), (Msg::DueDate, &copy.due_date), (Msg::CustomerNumber, &copy.customer_number)] {
        w.line(&format!("{}: {value}", t(label)), REGULAR, 10.0, 0.0);
    }

    w.heading(t(Msg::Buyer));
    let postal = format!("{} {}", copy.buyer_postal_code, copy.buyer_city).trim().to_string();
    for line in [&copy.buyer_name, &copy.buyer_address, &postal, &copy.buyer_org_no, &copy.buyer_email] {
        if !line.is_empty() {
            w.line(line, REGULAR, 10.0, 0.0);
        }
    }

    w.gap(12.0);
    let columns = |text: String, quantity: String, price: String, vat: String, amount: String| {
        vec![left(0.0, text), right(width * 0.62, quantity), right(width * 0.78, price), right(width * 0.87, vat), right(width, amount)]
    };
    w.row(
        &columns(t(Msg::Description).into(), t(Msg::Quantity).into(), t(Msg::UnitPrice).into(), t(Msg::Vat).into(), t(Msg::Amount).into()),
        BOLD,
        9.5,
    );
    for l in &copy.lines {
        // A long line text wraps in its column; the numbers stand on its first line.
        let mut texts = wrap_to(&l.text, 9.5, width * 0.5).into_iter();
        let first = texts.next().unwrap_or_default();
        w.row(
            &columns(first, l.quantity.to_string(), kroner(l.unit_price_ore), format!("{} %", l.vat_percent), kroner(l.quantity * l.unit_price_ore)),
            REGULAR,
            9.5,
        );
        for more in texts {
            w.row(&[left(0.0, more)], REGULAR, 9.5);
        }
    }
    w.gap(8.0);
    for (label, ore, font) in [(Msg::Net, copy.net_ore, REGULAR), (Msg::Vat, copy.vat_ore, REGULAR), (Msg::Total, copy.net_ore + copy.vat_ore, BOLD)] {
        w.row(&[right(width * 0.78, t(label)), right(width, kroner(ore))], font, 10.0);
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wrap_inside_the_column_and_keep_every_word() {
        let text = "Jeg vil motta nyhetsbrev og informasjon om produkter og tjenester på e-post. ".repeat(5);
        let lines = wrap(&text, 10.0);
        assert!(lines.len() > 1);
        let max = ((A4.0 - 2.0 * MARGIN) / (10.0 * EM_PER_CHAR)) as usize;
        assert!(lines.iter().all(|l| l.chars().count() <= max));
        assert_eq!(lines.join(" ").split_whitespace().count(), text.split_whitespace().count());
    }

    #[test]
    fn norwegian_letters_are_encoded_for_the_standard_fonts() {
        assert_eq!(cp1252("æøå ÆØÅ"), vec![0xE6, 0xF8, 0xE5, b' ', 0xC6, 0xD8, 0xC5]);
    }
}

//! Demo data and bulk generation of realistic Norwegian-looking customers.

use crate::auth::hash_password;
use crate::db::Seeder;
use app::forms::{ValidContactPerson, ValidCustomer};
use app::model::{ConsentActor, ConsentChange, ConsentSource, ContactPersonInput, CustomerInput, CustomerKind, Role, StaffUserId, TenantId};
use app::ports::ConsentContext;
use app::ports::RepoError;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

pub const DEMO_PASSWORD: &str = "demo-passord-2026";

pub struct DemoLogin {
    pub email: &'static str,
    pub name: &'static str,
    pub tenants: &'static [(&'static str, Role)],
    /// The access group the login starts in, where it is no administrator.
    pub group: &'static str,
}

pub const DEMO_TENANTS: [&str; 2] = ["Nordlys Regnskap AS", "Fjellvik Sport AS"];

pub const DEMO_LOGINS: [DemoLogin; 3] = [
    DemoLogin {
        email: "admin@demo.no",
        name: "Ada Admin",
        tenants: &[("Nordlys Regnskap AS", Role::Admin), ("Fjellvik Sport AS", Role::Admin)],
        group: "",
    },
    DemoLogin { email: "ansatt@demo.no", name: "Are Ansatt", tenants: &[("Nordlys Regnskap AS", Role::Staff)], group: STAFF_GROUP },
    DemoLogin { email: "revisor@demo.no", name: "Rita Revisor", tenants: &[("Nordlys Regnskap AS", Role::Staff)], group: AUDIT_GROUP },
];

/// An auditor's group: the Innsynslogg and nothing else.
pub const AUDIT_GROUP: &str = "Revisjon";

/// Creates the demo tenants, logins and customers unless they are there already.
pub async fn seed_demo(db: &dyn Seeder) -> Result<bool, RepoError> {
    if db.tenant_named(DEMO_TENANTS[0]).await?.is_some() {
        return Ok(false);
    }
    let mut ids = Vec::new();
    for name in DEMO_TENANTS {
        ids.push((name, db.create_tenant(name).await?));
    }
    let hash = hash_password(DEMO_PASSWORD);
    let mut admin = None;
    let mut staff_of: Vec<(TenantId, StaffUserId, &str)> = Vec::new();
    for login in &DEMO_LOGINS {
        let user = db.ensure_staff(login.email, login.name, &hash).await?;
        admin.get_or_insert(user);
        for (tenant, role) in login.tenants {
            if let Some((_, id)) = ids.iter().find(|(n, _)| n == tenant) {
                db.add_membership(user, *id, *role).await?;
                if *role == Role::Staff {
                    staff_of.push((*id, user, login.group));
                }
            }
        }
    }
    for (_, tenant) in &ids {
        let members = |group: &str| -> Vec<StaffUserId> { staff_of.iter().filter(|(t, _, g)| t == tenant && *g == group).map(|(_, u, _)| *u).collect() };
        seed_staff_group(db, *tenant, &members(STAFF_GROUP)).await?;
        let auditors = members(AUDIT_GROUP);
        if !auditors.is_empty() {
            seed_group(db, *tenant, AUDIT_GROUP, [app::domain::access::Permission::AccessLog].into_iter().collect(), &auditors).await?;
        }
    }
    let mut rng = StdRng::seed_from_u64(2026);
    for (i, (_, tenant)) in ids.iter().enumerate() {
        let mut batch = demo_customers(i);
        batch.extend((0..60).map(|n| generated_customer(&mut rng, 30_000 + n)));
        db.insert_customers(*tenant, &batch).await?;
    }
    if let (Some((_, tenant)), Some(admin)) = (ids.first(), admin) {
        seed_demo_consents(db, *tenant, admin).await?;
        seed_demo_sales(db, *tenant, admin).await?;
    }
    Ok(true)
}

/// The group a tenant's employees start in: customers, consents and reports, but no secrets,
/// anonymisation, settings, access control or access log.
pub const STAFF_GROUP: &str = "Alle ansatte";

async fn seed_staff_group(db: &dyn Seeder, tenant: TenantId, members: &[StaffUserId]) -> Result<(), RepoError> {
    use app::domain::access::Permission;
    let rights = [Permission::CustomerWrite, Permission::ConsentWrite, Permission::Reports].into_iter().collect();
    seed_group(db, tenant, STAFF_GROUP, rights, members).await
}

async fn seed_group(db: &dyn Seeder, tenant: TenantId, name: &str, rights: app::domain::access::Rights, members: &[StaffUserId]) -> Result<(), RepoError> {
    let name = app::domain::access::AccessGroupName::parse(name).expect("a valid group name");
    let group = db.create_access_group(tenant, &name).await?;
    db.save_access_group(tenant, group.id, group.version, &name, rights.with_needed(), members).await?;
    Ok(())
}

/// Sales for anonymisation to weigh: Ola has paid his invoice, Kari owes 1 250,00, Åse's invoice
/// was cancelled by a credit note, Nils has paid and asked to be forgotten. Notes, a task and an order text name Kari, as staff write
/// them, so the anonymisation preview has mentions to show.
async fn seed_demo_sales(db: &dyn Seeder, tenant: TenantId, admin: StaffUserId) -> Result<(), RepoError> {
    use app::model::{NewSale, SaleLine};
    let customer = |number: &'static str| async move {
        let hits = db.search_customers(tenant, &[number.to_string()], 5, 0).await?;
        hits.iter().find(|h| h.customer_number == number).map(|h| h.id).ok_or(RepoError::NotFound)
    };
    let sale = |n: u32, date: &str, note: &str, text: &str, price_ore: i64| NewSale {
        order_number: format!("O-{n}"),
        invoice_number: format!("{n}"),
        date: date.into(),
        note: note.into(),
        lines: vec![SaleLine { text: text.into(), quantity: 1, unit_price_ore: price_ore }],
        vat_percent: 25,
    };
    let ola = customer("10001").await?;
    let paid = db.record_sale(tenant, ola, &sale(1001, "2026-09-01", "", "Årsoppgjør 2025", 200_000)).await?;
    db.record_payment(tenant, paid, 250_000, "2026-09-10").await?;
    let kari = customer("10002").await?;
    db.record_sale(tenant, kari, &sale(1002, "2026-11-15", "Kari Nordmann henter selv", "Regnskapsføring november", 100_000)).await?;
    db.add_customer_note(tenant, kari, "Kari Nordmann ringte om fakturaen, ring tilbake på 481 23 456.", Some(admin)).await?;
    db.add_customer_task(tenant, kari, "Purre Kari på faktura 1002", Some("2026-12-15")).await?;
    let ase = customer("10003").await?;
    let cancelled = db.record_sale(tenant, ase, &sale(1003, "2026-10-01", "", "Rådgivning", 80_000)).await?;
    db.record_credit_note(tenant, cancelled, "1004", "2026-10-05").await?;
    // Nils has paid and has asked to be forgotten: the customer to try "Anonymiser" on.
    let nils = customer("10004").await?;
    let settled = db.record_sale(tenant, nils, &sale(1005, "2026-08-20", "", "Skattemelding 2025", 60_000)).await?;
    db.record_payment(tenant, settled, 75_000, "2026-08-30").await?;
    db.add_customer_note(tenant, nils, "Nils Nilsen ba om å bli slettet, se e-post fra nils.nilsen@example.no.", Some(admin)).await?;
    seed_dormant_customers(db, tenant).await
}

/// Three customers last heard from in 2019, their one invoice paid: what a retention rule of
/// five years (Automatisk anonymisering) reaches. Their archived invoices' retention ended with
/// 2024, so purge-invoice-archive removes them once the rule has run.
async fn seed_dormant_customers(db: &dyn Seeder, tenant: TenantId) -> Result<(), RepoError> {
    use app::model::{NewSale, SaleLine};
    const QUIET_SINCE_MS: i64 = 1_559_347_200_000; // 2019-06-01
    let people = [("50001", "Sigrid", "Sovesen"), ("50002", "Torstein", "Tidligere"), ("50003", "Hedda", "Hvilende")];
    for (i, (number, first, last)) in people.into_iter().enumerate() {
        let input = CustomerInput {
            kind: CustomerKind::Private,
            customer_number: number.into(),
            first_name: first.into(),
            last_name: last.into(),
            address_line: "Gamleveien 3".into(),
            postal_code: "2317".into(),
            city: "Hamar".into(),
            ..Default::default()
        };
        let contact = ContactPersonInput { name: format!("{first} {last}"), ..Default::default() };
        let customer = ValidCustomer::parse(&input).expect("valid demo customer");
        db.insert_customers(tenant, &[(customer, vec![ValidContactPerson::parse(&contact).expect("valid demo contact")])]).await?;
        let id = db.search_customers(tenant, &[number.to_string()], 5, 0).await?.into_iter().find(|h| h.customer_number == number).ok_or(RepoError::NotFound)?.id;
        let sale = NewSale {
            order_number: format!("O-90{i}"),
            invoice_number: format!("90{i}"),
            date: "2019-05-20".into(),
            note: String::new(),
            lines: vec![SaleLine { text: "Regnskapsføring 2018".into(), quantity: 1, unit_price_ore: 40_000 }],
            vat_percent: 25,
        };
        let invoice = db.record_sale(tenant, id, &sale).await?;
        db.record_payment(tenant, invoice, 50_000, "2019-06-01").await?;
        db.backdate_customers(tenant, Some(id), QUIET_SINCE_MS).await?;
    }
    Ok(())
}

/// Consents as if typed in from signed paper forms: Ola has given the newsletter and withdrawn
/// SMS offers, Kari has given the newsletter, Ingrid said yes to telephone sales and then no.
async fn seed_demo_consents(db: &dyn Seeder, tenant: TenantId, admin: StaffUserId) -> Result<(), RepoError> {
    let by = ConsentContext {
        actor: ConsentActor::Staff,
        staff_user: Some(admin),
        source: ConsentSource::PaperForm,
        ip: None,
        user_agent: None,
    };
    let steps: [(&str, &str, bool); 6] = [
        ("10001", "nyhetsbrev-epost", true),
        ("10001", "tilbud-sms", true),
        ("10001", "tilbud-sms", false),
        ("10002", "nyhetsbrev-epost", true),
        ("20001", "telefonsalg", true),
        ("20001", "telefonsalg", false),
    ];
    for (number, code, given) in steps {
        let hits = db.search_customers(tenant, &[number.to_string()], 5, 0).await?;
        let hit = hits.iter().find(|h| h.customer_number == number).ok_or(RepoError::NotFound)?;
        let consents = db.customer_consents(tenant, hit.id).await?;
        let purpose = consents.purposes.iter().find(|p| p.input.code == code).ok_or(RepoError::NotFound)?;
        let (contact, _) = consents.contact_persons.first().ok_or(RepoError::NotFound)?;
        let change = ConsentChange { contact_person_id: *contact, purpose_id: purpose.id, given };
        db.save_consents(tenant, hit.id, consents.consent_version, &[change], &by).await?;
    }
    Ok(())
}

/// A few hand-written customers the docs and browser tests refer to by name.
fn demo_customers(tenant_index: usize) -> Vec<(ValidCustomer, Vec<ValidContactPerson>)> {
    let people: &[(&str, &str, &str, &str, &str)] = if tenant_index == 0 {
        &[
            ("10001", "Ola", "Nordmann", "ola.nordmann@example.no", "912 34 567"),
            ("10002", "Kari", "Nordmann", "kari.nordmann@example.no", "481 23 456"),
            ("10003", "Åse", "Ødegård", "ase.odegard@example.no", "934 56 789"),
            ("10004", "Nils", "Nilsen", "nils.nilsen@example.no", "922 33 444"),
        ]
    } else {
        &[("10001", "Per", "Fjellvik", "per@fjellvik.example.no", "917 00 000")]
    };
    let mut out: Vec<_> = people
        .iter()
        .map(|(number, first, last, email, phone)| {
            let c = CustomerInput {
                kind: CustomerKind::Private,
                customer_number: (*number).into(),
                first_name: (*first).into(),
                last_name: (*last).into(),
                address_line: "Storgata 1".into(),
                postal_code: "0155".into(),
                city: "Oslo".into(),
                email: (*email).into(),
                phone: (*phone).into(),
                ..Default::default()
            };
            let me = ContactPersonInput { name: format!("{first} {last}"), email: (*email).into(), phone: (*phone).into(), ..Default::default() };
            (ValidCustomer::parse(&c).expect("valid demo customer"), vec![ValidContactPerson::parse(&me).expect("valid demo contact")])
        })
        .collect();
    if tenant_index == 0 {
        let business = CustomerInput {
            kind: CustomerKind::Business,
            customer_number: "20001".into(),
            company_name: "Ærlig Øl og Bakeri AS".into(),
            org_no: "923609016".into(),
            address_line: "Bryggen 5".into(),
            postal_code: "5003".into(),
            city: "Bergen".into(),
            email: "post@aerlig.example.no".into(),
            phone: "55 12 34 56".into(),
            tags: "bedrift, bakeri".into(),
            ..Default::default()
        };
        let contacts = [("Ingrid Berg", "Daglig leder", "ingrid@aerlig.example.no", "926 11 222"), ("Jonas Lie", "Regnskap", "jonas@aerlig.example.no", "")]
            .iter()
            .map(|(name, position, email, phone)| {
                ValidContactPerson::parse(&ContactPersonInput { name: (*name).into(), position: (*position).into(), email: (*email).into(), phone: (*phone).into() })
                    .expect("valid demo contact")
            })
            .collect();
        out.push((ValidCustomer::parse(&business).expect("valid demo business"), contacts));
    }
    out
}

const FIRST_NAMES: &[&str] = &[
    "Ole", "Lars", "Knut", "Jan", "Per", "Bjørn", "Arne", "Kjell", "Hans", "Geir", "Anne", "Inger", "Kari", "Marit",
    "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Solveig", "Håkon", "Sigrid", "Øystein", "Åsmund", "Tove", "Nora", "Emma",
    "Jakob", "Emil", "Sofie", "Ida", "Mathias", "Henrik", "Ingeborg", "Torunn", "Ragnhild", "Eirik", "Sindre", "Maja", "Frøydis",
];
const LAST_NAMES: &[&str] = &[
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen", "Karlsen", "Johnsen",
    "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen",
    "Henriksen", "Lund", "Sørensen", "Jakobsen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg", "Svendsen", "Eide",
    "Knutsen", "Martinsen", "Paulsen", "Bakken", "Kristoffersen", "Mathisen", "Lie", "Amundsen", "Nguyen", "Rasmussen",
    "Ødegård", "Sæther", "Bråten", "Løken", "Fjeld", "Aasen", "Østby",
];
const COMPANY_WORDS: &[&str] = &[
    "Fjord", "Nordlys", "Vik", "Berg", "Skog", "Fjell", "Hav", "Bygg", "Elektro", "Rør", "Regnskap", "Transport", "Data",
    "Bakeri", "Frisør", "Maskin", "Eiendom", "Marin", "Sjømat", "Trafikk", "Øst", "Vest", "Sør", "Nord", "Tre", "Stål",
];
const COMPANY_SUFFIXES: &[&str] = &["AS", "AS", "AS", "ANS", "DA", "Holding AS", "og Sønner AS"];
const PLACES: &[(&str, &str)] = &[
    ("0150", "Oslo"), ("0560", "Oslo"), ("5003", "Bergen"), ("7010", "Trondheim"), ("4006", "Stavanger"), ("9008", "Tromsø"),
    ("4610", "Kristiansand"), ("3015", "Drammen"), ("1606", "Fredrikstad"), ("2317", "Hamar"), ("6002", "Ålesund"),
    ("8006", "Bodø"), ("2815", "Gjøvik"), ("3510", "Hønefoss"), ("1530", "Moss"), ("9600", "Hammerfest"),
];
const STREETS: &[&str] = &["Storgata", "Kirkegata", "Skolegata", "Strandveien", "Bakkeveien", "Fjordgata", "Granveien", "Løkkeveien", "Sjøgata"];
const POSITIONS: &[&str] = &["Daglig leder", "Innkjøper", "Regnskap", "Salg", "Kundeservice", "Styreleder"];

/// A valid organisation number: 8 or 9 first, then the mod-11 check digit.
fn org_no(rng: &mut StdRng) -> String {
    const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
    loop {
        let mut digits: Vec<u32> = vec![rng.gen_range(8..=9)];
        digits.extend((0..7).map(|_| rng.gen_range(0..10)));
        let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
        let check = match 11 - sum % 11 {
            11 => 0,
            10 => continue,
            c => c,
        };
        digits.push(check);
        return digits.iter().map(|d| char::from_digit(*d, 10).unwrap_or('0')).collect();
    }
}

fn ascii_mail_part(s: &str) -> String {
    s.to_lowercase().replace('æ', "ae").replace('ø', "o").replace('å', "a").replace(' ', ".")
}

fn person(rng: &mut StdRng) -> (String, String, String, String) {
    let first = *FIRST_NAMES.choose(rng).unwrap_or(&"Ola");
    let last = *LAST_NAMES.choose(rng).unwrap_or(&"Nordmann");
    let email = format!("{}.{}{}@example.no", ascii_mail_part(first), ascii_mail_part(last), rng.gen_range(1..1000));
    let phone = format!("{}{:07}", [4, 9][rng.gen_range(0..2)], rng.gen_range(0..10_000_000));
    (first.into(), last.into(), email, phone)
}

/// One generated customer with zero to three contact persons.
pub fn generated_customer(rng: &mut StdRng, number: u64) -> (ValidCustomer, Vec<ValidContactPerson>) {
    let (postal_code, city) = *PLACES.choose(rng).unwrap_or(&("0150", "Oslo"));
    let address_line = format!("{} {}", STREETS.choose(rng).unwrap_or(&"Storgata"), rng.gen_range(1..200));
    let business = rng.gen_bool(0.3);
    let (first, last, email, phone) = person(rng);
    let input = if business {
        let name = format!(
            "{} {} {}",
            COMPANY_WORDS.choose(rng).unwrap_or(&"Fjord"),
            COMPANY_WORDS.choose(rng).unwrap_or(&"Bygg"),
            COMPANY_SUFFIXES.choose(rng).unwrap_or(&"AS")
        );
        CustomerInput {
            kind: CustomerKind::Business,
            customer_number: number.to_string(),
            company_name: name,
            org_no: org_no(rng),
            address_line,
            postal_code: postal_code.into(),
            city: city.into(),
            email: format!("post{}@{}.example.no", rng.gen_range(1..100), ascii_mail_part(&last).replace('.', "")),
            phone: phone.clone(),
            ..Default::default()
        }
    } else {
        CustomerInput {
            kind: CustomerKind::Private,
            customer_number: number.to_string(),
            first_name: first.clone(),
            last_name: last.clone(),
            address_line,
            postal_code: postal_code.into(),
            city: city.into(),
            email: email.clone(),
            phone: phone.clone(),
            ..Default::default()
        }
    };
    let contacts = if business {
        (0..rng.gen_range(0..=3))
            .map(|_| {
                let (f, l, e, p) = person(rng);
                ContactPersonInput { name: format!("{f} {l}"), position: POSITIONS.choose(rng).unwrap_or(&"Salg").to_string(), email: e, phone: p }
            })
            .collect()
    } else {
        vec![ContactPersonInput { name: format!("{first} {last}"), position: String::new(), email, phone }]
    };
    (
        ValidCustomer::parse(&input).expect("generated customers are valid"),
        contacts.iter().map(|c| ValidContactPerson::parse(c).expect("generated contacts are valid")).collect(),
    )
}

/// Staff login created by bulk generation, a member of the first generated tenant only.
pub const BULK_LOGIN: &str = "bulk@demo.no";

/// Bulk generation for benchmarks: `customers` spread evenly over `tenants` new tenants.
pub async fn seed_bulk(db: &dyn Seeder, customers: u64, tenants: u64, progress: &indicatif::ProgressBar) -> Result<Vec<TenantId>, RepoError> {
    const BATCH: u64 = 500;
    let mut rng = StdRng::seed_from_u64(customers ^ (tenants << 32));
    let per_tenant = customers.div_ceil(tenants.max(1));
    let mut ids = Vec::new();
    let mut made = 0;
    for t in 0..tenants {
        let tenant = db.create_tenant(&format!("Bulk klient {:03}", t + 1)).await?;
        if t == 0 {
            let user = db.ensure_staff(BULK_LOGIN, "Bulk Bruker", &hash_password(DEMO_PASSWORD)).await?;
            db.add_membership(user, tenant, Role::Staff).await?;
        }
        ids.push(tenant);
        let mut n = 0;
        while n < per_tenant && made < customers {
            let size = BATCH.min(per_tenant - n).min(customers - made);
            let batch: Vec<_> = (0..size).map(|i| generated_customer(&mut rng, 100_000 + n + i)).collect();
            db.insert_customers(tenant, &batch).await?;
            n += size;
            made += size;
            progress.inc(size);
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_customers_are_valid_and_varied() {
        let mut rng = StdRng::seed_from_u64(1);
        let names: std::collections::HashSet<String> = (0..200).map(|n| generated_customer(&mut rng, n).0.sort_name()).collect();
        assert!(names.len() > 100, "only {} distinct names", names.len());
    }

    #[test]
    fn generated_org_nos_pass_the_checksum() {
        let mut rng = StdRng::seed_from_u64(2);
        for _ in 0..500 {
            let o = org_no(&mut rng);
            assert!(app::domain::OrgNo::parse(&o).is_ok(), "{o}");
        }
    }
}

//! Downloads that are files rather than server-function answers: the tenant's consent events
//! as CSV, the proof a company hands to an authority (Datatilsynet) on request, the consent
//! form (Samtykkeskjema) and the invoice copy (Fakturakopi) as PDF.
//!
//! A plain axum GET handler, because a download must be a link the browser saves; it runs the
//! same session, tenant and permission check as every server function.

use app::domain::access::Permission;
use app::error::ApiError;
use app::model::{ConsentEventView, PurposeId};
use app::i18n::{Locale, LANG_COOKIE};
use app::ports::{AccessAction, AppState, ConsentEventFilter};
use axum::extract::{ConnectInfo, Query, State};
use std::net::SocketAddr;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tower_sessions::Session;

pub const CONSENT_EVENTS_PATH: &str = "/eksport/samtykkehendelser.csv";
pub const CONSENT_FORM_PATH: &str = "/eksport/samtykkeskjema.pdf";
pub const INVOICE_COPY_PATH: &str = "/eksport/fakturakopi.pdf";

/// `fra` and `til` are dates (YYYY-MM-DD, both days included, UTC); `formal` a purpose id.
#[derive(Debug, Deserialize, Default)]
pub struct ConsentExportQuery {
    pub fra: Option<String>,
    pub til: Option<String>,
    pub formal: Option<String>,
}

/// Parses the query into a filter; the error names the parameter that was wrong.
pub fn parse_filter(q: &ConsentExportQuery) -> Result<ConsentEventFilter, &'static str> {
    fn day_ms(s: &str) -> Option<i64> {
        let date = app::domain::parse_date(s).ok()??;
        Some(date.midnight().assume_utc().unix_timestamp() * 1000)
    }
    let non_empty = |o: &Option<String>| o.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let from_ms = match non_empty(&q.fra) {
        Some(s) => Some(day_ms(&s).ok_or("fra")?),
        None => None,
    };
    let to_ms = match non_empty(&q.til) {
        Some(s) => Some(day_ms(&s).ok_or("til")? + 24 * 60 * 60 * 1000),
        None => None,
    };
    let purpose = match non_empty(&q.formal) {
        Some(s) => Some(s.parse::<PurposeId>().map_err(|_| "formal")?),
        None => None,
    };
    Ok(ConsentEventFilter { contact_person: None, purpose, from_ms, to_ms })
}

pub const CSV_HEADER: [&str; 15] = [
    "event_id",
    "at_utc",
    "customer_number",
    "contact_person_id",
    "contact_person_name",
    "purpose_code",
    "purpose_version",
    "change",
    "actor",
    "staff_user",
    "source",
    "privacy_policy_version",
    "ip",
    "user_agent",
    "purpose_label",
];

pub fn to_csv(events: &[ConsentEventView]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    for e in events {
        let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(e.at_ms) * 1_000_000)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_default();
        w.write_record([
            e.id.to_string(),
            at,
            e.customer_number.clone(),
            e.contact_person_id.to_string(),
            e.contact_person_name.clone(),
            e.purpose_code.clone(),
            e.purpose_version.to_string(),
            if e.given { "given" } else { "withdrawn" }.to_string(),
            e.actor.as_str().to_string(),
            e.staff_name.clone().unwrap_or_default(),
            e.source.as_str().to_string(),
            e.policy_version.map(|v| v.to_string()).unwrap_or_default(),
            e.ip.clone().unwrap_or_default(),
            e.user_agent.clone().unwrap_or_default(),
            e.purpose_label_nb.clone(),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// A CSV file the browser saves, never cached (it holds personal data).
fn csv_download(filename: &str, body: Result<Vec<u8>, csv::Error>) -> Response {
    match body {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, filename, "csv export");
            refuse(ApiError::Internal)
        }
    }
}

fn refuse(error: ApiError) -> Response {
    let status = match error {
        ApiError::NotLoggedIn | ApiError::NoTenantChosen => StatusCode::UNAUTHORIZED,
        ApiError::Forbidden | ApiError::MissingRight(_) => StatusCode::FORBIDDEN,
        ApiError::Invalid(_) => StatusCode::BAD_REQUEST,
        ApiError::NotFound => StatusCode::NOT_FOUND,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, axum::Json(error)).into_response()
}

pub async fn consent_events_csv(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<ConsentExportQuery>,
) -> Response {
    // A report of every consent change: the Rapporter right, and seeing consents at all.
    let allowed = app::session::staff_allowed_of(state, session, Permission::Reports).await;
    let ctx = match allowed.and_then(|c| c.require(Permission::ConsentRead)) {
        Ok(ctx) => ctx,
        Err(e) => return refuse(e),
    };
    let filter = match parse_filter(&query) {
        Ok(f) => f,
        Err(field) => return refuse(ApiError::invalid(field, app::domain::FieldError::InvalidDate)),
    };
    let events = match ctx.state.repo.consent_events(ctx.tenant.id, &filter).await {
        Ok(events) => events,
        Err(e) => return refuse(e.into()),
    };
    let period = format!("fra={} til={} formal={}", query.fra.as_deref().unwrap_or(""), query.til.as_deref().unwrap_or(""), query.formal.as_deref().unwrap_or(""));
    if let Err(e) = ctx.log_from(AccessAction::ConsentEventsExported, None, Some(period), Some(peer.ip().to_string())).await {
        return refuse(e);
    }
    csv_download("samtykkehendelser.csv", to_csv(&events))
}

#[derive(Debug, Deserialize, Default)]
pub struct ConsentFormQuery {
    pub kunde: Option<i64>,
}

/// The page's language: the `lang` cookie the UI sets, Norwegian without one.
fn locale_of(headers: &axum::http::HeaderMap) -> Locale {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(&format!("{LANG_COOKIE}=")).map(Locale::from_code))
        .unwrap_or_default()
}

/// Samtykkeskjema as a PDF, blank or (with `kunde`) pre-filled; any staff member may print it.
pub async fn consent_form_pdf(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    Query(query): Query<ConsentFormQuery>,
) -> Response {
    let allowed = app::session::staff_allowed_of(state, session, Permission::CustomerRead).await;
    // Filled in for a customer, the form shows where their consents stand.
    let ctx = match allowed.and_then(|c| if query.kunde.is_some() { c.require(Permission::ConsentRead) } else { Ok(c) }) {
        Ok(ctx) => ctx,
        Err(e) => return refuse(e),
    };
    let data = match app::api::consent_form_data(ctx.state.repo.as_ref(), ctx.tenant.id, query.kunde).await {
        Ok(data) => data,
        Err(e) => return refuse(e),
    };
    if let Err(e) = ctx.log_from(AccessAction::ConsentFormPrinted, query.kunde, Some("pdf".into()), Some(peer.ip().to_string())).await {
        return refuse(e);
    }
    pdf_download("samtykkeskjema.pdf", crate::pdf::consent_form(&data, locale_of(&headers)))
}

fn pdf_download(filename: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub struct InvoiceCopyQuery {
    pub faktura: app::model::InvoiceId,
}

/// Fakturakopi as a PDF: the same copy, right and log entry as the print view.
pub async fn invoice_copy_pdf(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    Query(query): Query<InvoiceCopyQuery>,
) -> Response {
    let ctx = match app::session::staff_allowed_of(state, session, Permission::CustomerRead).await {
        Ok(ctx) => ctx,
        Err(e) => return refuse(e),
    };
    let (customer, copy) = match ctx.state.repo.invoice_copy(ctx.tenant.id, query.faktura).await {
        Ok(found) => found,
        Err(e) => return refuse(e.into()),
    };
    let object = Some(format!("invoice:{} pdf", query.faktura));
    if let Err(e) = ctx.log_from(AccessAction::InvoiceCopyPrinted, Some(customer), object, Some(peer.ip().to_string())).await {
        return refuse(e);
    }
    pdf_download(&format!("faktura-{}.pdf", copy.invoice_number), crate::pdf::invoice_copy(&copy, locale_of(&headers)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(fra: &str, til: &str, formal: &str) -> ConsentExportQuery {
        ConsentExportQuery { fra: Some(fra.into()), til: Some(til.into()), formal: Some(formal.into()) }
    }

    #[test]
    fn the_period_includes_both_days() {
        let f = parse_filter(&q("2026-12-01", "2026-12-01", "")).unwrap();
        assert_eq!(f.from_ms, Some(1_796_083_200_000));
        assert_eq!(f.to_ms, Some(1_796_083_200_000 + 86_400_000));
        assert_eq!(f.purpose, None);
        let none = parse_filter(&ConsentExportQuery::default()).unwrap();
        assert_eq!((none.from_ms, none.to_ms, none.purpose), (None, None, None));
    }

    #[test]
    fn a_bad_parameter_is_named() {
        assert_eq!(parse_filter(&q("1.12.2026", "", "")).unwrap_err(), "fra");
        assert_eq!(parse_filter(&q("", "2026-13-01", "")).unwrap_err(), "til");
        assert_eq!(parse_filter(&q("", "", "nyhetsbrev")).unwrap_err(), "formal");
        assert_eq!(parse_filter(&q("", "", "7")).unwrap().purpose, Some(7));
    }
}

/// "Mine data" for the logged-in Min Side customer (GDPR art. 15 and 20): the same content as
/// the page, as a JSON file. Routed through the customer session like the rest of `/min-side`.
pub const MY_DATA_PATH: &str = "/min-side/mine-data.json";

pub async fn my_data_json(State(state): State<AppState>, session: Session, ConnectInfo(peer): ConnectInfo<SocketAddr>) -> Response {
    let me = match app::session::customer_of(state, session).await {
        Ok(me) => me,
        Err(e) => return refuse(e),
    };
    let data = match app::api::my_data_of(me.state.repo.as_ref(), &me.account).await {
        Ok(data) => data,
        Err(e) => return refuse(e),
    };
    if let Err(e) = me.log(AccessAction::MyDataExported, Some("json".into()), Some(peer.ip().to_string())).await {
        return refuse(e);
    }
    match serde_json::to_vec_pretty(&data) {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "application/json; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"mine-data.json\""),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "my data export");
            refuse(ApiError::Internal)
        }
    }
}

pub const ACCESS_LOG_PATH: &str = "/eksport/innsynslogg.csv";
/// A download holds at most this many entries; a narrower filter gets the rest.
pub const ACCESS_LOG_EXPORT_LIMIT: u32 = 100_000;

/// The Innsynslogg filter as query parameters: `bruker` (user id), `kunde` (customer number),
/// `handling` (action code), `fra` and `til` (days, both included).
#[derive(Debug, Deserialize, Default)]
pub struct AccessLogExportQuery {
    pub bruker: Option<String>,
    pub kunde: Option<String>,
    pub handling: Option<String>,
    pub fra: Option<String>,
    pub til: Option<String>,
}

impl AccessLogExportQuery {
    fn filter(&self) -> Result<app::model::AccessLogFilter, ApiError> {
        let user = match self.bruker.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(s.parse().map_err(|_| ApiError::invalid("user", app::domain::FieldError::InvalidCode))?),
            None => None,
        };
        Ok(app::model::AccessLogFilter { user, customer_number: self.kunde.clone(), action: self.handling.clone(), from: self.fra.clone(), to: self.til.clone() })
    }
}

pub const ACCESS_LOG_CSV_HEADER: [&str; 9] = ["seq", "at_utc", "who", "actor", "action", "customer_id", "customer", "details", "ip"];

pub fn access_log_csv(rows: &[app::model::AccessLogRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(ACCESS_LOG_CSV_HEADER)?;
    for r in rows {
        let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(r.at_ms) * 1_000_000)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_default();
        w.write_record([
            r.seq.to_string(),
            at,
            r.who.clone(),
            if r.by_customer { "customer" } else { "staff" }.to_string(),
            r.action.clone(),
            r.customer_id.map(|c| c.to_string()).unwrap_or_default(),
            r.customer.clone().unwrap_or_default(),
            r.object.clone().unwrap_or_default(),
            r.ip.clone().unwrap_or_default(),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The Innsynslogg as CSV, newest first, with the filter of the page; the export is logged.
pub async fn access_log_csv_download(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<AccessLogExportQuery>,
) -> Response {
    let ctx = match app::session::staff_allowed_of(state, session, Permission::AccessLog).await {
        Ok(ctx) => ctx,
        Err(e) => return refuse(e),
    };
    let parsed = query.filter().and_then(|f| app::api::access_log_query(&f));
    let filter = match parsed {
        Ok(f) => f,
        Err(e) => return refuse(e),
    };
    let rows = match ctx.state.repo.access_log_rows(ctx.tenant.id, &filter, None, ACCESS_LOG_EXPORT_LIMIT).await {
        Ok(rows) => rows,
        Err(e) => return refuse(e.into()),
    };
    // The filter, not its results: a customer number is an identifier, not personal data here.
    let object = format!(
        "bruker={} kunde={} handling={} fra={} til={} rader={}",
        query.bruker.as_deref().unwrap_or(""),
        query.kunde.as_deref().unwrap_or(""),
        query.handling.as_deref().unwrap_or(""),
        query.fra.as_deref().unwrap_or(""),
        query.til.as_deref().unwrap_or(""),
        rows.len()
    );
    if let Err(e) = ctx.log_from(AccessAction::AccessLogExported, None, Some(object), Some(peer.ip().to_string())).await {
        return refuse(e);
    }
    csv_download("innsynslogg.csv", access_log_csv(&rows))
}

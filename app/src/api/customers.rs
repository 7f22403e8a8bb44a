#[allow(unused_imports)]
use crate::domain::access::Permission;
use crate::error::ApiError;
use crate::model::*;
use leptos::prelude::*;
use server_fn::codec::Json;

#[server(prefix = "/api", endpoint = "search_customers")]
pub async fn search_customers(query: String, page: u32) -> Result<SearchPage, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::CustomerRead).await?;
    let terms = crate::domain::search_terms(&query);
    let page = page.min(10_000);
    // One row more than a page tells whether there is a next page without counting them all.
    let mut hits = ctx
        .state
        .repo
        .search_customers(ctx.tenant.id, &terms, SEARCH_PAGE_SIZE + 1, page * SEARCH_PAGE_SIZE)
        .await?;
    let has_more = hits.len() > SEARCH_PAGE_SIZE as usize;
    hits.truncate(SEARCH_PAGE_SIZE as usize);
    Ok(SearchPage { hits, page, has_more })
}

#[server(prefix = "/api", endpoint = "load_customer_card")]
pub async fn load_customer_card(id: CustomerId) -> Result<CustomerCard, ApiError> {
    let ctx = crate::session::staff_allowed(Permission::CustomerRead).await?;
    let card = ctx.state.repo.customer_card(ctx.tenant.id, id).await?;
    ctx.log(crate::ports::AccessAction::CustomerCardViewed, Some(id), None).await?;
    Ok(card)
}

/// Creates (`id` None) or updates a customer; answers the id and the new version.
#[server(prefix = "/api", endpoint = "save_customer", input = Json)]
pub async fn save_customer(
    id: Option<CustomerId>,
    version: i64,
    input: CustomerInput,
) -> Result<(CustomerId, i64), ApiError> {
    let ctx = crate::session::staff_allowed(Permission::CustomerWrite).await?;
    let valid = crate::forms::ValidCustomer::parse(&input).map_err(ApiError::Invalid)?;
    let repo = &ctx.state.repo;
    let saved = match id {
        None => (repo.create_customer(ctx.tenant.id, &valid).await?, 1),
        Some(id) => (id, repo.update_customer(ctx.tenant.id, id, version, &valid).await?),
    };
    ctx.log(crate::ports::AccessAction::CustomerSaved, Some(saved.0), None).await?;
    Ok(saved)
}

#[server(prefix = "/api", endpoint = "save_contact_person", input = Json)]
pub async fn save_contact_person(
    customer_id: CustomerId,
    id: Option<ContactPersonId>,
    version: i64,
    input: ContactPersonInput,
) -> Result<(ContactPersonId, i64), ApiError> {
    let ctx = crate::session::staff_allowed(Permission::CustomerWrite).await?;
    let valid = crate::forms::ValidContactPerson::parse(&input).map_err(ApiError::Invalid)?;
    let repo = &ctx.state.repo;
    let saved = match id {
        None => (repo.create_contact_person(ctx.tenant.id, customer_id, &valid).await?, 1),
        Some(id) => (id, repo.update_contact_person(ctx.tenant.id, id, version, &valid).await?),
    };
    ctx.log(crate::ports::AccessAction::ContactPersonSaved, Some(customer_id), Some(format!("contact_person:{}", saved.0))).await?;
    Ok(saved)
}

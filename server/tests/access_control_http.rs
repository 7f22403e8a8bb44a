//! Tilgangsstyring through the real HTTP stack, on SQLite and on PostgreSQL: groups give rights
//! from the member's next request, edits conflict instead of overwriting, and the administrator
//! mark is guarded.

mod common;

use app::domain::access::Permission;
use app::domain::FieldError;
use app::error::ApiError;
use app::model::{AccessControl, AccessGroup, Me, SearchPage};
use common::{Backend, Client, TestApp};
use serde_json::json;

async fn in_tenant(app: &TestApp, email: &str, tenant: &str) -> Client {
    app.staff_in(email, tenant).await
}

async fn nordlys(app: &TestApp, email: &str) -> Client {
    in_tenant(app, email, "Nordlys Regnskap AS").await
}

async fn search(client: &Client) -> Result<SearchPage, ApiError> {
    client.call("search_customers", &[("query", ""), ("page", "0")]).await
}

async fn save(client: &Client, g: &AccessGroup, name: &str, rights: &[Permission], members: &[i64]) -> Result<AccessGroup, ApiError> {
    client
        .call_json("save_access_group", json!({ "id": g.id, "version": g.version, "name": name, "rights": rights, "members": members }))
        .await
}

async fn delete(client: &Client, id: i64, version: i64) -> Result<(), ApiError> {
    client.call("delete_access_group", &[("id", &id.to_string()), ("version", &version.to_string())]).await
}

async fn mark(client: &Client, user: i64, admin: bool) -> Result<(), ApiError> {
    client.call("set_administrator", &[("user_id", &user.to_string()), ("admin", &admin.to_string())]).await
}

async fn rights_follow_the_groups_from_the_next_request(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = nordlys(&app, "admin@demo.no").await;
    let staff = nordlys(&app, "ansatt@demo.no").await;

    let control: AccessControl = admin.call("load_access_control", &[]).await.unwrap();
    let everyone = control.groups.iter().find(|g| g.name == "Alle ansatte").unwrap().clone();
    let ansatt = control.staff.iter().find(|s| s.email == "ansatt@demo.no").unwrap().user_id;
    assert_eq!(everyone.members, vec![ansatt]);
    assert!(everyone.rights.contains(Permission::CustomerRead) && !everyone.rights.contains(Permission::Secrets));
    assert!(search(&staff).await.is_ok());

    // The group loses the customer rights: the same session is refused on its next call.
    let only_reports = save(&admin, &everyone, "Alle ansatte", &[Permission::Reports], &[ansatt]).await.unwrap();
    assert_eq!(search(&staff).await, Err(ApiError::MissingRight(Permission::CustomerRead)));
    let me: Me = staff.call("whoami", &[]).await.unwrap();
    assert_eq!(me.rights.iter().collect::<Vec<_>>(), vec![Permission::Reports]);

    // A second group gives reading back, and reading only.
    let readers: AccessGroup = admin.call("create_access_group", &[("name", "Lesetilgang")]).await.unwrap();
    save(&admin, &readers, "Lesetilgang", &[Permission::CustomerRead], &[ansatt]).await.unwrap();
    let page = search(&staff).await.unwrap();
    let customer = page.hits[0].id;
    let card: app::model::CustomerCard = staff.call("load_customer_card", &[("id", &customer.to_string())]).await.unwrap();
    let edit = json!({ "id": customer, "version": card.customer.version, "input": card.customer.input });
    assert_eq!(staff.call_json::<(i64, i64)>("save_customer", edit).await, Err(ApiError::MissingRight(Permission::CustomerWrite)));
    assert_eq!(
        staff.call::<app::model::CustomerConsents>("load_consents", &[("customer_id", &customer.to_string())]).await,
        Err(ApiError::MissingRight(Permission::ConsentRead))
    );
    // Tilgangsstyring itself needs its right.
    assert_eq!(staff.call::<AccessControl>("load_access_control", &[]).await, Err(ApiError::MissingRight(Permission::AccessControl)));

    // Out of the first group, what the second gives remains.
    save(&admin, &only_reports, "Alle ansatte", &[Permission::Reports], &[]).await.unwrap();
    let me: Me = staff.call("whoami", &[]).await.unwrap();
    assert_eq!(me.rights.iter().collect::<Vec<_>>(), vec![Permission::CustomerRead]);

    // Every change is in the access log, with what it granted to whom.
    let tenant = me.tenant.unwrap().id;
    let log = app.db.repository().access_entries(tenant).await.unwrap();
    let saved: Vec<_> = log.iter().filter(|e| e.action == "access_group_saved").map(|e| e.object.clone().unwrap()).collect();
    assert_eq!(saved.len(), 3);
    assert!(saved[1].ends_with(&format!("rights:customer_read members:{ansatt}")), "{saved:?}");
    assert!(log.iter().any(|e| e.action == "access_group_created"));
}

async fn group_edits_conflict_names_are_unique_and_rights_bring_what_they_need(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = nordlys(&app, "admin@demo.no").await;

    let group: AccessGroup = admin.call("create_access_group", &[("name", "Regnskap")]).await.unwrap();
    let taken = admin.call::<AccessGroup>("create_access_group", &[("name", " regnskap ")]).await.unwrap_err();
    assert_eq!(taken.field_errors().and_then(|f| f.get("name")), Some(FieldError::Taken));
    let blank = save(&admin, &group, "  ", &[], &[]).await.unwrap_err();
    assert_eq!(blank.field_errors().and_then(|f| f.get("name")), Some(FieldError::Required));

    let saved = save(&admin, &group, "Regnskap og lønn", &[Permission::ConsentWrite], &[]).await.unwrap();
    assert_eq!(
        saved.rights.iter().collect::<Vec<_>>(),
        vec![Permission::CustomerRead, Permission::ConsentRead, Permission::ConsentWrite]
    );
    assert_eq!(saved.version, group.version + 1);
    // Saving from the version before is a conflict; nothing of it is stored.
    assert_eq!(save(&admin, &group, "Overskrevet", &[], &[]).await, Err(ApiError::Conflict));
    // Someone who is not a member of the tenant cannot be added.
    assert_eq!(save(&admin, &saved, "Regnskap og lønn", &[], &[999_999]).await, Err(ApiError::NotFound));
    let control: AccessControl = admin.call("load_access_control", &[]).await.unwrap();
    let stored = control.groups.iter().find(|g| g.id == group.id).unwrap();
    assert_eq!(stored, &saved);

    // Another tenant's administrator finds no such group.
    let fjellvik = in_tenant(&app, "admin@demo.no", "Fjellvik Sport AS").await;
    assert_eq!(save(&fjellvik, &saved, "Kapret", &[], &[]).await, Err(ApiError::NotFound));
    assert_eq!(delete(&fjellvik, saved.id, saved.version).await, Err(ApiError::NotFound));

    assert_eq!(delete(&admin, saved.id, group.version).await, Err(ApiError::Conflict));
    delete(&admin, saved.id, saved.version).await.unwrap();
    let control: AccessControl = admin.call("load_access_control", &[]).await.unwrap();
    assert!(control.groups.iter().all(|g| g.id != group.id));
}

async fn only_administrators_mark_administrators_and_the_last_one_stays(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = nordlys(&app, "admin@demo.no").await;
    let staff = nordlys(&app, "ansatt@demo.no").await;
    let control: AccessControl = admin.call("load_access_control", &[]).await.unwrap();
    let me = control.staff.iter().find(|s| s.email == "admin@demo.no").unwrap().user_id;
    let ansatt = control.staff.iter().find(|s| s.email == "ansatt@demo.no").unwrap().user_id;

    assert_eq!(mark(&admin, me, false).await, Err(ApiError::LastAdministrator));

    // A member who manages groups may not make anyone an administrator, themselves least of all.
    let managers: AccessGroup = admin.call("create_access_group", &[("name", "Tilgang")]).await.unwrap();
    save(&admin, &managers, "Tilgang", &[Permission::AccessControl], &[ansatt]).await.unwrap();
    assert!(staff.call::<AccessControl>("load_access_control", &[]).await.is_ok());
    assert_eq!(mark(&staff, ansatt, true).await, Err(ApiError::Forbidden));

    mark(&admin, ansatt, true).await.unwrap();
    let now: Me = staff.call("whoami", &[]).await.unwrap();
    assert!(Permission::ALL.iter().all(|p| now.rights.contains(*p)));
    // With a second administrator, the first may step down, and then holds only what groups give.
    mark(&admin, me, false).await.unwrap();
    assert_eq!(search(&admin).await, Err(ApiError::MissingRight(Permission::CustomerRead)));
    assert_eq!(mark(&staff, 999_999, true).await, Err(ApiError::NotFound));

    let tenant = now.tenant.unwrap().id;
    let log = app.db.repository().access_entries(tenant).await.unwrap();
    let marks: Vec<_> = log.iter().filter(|e| e.action.starts_with("administrator_")).map(|e| (e.action.as_str(), e.object.clone())).collect();
    assert_eq!(
        marks,
        vec![("administrator_marked", Some(format!("user:{ansatt}"))), ("administrator_unmarked", Some(format!("user:{me}")))]
    );
}

both_databases!(
    rights_follow_the_groups_from_the_next_request,
    group_edits_conflict_names_are_unique_and_rights_bring_what_they_need,
    only_administrators_mark_administrators_and_the_last_one_stays,
);

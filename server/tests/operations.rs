//! Operations on either database: backups taken while consents are saved, restores and restore
//! drills (including the ones that must fail), and two app servers on one database.

mod common;

use app::error::ApiError;
use app::model::*;
use common::{count, first_consent, Backend, Client, TestApp};
use serde_json::json;
use server::backup::{self, BackupOptions};
use server::db::Database;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join("samtykke-tests").join(format!("{name}-{}-{}", std::process::id(), server::auth::now_ms()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn first_given(grid: &CustomerConsents) -> bool {
    first_consent(grid).2
}

/// Flips the first consent of the customer's first contact person from the latest version,
/// again after a conflict: answers whether the save was acknowledged and what it set.
async fn flip_consent(client: &Client, customer: CustomerId) -> Result<bool, ApiError> {
    loop {
        let grid: CustomerConsents = client.call("load_consents", &[("customer_id", &customer.to_string())]).await?;
        let (contact, purpose, given) = first_consent(&grid);
        let given = !given;
        let change = ConsentChange { contact_person_id: contact, purpose_id: purpose, given };
        let saved: Result<i64, ApiError> =
            client.call_json("save_consents", json!({ "customer_id": customer, "consent_version": grid.consent_version, "changes": [change] })).await;
        match saved {
            Ok(_) => return Ok(given),
            Err(ApiError::Conflict) => continue,
            Err(e) => return Err(e),
        }
    }
}

fn options(dir: &Path, keep: usize) -> BackupOptions {
    BackupOptions { dir: dir.to_path_buf(), copy_to: None, keep, recipients: vec![] }
}

fn new_url_like(app: &TestApp, dir: &Path) -> String {
    match app.db {
        Database::Sqlite(_) => format!("sqlite://{}/restored.db", dir.display()),
        Database::Postgres(_) => format!("{}_restored", app.url),
    }
}

async fn a_backup_taken_while_consents_are_saved_restores_to_its_backup_point(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = Arc::new(app.staff_in("ansatt@demo.no", "Nordlys Regnskap AS").await);
    let ase = client.customer_id("10003").await;
    let dir = scratch_dir("backup");
    let (backups, second) = (dir.join("backups"), dir.join("second"));

    let stop = Arc::new(AtomicBool::new(false));
    let writer = tokio::spawn({
        let (client, stop) = (client.clone(), stop.clone());
        async move {
            let mut saved = 0;
            while !stop.load(Ordering::Relaxed) {
                flip_consent(&client, ase).await.unwrap();
                saved += 1;
            }
            saved
        }
    });
    // Let the writer get going, then three backups into a folder that keeps two, with a copy.
    while count(&app.db, "SELECT COUNT(*) FROM consent_events WHERE source = 'staff_card'").await < 3 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let events = || count(&app.db, "SELECT COUNT(*) FROM consent_events");
    let mut manifests = Vec::new();
    let mut around_last = (0, 0);
    for _ in 0..3 {
        let options = BackupOptions { copy_to: Some(second.clone()), ..options(&backups, 2) };
        let before = events().await;
        manifests.push(backup::backup(&app.db, &app.url, &options).await.unwrap());
        around_last = (before, events().await);
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
    // Saves go on after the last backup, so "now" and "the backup point" differ.
    while events().await <= around_last.1 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let saved = writer.await.unwrap();
    assert!(saved >= 3, "the writer saved {saved} times");

    // Two generations in each folder, the newest two, with the same files.
    let names = |d: &Path| backup::manifests(d).unwrap().iter().map(|p| p.file_name().unwrap().to_string_lossy().to_string()).collect::<Vec<_>>();
    assert_eq!(names(&backups).len(), 2);
    assert_eq!(names(&backups), names(&second));
    assert!(!backups.join(&manifests[0].file).exists(), "the oldest backup is removed");
    assert!(backups.join(&manifests[2].file).exists() && second.join(&manifests[2].file).exists());

    // The drill restores the newest into a scratch database and finds it whole.
    let newest = backup::choose(&backups, None).unwrap();
    let scratch = backup::scratch_url(backup::Backend::of_url(&app.url).unwrap(), &app.url, &backups).unwrap();
    let report = backup::drill(&newest, None, &scratch).await.unwrap();
    assert_eq!(report.problems, Vec::<String>::new());
    assert_eq!(report.backup, manifests[2].file);
    assert!(report.tables >= 30 && report.rows > 100, "{report:?}");
    let nordlys_entries = report.access_log.iter().map(|(_, n)| n).sum::<usize>();
    assert!(nordlys_entries >= 1, "the staff login is in the restored access log");
    assert!(!scratch_exists(&scratch).await, "the drill removes its scratch copy");

    // Restored for real: the consent events are those of the backup point, which lies within
    // the last backup's run, not those of now.
    let target = new_url_like(&app, &dir);
    if let Some(path) = backup::sqlite_path(&target) {
        // A WAL left beside the target would be replayed onto the restored file: refused.
        std::fs::write(format!("{}-wal", path.display()), b"").unwrap();
        let refused = backup::restore(&newest, None, &target).await.unwrap_err().to_string();
        assert!(refused.contains("-wal exists"), "{refused}");
        std::fs::remove_file(format!("{}-wal", path.display())).unwrap();
    }
    let (manifest, check) = backup::restore(&newest, None, &target).await.unwrap();
    assert!(check.problems.is_empty(), "{:?}", check.problems);
    let restored = Database::open(&target).await.unwrap();
    let at_backup_point = count(&restored, "SELECT COUNT(*) FROM consent_events").await;
    assert_eq!(at_backup_point, manifest.fingerprint.tables["consent_events"].rows as i64);
    let (before, after) = around_last;
    assert!(before <= at_backup_point && at_backup_point <= after, "{before} <= {at_backup_point} <= {after}");
    assert!(at_backup_point < events().await, "the restored copy is the backup point, not now");
    // A restore never overwrites a database that is there.
    restored.close().await;
    let again = backup::restore(&newest, None, &target).await;
    assert!(again.unwrap_err().to_string().contains("exists"), "a second restore into the same target");
    drop_database(&target).await;
    std::fs::remove_dir_all(&dir).ok();
}

async fn scratch_exists(url: &str) -> bool {
    use sqlx::migrate::MigrateDatabase;
    match backup::sqlite_path(url) {
        Some(path) => path.exists(),
        None => sqlx::Postgres::database_exists(url).await.unwrap(),
    }
}

async fn drop_database(url: &str) {
    use sqlx::migrate::MigrateDatabase;
    if backup::sqlite_path(url).is_none() {
        sqlx::Postgres::force_drop_database(url).await.unwrap();
    }
}

async fn an_encrypted_backup_opens_only_with_its_identity(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let dir = scratch_dir("encrypted");
    let identity = dir.join("backup-identity.txt");
    let recipient = backup::generate_identity(&identity).unwrap();
    let other_identity = dir.join("other-identity.txt");
    backup::generate_identity(&other_identity).unwrap();
    let options = BackupOptions { recipients: vec![backup::parse_recipient(&recipient).unwrap()], ..options(&dir.join("b"), 3) };
    let manifest = backup::backup(&app.db, &app.url, &options).await.unwrap();
    assert!(manifest.encrypted && manifest.file.ends_with(".age"));
    // Nothing of the database is readable in the file: not even SQLite's or pg_dump's header.
    let bytes = std::fs::read(dir.join("b").join(&manifest.file)).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("SQLite format") && !text.contains("PGDMP") && !text.contains("Nordlys"));

    let newest = backup::choose(&dir.join("b"), None).unwrap();
    let backend_kind = backup::Backend::of_url(&app.url).unwrap();
    let without = backup::drill(&newest, None, &backup::scratch_url(backend_kind, &app.url, &dir).unwrap()).await;
    assert!(without.unwrap_err().to_string().contains("is encrypted"));
    let wrong = backup::drill(&newest, Some(&other_identity), &backup::scratch_url(backend_kind, &app.url, &dir).unwrap()).await;
    assert!(wrong.unwrap_err().to_string().contains("does not open"));
    let report = backup::drill(&newest, Some(&identity), &backup::scratch_url(backend_kind, &app.url, &dir).unwrap()).await.unwrap();
    assert!(report.problems.is_empty() && report.encrypted, "{report:?}");
    assert!(backup::parse_recipient("age1ikkeengyldignøkkel").is_err());
    std::fs::remove_dir_all(&dir).ok();
}

/// The drill as an operator runs it: the command, its exit code and its report.
fn drill_command(app: &TestApp, dir: &Path) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["restore-drill", "--json", "--dir"])
        .arg(dir)
        .env("DATABASE_URL", &app.url)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn backup_command(app: &TestApp, dir: &Path) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["backup", "--keep", "1", "--dir"])
        .arg(dir)
        .env("DATABASE_URL", &app.url)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

async fn the_drill_exits_non_zero_for_a_changed_file_or_a_broken_access_log(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.staff_in("ansatt@demo.no", "Nordlys Regnskap AS").await;
    let dir = scratch_dir("drill");
    backup_command(&app, &dir);
    let (code, out) = drill_command(&app, &dir);
    assert_eq!(code, Some(0), "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["problems"], json!([]));
    assert!(report["rto_seconds"].as_f64().unwrap() > 0.0 && report["rpo_seconds"].as_f64().unwrap() >= 0.0);
    assert!(report["access_log"].as_array().unwrap().iter().any(|t| t[1].as_u64() >= Some(1)), "{out}");

    // One byte of the backup changed on disk.
    let manifest = backup::read_manifest(&backup::choose(&dir, None).unwrap()).unwrap();
    let file = dir.join(&manifest.file);
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&file, bytes).unwrap();
    let (code, out) = drill_command(&app, &dir);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("changed after it was written"), "{out}");
    let leftovers = |d: &Path| std::fs::read_dir(d).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().starts_with(".samtykke-")).count();
    assert_eq!(leftovers(&dir), 0, "a failed drill leaves no scratch copy behind");

    // A source whose access log was altered behind the app's back: the backup copies it faithfully
    // and the drill names the broken link.
    let drops: &[&str] = match app.db {
        Database::Sqlite(_) => &["DROP TRIGGER access_log_no_update"],
        Database::Postgres(_) => &["DROP TRIGGER access_log_append_only ON access_log"],
    };
    for sql in drops {
        common::execute(&app.db, sql).await.unwrap();
    }
    common::execute(&app.db, "UPDATE access_log SET ip = '192.0.2.1' WHERE seq = 1").await.unwrap();
    backup_command(&app, &dir);
    let (code, out) = drill_command(&app, &dir);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("entry 1 was altered"), "{out}");
    assert_eq!(leftovers(&dir), 0);
    // A restore of it for real says the same and exits non-zero, leaving the copy as evidence.
    let target = new_url_like(&app, &dir);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["restore", "--dir"])
        .arg(&dir)
        .env("DATABASE_URL", &target)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("matches its manifest") && text.contains("BROKEN: access log of client") && text.contains("entry 1 was altered"), "{text}");
    drop_database(&target).await;
    std::fs::remove_dir_all(&dir).ok();
}

async fn two_app_servers_share_the_login_and_lose_no_consent_edit(backend: Backend) {
    let a = TestApp::spawn(backend).await;
    let b = a.second_server().await;

    // Logged in and client chosen on A, continued on B with the same cookie.
    let on_a = a.staff_in("ansatt@demo.no", "Nordlys Regnskap AS").await;
    let on_b = b.client();
    on_b.set_session_cookie(&on_a.session_cookie().unwrap());
    let me: Me = on_b.call("whoami", &[]).await.unwrap();
    assert_eq!(me.tenant.as_ref().map(|t| t.name.as_str()), Some("Nordlys Regnskap AS"));
    let ase = on_b.customer_id("10003").await;
    let other = b.staff_in("admin@demo.no", "Nordlys Regnskap AS").await;

    let before: CustomerConsents = on_a.call("load_consents", &[("customer_id", &ase.to_string())]).await.unwrap();
    let events_before = count(&a.db, "SELECT COUNT(*) FROM consent_events").await;
    let (on_a, other) = (Arc::new(on_a), Arc::new(other));
    let edits = |client: Arc<Client>| {
        tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for _ in 0..12 {
                acknowledged.push(flip_consent(&client, ase).await.unwrap());
            }
            acknowledged
        })
    };
    let (through_a, through_b) = (edits(on_a.clone()), edits(other.clone()));
    let (through_a, through_b) = (through_a.await.unwrap(), through_b.await.unwrap());
    let acknowledged = (through_a.len() + through_b.len()) as i64;

    // Every acknowledged save is one event and one version; none overwrote another.
    assert_eq!(count(&a.db, "SELECT COUNT(*) FROM consent_events").await - events_before, acknowledged);
    let after: CustomerConsents = other.call("load_consents", &[("customer_id", &ase.to_string())]).await.unwrap();
    assert_eq!(after.consent_version, before.consent_version + acknowledged);
    // 24 flips of one consent, each from its latest state: back where it started.
    assert_eq!(first_given(&after), first_given(&before));

    // A logout on B ends the session on A too.
    on_b.call::<()>("logout", &[]).await.unwrap();
    assert_eq!(on_a.call::<Me>("whoami", &[]).await, Err(ApiError::NotLoggedIn));
}

both_databases!(
    a_backup_taken_while_consents_are_saved_restores_to_its_backup_point,
    an_encrypted_backup_opens_only_with_its_identity,
    the_drill_exits_non_zero_for_a_changed_file_or_a_broken_access_log,
    two_app_servers_share_the_login_and_lose_no_consent_edit,
);

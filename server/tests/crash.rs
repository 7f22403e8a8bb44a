//! The server binary as an operator runs it: killed with SIGKILL in the middle of a stream of
//! consent saves, stopped with SIGTERM, started with bad settings; its logs read back.

mod common;

use app::error::ApiError;
use app::model::*;
use common::{count, first_consent, fresh_database, Backend, Client};
use serde_json::json;
use server::db::Database;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_server");

/// A running server process and every log line it wrote.
struct Server {
    child: Child,
    addr: String,
    log: Arc<Mutex<Vec<String>>>,
    /// Reads the log until the process closes it; joined before the log is read.
    reader: std::thread::JoinHandle<()>,
}

fn site_root() -> String {
    let dir = std::env::temp_dir().join("samtykke-tests").join("site");
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    dir.display().to_string()
}

fn start(url: &str, key: &str) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--demo", "--insecure-cookies", "--addr", "127.0.0.1:0", "--site-root", &site_root()])
        .env("DATABASE_URL", url)
        .env("SAMTYKKE_SECRET_KEY", key)
        .env_remove("SAMTYKKE_SECRET_KEY_FILE")
        .env("SAMTYKKE_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let (found, addr) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn({
        let log = log.clone();
        move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line) {
                    if entry["message"] == "listening" {
                        let _ = found.send(entry["addr"].as_str().unwrap_or_default().to_string());
                    }
                }
                log.lock().unwrap().push(line);
            }
        }
    });
    let addr = addr.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| panic!("the server did not start: {:?}", log.lock().unwrap()));
    Server { child, addr, log, reader }
}

fn client(addr: &str) -> Client {
    Client::new(format!("http://{addr}"))
}

async fn staff(server: &Server) -> Client {
    let client = client(&server.addr);
    client.staff_in("ansatt@demo.no", "Nordlys Regnskap AS").await;
    client
}

struct Stream {
    customer: CustomerId,
    contact: ContactPersonId,
    purpose: PurposeId,
    /// The version the last acknowledged save answered.
    version: i64,
    given: bool,
    acknowledged: i64,
}

async fn open_stream(client: &Client, number: &str) -> Stream {
    let customer = client.customer_id(number).await;
    let grid: CustomerConsents = client.call("load_consents", &[("customer_id", &customer.to_string())]).await.unwrap();
    let (contact, purpose, given) = first_consent(&grid);
    Stream { customer, contact, purpose, version: grid.consent_version, given, acknowledged: 0 }
}

/// Saves flip after flip until the server stops answering; counts what it acknowledged.
async fn save_until_gone(client: Arc<Client>, mut stream: Stream) -> Stream {
    loop {
        let change = ConsentChange { contact_person_id: stream.contact, purpose_id: stream.purpose, given: !stream.given };
        let body = json!({ "customer_id": stream.customer, "consent_version": stream.version, "changes": [change] });
        let sent = client.http.post(format!("{}/api/save_consents", client.base)).json(&body).timeout(Duration::from_secs(10)).send().await;
        let Ok(response) = sent else { return stream };
        let Ok(text) = response.text().await else { return stream };
        match serde_json::from_str::<i64>(&text) {
            Ok(version) => {
                stream.version = version;
                stream.given = !stream.given;
                stream.acknowledged += 1;
            }
            Err(_) => panic!("a save failed with {:?}", serde_json::from_str::<ApiError>(&text).map_err(|_| text)),
        }
    }
}

fn kill(server: &mut Server, signal: &str) {
    let status = Command::new("kill").args([signal, &server.child.id().to_string()]).status().unwrap();
    assert!(status.success());
}

async fn every_acknowledged_consent_save_survives_sigkill_and_sigterm(backend: Backend) {
    let (db, url) = fresh_database(backend).await;
    db.close().await;
    let key = server::secrets::SecretKey::generate().to_base64();
    let numbers = ["10001", "10002", "10003"];
    let mut acknowledged = [0i64; 3];
    let mut first: Option<Vec<(ContactPersonId, PurposeId, i64, i64)>> = None;
    let mut logs = Vec::new();
    const ROUNDS: usize = 4;
    for round in 0..ROUNDS {
        let mut server = start(&url, &key);
        let ready = reqwest::get(format!("http://{}/ready", server.addr)).await.unwrap();
        assert_eq!((ready.status().as_u16(), ready.text().await.unwrap()), (200, "ready".to_string()));
        let client = Arc::new(staff(&server).await);
        let mut streams = Vec::new();
        for number in numbers {
            streams.push(open_stream(&client, number).await);
        }
        if first.is_none() {
            first = Some(streams.iter().map(|s| (s.contact, s.purpose, s.version, 0)).collect());
        }
        let running: Vec<_> = streams.into_iter().map(|s| tokio::spawn(save_until_gone(client.clone(), s))).collect();
        tokio::time::sleep(Duration::from_millis(300 + 150 * round as u64)).await;
        let last = round == ROUNDS - 1;
        // The last round stops the server as systemd or Docker would; the others pull the plug.
        kill(&mut server, if last { "-TERM" } else { "-KILL" });
        for (i, stream) in running.into_iter().enumerate() {
            acknowledged[i] += stream.await.unwrap().acknowledged;
        }
        let status = tokio::task::spawn_blocking(move || {
            let status = server.child.wait().unwrap();
            server.reader.join().unwrap();
            (status, server.log)
        });
        let (status, log) = tokio::time::timeout(Duration::from_secs(30), status).await.expect("the server stops").unwrap();
        if last {
            assert!(status.success(), "a SIGTERM ends the server cleanly: {status:?}");
            let log = log.lock().unwrap();
            let at = |message: &str| log.iter().position(|l| l.contains(&format!("\"message\":\"{message}"))).unwrap_or_else(|| panic!("{message}: {log:?}"));
            assert!(at("shutting down") < at("stopped"));
        } else {
            assert!(!status.success());
        }
        logs.extend(log.lock().unwrap().iter().cloned());
    }
    assert!(acknowledged.iter().all(|&a| a > 0), "every stream saved something: {acknowledged:?}");

    // What the database holds now, read straight from it.
    let db = Database::open(&url).await.unwrap();
    for (i, (contact, purpose, version_at_start, _)) in first.unwrap().into_iter().enumerate() {
        let events = count(&db, &format!("SELECT COUNT(*) FROM consent_events WHERE contact_person_id = {contact} AND purpose_id = {purpose} AND source = 'staff_card'")).await;
        // Each acknowledged save is there; at most one save per round was cut off before its
        // answer and may have committed or not.
        assert!(events >= acknowledged[i] && events <= acknowledged[i] + ROUNDS as i64, "stream {i}: {events} events, {} acknowledged", acknowledged[i]);
        let customer_version = count(&db, &format!("SELECT c.consent_version FROM customers c JOIN contact_persons p ON p.customer_id = c.id WHERE p.id = {contact}")).await;
        assert_eq!(customer_version, version_at_start + events, "stream {i}: one version per saved event");
    }
    match &db {
        Database::Sqlite(r) => {
            let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&r.pool).await.unwrap();
            assert_eq!(integrity, ["ok"]);
            let broken: Vec<String> = sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_check").fetch_all(&r.pool).await.unwrap();
            assert!(broken.is_empty(), "{broken:?}");
        }
        Database::Postgres(r) => {
            // amcheck (shipped with PostgreSQL) reads every B-tree index against its rules.
            sqlx::query("CREATE EXTENSION IF NOT EXISTS amcheck").execute(&r.pool).await.unwrap();
            let checked: i64 = sqlx::query_scalar(
                "SELECT COUNT(bt_index_check(c.oid, true)) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
                 JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE am.amname = 'btree' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')",
            )
            .fetch_one(&r.pool)
            .await
            .unwrap();
            assert!(checked > 10, "{checked} indexes checked");
        }
    }
    let repo = db.repository();
    for tenant in repo.access_log_tenants().await.unwrap() {
        assert!(server::access_log::verify_tenant(repo.as_ref(), tenant).await.unwrap().is_ok(), "the access log of {tenant} holds");
    }

    // The log: one JSON object per line, requests by path only, and nobody's personal data.
    assert!(logs.iter().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()), "{logs:?}");
    assert!(logs.iter().any(|l| l.contains("\"path\":\"/api/save_consents\"") && l.contains("\"status\":200")), "requests are logged");
    for personal in ["ansatt@demo.no", "Are Ansatt", "Nordmann", "Åse", "481 23 456", "demo-passord"] {
        assert!(!logs.iter().any(|l| l.contains(personal)), "{personal} is in the log");
    }
}

fn run_with(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut command = Command::new(BIN);
    command.args(args).env_remove("DATABASE_URL").env_remove("SAMTYKKE_SECRET_KEY_FILE").env_remove("SAMTYKKE_SECRET_KEY");
    for (k, v) in env {
        command.env(k, v);
    }
    // A server that wrongly accepts the settings would run on: it gets 30 s, then fails the test.
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the server started with {args:?} {env:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn bad_settings_stop_the_server_at_start_with_the_setting_named() {
    let root = site_root();
    let serve = ["serve", "--site-root", root.as_str()];
    let (code, err) = run_with(&serve, &[("DATABASE_URL", "mysql://root:hemmelig@db/samtykke")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("configuration error: DATABASE_URL: 'mysql' databases are not supported"), "{err}");
    assert!(!err.contains("hemmelig"), "{err}");

    let db = format!("sqlite://{}/config-test.db", std::env::temp_dir().join("samtykke-tests").display());
    let (code, err) = run_with(&serve, &[("DATABASE_URL", &db)]);
    assert_eq!(code, Some(2));
    assert!(err.contains("SAMTYKKE_SECRET_KEY_FILE: no key for secrets"), "{err}");

    let key = server::secrets::SecretKey::generate().to_base64();
    let (code, err) = run_with(&serve, &[("DATABASE_URL", &db), ("SAMTYKKE_SECRET_KEY", &key), ("SAMTYKKE_PUBLIC_URL", "samtykke.example.no")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("SAMTYKKE_PUBLIC_URL: "), "{err}");
    let (code, err) = run_with(&serve, &[("DATABASE_URL", &db), ("SAMTYKKE_SECRET_KEY", &key), ("SAMTYKKE_SMTP_URL", "smtps://u:p@smtp.example.no")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("SAMTYKKE_MAIL_FROM is not set"), "{err}");
    let (code, err) = run_with(&serve, &[("DATABASE_URL", &db), ("SAMTYKKE_SECRET_KEY", &key), ("SAMTYKKE_LOG_FORMAT", "xml")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("SAMTYKKE_LOG_FORMAT: 'xml' is neither text nor json"), "{err}");

    // The same settings from a file: the bad URL in it is named just the same.
    let file = std::env::temp_dir().join("samtykke-tests").join(format!("config-{}.env", std::process::id()));
    std::fs::write(&file, "DATABASE_URL=postgres://samtykke@db.internal\n").unwrap();
    let (code, err) = run_with(&["--config", file.to_str().unwrap(), "serve", "--site-root", &root], &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("DATABASE_URL: 'postgres://samtykke@db.internal' names no database"), "{err}");
    let (code, err) = run_with(&serve, &[("SAMTYKKE_CONFIG", "/finnes/ikke.env")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("the settings file /finnes/ikke.env"), "{err}");
    std::fs::remove_file(&file).ok();
    if !cfg!(feature = "sqlcipher") {
        let (code, err) = run_with(&serve, &[("DATABASE_URL", &db), ("SAMTYKKE_SECRET_KEY", &key), ("SAMTYKKE_SQLITE_KEY_FILE", "/etc/samtykke/db.key")]);
        assert_eq!(code, Some(2));
        assert!(err.contains("SAMTYKKE_SQLITE_KEY_FILE: ") && err.contains("built without SQLCipher"), "{err}");
    }
    assert!(!std::path::Path::new(&db["sqlite://".len()..]).exists(), "nothing was created before the settings were checked");
}

both_databases!(every_acknowledged_consent_save_survives_sigkill_and_sigterm);

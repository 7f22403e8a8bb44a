//! Encryption at rest for SQLite: only with `--features sqlcipher` (scripts/test.sh runs it).
#![cfg(feature = "sqlcipher")]

mod common;

use server::backup::{self, BackupOptions};
use server::db::Database;
use sqlx::Connection;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_file_is_unreadable_without_its_key_and_backups_restore_with_it() {
    let dir = std::env::temp_dir().join("samtykke-tests").join(format!("sqlcipher-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("database.key");
    std::fs::write(&key_file, server::secrets::SecretKey::generate().to_base64()).unwrap();
    // The only test in this binary, so the process-wide variable is its alone.
    std::env::set_var(server::db::sqlite::STORAGE_KEY_ENV, &key_file);

    let url = format!("sqlite://{}/encrypted.db", dir.display());
    let db = Database::open(&url).await.unwrap();
    server::seed::seed_demo(db.seeder()).await.unwrap();
    let Database::Sqlite(repo) = &db else { unreachable!() };
    let cipher: String = sqlx::query_scalar("PRAGMA cipher_version").fetch_one(&repo.pool).await.unwrap();
    assert!(!cipher.is_empty(), "SQLCipher is linked");
    assert!(common::count(&db, "SELECT COUNT(*) FROM customers WHERE last_name = 'Nordmann'").await >= 1);
    let path = dir.join("encrypted.db");
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&repo.pool).await.unwrap();

    // On disk: neither SQLite's header nor a name.
    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3"));
    assert!(!String::from_utf8_lossy(&bytes).contains("Nordmann"));

    // Without the key, or with another, the file is not a database.
    let mut plain = sqlx::SqliteConnection::connect_with(&sqlx::sqlite::SqliteConnectOptions::new().filename(&path)).await.unwrap();
    assert!(sqlx::query("SELECT COUNT(*) FROM customers").execute(&mut plain).await.is_err());
    let wrong = format!("\"x'{}'\"", server::secrets::SecretKey::generate().to_hex());
    let mut other = sqlx::SqliteConnection::connect_with(&sqlx::sqlite::SqliteConnectOptions::new().filename(&path).pragma("key", wrong)).await.unwrap();
    assert!(sqlx::query("SELECT COUNT(*) FROM customers").execute(&mut other).await.is_err());

    // A backup is encrypted with the same key, and the drill opens it with that key.
    let options = BackupOptions { dir: dir.join("backups"), copy_to: None, keep: 2, recipients: vec![] };
    let manifest = backup::backup(&db, &url, &options).await.unwrap();
    let copy = std::fs::read(dir.join("backups").join(&manifest.file)).unwrap();
    assert!(!copy.starts_with(b"SQLite format 3") && !String::from_utf8_lossy(&copy).contains("Nordmann"));
    let newest = backup::choose(&dir.join("backups"), None).unwrap();
    let scratch = format!("sqlite://{}/drill.db", dir.display());
    let report = backup::drill(&newest, None, &scratch).await.unwrap();
    assert!(report.problems.is_empty() && report.rows > 100, "{report:?}");

    db.close().await;
    std::fs::remove_dir_all(&dir).ok();
}

//! Backups, restores and restore drills (docs/OPERATIONS.md).
//!
//! A backup is two files in the backup folder: the data (`samtykke-<time>.sqlite` or
//! `.pgdump`, with `.age` when encrypted) and its manifest (`samtykke-<time>.json`), written
//! last, so a backup without a manifest is one that did not finish. The manifest holds the
//! data file's SHA-256 and a *fingerprint* of the database at the backup point: per table the
//! row count and a SHA-256 of its rows in order. No personal data is in it.
//!
//! - SQLite: `VACUUM INTO` writes a consistent snapshot while the app runs; the fingerprint is
//!   read from that snapshot, which by SQLite's guarantee is the database at one commit.
//! - PostgreSQL: a read-only REPEATABLE READ transaction exports its snapshot; `pg_dump -Fc`
//!   dumps exactly that snapshot while the fingerprint is read in the same transaction.
//!
//! A restore checks the file against its SHA-256, decrypts it, restores it into a database that
//! must not exist yet, runs the backend's integrity checks and compares the restored copy's
//! fingerprint with the manifest's. The drill does that into a scratch database, verifies every
//! client's access-log chain in it, reports the time taken (RTO) and the backup's age (RPO), and
//! removes the scratch copy.

use crate::db::Database;
use anyhow::{anyhow, bail, Context};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Connection;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

const MANIFEST_FORMAT: u32 = 1;

pub use crate::db::Backend;

impl Backend {
    fn extension(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "pgdump",
        }
    }
}

/// Per table: how many rows and a digest of them, in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub tables: BTreeMap<String, TableDigest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDigest {
    pub rows: u64,
    pub sha256: String,
}

impl Fingerprint {
    pub fn rows(&self) -> u64 {
        self.tables.values().map(|t| t.rows).sum()
    }

    /// What differs between the backup point (`self`) and a restored copy, one line per table.
    pub fn differences(&self, restored: &Fingerprint) -> Vec<String> {
        let mut problems = Vec::new();
        for (table, expected) in &self.tables {
            match restored.tables.get(table) {
                None => problems.push(format!("table {table} is missing from the restored copy")),
                Some(got) if got.rows != expected.rows => {
                    problems.push(format!("table {table}: {} rows at the backup point, {} restored", expected.rows, got.rows))
                }
                Some(got) if got.sha256 != expected.sha256 => {
                    problems.push(format!("table {table}: the restored rows differ from the backup point's"))
                }
                Some(_) => {}
            }
        }
        for table in restored.tables.keys().filter(|t| !self.tables.contains_key(*t)) {
            problems.push(format!("table {table} is in the restored copy but was not at the backup point"));
        }
        problems
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub backend: Backend,
    pub created_ms: i64,
    /// The data file, beside the manifest.
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    pub encrypted: bool,
    pub fingerprint: Fingerprint,
}

pub struct BackupOptions {
    pub dir: PathBuf,
    /// A second folder (another disk, a mounted remote) that gets a copy of each backup.
    pub copy_to: Option<PathBuf>,
    /// Generations kept in each folder; older ones are removed after a backup succeeds.
    pub keep: usize,
    /// Encrypt to these age recipients (`age1…`); none: the file is written as is.
    pub recipients: Vec<age::x25519::Recipient>,
}

pub fn parse_recipient(text: &str) -> anyhow::Result<age::x25519::Recipient> {
    text.trim().parse().map_err(|e| anyhow!("'{}' is not an age recipient (age1…): {e}", text.trim()))
}

/// Writes a new age identity (the private key for restores) to a file only its owner can read,
/// and answers its recipient (the public key backups are encrypted to).
pub fn generate_identity(out: &Path) -> anyhow::Result<String> {
    use age::secrecy::ExposeSecret;
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(out).map_err(|e| anyhow!("{}: {e} (an existing key is never overwritten)", out.display()))?;
    let created = time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339)?;
    write!(file, "# created: {created}\n# public key: {recipient}\n{}\n", identity.to_string().expose_secret())?;
    Ok(recipient)
}

fn stem(created_ms: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(created_ms as i128 * 1_000_000).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second][subsecond digits:3]Z");
    format!("samtykke-{}", at.format(&format).unwrap_or_default())
}

/// Takes a backup of the running database at `url` (the same `db` the app uses).
pub async fn backup(db: &Database, url: &str, options: &BackupOptions) -> anyhow::Result<Manifest> {
    if options.keep == 0 {
        bail!("--keep must be at least 1");
    }
    private_dir_all(&options.dir).with_context(|| format!("the backup folder {}", options.dir.display()))?;
    let created_ms = crate::auth::now_ms();
    let backend = Backend::of_url(url)?;
    let stem = stem(created_ms);
    let plain_name = format!("{stem}.{}", backend.extension());
    let plain = options.dir.join(format!(".{plain_name}.partial"));
    let result = write_backup(db, url, options, &stem, &plain_name, &plain, backend, created_ms).await;
    if result.is_err() {
        // Nothing half-written stays: it would be outside the generations and may be plaintext.
        let _ = std::fs::remove_file(&plain);
        let _ = std::fs::remove_file(partial_of(&options.dir.join(format!("{plain_name}.age"))));
    }
    let manifest = result?;
    // The second copy before any pruning: a folder that cannot be pruned must not cost it.
    if let Some(second) = &options.copy_to {
        copy_backup(&options.dir, &stem, &manifest, second)?;
    }
    prune(&options.dir, options.keep);
    if let Some(second) = &options.copy_to {
        prune(second, options.keep);
    }
    Ok(manifest)
}

#[allow(clippy::too_many_arguments)]
async fn write_backup(
    db: &Database,
    url: &str,
    options: &BackupOptions,
    stem: &str,
    plain_name: &str,
    plain: &Path,
    backend: Backend,
    created_ms: i64,
) -> anyhow::Result<Manifest> {
    let fingerprint = match db {
        Database::Sqlite(r) => {
            sqlx::query("VACUUM INTO ?").bind(plain.display().to_string()).execute(&r.pool).await.context("VACUUM INTO")?;
            private_file(plain)?;
            let mut snapshot = open_sqlite_read_only(plain).await?;
            let fingerprint = sqlite_fingerprint(&mut snapshot).await;
            snapshot.close().await.ok();
            fingerprint?
        }
        Database::Postgres(r) => {
            let mut tx = r.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?;
            let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()").fetch_one(&mut *tx).await?;
            // pg_dump runs while this transaction holds the snapshot open; the fingerprint is
            // read in the same snapshot meanwhile.
            let mut command = pg_tool("pg_dump", url)?;
            command.arg("--format=custom").arg(format!("--snapshot={snapshot}")).arg(format!("--file={}", plain.display()));
            let dump = tokio::task::spawn_blocking(move || command.output());
            let (dump, fingerprint) = tokio::join!(dump, pg_fingerprint(&mut tx));
            tx.rollback().await.ok();
            // An error in the transaction ends its snapshot too, so pg_dump's own error would only
            // say the snapshot is gone: report the cause.
            let fingerprint = fingerprint.context("reading the fingerprint")?;
            let dump = dump?.context("running pg_dump (is the PostgreSQL client installed?)")?;
            if !dump.status.success() {
                bail!("pg_dump failed: {}", String::from_utf8_lossy(&dump.stderr).trim());
            }
            private_file(plain)?;
            fingerprint
        }
    };

    let encrypted = !options.recipients.is_empty();
    let file = if encrypted { format!("{plain_name}.age") } else { plain_name.to_string() };
    let target = options.dir.join(&file);
    let recipients = options.recipients.clone();
    let (plain_for_task, target_for_task) = (plain.to_path_buf(), target.clone());
    let (bytes, sha256) = tokio::task::spawn_blocking(move || -> anyhow::Result<(u64, String)> {
        if recipients.is_empty() {
            std::fs::rename(&plain_for_task, &target_for_task)?;
        } else {
            let partial = partial_of(&target_for_task);
            encrypt_file(&plain_for_task, &partial, &recipients)?;
            std::fs::remove_file(&plain_for_task)?;
            std::fs::rename(&partial, &target_for_task)?;
        }
        file_digest(&target_for_task)
    })
    .await??;

    let manifest = Manifest { format: MANIFEST_FORMAT, backend, created_ms, file, bytes, sha256, encrypted, fingerprint };
    write_manifest(&options.dir, stem, &manifest)?;
    Ok(manifest)
}

/// `pg_dump` or `pg_restore` for `url`, with the password in the environment: on the command
/// line any user of the machine could read it (`ps`).
fn pg_tool(tool: &str, url: &str) -> anyhow::Result<std::process::Command> {
    let mut parsed = url::Url::parse(url).context("DATABASE_URL")?;
    let mut command = std::process::Command::new(tool);
    if let Some(password) = parsed.password() {
        let password = percent_encoding::percent_decode_str(password).decode_utf8_lossy().into_owned();
        command.env("PGPASSWORD", password);
        let _ = parsed.set_password(None);
    }
    command.arg(format!("--dbname={parsed}"));
    Ok(command)
}

/// Backups hold personal data: readable by their owner only, whatever the umask.
fn private_file(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    Ok(())
}

fn private_dir_all(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

fn partial_of(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}

fn write_manifest(dir: &Path, stem: &str, manifest: &Manifest) -> anyhow::Result<()> {
    let target = dir.join(format!("{stem}.json"));
    let partial = partial_of(&target);
    std::fs::write(&partial, serde_json::to_vec_pretty(manifest)?)?;
    private_file(&partial)?;
    std::fs::rename(&partial, &target)?;
    Ok(())
}

fn copy_backup(dir: &Path, stem: &str, manifest: &Manifest, second: &Path) -> anyhow::Result<()> {
    private_dir_all(second).with_context(|| format!("the second backup folder {}", second.display()))?;
    let target = second.join(&manifest.file);
    let partial = partial_of(&target);
    std::fs::copy(dir.join(&manifest.file), &partial).with_context(|| format!("copying to {}", second.display()))?;
    private_file(&partial)?;
    std::fs::rename(&partial, &target)?;
    write_manifest(second, stem, manifest)
}

/// The manifests in `dir`, oldest first (their names sort by time).
pub fn manifests(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("the backup folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("samtykke-") && n.ends_with(".json")))
        .collect();
    found.sort();
    Ok(found)
}

/// Keeps the newest `keep` backups in `dir`; removes older ones, manifest first. A manifest
/// that does not read, or names a file that is not its own, is left alone and warned about:
/// it must not stop today's backup, nor make the prune delete anything else.
fn prune(dir: &Path, keep: usize) {
    let all = match manifests(dir) {
        Ok(all) => all,
        Err(e) => return tracing::warn!(error = %e, "backup generations not pruned"),
    };
    for old in all.iter().take(all.len().saturating_sub(keep)) {
        let stem = old.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        match read_manifest(old) {
            Ok(manifest) if is_own_data_file(stem, &manifest.file) => {
                if std::fs::remove_file(old).is_ok() {
                    let _ = std::fs::remove_file(dir.join(manifest.file));
                }
            }
            Ok(_) => tracing::warn!(manifest = %old.display(), "not pruned: it names a file that is not its own"),
            Err(e) => tracing::warn!(manifest = %old.display(), error = %e, "not pruned"),
        }
    }
}

/// A manifest's data file is a bare name in its own folder that begins with its own stem.
fn is_own_data_file(stem: &str, file: &str) -> bool {
    !file.contains(['/', '\\']) && file != ".." && file.starts_with(&format!("{stem}."))
}

pub fn read_manifest(path: &Path) -> anyhow::Result<Manifest> {
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let manifest: Manifest = serde_json::from_slice(&text).with_context(|| format!("{} is not a backup manifest", path.display()))?;
    if manifest.format != MANIFEST_FORMAT {
        bail!("{}: manifest format {} is not known to this version", path.display(), manifest.format);
    }
    Ok(manifest)
}

/// The newest backup in `dir`, or the one named (its manifest or its data file).
pub fn choose(dir: &Path, from: Option<&Path>) -> anyhow::Result<PathBuf> {
    // A bare file name is one in the backup folder.
    let joined = from.map(|p| if p.parent().is_some_and(|d| d.as_os_str().is_empty()) { dir.join(p) } else { p.to_path_buf() });
    match joined.as_deref() {
        Some(p) if p.extension().is_some_and(|e| e == "json") => Ok(p.to_path_buf()),
        Some(p) => {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let stem = name.split('.').next().unwrap_or_default();
            Ok(p.with_file_name(format!("{stem}.json")))
        }
        None => manifests(dir)?.pop().ok_or_else(|| anyhow!("no backup in {}", dir.display())),
    }
}

fn encrypt_file(plain: &Path, out: &Path, recipients: &[age::x25519::Recipient]) -> anyhow::Result<()> {
    let encryptor = age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))?;
    let mut writer = encryptor.wrap_output(std::io::BufWriter::new(std::fs::File::create(out)?))?;
    std::io::copy(&mut std::fs::File::open(plain)?, &mut writer)?;
    writer.finish()?.flush()?;
    Ok(())
}

fn decrypt_file(encrypted: &Path, out: &Path, identity_file: &Path) -> anyhow::Result<()> {
    let identities = age::IdentityFile::from_file(identity_file.display().to_string())
        .with_context(|| format!("the identity file {}", identity_file.display()))?
        .into_identities()?;
    let decryptor = age::Decryptor::new(std::io::BufReader::new(std::fs::File::open(encrypted)?))?;
    let mut reader = decryptor
        .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .map_err(|e| anyhow!("the backup does not open with {}: {e}", identity_file.display()))?;
    let mut file = std::fs::File::create(out)?;
    std::io::copy(&mut reader, &mut file)?;
    file.sync_all()?;
    Ok(())
}

fn file_digest(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok((bytes, format!("{:x}", hasher.finalize())))
}

async fn open_sqlite_read_only(path: &Path) -> anyhow::Result<sqlx::SqliteConnection> {
    use sqlx::sqlite::SqliteConnectOptions;
    let options = crate::db::sqlite::with_storage_key(SqliteConnectOptions::new().filename(path).read_only(true).immutable(true))?;
    Ok(sqlx::SqliteConnection::connect_with(&options).await?)
}

/// Every table's rows as SQLite quotes them, ordered by that text. Virtual tables are left out
/// (their content is in their shadow tables, which are counted).
pub async fn sqlite_fingerprint(conn: &mut sqlx::SqliteConnection) -> anyhow::Result<Fingerprint> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut fingerprint = Fingerprint::default();
    for table in tables {
        let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid").bind(&table).fetch_all(&mut *conn).await?;
        let row = columns.iter().map(|c| format!("quote({})", quoted(c))).collect::<Vec<_>>().join(" || '|' || ");
        let sql = format!("SELECT {row} FROM {} ORDER BY 1", quoted(&table));
        let digest = digest_rows(sqlx::query_scalar::<_, String>(&sql).fetch(&mut *conn)).await?;
        fingerprint.tables.insert(table, digest);
    }
    Ok(fingerprint)
}

/// Every table's rows as PostgreSQL writes a row value as text, ordered bytewise.
pub async fn pg_fingerprint(conn: &mut sqlx::PgConnection) -> anyhow::Result<Fingerprint> {
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_schema::text, table_name::text FROM information_schema.tables \
         WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') \
         ORDER BY 1, 2",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut fingerprint = Fingerprint::default();
    for (schema, table) in tables {
        let sql = format!("SELECT t::text FROM {}.{} t ORDER BY t::text COLLATE \"C\"", quoted(&schema), quoted(&table));
        let digest = digest_rows(sqlx::query_scalar::<_, String>(&sql).fetch(&mut *conn)).await?;
        let name = if schema == "public" { table } else { format!("{schema}.{table}") };
        fingerprint.tables.insert(name, digest);
    }
    Ok(fingerprint)
}

/// A table or column name as an SQL identifier, in both dialects.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

async fn digest_rows(mut rows: impl futures_util::Stream<Item = Result<String, sqlx::Error>> + Unpin) -> anyhow::Result<TableDigest> {
    let mut hasher = Sha256::new();
    let mut count = 0;
    while let Some(row) = rows.try_next().await? {
        hasher.update(row.as_bytes());
        hasher.update(b"\n");
        count += 1;
    }
    Ok(TableDigest { rows: count, sha256: format!("{:x}", hasher.finalize()) })
}

/// What a restore found. Empty `problems`: the copy is whole and equals the backup point.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreCheck {
    pub tables: usize,
    pub rows: u64,
    pub problems: Vec<String>,
}

/// Restores the backup of `manifest_path` into `target_url`, which must not hold a database yet,
/// and checks it on the way. The restored database is left in place only when it is whole and
/// equals the backup point; otherwise the problems are answered and nothing is left behind.
pub async fn restore(manifest_path: &Path, identity: Option<&Path>, target_url: &str) -> anyhow::Result<(Manifest, RestoreCheck)> {
    let manifest = read_manifest(manifest_path)?;
    let dir = manifest_path.parent().unwrap_or(Path::new("."));
    let stem = manifest_path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if !is_own_data_file(stem, &manifest.file) {
        bail!("{} names a data file that is not its own: {}", manifest_path.display(), manifest.file);
    }
    let data = dir.join(&manifest.file);
    let target_backend = Backend::of_url(target_url)?;
    if target_backend != manifest.backend {
        bail!("{} is a {:?} backup; it restores only into a database of that kind", manifest.file, manifest.backend);
    }
    refuse_existing_target(target_url).await?;
    let (bytes, sha256) = {
        let data = data.clone();
        tokio::task::spawn_blocking(move || file_digest(&data)).await?.with_context(|| format!("reading {}", manifest.file))?
    };
    if (bytes, sha256.as_str()) != (manifest.bytes, manifest.sha256.as_str()) {
        let problem = format!("{} changed after it was written: its SHA-256 is not the manifest's", manifest.file);
        return Ok((manifest, RestoreCheck { tables: 0, rows: 0, problems: vec![problem] }));
    }
    let scratch = scratch_dir(target_url)?;
    let result = async {
        let plain = if manifest.encrypted {
            let identity = identity
                .ok_or_else(|| anyhow!("{} is encrypted: name the identity file (--identity or SAMTYKKE_BACKUP_IDENTITY_FILE)", manifest.file))?
                .to_path_buf();
            let out = scratch.join("plain");
            let (data, out2) = (data.clone(), out.clone());
            tokio::task::spawn_blocking(move || decrypt_file(&data, &out2, &identity)).await??;
            out
        } else {
            data.clone()
        };
        match manifest.backend {
            Backend::Sqlite => restore_sqlite(&plain, target_url, &scratch, &manifest.fingerprint).await,
            Backend::Postgres => restore_postgres(&plain, target_url, &manifest.fingerprint).await,
        }
    }
    .await;
    let _ = std::fs::remove_dir_all(&scratch);
    let check = result?;
    Ok((manifest, check))
}

/// A restore never replaces a database: not a file, not its WAL, not a PostgreSQL database.
async fn refuse_existing_target(target_url: &str) -> anyhow::Result<()> {
    use sqlx::migrate::MigrateDatabase;
    match sqlite_path(target_url) {
        Some(target) => {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let path = PathBuf::from(format!("{}{suffix}", target.display()));
                if path.exists() {
                    bail!("{} exists: restore into a new file (stop the app and move the old one, with its -wal and -shm, aside first)", path.display());
                }
            }
        }
        None => {
            if sqlx::Postgres::database_exists(target_url).await? {
                bail!("the database of {} exists: restore into a new database", crate::config::redact(target_url));
            }
        }
    }
    Ok(())
}

/// A private scratch folder of its own, on the target's disk for SQLite so the restored file
/// is linked into place without a copy.
fn scratch_dir(target_url: &str) -> anyhow::Result<PathBuf> {
    let base = match sqlite_path(target_url) {
        Some(path) => path.parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from(".")),
        None => std::env::temp_dir(),
    };
    private_dir_all(&base)?;
    let dir = base.join(format!(".samtykke-restore-{}", unique()));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// Unique among processes, and among calls in one process within the same millisecond.
fn unique() -> String {
    format!("{}_{}_{:08x}", std::process::id(), crate::auth::now_ms(), rand::random::<u32>())
}

pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    Some(PathBuf::from(rest.split('?').next().unwrap_or(rest)))
}

fn check_result(restored: &Fingerprint, mut problems: Vec<String>, expected: &Fingerprint) -> RestoreCheck {
    problems.extend(expected.differences(restored));
    RestoreCheck { tables: restored.tables.len(), rows: restored.rows(), problems }
}

async fn restore_sqlite(plain: &Path, target_url: &str, scratch: &Path, expected: &Fingerprint) -> anyhow::Result<RestoreCheck> {
    let target = sqlite_path(target_url).ok_or_else(|| anyhow!("not a sqlite URL"))?;
    let copy = scratch.join("restored.db");
    std::fs::copy(plain, &copy)?;
    let options = crate::db::sqlite::with_storage_key(sqlx::sqlite::SqliteConnectOptions::new().filename(&copy))?;
    let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
    let mut problems = Vec::new();
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&mut conn).await?;
    if integrity != ["ok"] {
        problems.extend(integrity.into_iter().map(|p| format!("integrity_check: {p}")));
    }
    let broken_keys: Vec<(String, i64)> = sqlx::query_as("SELECT \"table\", rowid FROM pragma_foreign_key_check").fetch_all(&mut conn).await?;
    problems.extend(broken_keys.into_iter().map(|(t, row)| format!("foreign_key_check: row {row} of {t} refers to a missing row")));
    let fingerprint = sqlite_fingerprint(&mut conn).await?;
    conn.close().await?;
    let check = check_result(&fingerprint, problems, expected);
    if check.problems.is_empty() {
        std::fs::File::open(&copy)?.sync_all()?;
        // A hard link fails if the target appeared meanwhile, where a rename would replace it.
        std::fs::hard_link(&copy, &target).with_context(|| format!("placing the restored database at {}", target.display()))?;
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::File::open(parent)?.sync_all()?;
        }
    }
    Ok(check)
}

async fn restore_postgres(plain: &Path, target_url: &str, expected: &Fingerprint) -> anyhow::Result<RestoreCheck> {
    use sqlx::migrate::MigrateDatabase;
    sqlx::Postgres::create_database(target_url).await?;
    let checked = async {
        let mut command = pg_tool("pg_restore", target_url)?;
        command.args(["--exit-on-error", "--no-owner", "--no-privileges"]).arg(plain);
        let out = tokio::task::spawn_blocking(move || command.output()).await?.context("running pg_restore (is the PostgreSQL client installed?)")?;
        let mut problems = Vec::new();
        if !out.status.success() {
            problems.push(format!("pg_restore failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
        let mut conn = sqlx::PgConnection::connect(target_url).await?;
        // pg_restore adds the constraints after the data, checking each row as it does; one that
        // failed is missing (reported above) and none may be left unvalidated.
        let unvalidated: Vec<String> = sqlx::query_scalar("SELECT conname::text FROM pg_constraint WHERE NOT convalidated").fetch_all(&mut conn).await?;
        problems.extend(unvalidated.into_iter().map(|c| format!("constraint {c} is not validated")));
        let fingerprint = pg_fingerprint(&mut conn).await?;
        conn.close().await?;
        anyhow::Ok(check_result(&fingerprint, problems, expected))
    }
    .await;
    // A half-restored database is dropped again: it must not be taken for a good one.
    if !matches!(&checked, Ok(check) if check.problems.is_empty()) {
        let _ = sqlx::Postgres::force_drop_database(target_url).await;
    }
    checked
}

#[derive(Debug, Clone, Serialize)]
pub struct DrillReport {
    pub backup: String,
    pub backend: Backend,
    pub encrypted: bool,
    pub created_ms: i64,
    /// How old the backup was when the drill ran: what a restore now would lose.
    pub rpo_seconds: f64,
    /// How long the restore and its checks took.
    pub rto_seconds: f64,
    pub tables: usize,
    pub rows: u64,
    /// Per client: access-log entries whose chain holds.
    pub access_log: Vec<(i64, usize)>,
    pub problems: Vec<String>,
}

/// Where a drill restores to: a fresh file in `folder` (the backups' own, which has room for
/// them, where the temp folder may be in memory), or a fresh database on the same PostgreSQL
/// server as `source_url`.
pub fn scratch_url(backend: Backend, source_url: &str, folder: &Path) -> anyhow::Result<String> {
    let unique = unique();
    match backend {
        Backend::Sqlite => Ok(format!("sqlite://{}/.samtykke-drill-{unique}.db", folder.display())),
        Backend::Postgres => {
            let mut url = url::Url::parse(source_url).context("DATABASE_URL")?;
            url.set_path(&format!("/samtykke_drill_{unique}"));
            Ok(url.to_string())
        }
    }
}

/// Opens a restored database as the app would (which also proves this version runs on it) and
/// verifies every client's access-log chain: the clients whose chain holds, with their entry
/// counts, and one problem per broken chain.
pub async fn verify_access_logs(url: &str) -> anyhow::Result<(Vec<(i64, usize)>, Vec<String>)> {
    let db = Database::open(url).await?;
    let repo = db.repository();
    let (mut holding, mut broken) = (Vec::new(), Vec::new());
    let verified = async {
        for tenant in repo.access_log_tenants().await? {
            match crate::access_log::verify_tenant(repo.as_ref(), tenant).await? {
                Ok(entries) => holding.push((tenant, entries)),
                Err(link) => broken.push(format!("access log of client {tenant}: {link}")),
            }
        }
        anyhow::Ok(())
    }
    .await;
    db.close().await;
    verified?;
    Ok((holding, broken))
}

/// Restores the backup into `scratch`, checks it, verifies the access-log chains, and removes
/// the scratch copy again, whatever happened.
pub async fn drill(manifest_path: &Path, identity: Option<&Path>, scratch: &str) -> anyhow::Result<DrillReport> {
    let started = std::time::Instant::now();
    let report = drill_into(manifest_path, identity, scratch, started).await;
    remove_scratch(scratch).await;
    report
}

async fn drill_into(manifest_path: &Path, identity: Option<&Path>, scratch: &str, started: std::time::Instant) -> anyhow::Result<DrillReport> {
    let (manifest, check) = restore(manifest_path, identity, scratch).await?;
    let mut problems = check.problems;
    let mut access_log = Vec::new();
    if problems.is_empty() {
        let (verified, broken) = verify_access_logs(scratch).await?;
        access_log = verified;
        problems.extend(broken);
    }
    let now = crate::auth::now_ms();
    Ok(DrillReport {
        backup: manifest.file,
        backend: manifest.backend,
        encrypted: manifest.encrypted,
        created_ms: manifest.created_ms,
        rpo_seconds: (now - manifest.created_ms) as f64 / 1000.0,
        rto_seconds: started.elapsed().as_secs_f64(),
        tables: check.tables,
        rows: check.rows,
        access_log,
        problems,
    })
}

async fn remove_scratch(url: &str) {
    match sqlite_path(url) {
        Some(path) => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        None => {
            use sqlx::migrate::MigrateDatabase;
            if let Err(e) = sqlx::Postgres::force_drop_database(url).await {
                tracing::warn!(error = %e, "the drill's scratch database was not removed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(rows: u64, sha: &str) -> TableDigest {
        TableDigest { rows, sha256: sha.into() }
    }

    #[test]
    fn equal_fingerprints_have_no_differences() {
        let a = Fingerprint { tables: [("customers".to_string(), digest(3, "aa"))].into() };
        assert!(a.differences(&a.clone()).is_empty());
    }

    #[test]
    fn each_kind_of_difference_is_named() {
        let point = Fingerprint { tables: [("customers".to_string(), digest(3, "aa")), ("consent_events".to_string(), digest(9, "bb")), ("notes".to_string(), digest(1, "cc"))].into() };
        let restored = Fingerprint { tables: [("customers".to_string(), digest(2, "ab")), ("consent_events".to_string(), digest(9, "bx")), ("extra".to_string(), digest(0, "00"))].into() };
        assert_eq!(
            point.differences(&restored),
            [
                "table consent_events: the restored rows differ from the backup point's",
                "table customers: 3 rows at the backup point, 2 restored",
                "table notes is missing from the restored copy",
                "table extra is in the restored copy but was not at the backup point",
            ]
        );
    }

    #[test]
    fn backup_names_sort_by_time() {
        let (a, b) = (stem(1_764_936_000_000), stem(1_764_936_000_001));
        assert_eq!(a, "samtykke-20251205T120000000Z");
        assert!(a < b);
    }

    #[test]
    fn sqlite_paths_come_from_urls() {
        assert_eq!(sqlite_path("sqlite://data/samtykke.db?mode=rwc"), Some(PathBuf::from("data/samtykke.db")));
        assert_eq!(sqlite_path("sqlite:///var/lib/s.db"), Some(PathBuf::from("/var/lib/s.db")));
        assert_eq!(sqlite_path("postgres://x@y/z"), None);
    }
}

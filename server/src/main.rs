use clap::{Parser, Subcommand};
use server::auth::LockoutPolicy;
use server::db::Database;
use server::seed::{seed_bulk, seed_demo, BULK_LOGIN, DEMO_LOGINS, DEMO_PASSWORD};
use server::secrets::SecretKey;
use server::web::{router, WebConfig};
use server::config::{self, ConfigError, LogFormat};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "samtykke", about = "Samtykke: GDPR consent and customer data for Norwegian businesses")]
struct Cli {
    /// sqlite://path (created if missing) or postgres://user@host/db (created if missing).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/samtykke.db", global = true, hide_env_values = true)]
    database_url: String,
    /// A file of settings as KEY=value lines (the variables below); the environment wins.
    #[arg(long, env = "SAMTYKKE_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// `text` (default) or `json`: one JSON object per line, for a log collector.
    #[arg(long, env = "SAMTYKKE_LOG_FORMAT", global = true)]
    log_format: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the app (the default).
    Serve {
        #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
        /// The folder the build script fills with pkg/ and the public assets.
        #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
        site_root: String,
        /// Let session cookies travel over plain http (local development only).
        #[arg(long, env = "SAMTYKKE_INSECURE_COOKIES")]
        insecure_cookies: bool,
        /// Create the demo tenants and logins first, if missing, and print the logins.
        #[arg(long)]
        demo: bool,
        /// The address customers reach the app on, for links in mail (default: http://ADDR).
        #[arg(long, env = "SAMTYKKE_PUBLIC_URL")]
        public_url: Option<String>,
        /// Send the mail outbox over SMTP, e.g. smtps://user:password@smtp.example.no. Without it
        /// mail stays in the outbox (`samtykke outbox`).
        #[arg(long, env = "SAMTYKKE_SMTP_URL", hide_env_values = true)]
        smtp_url: Option<String>,
        /// The sender of that mail, e.g. "Samtykke <noreply@example.no>".
        #[arg(long, env = "SAMTYKKE_MAIL_FROM", requires = "smtp_url")]
        mail_from: Option<String>,
    },
    /// Check every tenant's access log (or one): names the first broken link and exits with 1
    /// if an entry was altered, removed or moved.
    VerifyAccessLog {
        #[arg(long)]
        tenant: Option<i64>,
    },
    /// Remove access-log entries older than each tenant's retention period (Innsynslogg →
    /// Oppbevaringstid); the chain stays verifiable from the last removed entry. Run it daily.
    PurgeAccessLog,
    /// Remove archived invoices (as issued to customers since anonymised) whose retention,
    /// five years after the end of their financial year, has ended; each run is recorded.
    PurgeInvoiceArchive,
    /// Run each client's retention rule (Automatisk anonymisering): anonymise the customers with
    /// no activity for the rule's years and a zero balance. Run it daily, like the purges.
    AnonymiseInactive {
        /// Only this client.
        #[arg(long)]
        tenant: Option<i64>,
        /// Only count whom the rules reach today.
        #[arg(long)]
        dry_run: bool,
    },
    /// Show the mail outbox: what is waiting to be sent (where no SMTP server is configured, the
    /// only way to read invitations and password links).
    Outbox {
        /// Only mail to this address.
        #[arg(long)]
        to: Option<String>,
        /// Sent mail too.
        #[arg(long)]
        all: bool,
        /// As a JSON array (newest first), for scripts and tests.
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Serve only the bare search handler, for docs/BENCHMARKS.md (no sessions; never in production).
    BenchBare {
        #[arg(long, default_value = "127.0.0.1:3202")]
        addr: SocketAddr,
    },
    /// Consent saves per second, app path beside raw sqlx writes (docs/BENCHMARKS.md).
    BenchConsent {
        #[arg(long, default_value_t = 4)]
        writers: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Anonymising one customer with many contact persons, app path beside a raw sqlx
    /// transaction, and (with --bulk N) the retention rule over N quiet customers
    /// (docs/BENCHMARKS.md).
    BenchAnonymise {
        #[arg(long, default_value_t = 100)]
        runs: usize,
        #[arg(long, default_value_t = 50)]
        contacts: usize,
        /// Ordinary customers beside them (the size of the search index).
        #[arg(long, default_value_t = 10_000)]
        background: u64,
        #[arg(long)]
        bulk: Option<u64>,
    },
    /// Write a new key for Hemmeligheter to a file (readable by its owner only); point
    /// SAMTYKKE_SECRET_KEY_FILE at it.
    GenerateSecretKey {
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Re-seal every secret under the key in NEW_KEY_FILE, in one transaction, with the current
    /// key (SAMTYKKE_SECRET_KEY_FILE) to open them; then point every app server at the new file.
    RotateSecretKey {
        #[arg(long)]
        new_key_file: String,
    },
    /// A consistent backup while the app runs (SQLite: VACUUM INTO; PostgreSQL: pg_dump of one
    /// snapshot), with a manifest to check a restore against; optionally encrypted and copied
    /// to a second folder. Keeps the newest --keep generations in each folder.
    Backup {
        #[arg(long, env = "SAMTYKKE_BACKUP_DIR")]
        dir: PathBuf,
        /// A second folder on another disk or machine (a mount) that gets a copy.
        #[arg(long, env = "SAMTYKKE_BACKUP_COPY_TO")]
        copy_to: Option<PathBuf>,
        #[arg(long, env = "SAMTYKKE_BACKUP_KEEP", default_value_t = 14)]
        keep: usize,
        /// Encrypt to this age recipient (age1…; repeat, or separate with commas). Make one
        /// with `generate-backup-key`.
        #[arg(long = "encrypt-to", env = "SAMTYKKE_BACKUP_RECIPIENTS", value_delimiter = ',')]
        recipients: Vec<String>,
    },
    /// Restore a backup (the newest in --dir, or --from) into DATABASE_URL, which must not exist
    /// yet; checks it like the drill and exits with 1 if it does not match its manifest.
    Restore {
        #[command(flatten)]
        backup: WhichBackup,
    },
    /// Restore the newest backup into a scratch database, check its integrity, compare it with
    /// the backup point, verify the access-log chains, report RTO and RPO, and remove the copy.
    /// Exits with 1 on any mismatch.
    RestoreDrill {
        #[command(flatten)]
        backup: WhichBackup,
        /// The report as JSON, for monitoring.
        #[arg(long)]
        json: bool,
    },
    /// Write a new age identity for encrypted backups to a file (readable by its owner only)
    /// and print its recipient; keep the file away from the backups.
    GenerateBackupKey {
        #[arg(long)]
        out: PathBuf,
    },
    /// Fill the database with demo data or, with --customers, with generated customers.
    Seed {
        #[arg(long)]
        customers: Option<u64>,
        #[arg(long, default_value_t = 1)]
        tenants: u64,
    },
}

/// Which backup a restore or a drill reads, and the key to open it.
#[derive(clap::Args)]
struct WhichBackup {
    #[arg(long, env = "SAMTYKKE_BACKUP_DIR")]
    dir: PathBuf,
    /// A backup's manifest or data file (default: the newest in --dir).
    #[arg(long)]
    from: Option<PathBuf>,
    /// The age identity file for an encrypted backup.
    #[arg(long, env = "SAMTYKKE_BACKUP_IDENTITY_FILE")]
    identity: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if let Err(e) = config::load_file(&args) {
        refuse(e);
    }
    let mut cli = Cli::parse();
    if cli.command.is_none() {
        // No subcommand is `serve`, with every flag and variable of serve.
        cli = Cli::parse_from(args.iter().cloned().chain(["serve".to_string()]));
    }
    let log_format = config::log_format(cli.log_format.as_deref()).unwrap_or_else(|e| refuse(e));
    init_logging(log_format);
    let database_url = config::database_url(&cli.database_url).unwrap_or_else(|e| refuse(e));
    let command = cli.command.expect("serve is filled in above");

    // What needs no open database (or must not create one) first.
    match &command {
        Command::GenerateSecretKey { out } => {
            write_new_key(out)?;
            println!("Wrote a new key to {}. Set SAMTYKKE_SECRET_KEY_FILE={} for every app server.", out.display(), out.display());
            return Ok(());
        }
        Command::GenerateBackupKey { out } => {
            let recipient = server::backup::generate_identity(out)?;
            println!("Wrote a backup identity to {}. Encrypt backups with --encrypt-to {recipient} (SAMTYKKE_BACKUP_RECIPIENTS); keep the file, or a copy, away from the backups.", out.display());
            return Ok(());
        }
        Command::Restore { backup } => {
            let chosen = server::backup::choose(&backup.dir, backup.from.as_deref())?;
            let (manifest, check) = server::backup::restore(&chosen, backup.identity.as_deref(), &database_url).await?;
            if !check.problems.is_empty() {
                eprintln!("{} does NOT match its manifest; nothing was restored:", manifest.file);
                for p in &check.problems {
                    eprintln!("  - {p}");
                }
                std::process::exit(1);
            }
            let (verified, broken) = server::backup::verify_access_logs(&database_url).await?;
            println!("Restored {} ({} tables, {} rows) into {}; it matches its manifest.", manifest.file, check.tables, check.rows, config::redact(&database_url));
            for (tenant, entries) in &verified {
                println!("  access log of client {tenant}: {entries} entries, the chain holds");
            }
            if !broken.is_empty() {
                // The copy is the backup, faithfully: it stays, as evidence, but is reported.
                for p in &broken {
                    eprintln!("  BROKEN: {p}");
                }
                std::process::exit(1);
            }
            return Ok(());
        }
        Command::RestoreDrill { backup, json } => {
            let chosen = server::backup::choose(&backup.dir, backup.from.as_deref())?;
            let kind = server::backup::Backend::of_url(&database_url)?;
            let scratch = server::backup::scratch_url(kind, &database_url, &backup.dir)?;
            let report = server::backup::drill(&chosen, backup.identity.as_deref(), &scratch).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!("Restore drill of {} ({:?}{}):", report.backup, report.backend, if report.encrypted { ", encrypted" } else { "" });
                println!("  restored {} tables, {} rows, checked in {:.1} s (RTO)", report.tables, report.rows, report.rto_seconds);
                println!("  the backup was {:.0} s old (RPO)", report.rpo_seconds);
                for (tenant, entries) in &report.access_log {
                    println!("  access log of client {tenant}: {entries} entries, the chain holds");
                }
                for p in &report.problems {
                    println!("  PROBLEM: {p}");
                }
                println!("{}", if report.problems.is_empty() { "The drill passed." } else { "The drill FAILED." });
            }
            if !report.problems.is_empty() {
                std::process::exit(1);
            }
            return Ok(());
        }
        _ => {}
    }

    // Every setting of serve is checked before the database is opened, and used as checked.
    let checked = match &command {
        Command::Serve { public_url, smtp_url, mail_from, site_root, .. } => {
            Some(check_serve_settings(public_url.as_deref(), smtp_url.as_deref(), mail_from.is_some(), site_root).unwrap_or_else(|e| refuse(e)))
        }
        _ => None,
    };

    let db = Database::open(&database_url).await?;
    match command {
        Command::Serve { addr, site_root, insecure_cookies, demo, public_url: _, smtp_url, mail_from } => {
            let ServeSettings { public_url, secret_key } = checked.expect("serve's settings are checked above");
            if demo {
                seed_demo(db.seeder()).await?;
                print_demo_logins();
            }
            if let (Some(url), Some(from)) = (&smtp_url, &mail_from) {
                server::mail::spawn_sender(db.repository(), url, from)?;
            } else {
                tracing::info!("no SMTP server configured: mail stays in the outbox (`server outbox`)");
            }
            let config = WebConfig {
                site_root,
                site_addr: addr,
                secure_cookies: !insecure_cookies,
                lockout: LockoutPolicy::default(),
                public_url: public_url.unwrap_or_else(|| format!("http://{addr}")),
                secret_key,
            };
            let app = router(&db, &config).await?;
            let listener = tokio::net::TcpListener::bind(addr).await?;
            let local = listener.local_addr()?;
            tracing::info!(addr = %local, "listening");
            if log_format == LogFormat::Text {
                println!("Samtykke listens on http://{local}");
            }
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(shutdown_signal())
                .await?;
            // Requests in flight have been answered; let the database finish too.
            db.close().await;
            tracing::info!("stopped");
        }
        Command::BenchBare { addr } => {
            let listener = tokio::net::TcpListener::bind(addr).await?;
            println!("Bare search handler on http://{}/bare/search?tenant=1&q=…", listener.local_addr()?);
            axum::serve(listener, server::bench::bare_router(db.repository())).await?;
        }
        Command::BenchConsent { writers, seconds } => {
            let f = server::bench::consent_saves::run(&db, writers, seconds).await?;
            println!(
                "{writers} writers, {seconds} s each: app {:.0} saves/s, raw sqlx {:.0} saves/s, ratio {:.2}",
                f.app_per_sec,
                f.raw_per_sec,
                f.app_per_sec / f.raw_per_sec
            );
        }
        Command::BenchAnonymise { runs, contacts, background, bulk } => {
            use server::bench::anonymisation::{bulk as bulk_run, quantile, single};
            if let Some(customers) = bulk {
                let (seconds, anonymised) = bulk_run(&db, customers).await?;
                println!("retention rule: {anonymised} customers anonymised in {seconds:.1} s ({:.0} per second)", anonymised as f64 / seconds);
            } else {
                let f = single(&db, runs, contacts, background).await?;
                let (app50, app95, raw50, raw95) = (quantile(&f.app_ms, 0.5), quantile(&f.app_ms, 0.95), quantile(&f.raw_ms, 0.5), quantile(&f.raw_ms, 0.95));
                println!(
                    "{runs} customers x {contacts} contacts, {background} others: app p50 {app50:.1} ms p95 {app95:.1} ms; raw p50 {raw50:.1} ms p95 {raw95:.1} ms; ratio p50 {:.2}",
                    app50 / raw50
                );
            }
        }
        Command::VerifyAccessLog { tenant } => {
            let repo = db.repository();
            let tenants = match tenant {
                Some(t) => vec![t],
                None => repo.access_log_tenants().await?,
            };
            let mut broken = false;
            for t in tenants {
                match server::access_log::verify_tenant(repo.as_ref(), t).await? {
                    Ok(n) => println!("tenant {t}: {n} entries, the chain holds"),
                    Err(link) => {
                        broken = true;
                        println!("tenant {t}: BROKEN: {link}");
                    }
                }
            }
            if broken {
                std::process::exit(1);
            }
        }
        Command::PurgeAccessLog => {
            let purged = server::access_log::purge_expired(db.repository().as_ref(), server::auth::now_ms()).await?;
            if purged.is_empty() {
                println!("Nothing to remove.");
            }
            for (tenant, removed) in purged {
                println!("tenant {tenant}: removed {removed} entries older than its retention period");
            }
        }
        Command::PurgeInvoiceArchive => {
            let today = app::domain::utc_date(server::auth::now_ms());
            let purged = db.repository().purge_invoice_archive(&today, server::auth::now_ms()).await?;
            if purged.is_empty() {
                println!("Nothing to remove: no archived invoice's retention ended before {today}.");
            }
            for (tenant, removed) in purged {
                println!("tenant {tenant}: removed {removed} archived invoices whose retention ended before {today}");
            }
        }
        Command::AnonymiseInactive { tenant, dry_run } => {
            let repo = db.repository();
            let now = server::auth::now_ms();
            let rules = server::retention::rules(repo.as_ref(), tenant).await?;
            if rules.is_empty() {
                println!("No client has a retention rule (Automatisk anonymisering).");
            }
            for (tenant, years) in rules {
                let cutoff = years.cutoff_at(now);
                if dry_run {
                    let count = repo.count_inactive_customers(tenant, &cutoff).await?;
                    println!("tenant {tenant}: {count} customers with no activity since {} and a zero balance", cutoff.date);
                    continue;
                }
                let run = server::retention::run_rule(repo.as_ref(), tenant, years, now, 500, |done, total| {
                    eprint!("\rtenant {tenant}: {done} of {total} anonymised");
                })
                .await?;
                eprintln!();
                println!("tenant {tenant}: anonymised {} customers inactive since {} ({} refused after all)", run.anonymised, cutoff.date, run.skipped);
            }
        }
        Command::Outbox { to, all, json, limit } => {
            let mails = db.repository().outbox(to.as_deref(), all, limit).await?;
            if json {
                let rows: Vec<_> = mails
                    .iter()
                    .map(|m| serde_json::json!({ "id": m.id, "to": m.to, "subject": m.subject, "body": m.body, "created_ms": m.created_ms, "sent_ms": m.sent_ms }))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else if mails.is_empty() {
                println!("The outbox is empty.");
            } else {
                for m in &mails {
                    let state = if m.sent_ms.is_some() { "sent" } else { "waiting" };
                    println!("#{} ({state}) To: {}\nSubject: {}\n\n{}\n{}", m.id, m.to, m.subject, m.body, "-".repeat(72));
                }
            }
        }
        Command::GenerateSecretKey { .. } | Command::GenerateBackupKey { .. } | Command::Restore { .. } | Command::RestoreDrill { .. } => {
            unreachable!("handled before the database is opened")
        }
        Command::Backup { dir, copy_to, keep, recipients } => {
            let recipients = recipients.iter().map(|r| server::backup::parse_recipient(r)).collect::<anyhow::Result<Vec<_>>>()?;
            let options = server::backup::BackupOptions { dir: dir.clone(), copy_to, keep, recipients };
            let started = std::time::Instant::now();
            let manifest = server::backup::backup(&db, &database_url, &options).await?;
            println!(
                "Backed up {} tables, {} rows to {} ({} bytes{}) in {:.1} s.",
                manifest.fingerprint.tables.len(),
                manifest.fingerprint.rows(),
                dir.join(&manifest.file).display(),
                manifest.bytes,
                if manifest.encrypted { ", encrypted" } else { "" },
                started.elapsed().as_secs_f64()
            );
        }
        Command::RotateSecretKey { new_key_file } => {
            let new_key = SecretKey::from_file(&new_key_file)?;
            let count = server::secrets::rotate(db.repository().as_ref(), &SecretKey::from_env()?, &new_key).await?;
            println!(
                "Re-sealed {count} secrets and TOTP seeds under key {}. Now set SAMTYKKE_SECRET_KEY_FILE={new_key_file} and restart every app server.",
                new_key.id()
            );
        }
        Command::Seed { customers: None, .. } => {
            let created = seed_demo(db.seeder()).await?;
            println!("{}", if created { "Demo data created." } else { "Demo data was already there." });
            print_demo_logins();
        }
        Command::Seed { customers: Some(n), tenants } => {
            let bar = indicatif::ProgressBar::new(n);
            bar.set_style(indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} customers, {per_sec}, eta {eta}")?);
            let started = std::time::Instant::now();
            seed_bulk(db.seeder(), n, tenants, &bar).await?;
            bar.finish();
            println!("Generated {n} customers over {tenants} tenants in {:.1} s.", started.elapsed().as_secs_f64());
            println!("{BULK_LOGIN} (password {DEMO_PASSWORD}) works in the first of them.");
        }
    }
    Ok(())
}

/// What serve takes from its settings once they are checked.
struct ServeSettings {
    public_url: Option<String>,
    secret_key: SecretKey,
}

/// The settings of serve that need no database, in order: the first wrong one stops the start.
fn check_serve_settings(public_url: Option<&str>, smtp_url: Option<&str>, has_mail_from: bool, site_root: &str) -> Result<ServeSettings, ConfigError> {
    let public_url = public_url.map(config::public_url).transpose()?;
    smtp_url.map(config::smtp_url).transpose()?;
    if smtp_url.is_some() && !has_mail_from {
        return Err(ConfigError::Missing { key: "SAMTYKKE_MAIL_FROM", hint: "SAMTYKKE_SMTP_URL needs a sender, e.g. \"Samtykke <noreply@example.no>\"" });
    }
    config::existing_path("LEPTOS_SITE_ROOT", std::path::Path::new(site_root))?;
    let secret_key = SecretKey::from_env().map_err(|e| ConfigError::Invalid { key: "SAMTYKKE_SECRET_KEY_FILE", problem: e.to_string() })?;
    server::db::sqlite::storage_key().map_err(|e| ConfigError::Invalid { key: server::db::sqlite::STORAGE_KEY_ENV, problem: e.to_string() })?;
    Ok(ServeSettings { public_url, secret_key })
}

/// Stops at start with the setting that is wrong (exit code 2, like a wrong flag).
fn refuse(e: ConfigError) -> ! {
    eprintln!("samtykke: configuration error: {e}");
    std::process::exit(2);
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).with_span_list(false).init(),
    }
}

/// SIGTERM (systemd, Docker, Kubernetes) or Ctrl+C: stop taking connections, answer what is in
/// flight, then return.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: answering the requests in flight");
}

/// A fresh key in base64, in a new file only its owner can read.
fn write_new_key(path: &std::path::Path) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| anyhow::anyhow!("{}: {e} (an existing key is never overwritten)", path.display()))?;
    writeln!(file, "{}", SecretKey::generate().to_base64())?;
    Ok(())
}

fn print_demo_logins() {
    println!("Demo logins (password for both: {DEMO_PASSWORD}):");
    for login in &DEMO_LOGINS {
        let tenants: Vec<&str> = login.tenants.iter().map(|(t, _)| *t).collect();
        println!("  {:<16} {}", login.email, tenants.join(", "));
    }
}

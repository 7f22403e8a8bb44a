use clap::{Parser, Subcommand};
use server::auth::LockoutPolicy;
use server::db::Database;
use server::seed::{seed_bulk, seed_demo, BULK_LOGIN, DEMO_LOGINS, DEMO_PASSWORD};
use server::secrets::SecretKey;
use server::web::{router, WebConfig};
use std::net::SocketAddr;

#[derive(Parser)]
#[command(name = "samtykke", about = "Samtykke: GDPR consent and customer data for Norwegian businesses")]
struct Cli {
    /// sqlite://path (created if missing) or postgres://user@host/db (created if missing).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/samtykke.db", global = true)]
    database_url: String,
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
    /// Fill the database with demo data or, with --customers, with generated customers.
    Seed {
        #[arg(long)]
        customers: Option<u64>,
        #[arg(long, default_value_t = 1)]
        tenants: u64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()))
        .init();
    let cli = Cli::parse();
    if let Some(Command::GenerateSecretKey { out }) = &cli.command {
        write_new_key(out)?;
        println!("Wrote a new key to {}. Set SAMTYKKE_SECRET_KEY_FILE={} for every app server.", out.display(), out.display());
        return Ok(());
    }
    let db = Database::open(&cli.database_url).await?;
    match cli.command.unwrap_or(Command::Serve {
        addr: "127.0.0.1:3000".parse()?,
        site_root: "target/site".into(),
        insecure_cookies: false,
        demo: false,
        public_url: None,
        smtp_url: None,
        mail_from: None,
    }) {
        Command::Serve { addr, site_root, insecure_cookies, demo, public_url, smtp_url, mail_from } => {
            if demo {
                seed_demo(db.seeder()).await?;
                print_demo_logins();
            }
            match (&smtp_url, &mail_from) {
                (Some(url), Some(from)) => server::mail::spawn_sender(db.repository(), url, from)?,
                (Some(_), None) => anyhow::bail!("SAMTYKKE_SMTP_URL needs SAMTYKKE_MAIL_FROM"),
                _ => println!("No SMTP server configured: mail stays in the outbox (`samtykke outbox`)."),
            }
            let public_url = public_url.unwrap_or_else(|| format!("http://{addr}"));
            let secret_key = SecretKey::from_env()?;
            let config = WebConfig {
                site_root,
                site_addr: addr,
                secure_cookies: !insecure_cookies,
                lockout: LockoutPolicy::default(),
                public_url,
                secret_key,
            };
            let app = router(&db, &config).await?;
            let listener = tokio::net::TcpListener::bind(addr).await?;
            println!("Samtykke listens on http://{}", listener.local_addr()?);
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await?;
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
        Command::GenerateSecretKey { .. } => unreachable!("handled before the database is opened"),
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

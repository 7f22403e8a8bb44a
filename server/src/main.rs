use clap::{Parser, Subcommand};
use server::auth::LockoutPolicy;
use server::db::Database;
use server::seed::{seed_bulk, seed_demo, BULK_LOGIN, DEMO_LOGINS, DEMO_PASSWORD};
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
    let db = Database::open(&cli.database_url).await?;
    match cli.command.unwrap_or(Command::Serve {
        addr: "127.0.0.1:3000".parse()?,
        site_root: "target/site".into(),
        insecure_cookies: false,
        demo: false,
    }) {
        Command::Serve { addr, site_root, insecure_cookies, demo } => {
            if demo {
                seed_demo(db.seeder()).await?;
                print_demo_logins();
            }
            let config = WebConfig { site_root, site_addr: addr, secure_cookies: !insecure_cookies, lockout: LockoutPolicy::default() };
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

fn print_demo_logins() {
    println!("Demo logins (password for both: {DEMO_PASSWORD}):");
    for login in &DEMO_LOGINS {
        let tenants: Vec<&str> = login.tenants.iter().map(|(t, _)| *t).collect();
        println!("  {:<16} {}", login.email, tenants.join(", "));
    }
}

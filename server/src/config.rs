//! Settings: each comes from a command-line flag or its environment variable, and any of the
//! variables may instead sit in a file (`SAMTYKKE_CONFIG`, `KEY=value` lines, the format of
//! systemd's `EnvironmentFile`). A variable set in the environment wins over the file.
//!
//! Everything is checked before the server opens its database, so a typo stops it at start with
//! the name of the setting, not with a failure on the first request. URLs may hold passwords:
//! an error shows them as `***`.

use std::path::{Path, PathBuf};

/// The environment variable naming the settings file.
pub const CONFIG_ENV: &str = "SAMTYKKE_CONFIG";

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("{key}: {problem}")]
    Invalid { key: &'static str, problem: String },
    #[error("{key} is not set: {hint}")]
    Missing { key: &'static str, hint: &'static str },
    #[error("the settings file {path}: {problem}")]
    File { path: String, problem: String },
}

fn invalid(key: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { key, problem: problem.into() }
}

/// Loads the settings file, if one is named by `--config FILE` on the command line or by
/// `SAMTYKKE_CONFIG`, into the environment before the flags are parsed.
pub fn load_file(args: &[String]) -> Result<Option<PathBuf>, ConfigError> {
    let from_args = args.windows(2).find(|w| w[0] == "--config").map(|w| w[1].clone()).or_else(|| {
        args.iter().find_map(|a| a.strip_prefix("--config=").map(str::to_string))
    });
    let Some(path) = from_args.or_else(|| std::env::var(CONFIG_ENV).ok()) else {
        return Ok(None);
    };
    let path = PathBuf::from(path);
    // dotenvy leaves variables that are already set alone: the environment wins.
    dotenvy::from_path(&path).map_err(|e| ConfigError::File { path: path.display().to_string(), problem: file_problem(&path, e) })?;
    Ok(Some(path))
}

/// dotenvy's own message quotes the line, which may hold a password: name its number instead.
fn file_problem(path: &Path, error: dotenvy::Error) -> String {
    match error {
        dotenvy::Error::LineParse(line, _) => {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let number = text.lines().position(|l| l.trim() == line.trim() || l.contains(line.trim())).map_or(0, |n| n + 1);
            format!("line {number} does not parse: write KEY=value, and put a value with spaces, $, # or quotes in single quotes")
        }
        other => other.to_string(),
    }
}

/// `sqlite://PATH` (or `sqlite::memory:`) or `postgres://USER@HOST[:PORT]/DATABASE`.
pub fn database_url(raw: &str) -> Result<String, ConfigError> {
    const KEY: &str = "DATABASE_URL";
    let raw = raw.trim();
    if let Some(rest) = raw.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        if path.is_empty() || path.starts_with('?') {
            return Err(invalid(KEY, "a sqlite URL needs a file, e.g. sqlite://data/samtykke.db"));
        }
        return Ok(raw.to_string());
    }
    let url = url::Url::parse(raw).map_err(|e| invalid(KEY, format!("{e} in '{}'; expected sqlite://PATH or postgres://USER@HOST/DATABASE", redact(raw))))?;
    match url.scheme() {
        "postgres" | "postgresql" => {
            if url.host_str().is_none_or(str::is_empty) {
                return Err(invalid(KEY, format!("'{}' names no host", redact(raw))));
            }
            if url.path().trim_start_matches('/').is_empty() {
                return Err(invalid(KEY, format!("'{}' names no database, e.g. postgres://samtykke@db.internal/samtykke", redact(raw))));
            }
            Ok(raw.to_string())
        }
        other => Err(invalid(KEY, format!("'{other}' databases are not supported; expected sqlite://PATH or postgres://USER@HOST/DATABASE"))),
    }
}

/// The address customers reach the app on: an absolute http(s) URL.
pub fn public_url(raw: &str) -> Result<String, ConfigError> {
    const KEY: &str = "SAMTYKKE_PUBLIC_URL";
    let url = url::Url::parse(raw.trim()).map_err(|e| invalid(KEY, format!("{e} in '{}'; expected e.g. https://samtykke.example.no", redact(raw))))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(KEY, format!("'{}' is not an http(s) address", redact(raw))));
    }
    Ok(raw.trim().trim_end_matches('/').to_string())
}

/// `smtp://` (STARTTLS) or `smtps://` (TLS) with a host.
pub fn smtp_url(raw: &str) -> Result<String, ConfigError> {
    const KEY: &str = "SAMTYKKE_SMTP_URL";
    let url = url::Url::parse(raw.trim()).map_err(|e| invalid(KEY, format!("{e} in '{}'", redact(raw))))?;
    if !matches!(url.scheme(), "smtp" | "smtps") || url.host_str().is_none_or(str::is_empty) {
        return Err(invalid(KEY, format!("'{}' is not an smtp:// or smtps:// address with a host", redact(raw))));
    }
    Ok(raw.trim().to_string())
}

/// How the log is written: `text` for a person at a terminal, `json` for a log collector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

pub fn log_format(raw: Option<&str>) -> Result<LogFormat, ConfigError> {
    match raw.map(str::trim) {
        None | Some("") | Some("text") => Ok(LogFormat::Text),
        Some("json") => Ok(LogFormat::Json),
        Some(other) => Err(invalid("SAMTYKKE_LOG_FORMAT", format!("'{other}' is neither text nor json"))),
    }
}

/// A file that must exist and be readable (a key file, the site root).
pub fn existing_path(key: &'static str, path: &Path) -> Result<(), ConfigError> {
    std::fs::metadata(path).map(|_| ()).map_err(|e| invalid(key, format!("{}: {e}", path.display())))
}

/// The URL with any password replaced by `***`, for messages and logs.
pub fn redact(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        Ok(_) => raw.to_string(),
        // Unparseable: keep only what cannot be a password (the scheme and the host part).
        Err(_) => match raw.rsplit_once('@') {
            Some((before, after)) => format!("{}***@{after}", before.split_once("://").map_or(String::new(), |(s, _)| format!("{s}://"))),
            None => raw.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_of_both_kinds_pass() {
        assert!(database_url("sqlite://data/samtykke.db").is_ok());
        assert!(database_url("sqlite:///var/lib/samtykke/samtykke.db?mode=rwc").is_ok());
        assert!(database_url("postgres://samtykke:pw@db.internal:5432/samtykke").is_ok());
        assert!(database_url("postgresql://postgres@127.0.0.1/samtykke").is_ok());
    }

    #[test]
    fn a_bad_database_url_names_the_setting_and_hides_the_password() {
        let e = database_url("mysql://root:hemmelig@db/samtykke").unwrap_err().to_string();
        assert!(e.starts_with("DATABASE_URL: 'mysql' databases are not supported"), "{e}");
        let e = database_url("postgres://root:hemmelig@db.internal").unwrap_err().to_string();
        assert!(e.contains("names no database") && e.contains("root:***@db.internal"), "{e}");
        assert!(!e.contains("hemmelig"));
        let e = database_url("postgres//root:hem@lig@db/x").unwrap_err().to_string();
        assert!(e.starts_with("DATABASE_URL: relative URL without a base"), "{e}");
        assert!(!e.contains("hem@lig") && !e.contains("lig@db"), "{e}");
        assert!(database_url("sqlite://").is_err());
    }

    #[test]
    fn public_and_smtp_urls_are_checked() {
        assert_eq!(public_url("https://samtykke.example.no/").unwrap(), "https://samtykke.example.no");
        assert!(public_url("samtykke.example.no").unwrap_err().to_string().starts_with("SAMTYKKE_PUBLIC_URL: "));
        assert!(public_url("ftp://example.no").is_err());
        assert!(smtp_url("smtps://u:p@smtp.example.no").is_ok());
        let e = smtp_url("http://u:topphemmelig@smtp.example.no").unwrap_err().to_string();
        assert!(e.starts_with("SAMTYKKE_SMTP_URL: ") && !e.contains("topphemmelig"), "{e}");
    }

    #[test]
    fn log_formats() {
        assert_eq!(log_format(None), Ok(LogFormat::Text));
        assert_eq!(log_format(Some("json")), Ok(LogFormat::Json));
        assert!(log_format(Some("xml")).unwrap_err().to_string().contains("SAMTYKKE_LOG_FORMAT"));
    }

    #[test]
    fn the_file_fills_what_the_environment_leaves_unset() {
        let dir = std::env::temp_dir().join(format!("samtykke-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("samtykke.env");
        std::fs::write(&file, "SAMTYKKE_TEST_FROM_FILE=fil\nSAMTYKKE_TEST_BOTH=fil\n").unwrap();
        std::env::set_var("SAMTYKKE_TEST_BOTH", "miljø");
        let args = vec!["server".to_string(), "--config".to_string(), file.display().to_string()];
        assert_eq!(load_file(&args).unwrap(), Some(file.clone()));
        assert_eq!(std::env::var("SAMTYKKE_TEST_FROM_FILE").unwrap(), "fil");
        assert_eq!(std::env::var("SAMTYKKE_TEST_BOTH").unwrap(), "miljø");
        let missing = vec!["server".to_string(), format!("--config={}", dir.join("finnes-ikke.env").display())];
        assert!(matches!(load_file(&missing), Err(ConfigError::File { .. })));
        // A line that does not parse is named by its number, never shown: it may hold a password.
        let broken = dir.join("broken.env");
        std::fs::write(&broken, "SAMTYKKE_TEST_OK=1\nSAMTYKKE_SMTP_URL=smtps://u:topp hemmelig@smtp.example.no\n").unwrap();
        let e = load_file(&["server".to_string(), "--config".to_string(), broken.display().to_string()]).unwrap_err().to_string();
        assert!(e.contains("line 2 does not parse"), "{e}");
        assert!(!e.contains("hemmelig"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

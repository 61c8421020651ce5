//! Typed settings from the environment, read once at start. A bad value fails fast, naming the
//! variable. Every variable but `DATABASE_URL` has a working default.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Where PostgreSQL is; `None` means: find one on localhost or start a private cluster.
    pub database_url: Option<String>,
    pub bind: SocketAddr,
    /// The address users reach the app at (for Origin checks and links in exports).
    pub public_url: Option<String>,
    /// Where the private PostgreSQL cluster lives when no server is found.
    pub data_dir: PathBuf,
    pub db_pool_size: u32,
    /// HTTP worker threads; `None` means one per CPU core.
    pub workers: Option<usize>,
    /// `Secure` flag on the session cookie; switch off only for plain-http development.
    pub cookie_secure: bool,
    pub session_idle_timeout: Duration,
    pub session_absolute_timeout: Duration,
    pub max_text_bytes: usize,
    pub max_html_bytes: usize,
    /// The organisation named as author of published ClaimReviews.
    pub organization_name: String,
    pub organization_url: Option<String>,
    /// Requests per minute per API token; `None` means unlimited.
    pub api_rate_limit: Option<u32>,
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can supply an environment of their own.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let database_url = get("DATABASE_URL");
        if let Some(url) = &database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(ConfigError {
                variable: "DATABASE_URL",
                message: "must start with postgres:// or postgresql://".into(),
            });
        }
        let bind = match get("BIND") {
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            Some(v) => v.parse().map_err(|_| ConfigError {
                variable: "BIND",
                message: format!("{v:?} is not a socket address such as 127.0.0.1:8080"),
            })?,
        };
        let public_url = match get("PUBLIC_URL") {
            None => None,
            Some(v) if v.starts_with("http://") || v.starts_with("https://") => {
                Some(v.trim_end_matches('/').to_string())
            }
            Some(v) => {
                return Err(ConfigError {
                    variable: "PUBLIC_URL",
                    message: format!("{v:?} must start with http:// or https://"),
                });
            }
        };
        let data_dir = get("CLAIMTRACKER_DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(default_data_dir);
        let organization_url = match get("ORGANIZATION_URL") {
            None => None,
            Some(v) if v.starts_with("http://") || v.starts_with("https://") => Some(v),
            Some(v) => {
                return Err(ConfigError {
                    variable: "ORGANIZATION_URL",
                    message: format!("{v:?} must start with http:// or https://"),
                });
            }
        };
        Ok(Config {
            database_url,
            bind,
            public_url,
            data_dir,
            db_pool_size: parse_number(&get, "DB_POOL_SIZE", 10, 1, 1000)?,
            workers: match get("WORKERS") {
                None => None,
                Some(_) => Some(parse_number(&get, "WORKERS", 1, 1, 1024)?),
            },
            cookie_secure: parse_bool(&get, "COOKIE_SECURE", false)?,
            session_idle_timeout: Duration::from_secs(
                parse_number(&get, "SESSION_IDLE_MINUTES", 120, 1, 525_600)? * 60,
            ),
            session_absolute_timeout: Duration::from_secs(
                parse_number(&get, "SESSION_ABSOLUTE_HOURS", 24 * 7, 1, 8_760)? * 3600,
            ),
            max_text_bytes: parse_number(&get, "MAX_TEXT_BYTES", 2 * 1024 * 1024, 1024, 1 << 30)?,
            max_html_bytes: parse_number(&get, "MAX_HTML_BYTES", 5 * 1024 * 1024, 1024, 1 << 30)?,
            organization_name: get("ORGANIZATION_NAME")
                .unwrap_or_else(|| "claimtracker newsroom".to_string()),
            organization_url,
            api_rate_limit: match get("API_RATE_LIMIT_PER_MINUTE") {
                None => None,
                Some(_) => Some(parse_number(
                    &get,
                    "API_RATE_LIMIT_PER_MINUTE",
                    0,
                    1,
                    1_000_000,
                )?),
            },
        })
    }
}

fn parse_number<T>(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: T,
    min: T,
    max: T,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let Some(raw) = get(variable) else {
        return Ok(default);
    };
    match raw.trim().parse::<T>() {
        Ok(v) if v >= min && v <= max => Ok(v),
        _ => Err(ConfigError {
            variable,
            message: format!("{raw:?} is not a whole number from {min} to {max}"),
        }),
    }
}

fn parse_bool(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match get(variable).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
        Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
        Some(v) => Err(ConfigError {
            variable,
            message: format!("{v:?} is not true or false"),
        }),
    }
}

/// Root cannot run `initdb`, so as root the cluster lives where the `postgres` user can reach it.
fn default_data_dir() -> PathBuf {
    if crate::db::running_as_root() {
        return PathBuf::from("/var/lib/claimtracker/pgdata");
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("claimtracker/pgdata")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_need_nothing() {
        let c = config(&[]).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert!(c.database_url.is_none());
        assert_eq!(c.max_text_bytes, 2 * 1024 * 1024);
        assert!(c.api_rate_limit.is_none());
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            ("BIND", "not-an-address"),
            ("DATABASE_URL", "mysql://x"),
            ("DB_POOL_SIZE", "0"),
            ("DB_POOL_SIZE", "ten"),
            ("COOKIE_SECURE", "maybe"),
            ("PUBLIC_URL", "example.org"),
            ("SESSION_IDLE_MINUTES", "-5"),
        ] {
            let err = config(&[(var, value)]).unwrap_err();
            assert_eq!(err.variable, var, "{value}");
            assert!(err.to_string().starts_with(var));
        }
    }

    #[test]
    fn values_are_read() {
        let c = config(&[
            ("BIND", "0.0.0.0:9000"),
            ("DB_POOL_SIZE", "4"),
            ("COOKIE_SECURE", "true"),
            ("PUBLIC_URL", "https://claims.example.org/"),
        ])
        .unwrap();
        assert_eq!(c.bind.port(), 9000);
        assert_eq!(c.db_pool_size, 4);
        assert!(c.cookie_secure);
        assert_eq!(c.public_url.as_deref(), Some("https://claims.example.org"));
    }
}

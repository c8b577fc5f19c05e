//! Writing the App's credentials to `.env` after the manifest flow: created
//! with mode 0600, never overwriting an existing file, values quoted so a
//! multi-line PEM reads back intact with dotenvy.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// What GitHub returns from `POST /app-manifests/{code}/conversions` (the fields vayu keeps).
#[derive(Clone, Deserialize)]
pub struct AppCredentials {
    /// The App's id.
    pub id: u64,
    /// The App's slug (`my-vayu`): the success page, and the bot login
    /// (`my-vayu[bot]`) vayu knows its own events by.
    #[serde(default)]
    pub slug: Option<String>,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: String,
    /// The webhook secret GitHub generated.
    pub webhook_secret: String,
    /// The App's private key (PEM).
    pub pem: String,
    /// The App's page on GitHub.
    #[serde(default)]
    pub html_url: Option<String>,
}

impl fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppCredentials")
            .field("id", &self.id)
            .field("slug", &self.slug)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// Why `.env` was not written.
#[derive(Debug, thiserror::Error)]
pub enum EnvFileError {
    /// The file is there already; vayu never overwrites credentials.
    #[error("`{}` already exists; move it away (it may hold another App's credentials) and run the setup again", path.display())]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// Creating or writing failed.
    #[error("cannot write `{}`: {source}; check that the directory is writable", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Creates `path` (mode 0600) with the credentials as `VAYU_*` variables.
pub fn write_env_file(path: &Path, creds: &AppCredentials) -> Result<(), EnvFileError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::AlreadyExists => EnvFileError::Exists {
            path: path.to_owned(),
        },
        _ => EnvFileError::Io {
            path: path.to_owned(),
            source,
        },
    })?;
    file.write_all(render(creds).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|source| EnvFileError::Io {
            path: path.to_owned(),
            source,
        })
}

/// The file's text.
pub fn render(creds: &AppCredentials) -> String {
    let mut out = String::from("# Written by `vayu serve` setup; keep this file private.\n");
    for (key, value) in [
        ("VAYU_APP_ID", creds.id.to_string()),
        ("VAYU_PRIVATE_KEY", creds.pem.clone()),
        ("VAYU_WEBHOOK_SECRET", creds.webhook_secret.clone()),
        ("VAYU_CLIENT_ID", creds.client_id.clone()),
        ("VAYU_CLIENT_SECRET", creds.client_secret.clone()),
    ] {
        out.push_str(key);
        out.push('=');
        out.push_str(&quote(&value));
        out.push('\n');
    }
    // Slugs are GitHub's (letters, digits, dashes); anything else is left out.
    if let Some(slug) = creds
        .slug
        .as_deref()
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        out.push_str(&format!(
            "VAYU_BOT_LOGIN={}\n",
            quote(&format!("{slug}[bot]"))
        ));
    }
    out
}

/// Double-quoted with newlines as `\n`, so the value stays on one line and
/// dotenvy restores it exactly (`\`, `"` and `$` escaped too).
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> AppCredentials {
        AppCredentials {
            id: 42,
            slug: Some("my-vayu".into()),
            client_id: "Iv1.abc".into(),
            client_secret: "s3c\"r$et\\".into(),
            webhook_secret: "whsec".into(),
            pem: "-----BEGIN RSA PRIVATE KEY-----\nMIIabc+/=\nxyz\n-----END RSA PRIVATE KEY-----\n"
                .into(),
            html_url: None,
        }
    }

    #[test]
    fn values_read_back_exactly_with_dotenvy() {
        let text = render(&creds());
        let read: Vec<(String, String)> = dotenvy::from_read_iter(text.as_bytes())
            .collect::<Result<_, _>>()
            .expect("the file reads back");
        let c = creds();
        assert_eq!(
            read,
            vec![
                ("VAYU_APP_ID".to_owned(), "42".to_owned()),
                ("VAYU_PRIVATE_KEY".to_owned(), c.pem),
                ("VAYU_WEBHOOK_SECRET".to_owned(), c.webhook_secret),
                ("VAYU_CLIENT_ID".to_owned(), c.client_id),
                ("VAYU_CLIENT_SECRET".to_owned(), c.client_secret),
                ("VAYU_BOT_LOGIN".to_owned(), "my-vayu[bot]".to_owned()),
            ]
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let shown = format!("{:?}", creds());
        assert!(!shown.contains("whsec") && !shown.contains("PRIVATE") && !shown.contains("s3c"));
    }
}

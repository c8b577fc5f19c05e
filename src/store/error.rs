//! What can go wrong in the store, with database URLs shown without passwords.

use super::job::JobId;

/// A store failure; messages never contain a database password.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names a database vayu does not support.
    #[error(
        "unsupported database URL `{url}`: use `sqlite://path/to/vayu.db` or `postgres://user:password@host/db`"
    )]
    UnsupportedUrl {
        /// The URL, password redacted.
        url: String,
    },
    /// The database could not be opened or reached.
    #[error(
        "cannot connect to the database at `{url}`: {source}; check the URL, that the server is running and the credentials"
    )]
    Connect {
        /// The URL, password redacted.
        url: String,
        /// What sqlx reported.
        #[source]
        source: sqlx::Error,
    },
    /// Migrations could not be applied at connect.
    #[error("cannot apply the schema migrations to `{url}`: {source}")]
    Migrate {
        /// The URL, password redacted.
        url: String,
        /// What the migrator reported.
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    /// The database answered but not every migration vayu knows is applied.
    #[error(
        "the database schema is behind: migrations {missing:?} are not applied; restart vayu so it migrates at connect"
    )]
    MigrationsPending {
        /// Versions vayu embeds that the database has not applied.
        missing: Vec<i64>,
    },
    /// The job's lease expired and another worker leased it; our result is dropped.
    #[error(
        "the lease on job {job} was lost (it expired and another worker took the job); the result was not recorded"
    )]
    LeaseLost {
        /// The job whose lease was lost.
        job: JobId,
    },
    /// A stored value does not parse back (a column edited by hand, or a newer vayu wrote it).
    #[error("stored {what} is invalid: {detail}")]
    Corrupt {
        /// Which value.
        what: &'static str,
        /// Why it does not parse.
        detail: String,
    },
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
}

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// Returns `url` with any password replaced by `***`, both in the
/// `user:password@` part and in a `password=` query parameter, so that URLs
/// can appear in errors and logs.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut out = match base.split_once("://") {
        Some((scheme, rest)) => {
            // The authority ends at the first `/`; a password can hold `@`, so
            // the last `@` in the authority separates user info from host.
            let (authority, path) = match rest.find('/') {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            let authority = match authority.rsplit_once('@') {
                Some((userinfo, host)) => match userinfo.split_once(':') {
                    Some((user, _password)) => format!("{user}:***@{host}"),
                    None => format!("{userinfo}@{host}"),
                },
                None => authority.to_owned(),
            };
            format!("{scheme}://{authority}{path}")
        }
        None => base.to_owned(),
    };
    if let Some(query) = query {
        let params: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_in_userinfo_is_hidden() {
        assert_eq!(
            redact_url("postgres://vayu:s3cr%40t@db.example:5432/vayu"),
            "postgres://vayu:***@db.example:5432/vayu"
        );
    }

    #[test]
    fn password_containing_at_sign_is_hidden() {
        assert_eq!(
            redact_url("postgres://u:p@ss@h/db"),
            "postgres://u:***@h/db"
        );
    }

    #[test]
    fn password_query_parameter_is_hidden() {
        assert_eq!(
            redact_url("postgres://h/db?user=u&password=hunter2&sslmode=require"),
            "postgres://h/db?user=u&password=***&sslmode=require"
        );
    }

    #[test]
    fn urls_without_password_are_unchanged() {
        assert_eq!(
            redact_url("sqlite://vayu.db?synchronous=full"),
            "sqlite://vayu.db?synchronous=full"
        );
        assert_eq!(redact_url("postgres://vayu@h/db"), "postgres://vayu@h/db");
    }
}

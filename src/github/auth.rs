//! GitHub App authentication: the app's JWT, the repo → installation lookup,
//! and installation tokens cached until five minutes before they expire, so
//! many calls share one token exchange.

use std::collections::HashMap;
use std::future::Future;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::app::ports::{GhResult, GitHubError};
use crate::core::ids::InstallationId;

/// Refresh an installation token this many seconds before it expires.
pub const REFRESH_BEFORE_SECS: i64 = 5 * 60;

/// A GitHub App's id and private key.
#[derive(Clone)]
pub struct AppCredentials {
    /// The App id (or client id) GitHub issued.
    pub app_id: String,
    key: EncodingKey,
}

impl std::fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppCredentials")
            .field("app_id", &self.app_id)
            .finish_non_exhaustive()
    }
}

impl AppCredentials {
    /// Reads the App's PEM private key (the file GitHub lets you download).
    pub fn from_pem(app_id: impl Into<String>, pem: &[u8]) -> GhResult<Self> {
        let key = EncodingKey::from_rsa_pem(pem).map_err(|e| GitHubError::Other {
            message: format!(
                "the GitHub App private key is not an RSA PEM key ({e}); download a new key from the App's settings page"
            ),
        })?;
        Ok(Self {
            app_id: app_id.into(),
            key,
        })
    }
}

/// The claims of the App's JWT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppClaims {
    /// Issued at: a minute in the past, against clock drift.
    pub iat: i64,
    /// Expiry: nine minutes ahead (GitHub allows at most ten).
    pub exp: i64,
    /// The App id.
    pub iss: String,
}

/// Signs the App's RS256 JWT for time `now` (Unix seconds).
pub fn app_jwt(creds: &AppCredentials, now: i64) -> GhResult<String> {
    let claims = AppClaims {
        iat: now - 60,
        exp: now + 9 * 60,
        iss: creds.app_id.clone(),
    };
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &creds.key).map_err(|e| {
        GitHubError::Other {
            message: format!("cannot sign the GitHub App JWT: {e}"),
        }
    })
}

/// Per-installation values (tokens, or clients holding them) that expire.
#[derive(Debug)]
pub struct TokenCache<T> {
    entries: Mutex<HashMap<InstallationId, (T, i64)>>,
}

impl<T> Default for TokenCache<T> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Clone> TokenCache<T> {
    /// The cached value for `id`, or a new one from `exchange` (which returns
    /// the value and its expiry) when there is none or it expires within
    /// [`REFRESH_BEFORE_SECS`] of `now`. Concurrent callers share one exchange.
    pub async fn get<F, Fut>(&self, id: InstallationId, now: i64, exchange: F) -> GhResult<T>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = GhResult<(T, i64)>>,
    {
        let mut entries = self.entries.lock().await;
        if let Some((value, expires)) = entries.get(&id)
            && now < expires - REFRESH_BEFORE_SECS
        {
            return Ok(value.clone());
        }
        let (value, expires) = exchange().await?;
        entries.insert(id, (value.clone(), expires));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A throwaway key generated for these tests only.
    const TEST_KEY: &[u8] = include_bytes!("../../tests/fixtures/keys/test-app.private.pem");
    const TEST_PUB: &[u8] = include_bytes!("../../tests/fixtures/keys/test-app.public.pem");

    #[test]
    fn app_jwt_claims_verify_with_the_public_key() {
        let creds = AppCredentials::from_pem("12345", TEST_KEY).expect("key");
        let now = 1_700_000_000;
        let jwt = app_jwt(&creds, now).expect("sign");
        let key = jsonwebtoken::DecodingKey::from_rsa_pem(TEST_PUB).expect("public key");
        let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        let data = jsonwebtoken::decode::<AppClaims>(&jwt, &key, &validation).expect("verify");
        assert_eq!(data.header.alg, Algorithm::RS256);
        assert_eq!(data.claims.iss, "12345");
        assert_eq!(data.claims.iat, now - 60);
        assert_eq!(data.claims.exp, now + 540);
        assert!(data.claims.exp - data.claims.iat <= 600);
    }

    #[test]
    fn a_non_rsa_key_is_refused_with_a_fix() {
        let err = AppCredentials::from_pem("1", b"not a key").expect_err("bad key");
        assert!(err.to_string().contains("download a new key"), "{err}");
    }

    #[tokio::test]
    async fn one_exchange_until_near_expiry() {
        let cache = TokenCache::<String>::default();
        let exchanges = AtomicU32::new(0);
        let exchange = |now: i64| {
            let n = exchanges.fetch_add(1, Ordering::SeqCst) + 1;
            async move { Ok((format!("token-{n}"), now + 3600)) }
        };
        let id = InstallationId(7);
        for t in [0, 10, 3000, 3299] {
            assert_eq!(
                cache.get(id, t, || exchange(0)).await.expect("token"),
                "token-1"
            );
        }
        assert_eq!(
            cache.get(id, 3300, || exchange(3300)).await.expect("token"),
            "token-2"
        );
        assert_eq!(
            cache.get(id, 3301, || exchange(3301)).await.expect("token"),
            "token-2"
        );
        assert_eq!(
            cache
                .get(InstallationId(8), 3301, || exchange(3301))
                .await
                .expect("token"),
            "token-3"
        );
        assert_eq!(exchanges.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_failed_exchange_is_not_cached() {
        let cache = TokenCache::<String>::default();
        let err = cache
            .get(InstallationId(1), 0, || async {
                Err(GitHubError::Transient {
                    message: "reset".into(),
                })
            })
            .await;
        assert!(err.is_err());
        let ok = cache
            .get(InstallationId(1), 0, || async {
                Ok(("t".to_owned(), 3600))
            })
            .await;
        assert_eq!(ok.expect("token"), "t");
    }
}

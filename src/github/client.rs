//! `GitHubClient`: picks the token for a repository (the Action's
//! `GITHUB_TOKEN`, or the App installation's cached token) and implements the
//! [`GitHub`] port by delegating to the `client_*` files.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use octocrab::Octocrab;
use octocrab::service::middleware::retry::RetryConfig;
use serde::Deserialize;
use tokio::sync::Mutex;

use super::auth::{AppCredentials, TokenCache, app_jwt};
use super::breaker::{Breaker, BreakerConfig};
use super::pacing::Pacer;
use super::retry::RetryPolicy;
use super::transport::{NowFn, Req, Transport, system_now};
use crate::app::ports::{FileContent, GhResult, GitHubError};
use crate::core::ids::{InstallationId, RepoName};

/// How to reach GitHub.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// REST base URL: `https://api.github.com`, or `https://ghe.example/api/v3`.
    pub base_url: String,
    /// Retry and rate-limit policy.
    pub retry: RetryPolicy,
    /// Minimum gap between mutations per installation (GitHub asks for 1 s).
    pub mutation_gap: Duration,
    /// Connect and read timeout of one attempt; `None` for none (tests with
    /// a paused clock, where a pending timeout would be advanced to at once).
    pub timeout: Option<Duration>,
    /// When calls for an installation pause after repeated failures.
    pub breaker: BreakerConfig,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            base_url: "https://api.github.com".into(),
            retry: RetryPolicy::default(),
            mutation_gap: Duration::from_secs(1),
            timeout: Some(Duration::from_secs(30)),
            breaker: BreakerConfig::default(),
        }
    }
}

impl ClientConfig {
    /// The GraphQL endpoint's base: `/api/v3` → `/api` on GitHub Enterprise Server.
    pub fn graphql_base(&self) -> String {
        let base = self.base_url.trim_end_matches('/');
        base.strip_suffix("/v3").unwrap_or(base).to_owned()
    }
}

/// The REST and GraphQL transports for one token.
#[derive(Debug)]
pub(crate) struct Session {
    pub rest: Transport,
    pub graphql: Transport,
}

enum Auth {
    Token(Arc<Session>),
    App {
        creds: Box<AppCredentials>,
        installations: Mutex<HashMap<RepoName, InstallationId>>,
        sessions: TokenCache<Arc<Session>>,
    },
}

/// What every session of a client shares: config, clock, counters, pacers.
struct Shared {
    cfg: ClientConfig,
    now: NowFn,
    attempts: Arc<AtomicU64>,
    pacers: std::sync::Mutex<HashMap<u64, Arc<Pacer>>>,
    breakers: std::sync::Mutex<HashMap<u64, Arc<Breaker>>>,
}

/// The octocrab-backed implementation of the [`GitHub`] port.
pub struct GitHubClient {
    shared: Shared,
    auth: Auth,
    exchanges: AtomicU64,
    pub(crate) etags: Mutex<HashMap<(RepoName, String), (String, FileContent)>>,
    pub(crate) node_ids: Mutex<HashMap<String, String>>,
}

impl std::fmt::Debug for GitHubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHubClient")
            .field("base_url", &self.shared.cfg.base_url)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct WireInstallation {
    id: u64,
}

#[derive(Deserialize)]
struct WireToken {
    token: String,
    expires_at: String,
}

fn octocrab(base: &str, token: &str, timeout: Option<Duration>) -> GhResult<Octocrab> {
    let err = |e: octocrab::Error| GitHubError::Other {
        message: format!("cannot set up the GitHub client for `{base}`: {e}; check the base URL"),
    };
    Octocrab::builder()
        .base_uri(base)
        .map_err(err)?
        .personal_token(token.to_owned())
        .add_retry_config(RetryConfig::None)
        .set_connect_timeout(timeout)
        .set_read_timeout(timeout)
        .build()
        .map_err(err)
}

impl Shared {
    fn new(cfg: ClientConfig, now: NowFn) -> Self {
        Self {
            cfg,
            now,
            attempts: Arc::new(AtomicU64::new(0)),
            pacers: std::sync::Mutex::new(HashMap::new()),
            breakers: std::sync::Mutex::new(HashMap::new()),
        }
    }

    fn breaker(&self, installation: u64) -> Arc<Breaker> {
        let mut breakers = self.breakers.lock().unwrap_or_else(|p| p.into_inner());
        breakers
            .entry(installation)
            .or_insert_with(|| Arc::new(Breaker::new(self.cfg.breaker.clone())))
            .clone()
    }

    /// How long calls for `installation` are held back by its open circuit.
    fn held_back(&self, installation: u64) -> Option<Duration> {
        let breakers = self.breakers.lock().unwrap_or_else(|p| p.into_inner());
        breakers.get(&installation)?.held_back((self.now)())
    }

    fn pacer(&self, installation: u64) -> Arc<Pacer> {
        let mut pacers = self.pacers.lock().unwrap_or_else(|p| p.into_inner());
        pacers
            .entry(installation)
            .or_insert_with(|| Arc::new(Pacer::new(self.cfg.mutation_gap)))
            .clone()
    }

    /// A transport that speaks as the App itself (a fresh JWT), unpaced and
    /// outside any installation's circuit breaker.
    fn app_transport(&self, creds: &AppCredentials) -> GhResult<Transport> {
        self.transport(
            &self.cfg.base_url,
            &app_jwt(creds, chrono::Utc::now().timestamp())?,
            Arc::new(Pacer::new(Duration::ZERO)),
            (0, Arc::new(Breaker::new(BreakerConfig::default()))),
        )
    }

    fn transport(
        &self,
        base: &str,
        token: &str,
        pacer: Arc<Pacer>,
        breaker: (u64, Arc<Breaker>),
    ) -> GhResult<Transport> {
        Ok(Transport {
            octo: octocrab(base, token, self.cfg.timeout)?,
            policy: self.cfg.retry.clone(),
            pacer,
            installation: breaker.0,
            breaker: breaker.1,
            attempts: self.attempts.clone(),
            now: self.now.clone(),
        })
    }

    fn session_for(&self, token: &str, installation: u64) -> GhResult<Session> {
        let pacer = self.pacer(installation);
        let breaker = (installation, self.breaker(installation));
        Ok(Session {
            rest: self.transport(&self.cfg.base_url, token, pacer.clone(), breaker.clone())?,
            graphql: self.transport(&self.cfg.graphql_base(), token, pacer, breaker)?,
        })
    }
}

impl GitHubClient {
    /// A client that uses one token for every repository (the Action's
    /// `GITHUB_TOKEN`, or a PAT). Must be called inside a Tokio runtime.
    pub fn with_token(cfg: ClientConfig, token: &str) -> GhResult<Self> {
        let shared = Shared::new(cfg, system_now());
        let session = shared.session_for(token, 0)?;
        Ok(Self::new(shared, Auth::Token(Arc::new(session))))
    }

    /// A client acting as a GitHub App: each repository's installation is
    /// looked up once and its token cached until shortly before expiry.
    pub fn with_app(cfg: ClientConfig, creds: AppCredentials) -> Self {
        Self::with_app_clock(cfg, creds, system_now())
    }

    /// [`Self::with_app`] with an injected clock (Unix seconds) deciding when
    /// a cached token is due for renewal, for tests. JWTs are always signed
    /// with the system clock, because GitHub checks them against its own.
    pub fn with_app_clock(cfg: ClientConfig, creds: AppCredentials, now: NowFn) -> Self {
        Self::new(
            Shared::new(cfg, now),
            Auth::App {
                creds: Box::new(creds),
                installations: Mutex::new(HashMap::new()),
                sessions: TokenCache::default(),
            },
        )
    }

    fn new(shared: Shared, auth: Auth) -> Self {
        Self {
            shared,
            auth,
            exchanges: AtomicU64::new(0),
            etags: Mutex::new(HashMap::new()),
            node_ids: Mutex::new(HashMap::new()),
        }
    }

    /// HTTP attempts made so far, retries included.
    pub fn attempts(&self) -> u64 {
        self.shared.attempts.load(Ordering::Relaxed)
    }

    /// How long calls for `repo` are held back because GitHub kept failing
    /// for its installation (circuit open); `None` when they may go.
    pub(crate) fn breaker_wait(&self, repo: &RepoName) -> Option<Duration> {
        let installation = match &self.auth {
            Auth::Token(_) => 0,
            Auth::App { installations, .. } => installations.try_lock().ok()?.get(repo)?.0,
        };
        self.shared.held_back(installation)
    }

    /// [`Self::with_token`] with an injected clock (Unix seconds) for the
    /// circuit breaker and rate-limit waits, for tests.
    pub fn with_token_clock(cfg: ClientConfig, token: &str, now: NowFn) -> GhResult<Self> {
        let shared = Shared::new(cfg, now);
        let session = shared.session_for(token, 0)?;
        Ok(Self::new(shared, Auth::Token(Arc::new(session))))
    }

    /// Installation-token exchanges made so far.
    pub fn token_exchanges(&self) -> u64 {
        self.exchanges.load(Ordering::Relaxed)
    }

    /// The session whose token may act on `repo`.
    pub(crate) async fn session(&self, repo: &RepoName) -> GhResult<Arc<Session>> {
        let (creds, installations, sessions) = match &self.auth {
            Auth::Token(s) => return Ok(s.clone()),
            Auth::App {
                creds,
                installations,
                sessions,
            } => (creds, installations, sessions),
        };
        let now = (self.shared.now)();
        let known = installations.lock().await.get(repo).copied();
        let id = match known {
            Some(id) => id,
            None => {
                let app = self.shared.app_transport(creds)?;
                let path = format!("/repos/{}/{}/installation", repo.owner(), repo.name());
                let found: WireInstallation = app.send(&Req::get(path)).await?.json()?;
                let id = InstallationId(found.id);
                installations.lock().await.insert(repo.clone(), id);
                id
            }
        };
        sessions
            .get(id, now, || async {
                let app = self.shared.app_transport(creds)?;
                let path = format!("/app/installations/{id}/access_tokens");
                let req = Req::with(http::Method::POST, path, serde_json::json!({}));
                self.exchanges.fetch_add(1, Ordering::Relaxed);
                let tok: WireToken = app.send(&req).await?.json()?;
                let expires = chrono::DateTime::parse_from_rfc3339(&tok.expires_at)
                    .map_err(|e| GitHubError::Other {
                        message: format!("installation token expiry `{}`: {e}", tok.expires_at),
                    })?
                    .timestamp();
                Ok((
                    Arc::new(self.shared.session_for(&tok.token, id.0)?),
                    expires,
                ))
            })
            .await
    }
}

impl GitHubClient {
    /// The App's bot login, `<slug>[bot]`, from `GET /app` with the App's
    /// JWT; `None` for a client with a plain token.
    pub async fn app_bot_login(&self) -> GhResult<Option<String>> {
        let Auth::App { creds, .. } = &self.auth else {
            return Ok(None);
        };
        let app = self.shared.app_transport(creds)?;
        #[derive(serde::Deserialize)]
        struct WireApp {
            slug: String,
        }
        let found: WireApp = app.send(&Req::get("/app".to_owned())).await?.json()?;
        Ok(Some(format!("{}[bot]", found.slug)))
    }
}

/// `/repos/{owner}/{name}`.
pub(crate) fn repo_path(repo: &RepoName) -> String {
    format!("/repos/{}/{}", repo.owner(), repo.name())
}

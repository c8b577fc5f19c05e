//! `vayu serve`: the webhook server, or setup mode when there are no App credentials.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::sync::Notify;
use tracing::{info, warn};

use crate::app::Ctx;
use crate::core::config::DurationSecs;
use crate::core::ids::Login;
use crate::github::auth::AppCredentials;
use crate::github::{ClientConfig, GitHubClient};
use crate::server::logging::{self, LogFormat};
use crate::server::memory::MemoryQueue;
use crate::server::orchestrate::{OrchestratorHandler, enqueue_reconciles};
use crate::server::setup::SetupConfig;
use crate::server::signature::WebhookSecret;
use crate::server::store_ingest::StoreIngest;
use crate::server::store_runner::StoreRunner;
use crate::server::{Ingest, JobRunner, Verify, WorkerPool};
use crate::store::AnyStore;

/// Options of `vayu serve` (each also read from the environment and `.env`).
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The GitHub App's id.
    #[arg(long, env = "VAYU_APP_ID")]
    app_id: Option<u64>,
    /// A file holding the App's private key (PEM).
    #[arg(long, env = "VAYU_PRIVATE_KEY_PATH")]
    private_key_path: Option<PathBuf>,
    /// The App's private key itself (PEM); read from the environment only.
    #[arg(long, env = "VAYU_PRIVATE_KEY", hide = true, hide_env_values = true)]
    private_key: Option<String>,
    /// The webhook secret set on the App.
    #[arg(long, env = "VAYU_WEBHOOK_SECRET", hide_env_values = true)]
    webhook_secret: Option<String>,
    /// Where deliveries and jobs are stored (`sqlite://vayu.db`, `postgres://…`, `memory:`).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://vayu.db")]
    database_url: String,
    /// Address to listen on.
    #[arg(long, env = "VAYU_BIND", default_value = "127.0.0.1:3000")]
    bind: SocketAddr,
    /// GitHub's REST API (for GitHub Enterprise Server: `https://<host>/api/v3`).
    #[arg(long, env = "GITHUB_API_URL", default_value = "https://api.github.com")]
    github_api_url: String,
    /// GitHub's web URL, where setup mode creates the App.
    #[arg(long, env = "GITHUB_URL", default_value = "https://github.com")]
    github_url: String,
    /// The URL GitHub reaches this server at (default: `http://<bind>`).
    #[arg(long, env = "VAYU_PUBLIC_URL")]
    public_url: Option<String>,
    /// Jobs run at once.
    #[arg(long, env = "VAYU_WORKERS", default_value_t = 4)]
    workers: usize,
    /// Log line format.
    #[arg(long, env = "VAYU_LOG_FORMAT", value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Accept unsigned deliveries (local tests only; never on a reachable address).
    #[arg(long)]
    insecure_no_verify: bool,
    /// The App's bot login, whose own events vayu ignores (`<app-slug>[bot]`).
    #[arg(long, env = "VAYU_BOT_LOGIN", default_value = "vayu[bot]")]
    bot_login: String,
    /// Where setup mode writes the App credentials.
    #[arg(long, default_value = ".env")]
    env_file: PathBuf,
    /// How often every repository with open vayu tasks is reconciled with
    /// GitHub (`90s`, `15m`, `1h`; `0s` turns it off): repairs what missed
    /// deliveries and hand edits left behind. Runs as queued jobs.
    #[arg(long, env = "VAYU_RECONCILE_INTERVAL", default_value = "15m")]
    reconcile_interval: DurationSecs,
}

/// Loads `.env` from the working directory into the environment (existing
/// variables win), so clap's `env` fallbacks see it; called before parsing.
pub fn load_dotenv() {
    // A missing file is the normal case; a malformed one is reported once logging is up.
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("warning: ignoring .env: {e}");
    }
}

/// Runs the server until SIGTERM or Ctrl-C.
pub fn run(args: &ServeArgs) -> anyhow::Result<()> {
    logging::init(args.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(args))
}

async fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let has_key = args.private_key_path.is_some() || args.private_key.is_some();
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("cannot listen on {}; pick another --bind", args.bind))?;
    let local = listener
        .local_addr()
        .context("cannot read the bound address")?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{local}"));
    if args.app_id.is_none() || !has_key {
        info!(addr = %local, "listening");
        info!(url = %public_url, "setup mode: no App credentials (VAYU_APP_ID and VAYU_PRIVATE_KEY[_PATH]); open the URL to create the GitHub App");
        let app = crate::server::setup_app(SetupConfig {
            github_url: args.github_url.clone(),
            api_url: args.github_api_url.clone(),
            public_url,
            env_file: args.env_file.clone(),
        });
        crate::server::serve(listener, app, crate::server::shutdown_signal()).await?;
        return Ok(());
    }
    let verify = match args.webhook_secret.clone().and_then(WebhookSecret::new) {
        Some(secret) => Verify::Secret(secret),
        None if args.insecure_no_verify => {
            warn!("--insecure-no-verify: accepting unsigned deliveries");
            Verify::InsecureNoVerify
        }
        None => bail!(
            "no webhook secret: set --webhook-secret or VAYU_WEBHOOK_SECRET to the App's secret \
             (or pass --insecure-no-verify for local tests)"
        ),
    };
    let github = github_client(args)?;
    check_bot_login(github_client(args)?, args.bot_login.clone());
    let (ingest, runner, store) = open_store(&args.database_url, github, &args.bot_login).await?;
    let poke = Arc::new(Notify::new());
    let pool = WorkerPool::spawn(runner, args.workers, poke.clone(), Duration::from_secs(5));
    // The report's analytics on /metrics, refreshed once a minute.
    let analytics = store
        .clone()
        .map(|s| crate::server::analytics::spawn(s, Duration::from_secs(60)));
    let reconciler = match (store, args.reconcile_interval.to_std()) {
        (Some(store), every) if !every.is_zero() => {
            info!(every = %args.reconcile_interval, "periodic reconcile on");
            Some(tokio::spawn(reconcile_every(store, every, poke.clone())))
        }
        _ => None,
    };
    let app = crate::server::webhook_app(ingest, verify, poke);
    info!(addr = %local, workers = args.workers, "listening");
    let served = crate::server::serve(listener, app.router, crate::server::shutdown_signal()).await;
    // The router is gone: the commit task stores what is pending and ends.
    if let Err(e) = app.commit_task.await {
        warn!(error = %e, "the commit task ended abnormally");
    }
    if let Some(reconciler) = reconciler {
        // It only enqueues, each in its own transaction: stopping it between
        // two repositories loses nothing the next start will not redo.
        reconciler.abort();
    }
    if let Some(analytics) = analytics {
        analytics.abort();
    }
    pool.shutdown().await;
    info!("stopped");
    served.context("the server failed")
}

/// Every `every`, enqueues a reconcile job per repository with open tasks
/// and wakes the workers; the first run is one period after start.
async fn reconcile_every(store: Arc<AnyStore>, every: Duration, poke: Arc<Notify>) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match enqueue_reconciles(&*store, chrono::Utc::now()).await {
            Ok(repos) if repos.is_empty() => {}
            Ok(repos) => {
                info!(repos = repos.len(), "periodic reconcile queued");
                poke.notify_waiters();
            }
            Err(e) => {
                warn!(error = %e, "could not queue the periodic reconcile; trying next period")
            }
        }
    }
}

type Store = (Arc<dyn Ingest>, Arc<dyn JobRunner>, Option<Arc<AnyStore>>);

/// The store behind `--database-url`.
async fn open_store(url: &str, github: GitHubClient, bot: &str) -> anyhow::Result<Store> {
    if url == "memory:" || url.starts_with("memory:") {
        warn!(
            "memory: store — deliveries are NOT durable and are lost on exit; for tests and benchmarks only"
        );
        let queue = Arc::new(MemoryQueue::with_payloads(false));
        return Ok((queue.clone(), queue, None));
    }
    let store = Arc::new(
        crate::store::connect(url)
            .await
            .context("cannot open the database given by --database-url / DATABASE_URL")?,
    );
    let ctx = Ctx::new(github, (*store).clone(), Login(bot.to_owned()));
    let handler = OrchestratorHandler::new(ctx);
    // Dropped with the process; a slot claimed just before exit keeps its job.
    drop(crate::server::schedules::spawn_ticker(
        handler.ctx(),
        Duration::from_secs(60),
    ));
    let runner = StoreRunner::new(
        store.clone(),
        handler,
        format!("vayu-{}", std::process::id()),
        // Longer than any job should take; an expired lease runs the job
        // again, which the orchestrator's idempotency makes harmless.
        Duration::from_secs(600),
    );
    Ok((
        Arc::new(StoreIngest::new(store.clone())),
        Arc::new(runner),
        Some(store),
    ))
}

/// The GitHub client with the App's credentials.
fn github_client(args: &ServeArgs) -> anyhow::Result<GitHubClient> {
    let pem = match (&args.private_key, &args.private_key_path) {
        (Some(pem), _) => pem.clone().into_bytes(),
        (None, Some(path)) => std::fs::read(path)
            .with_context(|| format!("cannot read the App's private key at {}", path.display()))?,
        (None, None) => bail!("no App private key: set VAYU_PRIVATE_KEY or VAYU_PRIVATE_KEY_PATH"),
    };
    let app_id = args
        .app_id
        .context("no App id: set --app-id or VAYU_APP_ID")?;
    let creds = AppCredentials::from_pem(app_id.to_string(), &pem)?;
    Ok(GitHubClient::with_app(
        ClientConfig {
            base_url: args.github_api_url.clone(),
            ..ClientConfig::default()
        },
        creds,
    ))
}

/// Compares `--bot-login` with the App's own (`GET /app`), in the background
/// so an unreachable GitHub does not hold up the start. A wrong one makes
/// vayu take its own events for a person's, so it is an error in the log.
fn check_bot_login(github: GitHubClient, configured: String) {
    tokio::spawn(async move {
        let asked = tokio::time::timeout(Duration::from_secs(60), github.app_bot_login()).await;
        match asked {
            Ok(Ok(Some(actual))) if !actual.eq_ignore_ascii_case(&configured) => {
                tracing::error!(
                    configured = %configured,
                    actual = %actual,
                    "this App's bot is `{actual}` but vayu was told `{configured}`: it will not know its own events and comments; set VAYU_BOT_LOGIN={actual} (the setup page writes it to .env)"
                );
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => warn!(error = %e, "could not check the App's bot login"),
            Err(_) => warn!("could not check the App's bot login: GitHub did not answer in 60 s"),
        }
    });
}

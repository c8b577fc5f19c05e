//! The App server (axum): `POST /webhook` with group-commit ingest,
//! `/healthz`, `/readyz`, `/metrics`, setup mode, the worker pool and
//! graceful shutdown. The store and the orchestrator plug in through the
//! [`Ingest`] and [`JobRunner`] traits.

pub mod analytics;
mod batcher;
pub mod env_file;
pub mod ingest;
pub mod logging;
pub mod memory;
pub mod metrics;
pub mod orchestrate;
pub mod schedules;
pub mod setup;
pub mod signature;
pub mod store_ingest;
pub mod store_runner;
mod webhook;
pub mod workers;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::{field, info_span};

pub use batcher::Batcher;
pub use ingest::{BoxFuture, IncomingDelivery, Ingest, IngestError, NewJob, Recorded};
pub use store_runner::{JobHandler, StoreRunner};
pub use webhook::{EVENT_JOB, Verify};
pub use workers::{JobDone, JobError, JobRunner, WorkerPool};

/// GitHub caps webhook payloads at 25 MB; larger bodies get 413 before any work.
pub const MAX_BODY: usize = 25 * 1024 * 1024;

/// Deliveries stored per group commit, at most.
pub const MAX_BATCH: usize = 256;

/// GitHub gives up on a delivery after 10 s; answer (with an error) before that.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(9);

/// The webhook app: its router and the group-commit task behind it.
#[derive(Debug)]
pub struct WebhookApp {
    /// `/webhook`, `/healthz`, `/readyz`, `/metrics`.
    pub router: Router,
    /// Ends once the router (and every clone) is dropped and pending deliveries are stored.
    pub commit_task: JoinHandle<()>,
}

/// Builds the webhook app over `ingest`; `poke` is notified when jobs are enqueued.
pub fn webhook_app(ingest: Arc<dyn Ingest>, verify: Verify, poke: Arc<Notify>) -> WebhookApp {
    let (batcher, commit_task) = Batcher::spawn(ingest.clone(), MAX_BATCH, poke);
    let state = Arc::new(webhook::WebhookState { verify, batcher });
    let hook = Router::new()
        .route("/webhook", post(webhook::webhook))
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(RequestBodyLimitLayer::new(MAX_BODY));
    let router = Router::new()
        .route("/readyz", get(readyz))
        .with_state(ingest)
        .merge(hook)
        .merge(common_routes());
    WebhookApp {
        router: with_layers(router),
        commit_task,
    }
}

/// Setup mode's app: the setup page and callback, `/healthz` and `/metrics`.
pub fn setup_app(config: setup::SetupConfig) -> Router {
    with_layers(setup::routes(config).merge(common_routes()))
}

fn common_routes() -> Router {
    let handle = metrics::handle();
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/metrics",
            get(move || {
                let handle = handle.clone();
                async move {
                    handle.run_upkeep();
                    handle.render()
                }
            }),
        )
}

fn with_layers(router: Router) -> Router {
    router
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(
            // Method, path, delivery id and event only: other headers carry
            // signatures and are never logged. The event is named here from
            // its header, not recorded later: with JSON logs each `record`
            // re-parses the span's fields (two records took
            // 2.3% of the request threads' samples in `perf`).
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let header = |name| webhook::header(req.headers(), name).unwrap_or("");
                info_span!(
                    "request",
                    method = %req.method(),
                    path = %req.uri().path(),
                    delivery = header("x-github-delivery"),
                    event = header("x-github-event"),
                    repo = field::Empty,
                )
            }),
        )
}

async fn readyz(State(ingest): State<Arc<dyn Ingest>>) -> (StatusCode, &'static str) {
    if ingest.ready().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "store not ready")
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets the
/// requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutting down: finishing requests and jobs in flight");
}

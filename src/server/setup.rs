//! Setup mode (no App credentials yet): a page that creates the GitHub App
//! through the manifest flow, and the callback that exchanges the code for
//! the App's credentials and writes them to `.env`.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};
use tracing::{info, warn};

use super::env_file::{AppCredentials, EnvFileError, write_env_file};

/// Where setup mode sends the browser and writes the credentials.
#[derive(Debug, Clone)]
pub struct SetupConfig {
    /// GitHub's web URL (`https://github.com`, or a GHES host).
    pub github_url: String,
    /// GitHub's API URL (`https://api.github.com`, or `https://<host>/api/v3`).
    pub api_url: String,
    /// Where GitHub reaches this server (`https://vayu.example.com`).
    pub public_url: String,
    /// The file the credentials go to.
    pub env_file: PathBuf,
}

/// The routes of setup mode: `/` and `/setup/callback`.
pub fn routes(config: SetupConfig) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/setup/callback", get(callback))
        .with_state(Arc::new(config))
}

/// The GitHub App manifest for this server.
pub fn manifest(public_url: &str) -> Value {
    let base = public_url.trim_end_matches('/');
    json!({
        "name": "vayu",
        "url": "https://github.com/vayu-dev/vayu",
        "description": "Turns issues into managed tasks and decomposes complex ones into sub-issues.",
        "hook_attributes": {"url": format!("{base}/webhook"), "active": true},
        "redirect_url": format!("{base}/setup/callback"),
        "public": false,
        "default_permissions": {
            "issues": "write",
            "metadata": "read",
            "contents": "read",
            "actions": "write",
            "organization_projects": "write",
            // The `automated` review reads the pull requests that close a
            // task and their checks (`statusCheckRollup`).
            "pull_requests": "read",
            "checks": "read",
            "statuses": "read"
        },
        "default_events": ["issues", "issue_comment", "sub_issues", "issue_dependencies"]
    })
}

const TEMPLATE: &str = include_str!("../../templates/setup/index.html.j2");

async fn page(State(config): State<Arc<SetupConfig>>) -> Response {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    let rendered = env
        .template_from_named_str("index.html.j2", TEMPLATE)
        .and_then(|t| {
            t.render(minijinja::context! {
                github_url => config.github_url.trim_end_matches('/'),
                manifest => manifest(&config.public_url).to_string(),
                webhook_url => format!("{}/webhook", config.public_url.trim_end_matches('/')),
                env_file => config.env_file.display().to_string(),
                state => "vayu-setup",
            })
        });
    match rendered {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            warn!(error = %e, "cannot render the setup page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot render the setup page",
            )
                .into_response()
        }
    }
}

#[derive(Debug, Deserialize)]
struct Callback {
    code: Option<String>,
}

async fn callback(State(config): State<Arc<SetupConfig>>, Query(q): Query<Callback>) -> Response {
    let Some(code) = q.code.filter(|c| valid_code(c)) else {
        return (
            StatusCode::BAD_REQUEST,
            "missing or malformed `code`; start again from the setup page",
        )
            .into_response();
    };
    // Checked before the exchange too: a code works once, so do not spend it for nothing.
    if config.env_file.exists() {
        let e = EnvFileError::Exists {
            path: config.env_file.clone(),
        };
        return (StatusCode::CONFLICT, e.to_string()).into_response();
    }
    let creds = match exchange(&config.api_url, &code).await {
        Ok(c) => c,
        Err(message) => {
            warn!(%message, "the manifest code exchange failed");
            return (StatusCode::BAD_GATEWAY, message).into_response();
        }
    };
    match write_env_file(&config.env_file, &creds) {
        Ok(()) => {
            info!(app_id = creds.id, file = %config.env_file.display(), "wrote the App credentials");
            Html(format!(
                "<!doctype html><title>vayu is set up</title><h1>vayu is set up</h1>\
                 <p>GitHub App {} (id {}) was created and its credentials written to <code>{}</code>.</p>\
                 <p>Install the App on your repositories, then restart <code>vayu serve</code>.</p>",
                html_escape(creds.slug.as_deref().unwrap_or("vayu")),
                creds.id,
                html_escape(&config.env_file.display().to_string()),
            ))
            .into_response()
        }
        Err(e @ EnvFileError::Exists { .. }) => {
            (StatusCode::CONFLICT, e.to_string()).into_response()
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// `POST {api}/app-manifests/{code}/conversions`.
pub async fn exchange(api_url: &str, code: &str) -> Result<AppCredentials, String> {
    let client = octocrab::Octocrab::builder()
        .base_uri(api_url)
        .and_then(|b| b.build())
        .map_err(|e| {
            format!("cannot set up a GitHub client for `{api_url}`: {e}; check --github-api-url")
        })?;
    client
        .post(format!("/app-manifests/{code}/conversions"), None::<&()>)
        .await
        .map_err(|e| format!("GitHub refused the manifest code (codes expire after an hour and work once; start again from the setup page): {e}"))
}

fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 100
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

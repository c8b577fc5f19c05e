//! Setup mode: the manifest page, and the code exchange writing `.env` (0600, never overwritten).
#![allow(clippy::unwrap_used)]

mod server_support;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::post;
use server_support::get;
use vayu::server::setup::SetupConfig;
use vayu::server::setup_app;

const PEM: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1c7+9z\nq9Xw==\n-----END RSA PRIVATE KEY-----\n";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vayu-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A stand-in for `POST /app-manifests/{code}/conversions` (not in the OpenAPI subset the simulator serves).
async fn github_stub(calls: Arc<AtomicUsize>) -> String {
    let app = Router::new().route(
        "/app-manifests/{code}/conversions",
        post(move |Path(code): Path<String>| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move {
                if code != "good-code" {
                    return (
                        StatusCode::NOT_FOUND,
                        axum::Json(serde_json::json!({"message": "Not Found"})),
                    );
                }
                (
                    StatusCode::CREATED,
                    axum::Json(serde_json::json!({
                        "id": 4242, "slug": "my-vayu", "node_id": "A_1",
                        "client_id": "Iv1.client", "client_secret": "client-secret-value",
                        "webhook_secret": "generated-webhook-secret", "pem": PEM,
                        "html_url": "https://github.com/apps/my-vayu"
                    })),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn config(api_url: String, env_file: PathBuf) -> SetupConfig {
    SetupConfig {
        github_url: "https://ghe.example.com".into(),
        api_url,
        public_url: "https://vayu.example.com/".into(),
        env_file,
    }
}

#[tokio::test]
async fn setup_page_posts_the_manifest_to_github() {
    let app = setup_app(config("http://unused".into(), "/nonexistent/.env".into()));
    let (status, html) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    let html = unescape(&html);
    assert!(
        html.contains(r#"<form action="https://ghe.example.com/settings/apps/new?state=vayu-setup" method="post">"#),
        "{html}"
    );
    // The form carries exactly the manifest (escaped in the attribute, decoded by the browser).
    let value = html
        .split(r#"name="manifest" value=""#)
        .nth(1)
        .and_then(|rest| rest.split("\">").next())
        .unwrap();
    let posted: serde_json::Value = serde_json::from_str(value).unwrap();
    assert_eq!(
        posted,
        vayu::server::setup::manifest("https://vayu.example.com/")
    );
    let manifest = vayu::server::setup::manifest("https://vayu.example.com/");
    assert_eq!(
        manifest["hook_attributes"]["url"],
        "https://vayu.example.com/webhook"
    );
    assert_eq!(
        manifest["redirect_url"],
        "https://vayu.example.com/setup/callback"
    );
    assert_eq!(
        manifest["default_permissions"],
        serde_json::json!({"issues": "write", "metadata": "read", "contents": "read", "actions": "write", "organization_projects": "write", "pull_requests": "read", "checks": "read", "statuses": "read"})
    );
    assert_eq!(
        manifest["default_events"],
        serde_json::json!([
            "issues",
            "issue_comment",
            "sub_issues",
            "issue_dependencies"
        ])
    );
}

#[tokio::test]
async fn callback_exchanges_the_code_and_writes_env_0600_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    let api = github_stub(calls.clone()).await;
    let dir = temp_dir("setup");
    let env_file = dir.join(".env");
    let app = setup_app(config(api, env_file.clone()));

    let (status, html) = get(&app, "/setup/callback?code=good-code").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("my-vayu") && html.contains("4242"), "{html}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&env_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let vars: Vec<(String, String)> = dotenvy::from_path_iter(&env_file)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        vars,
        [
            ("VAYU_APP_ID", "4242"),
            ("VAYU_PRIVATE_KEY", PEM),
            ("VAYU_WEBHOOK_SECRET", "generated-webhook-secret"),
            ("VAYU_CLIENT_ID", "Iv1.client"),
            ("VAYU_CLIENT_SECRET", "client-secret-value"),
            ("VAYU_BOT_LOGIN", "my-vayu[bot]"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );

    // A second callback never overwrites, and does not spend the code.
    let before = std::fs::read(&env_file).unwrap();
    let (status, text) = get(&app, "/setup/callback?code=good-code").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(text.contains("already exists"), "{text}");
    assert_eq!(std::fs::read(&env_file).unwrap(), before);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn callback_without_a_usable_code_writes_nothing() {
    let calls = Arc::new(AtomicUsize::new(0));
    let api = github_stub(calls.clone()).await;
    let dir = temp_dir("setup-bad");
    let env_file = dir.join(".env");
    let app = setup_app(config(api, env_file.clone()));

    assert_eq!(
        get(&app, "/setup/callback").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get(&app, "/setup/callback?code=a%2F..").await.0,
        StatusCode::BAD_REQUEST
    );
    let (status, text) = get(&app, "/setup/callback?code=expired").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(text.contains("GitHub refused the manifest code"), "{text}");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(!env_file.exists());
    let _ = std::fs::remove_dir_all(dir);
}

fn unescape(html: &str) -> String {
    html.replace("&quot;", "\"")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

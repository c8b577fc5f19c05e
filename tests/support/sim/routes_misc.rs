//! Repositories, permissions, contents, dispatches, installations, rate limit, and the
//! `/_sim/` admin API (also the seed-file format of the standalone binary).

use std::sync::Arc;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::{Value, json};
use sha2::Digest as _;

use super::world::{Dispatch, Installation, NewIssue, Permission, TokenInfo, World};
use super::{ApiError, Ctx, Handled, Reply, Shared, lock};

/// Login installation tokens act as.
pub const APP_BOT: &str = "vayu-sim[bot]";

pub(crate) fn dispatch(w: &mut World, ctx: &Ctx) -> Option<Handled> {
    let r = match ctx.op {
        "repos/get" => repo(w, ctx),
        "repos/get-collaborator-permission-level" => permission(w, ctx),
        "repos/get-content" => content(w, ctx),
        "repos/create-dispatch-event" | "actions/create-workflow-dispatch" => {
            record_dispatch(w, ctx)
        }
        "apps/get-authenticated" => app(w, ctx),
        "apps/get-repo-installation" => repo_installation(w, ctx),
        "apps/get-installation" => installation(w, ctx),
        "apps/list-installations" => list_installations(w, ctx),
        "apps/create-installation-access-token" => access_token(w, ctx),
        "rate-limit/get" => rate_limit(w),
        _ => return None,
    };
    Some(r)
}

fn repo(w: &mut World, ctx: &Ctx) -> Handled {
    let r = w.repos.get(&ctx.repo()).ok_or_else(ApiError::not_found)?;
    Ok(Reply::ok(w.repo_json(r)))
}

fn permission(w: &mut World, ctx: &Ctx) -> Handled {
    let r = w.repos.get(&ctx.repo()).ok_or_else(ApiError::not_found)?;
    let user = ctx.param("username").to_string();
    let p = match r.permissions.get(&user) {
        Some(p) => *p,
        None if user == r.owner => Permission::Admin,
        None => Permission::None,
    };
    w.user_id(&user);
    let mut u = w.user_json(&user);
    u["role_name"] = json!(p.role_name());
    Ok(Reply::ok(
        json!({ "permission": p.legacy(), "role_name": p.role_name(), "user": u }),
    ))
}

fn content(w: &mut World, ctx: &Ctx) -> Handled {
    let repo = ctx.repo();
    let path = ctx.param("path").to_string();
    let text = w
        .repos
        .get(&repo)
        .and_then(|r| r.files.get(&path))
        .ok_or_else(ApiError::not_found)?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    // GitHub wraps the base64 at 60 columns.
    let wrapped: String = b64
        .as_bytes()
        .chunks(60)
        .map(|c| format!("{}\n", String::from_utf8_lossy(c)))
        .collect();
    // Not git's SHA-1 blob id (no sha1 crate here), but stable and content-addressed.
    let sha = hex(&sha2::Sha256::digest(
        format!("blob {}\0{text}", text.len()).as_bytes(),
    ))[..40]
        .to_string();
    let base = &w.base_url;
    let name = path.rsplit('/').next().unwrap_or(&path).to_string();
    let url = format!("{base}/repos/{repo}/contents/{path}");
    let git = format!("{base}/repos/{repo}/git/blobs/{sha}");
    let html = format!("{base}/{repo}/blob/main/{path}");
    Ok(Reply::ok(json!({
        "type": "file", "encoding": "base64", "size": text.len(), "name": name, "path": path,
        "content": wrapped, "sha": sha, "url": url, "git_url": git, "html_url": html,
        "download_url": format!("{base}/raw/{repo}/main/{path}"),
        "_links": { "self": url, "git": git, "html": html },
    })))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn record_dispatch(w: &mut World, ctx: &Ctx) -> Handled {
    let repo = ctx.repo();
    if !w.repos.contains_key(&repo) {
        return Err(ApiError::not_found());
    }
    let workflow = ctx.params.get("workflow_id").cloned();
    w.dispatches.push(Dispatch {
        repo,
        workflow,
        body: ctx.body.clone(),
    });
    Ok(Reply::no_content())
}

fn app_of(ctx: &Ctx) -> u64 {
    ctx.login
        .strip_prefix("app-")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn repo_installation(w: &mut World, ctx: &Ctx) -> Handled {
    let repo = ctx.repo();
    let app = app_of(ctx);
    let inst = w
        .installations
        .values()
        .find(|i| i.app_id == app && i.repos.contains(&repo))
        .ok_or_else(ApiError::not_found)?;
    Ok(Reply::ok(w.installation_json(inst)))
}

/// `GET /app`: the App the JWT names; its slug gives the bot login
/// installation tokens act as ([`APP_BOT`]).
fn app(w: &mut World, ctx: &Ctx) -> Handled {
    let id = app_of(ctx);
    let slug = APP_BOT.trim_end_matches("[bot]");
    Ok(Reply::ok(serde_json::json!({
        "id": id, "slug": slug, "node_id": format!("A_sim{id}"), "name": slug,
        "owner": w.user_json("octo-org"), "description": null,
        "external_url": "https://example.com", "html_url": format!("https://github.com/apps/{slug}"),
        "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z",
        "permissions": {}, "events": []
    })))
}

fn installation(w: &mut World, ctx: &Ctx) -> Handled {
    let id = ctx.num("installation_id")?;
    let inst = w
        .installations
        .get(&id)
        .filter(|i| i.app_id == app_of(ctx))
        .ok_or_else(ApiError::not_found)?;
    Ok(Reply::ok(w.installation_json(inst)))
}

fn list_installations(w: &mut World, ctx: &Ctx) -> Handled {
    let app = app_of(ctx);
    let items: Vec<Value> = w
        .installations
        .values()
        .filter(|i| i.app_id == app)
        .map(|i| w.installation_json(i))
        .collect();
    Ok(Reply::ok(Value::Array(items)))
}

/// Mints an installation token valid for one hour of real time (clients cache by it).
fn access_token(w: &mut World, ctx: &Ctx) -> Handled {
    let id = ctx.num("installation_id")?;
    let inst = w
        .installations
        .get(&id)
        .filter(|i| i.app_id == app_of(ctx))
        .ok_or_else(ApiError::not_found)?;
    let mut repos = inst.repos.clone();
    if let Some(names) = ctx.body["repositories"].as_array() {
        let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
        repos.retain(|r| r.split('/').nth(1).is_some_and(|n| names.contains(&n)));
    }
    let n = w.next_id();
    let token = format!("ghs_sim{n:036}");
    let expires = chrono::Utc::now() + chrono::Duration::hours(1);
    w.user_id(APP_BOT);
    w.tokens.insert(
        token.clone(),
        TokenInfo {
            login: APP_BOT.into(),
            repos: Some(repos),
            installation: Some(id),
        },
    );
    Ok(Reply::created(json!({
        "token": token,
        "expires_at": expires.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "permissions": { "issues": "write", "metadata": "read", "contents": "read", "actions": "write" },
        "repository_selection": "selected",
    })))
}

fn rate_limit(w: &mut World) -> Handled {
    let one = |r: &'static str| {
        let used = w.rate_used.get(r).copied().unwrap_or(0);
        json!({ "limit": w.rate_limit, "used": used, "remaining": w.rate_limit.saturating_sub(used),
                "reset": w.rate_reset, "resource": r })
    };
    Ok(Reply::ok(json!({
        "resources": { "core": one("core"), "graphql": one("graphql") },
        "rate": one("core"),
    })))
}

// ---- admin API and seed format ----

/// A repository to create; `files` are served by the contents endpoint.
#[derive(Debug, Default, serde::Deserialize)]
pub struct SeedRepo {
    pub full_name: String,
    #[serde(default)]
    pub default_branch: Option<String>,
    #[serde(default)]
    pub files: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, serde::Deserialize)]
pub struct SeedIssue {
    pub repo: String,
    pub title: String,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default = "default_user")]
    pub user: String,
}

fn default_user() -> String {
    "octocat".into()
}

#[derive(Debug, serde::Deserialize)]
pub struct SeedPermission {
    pub repo: String,
    pub user: String,
    pub permission: Permission,
}

#[derive(Debug, serde::Deserialize)]
pub struct SeedInstallation {
    pub id: u64,
    pub app_id: u64,
    pub account: String,
    pub public_key_pem: String,
    pub repos: Vec<String>,
}

#[derive(Debug, serde::Deserialize)]
pub struct SeedToken {
    pub token: String,
    #[serde(default = "default_user")]
    pub login: String,
}

/// The `--seed` file: every list is optional.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Seed {
    pub repos: Vec<SeedRepo>,
    pub issues: Vec<SeedIssue>,
    pub permissions: Vec<SeedPermission>,
    pub installations: Vec<SeedInstallation>,
    pub tokens: Vec<SeedToken>,
}

pub fn seed_repo(w: &mut World, s: SeedRepo) -> Value {
    let r = w.ensure_repo(&s.full_name);
    if let Some(b) = s.default_branch {
        r.default_branch = b;
    }
    r.files.extend(s.files);
    let r = r.clone();
    w.repo_json(&r)
}

pub fn seed_issue(w: &mut World, s: SeedIssue) -> Value {
    let new = NewIssue {
        title: s.title,
        body: s.body,
        labels: s.labels,
        assignees: vec![],
        user: s.user,
    };
    let (number, id) = w.create_issue(&s.repo, new);
    json!({ "number": number, "id": id, "node_id": format!("I_sim{id}") })
}

pub fn seed_permission(w: &mut World, s: SeedPermission) -> Value {
    w.user_id(&s.user);
    w.ensure_repo(&s.repo)
        .permissions
        .insert(s.user.clone(), s.permission);
    json!({ "repo": s.repo, "user": s.user, "permission": s.permission })
}

pub fn seed_installation(w: &mut World, s: SeedInstallation) -> Value {
    w.user_id(&s.account);
    for r in &s.repos {
        w.ensure_repo(r);
    }
    let inst = Installation {
        id: s.id,
        app_id: s.app_id,
        account: s.account,
        public_key_pem: s.public_key_pem,
        repos: s.repos,
    };
    let out = w.installation_json(&inst);
    w.installations.insert(inst.id, inst);
    out
}

pub fn seed_token(w: &mut World, s: SeedToken) -> Value {
    w.user_id(&s.login);
    w.tokens.insert(
        s.token.clone(),
        TokenInfo {
            login: s.login.clone(),
            repos: None,
            installation: None,
        },
    );
    json!({ "token": s.token, "login": s.login })
}

/// Applies a whole seed, in the order repos, tokens, permissions, installations, issues.
pub fn apply_seed(w: &mut World, seed: Seed) {
    for r in seed.repos {
        seed_repo(w, r);
    }
    for t in seed.tokens {
        seed_token(w, t);
    }
    for p in seed.permissions {
        seed_permission(w, p);
    }
    for i in seed.installations {
        seed_installation(w, i);
    }
    for i in seed.issues {
        seed_issue(w, i);
    }
}

pub(crate) fn admin_router() -> Router<Arc<Shared>> {
    fn with<T: serde::de::DeserializeOwned + Send + 'static>(
        f: fn(&mut World, T) -> Value,
    ) -> impl Fn(State<Arc<Shared>>, Json<T>) -> std::future::Ready<Json<Value>> + Clone {
        move |State(s): State<Arc<Shared>>, Json(body): Json<T>| {
            std::future::ready(Json(f(&mut s.world(), body)))
        }
    }
    Router::new()
        .route("/_sim/repos", post(with(seed_repo)))
        .route("/_sim/issues", post(with(seed_issue)))
        .route("/_sim/permissions", post(with(seed_permission)))
        .route("/_sim/installations", post(with(seed_installation)))
        .route("/_sim/tokens", post(with(seed_token)))
        .route("/_sim/state", get(|State(s): State<Arc<Shared>>| async move { Json(dump(&s.world())) }))
        .route(
            "/_sim/violations",
            get(|State(s): State<Arc<Shared>>| async move { Json(json!(lock(&s.violations).clone())) }),
        )
}

/// The state as JSON: repos with their issues, labels, comments, permissions; dispatches.
pub fn dump(w: &World) -> Value {
    let repos: serde_json::Map<String, Value> = w
        .repos
        .iter()
        .map(|(name, r)| {
            let issues: Vec<Value> = r
                .issues
                .values()
                .map(|i| {
                    let mut j = w.issue_json(name, i);
                    j["sub_issue_ids"] = json!(i.sub_issues);
                    j["parent_id"] = json!(i.parent);
                    j["blocked_by_ids"] = json!(i.blocked_by);
                    j
                })
                .collect();
            let comments: Vec<Value> = r
                .comments
                .values()
                .map(|c| w.comment_json(name, c))
                .collect();
            let labels: Vec<Value> = r.labels.values().map(|l| w.label_json(name, l)).collect();
            let repo = json!({
                "id": r.id, "default_branch": r.default_branch, "issues": issues,
                "comments": comments, "labels": labels, "permissions": r.permissions,
                "files": r.files.keys().collect::<Vec<_>>(),
            });
            (name.clone(), repo)
        })
        .collect();
    let projects: Vec<Value> = w
        .projects
        .iter()
        .map(|p| {
            json!({
                "id": p.node_id, "owner": p.owner, "number": p.number, "title": p.title,
                "items": p.items.iter().map(|i| json!({
                    "id": i.node_id, "content_id": i.content_id, "values": i.values,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "repos": repos, "projects": projects, "dispatches": w.dispatches })
}

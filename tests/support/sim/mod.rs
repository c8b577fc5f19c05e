//! A simulated GitHub: a stateful axum server speaking the REST/GraphQL subset vayu uses.
//!
//! Requests are routed by the OpenAPI subset itself (`openapi.rs`), so a request the sim
//! answers is a request GitHub documents; anything else is recorded as a violation.
//! Handlers are plain functions over [`World`] under one mutex.

mod auth;
mod faults;
mod graphql;
mod graphql_doc;
mod openapi;
mod routes_deps;
mod routes_issues;
mod routes_misc;
mod routes_subissues;
mod story;
mod world;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub use faults::Fault;
pub use routes_misc::{APP_BOT, Seed};
pub use story::{
    BOARD_PRIORITIES, BOARD_STATUSES, IssueBuilder, IssueSnapshot, Opened, ProjectHandle,
    RepoHandle,
};
pub use world::{Comment, Comment as SimComment, Dispatch, Permission, World};

/// One request as the sim saw it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
    pub body: Value,
    /// Whether this counts toward [`GitHubSim::write_count`].
    pub write: bool,
}

/// A request that GitHub's OpenAPI description does not allow.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Violation {
    pub method: String,
    pub path: String,
    pub reason: String,
}

pub(crate) struct Shared {
    pub world: Mutex<World>,
    pub log: Mutex<Vec<LoggedRequest>>,
    pub violations: Mutex<Vec<Violation>>,
    pub faults: Mutex<Vec<faults::FaultRule>>,
}

impl Shared {
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The test harness handle; dropping it stops the server and fails the test on violations.
#[derive(Debug)]
pub struct GitHubSim {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: tokio::task::JoinHandle<()>,
    /// When false (standalone mode), violations are only reported, never panicked on.
    strict: bool,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shared")
    }
}

impl GitHubSim {
    /// Starts a sim on 127.0.0.1 with an ephemeral port.
    pub async fn start() -> GitHubSim {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a sim on `addr`.
    pub async fn start_on(addr: SocketAddr) -> GitHubSim {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .expect("bind the sim's port");
        let addr = listener.local_addr().expect("local addr");
        let reset = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() + 3600)
            .unwrap_or(0);
        let shared = Arc::new(Shared {
            world: Mutex::new(World::new(format!("http://{addr}"), reset)),
            log: Mutex::new(Vec::new()),
            violations: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
        });
        let app = routes_misc::admin_router()
            .fallback(handle_api)
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        GitHubSim {
            shared,
            addr,
            server,
            strict: true,
        }
    }

    /// Reports violations instead of panicking on them (for the standalone binary).
    pub fn lenient(mut self) -> Self {
        self.strict = false;
        self
    }

    /// The base URL to give octocrab (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Locks and returns the world, for assertions the story verbs do not cover.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.shared.world()
    }

    /// Every request received so far (admin `/_sim/` calls excluded).
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).clone()
    }

    /// Non-GET API requests so far, not counting token exchanges and GraphQL queries.
    pub fn write_count(&self) -> usize {
        lock(&self.shared.log).iter().filter(|r| r.write).count()
    }

    /// Conformance violations so far.
    pub fn violations(&self) -> Vec<Violation> {
        lock(&self.shared.violations).clone()
    }

    /// Returns and clears the violations, for tests that provoke them on purpose.
    pub fn take_violations(&self) -> Vec<Violation> {
        std::mem::take(&mut *lock(&self.shared.violations))
    }

    /// Panics with the list of violations, if there are any.
    pub fn assert_conformant(&self) {
        let v = self.violations();
        assert!(
            v.is_empty(),
            "requests that GitHub's OpenAPI description rejects: {v:#?}"
        );
    }

    /// Makes the next `times` requests matching `method` and `pattern` fail with `fault`.
    /// `*` in the pattern matches one path segment, `**` any rest of the path.
    pub fn fail_n(&self, method: Method, pattern: &str, fault: Fault, times: u32) {
        lock(&self.shared.faults).push(faults::FaultRule {
            method,
            pattern: pattern.to_string(),
            fault,
            remaining: times,
        });
    }

    /// Makes the next request matching `method` and `pattern` fail with `fault`.
    pub fn fail_next(&self, method: Method, pattern: &str, fault: Fault) {
        self.fail_n(method, pattern, fault, 1);
    }

    /// Links pull request `pr` to the issue (by node id), as a `Closes #n`
    /// in its body does: `state` is `OPEN`, `CLOSED` or `MERGED`, `checks`
    /// its head commit's combined state (`SUCCESS`, `FAILURE`, `PENDING`, …;
    /// `None` for no checks). Linking it again is a push: a new head commit.
    pub fn link_pr(
        &self,
        issue_node_id: &str,
        pr: u64,
        state: &'static str,
        checks: Option<&'static str>,
    ) {
        let mut w = self.world();
        let prs = w.linked_prs.entry(issue_node_id.to_string()).or_default();
        let pushes = prs
            .iter()
            .find(|p| p.number == pr)
            .map_or(0, |p| p.pushes + 1);
        prs.retain(|p| p.number != pr);
        prs.push(world::SimPr {
            number: pr,
            state,
            checks,
            pushes,
        });
    }

    /// Recorded workflow and repository dispatches.
    pub fn dispatches(&self) -> Vec<Dispatch> {
        self.world().dispatches.clone()
    }

    /// The whole state as JSON (what `GET /_sim/state` serves).
    pub fn dump(&self) -> Value {
        routes_misc::dump(&self.world())
    }
}

impl Drop for GitHubSim {
    fn drop(&mut self) {
        self.server.abort();
        if self.strict && !std::thread::panicking() {
            self.assert_conformant();
        }
    }
}

/// What a handler needs from the request.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub method: Method,
    pub op: &'static str,
    pub params: HashMap<String, String>,
    pub query: HashMap<String, String>,
    pub body: Value,
    /// The login the token authenticates as.
    pub login: String,
    pub path: String,
}

impl Ctx {
    pub fn param(&self, name: &str) -> &str {
        self.params.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn repo(&self) -> String {
        format!("{}/{}", self.param("owner"), self.param("repo"))
    }

    pub fn num(&self, name: &str) -> Result<u64, ApiError> {
        self.param(name).parse().map_err(|_| ApiError::not_found())
    }
}

/// A GitHub-shaped error response.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub body: Value,
}

impl ApiError {
    pub fn new(status: u16, message: &str) -> Self {
        ApiError {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: json!({
                "message": message,
                "documentation_url": "https://docs.github.com/rest",
                "status": status.to_string(),
            }),
        }
    }

    pub fn not_found() -> Self {
        Self::new(404, "Not Found")
    }

    /// GitHub's 422 "Validation Failed" with one error entry.
    pub fn validation(resource: &str, field: &str, code: &str, message: &str) -> Self {
        let mut e = Self::new(422, "Validation Failed");
        e.body["errors"] = json!([{
            "resource": resource, "field": field, "code": code, "message": message,
        }]);
        e
    }
}

/// A handler's successful answer.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: Option<Value>,
    pub link: Option<String>,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Reply {
            status: 200,
            body: Some(body),
            link: None,
        }
    }
    pub fn created(body: Value) -> Self {
        Reply {
            status: 201,
            body: Some(body),
            link: None,
        }
    }
    pub fn no_content() -> Self {
        Reply {
            status: 204,
            body: None,
            link: None,
        }
    }
}

pub(crate) type Handled = Result<Reply, ApiError>;

/// Slices `items` by `page`/`per_page` (GitHub's defaults: 1 and 30) and builds the Link header.
pub(crate) fn paginate(ctx: &Ctx, base_url: &str, items: Vec<Value>) -> Reply {
    let per_page: usize = ctx
        .query
        .get("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    let page: usize = ctx
        .query
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let last = items.len().div_ceil(per_page).max(1);
    let chunk: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let mut other: Vec<(String, String)> = ctx
        .query
        .iter()
        .filter(|(k, _)| k.as_str() != "page" && k.as_str() != "per_page")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    other.sort();
    let extra: String = other
        .iter()
        .map(|(k, v)| format!("&{k}={}", world::enc(v)))
        .collect();
    let url = |p: usize| {
        format!(
            "<{base_url}{}?per_page={per_page}&page={p}{extra}>",
            ctx.path
        )
    };
    let mut links = Vec::new();
    if page < last {
        links.push(format!("{}; rel=\"next\"", url(page + 1)));
        links.push(format!("{}; rel=\"last\"", url(last)));
    }
    if page > 1 {
        links.push(format!("{}; rel=\"first\"", url(1)));
        links.push(format!("{}; rel=\"prev\"", url(page - 1)));
    }
    Reply {
        status: 200,
        body: Some(Value::Array(chunk)),
        link: (!links.is_empty()).then(|| links.join(", ")),
    }
}

/// The GitHub API entry point: conformance, auth, faults, rate limit, dispatch, log.
async fn handle_api(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 25 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let method = parts.method.clone();
    let path = parts.uri.path().to_string();
    let query_str = parts.uri.query().unwrap_or("").to_string();
    let body_json: Value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };

    let (resp, write) = process(&shared, &parts.headers, &method, &path, &query_str, &bytes).await;
    let status = resp.status().as_u16();
    lock(&shared.log).push(LoggedRequest {
        method: method.to_string(),
        path,
        query: query_str,
        status,
        body: body_json,
        write,
    });
    resp
}

async fn process(
    shared: &Arc<Shared>,
    headers: &HeaderMap,
    method: &Method,
    path: &str,
    query: &str,
    bytes: &Bytes,
) -> (Response, bool) {
    let violate = |reason: String| {
        lock(&shared.violations).push(Violation {
            method: method.to_string(),
            path: path.to_string(),
            reason,
        });
    };
    let Some(matched) = openapi::match_route(method, path) else {
        violate("no operation in the OpenAPI description has this method and path".into());
        return (error_response(ApiError::not_found(), shared, "core"), false);
    };
    let op = matched.op;
    if matched.post_for_patch {
        violate(format!(
            "POST sent for the PATCH operation {op} (GitHub tolerates it; its description does not)"
        ));
    }
    let resource = if op == "graphql" { "graphql" } else { "core" };
    let is_token_exchange = op == "apps/create-installation-access-token";
    let body: Value = if bytes.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(e) => {
                violate(format!("request body is not JSON: {e}"));
                let err = ApiError::new(400, "Problems parsing JSON");
                return (error_response(err, shared, resource), method != Method::GET);
            }
        }
    };
    let write = method != Method::GET
        && !is_token_exchange
        && !(op == "graphql" && graphql::is_query(&body));
    if let Err(reason) = openapi::validate_body(op, &body) {
        violate(reason.clone());
        let err = ApiError::validation("Request", "body", "invalid", &reason);
        return (error_response(err, shared, resource), write);
    }

    if let Some(fault) = faults::take(shared, method, path) {
        match fault {
            Fault::Latency(ms) => tokio::time::sleep(std::time::Duration::from_millis(ms)).await,
            other => return (faults::respond(other, &mut shared.world(), resource), write),
        }
    }

    let login = match auth::authenticate(shared, headers, op, &matched.params) {
        Ok(login) => login,
        Err(e) => return (error_response(e, shared, resource), write),
    };

    let ctx = Ctx {
        method: if matched.post_for_patch {
            Method::PATCH
        } else {
            method.clone()
        },
        op,
        params: matched.params,
        query: parse_query(query),
        body,
        login,
        path: path.to_string(),
    };
    let result = {
        let mut world = shared.world();
        dispatch(&mut world, &ctx)
    };
    let resp = match result {
        Ok(reply) => {
            let mut world = shared.world();
            let mut resp = match reply.body {
                Some(b) => (
                    StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK),
                    axum::Json(b),
                )
                    .into_response(),
                None => StatusCode::from_u16(reply.status)
                    .unwrap_or(StatusCode::OK)
                    .into_response(),
            };
            if let Some(link) = reply.link
                && let Ok(v) = HeaderValue::from_str(&link)
            {
                resp.headers_mut().insert("link", v);
            }
            if op != "rate-limit/get" {
                rate_headers(&mut world, resource, resp.headers_mut(), true);
            } else {
                rate_headers(&mut world, resource, resp.headers_mut(), false);
            }
            resp
        }
        Err(e) => error_response(e, shared, resource),
    };
    (resp, write)
}

fn dispatch(world: &mut World, ctx: &Ctx) -> Handled {
    if let Some(r) = routes_issues::dispatch(world, ctx) {
        return r;
    }
    if let Some(r) = routes_subissues::dispatch(world, ctx) {
        return r;
    }
    if let Some(r) = routes_deps::dispatch(world, ctx) {
        return r;
    }
    if ctx.op == "graphql" {
        return graphql::handle(world, ctx);
    }
    if let Some(r) = routes_misc::dispatch(world, ctx) {
        return r;
    }
    Err(ApiError::new(
        501,
        &format!("the GitHub sim does not implement {}", ctx.op),
    ))
}

pub(crate) fn error_response(e: ApiError, shared: &Shared, resource: &'static str) -> Response {
    let mut resp = (e.status, axum::Json(e.body)).into_response();
    rate_headers(&mut shared.world(), resource, resp.headers_mut(), true);
    resp
}

/// Adds `x-ratelimit-*` headers, spending one request of `resource` when `spend`.
pub(crate) fn rate_headers(
    world: &mut World,
    resource: &'static str,
    h: &mut HeaderMap,
    spend: bool,
) {
    let used = world.rate_used.entry(resource).or_insert(0);
    if spend {
        *used += 1;
    }
    let used = *used;
    let limit = world.rate_limit;
    let remaining = limit.saturating_sub(used);
    for (k, v) in [
        ("x-ratelimit-limit", limit.to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
        ("x-ratelimit-reset", world.rate_reset.to_string()),
        ("x-ratelimit-used", used.to_string()),
        ("x-ratelimit-resource", resource.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    }
}

fn parse_query(q: &str) -> HashMap<String, String> {
    q.split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (openapi::decode(k), openapi::decode(&v.replace('+', " ")))
        })
        .collect()
}

impl GitHubSim {
    /// Applies a seed (the `--seed` file format of the standalone binary).
    pub fn seed(&self, seed: Seed) {
        routes_misc::apply_seed(&mut self.world(), seed);
    }
}

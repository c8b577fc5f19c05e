//! `vayu action --mode plan` runs the server's handler: the same event gives
//! the same GitHub state as `app::handle` called in-process, as `vayu serve`'s
//! worker calls it.

mod support;

use std::time::Duration;

use serde_json::json;
use support::GitHubSim;
use support::action::{BOT, REPO, TOKEN, labeled_event, parent_body, run_action};
use vayu::app::{Ctx, handle};
use vayu::core::ids::Login;
use vayu::github::webhook::{Normalized, normalize};
use vayu::github::{ClientConfig, GitHubClient};
use vayu::store::SqliteStore;

async fn world() -> (GitHubSim, u64) {
    let sim = GitHubSim::start().await;
    sim.token_as(TOKEN, BOT);
    let n = sim
        .repo(REPO)
        .issue()
        .title("Ship auth")
        .body(&parent_body("Design", "Ship the auth system."))
        .label("vayu")
        .by("alice")
        .open()
        .number;
    (sim, n)
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_mode_leaves_github_as_the_server_handler_does() {
    let (by_action, n) = world().await;
    let event = labeled_event(&by_action, n, "vayu", "alice");
    let run = run_action(&by_action, "plan", "issues", &event, &[]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.output("status").as_deref(), Some("planned"));
    assert_eq!(run.output("task").as_deref(), Some("1"));

    let (by_server, n2) = world().await;
    let event = labeled_event(&by_server, n2, "vayu", "alice");
    let body = serde_json::to_vec(&event).expect("json");
    let Ok(Normalized::Event(e)) = normalize("issues", &body) else {
        panic!("the fixture normalizes");
    };
    let dir = support::action::scratch_dir();
    let store = SqliteStore::connect(&format!("sqlite://{}", dir.join("v.db").display()))
        .await
        .expect("store");
    let gh = GitHubClient::with_token(
        ClientConfig {
            base_url: by_server.url(),
            mutation_gap: Duration::ZERO,
            timeout: None,
            ..ClientConfig::default()
        },
        TOKEN,
    )
    .expect("client");
    let ctx = Ctx::new(gh, store, Login(BOT.into()));
    handle(&e, &ctx).await.expect("handled");

    // The same state, but for the sims' own addresses.
    let state = |sim: &GitHubSim| sim.dump()["repos"].to_string().replace(&sim.url(), "SIM");
    assert_eq!(state(&by_action), state(&by_server));
    let a = by_action.dump();
    assert_eq!(a["repos"][REPO]["issues"].as_array().map(Vec::len), Some(4));
    // What the server's job runner would do next, the Action does itself:
    // start the one subtask that is ready (`a`, issue #2).
    assert_eq!(
        a["dispatches"],
        json!([{ "repo": REPO, "workflow": "vayu-execute.yml",
                 "body": { "ref": "main", "inputs": { "task": "2" } } }])
    );
    assert_eq!(run.output("ready").as_deref(), Some("[2]"));
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_mode_ignores_events_vayu_caused() {
    let (sim, n) = world().await;
    let event = labeled_event(&sim, n, "vayu", BOT);
    let run = run_action(&sim, "plan", "issues", &event, &[]).await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.output("status").as_deref(), Some("ignored"));
    assert_eq!(sim.write_count(), 0);
}

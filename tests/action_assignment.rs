//! Assignment when only the Action runs vayu: each run has a scratch
//! ledger, so what other runs recorded is read from GitHub: an auction's
//! closing time and bids from its announcement, `/vayu away` from the
//! repository's comments.

mod support;

use serde_json::json;
use support::GitHubSim;
use support::Permission;
use support::action::{
    BOT, REPO, comment_event, parent_body, planned_with, run_action, seed_comment,
};

const CONFIG: &str = "assignment:\n  strategy: auction\n  auction_window_minutes: 10\n  agents:\n    - login: bob\n      owners: [development]\n      specialization: {development: 0.8}\n    - login: carol\n      owners: [development]\n      specialization: {development: 0.9}\n";

fn announcement(sim: &GitHubSim, n: u64) -> (u64, String) {
    let w = sim.world();
    w.repos[REPO]
        .comments
        .values()
        .find(|c| c.issue_number == n && c.body.contains("slot=auction"))
        .map(|c| (c.id, c.body.clone()))
        .expect("an auction announcement")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_auction_opened_by_one_run_takes_a_bid_in_another_and_a_sweep_closes_it() {
    let sim = GitHubSim::start().await;
    sim.repo(REPO)
        .file(".github/vayu.yml", CONFIG)
        .collaborator("bob", Permission::Write)
        .collaborator("carol", Permission::Write);
    let p = planned_with(&sim, &parent_body("Design", "Ship the auth system.")).await;
    let (id, body) = announcement(&sim, p.a);
    assert!(body.contains("<!-- vayu:auction v=1 closes="), "{body}");

    // bob bids in a later run (the plan workflow on issue_comment).
    let bid = seed_comment(&sim, p.a, "bob", "/vayu bid 30");
    let run = run_action(
        &sim,
        "plan",
        "issue_comment",
        &comment_event(&sim, p.a, bid, "/vayu bid 30", "bob"),
        &[],
    )
    .await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let (_, body) = announcement(&sim, p.a);
    assert!(
        body.contains(&format!(
            "<!-- vayu:bid v=1 login=bob minutes=30 order={bid} -->"
        )),
        "{body}"
    );
    assert!(
        sim.issue(REPO, p.a).assignees.is_empty(),
        "still open for bids"
    );

    // The window passes (the announcement is the clock's record here), and a
    // sweep closes the auction: bob's 30 ÷ 0.8 is the only bid.
    {
        let mut w = sim.world();
        let c = w
            .repos
            .get_mut(REPO)
            .and_then(|r| r.comments.get_mut(&id))
            .expect("announcement");
        let start = c.body.find("closes=").expect("closes") + "closes=".len();
        let end = start + c.body[start..].find(' ').expect("end");
        c.body.replace_range(start..end, "2020-01-01T00:00:00Z");
    }
    let run = run_action(&sim, "sweep", "schedule", &json!({}), &[]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let a = sim.issue(REPO, p.a);
    assert_eq!(a.assignees, vec!["bob"]);
    assert!(
        a.labels.contains(&"status:assigned".to_owned()),
        "{:?}",
        a.labels
    );
    let why = a
        .comments
        .iter()
        .find(|c| c.contains("slot=assignment"))
        .expect("explanation");
    assert!(why.contains("Won the auction"), "{why}");
    assert!(a.comments.iter().all(|c| !c.contains("No auction is open")));
    // The announcement is vayu's: the bot wrote it.
    assert!(sim.world().repos[REPO].comments[&id].user == BOT);
    sim.assert_conformant();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_who_said_away_in_an_earlier_run_is_passed_over() {
    let sim = GitHubSim::start().await;
    sim.repo(REPO)
        .file(
            ".github/vayu.yml",
            &CONFIG
                .replace("strategy: auction", "strategy: push")
                .replace("{development: 0.8}", "{development: 0.95}"),
        )
        .collaborator("bob", Permission::Write)
        .collaborator("carol", Permission::Write);
    // bob, the better fit, went away (then back, then away again) on some
    // other issue, in runs whose ledgers are gone.
    let elsewhere = sim.repo(REPO).issue().title("Team notes").open().number;
    seed_comment(&sim, elsewhere, "bob", "/vayu away");
    seed_comment(&sim, elsewhere, "bob", "/vayu back");
    seed_comment(&sim, elsewhere, "bob", "Off next week.\n/vayu away");
    // Someone else saying it about bob does not count.
    seed_comment(&sim, elsewhere, "carol", "/vayu back");
    let p = planned_with(&sim, &parent_body("Design", "Ship the auth system.")).await;
    let a = sim.issue(REPO, p.a);
    assert_eq!(a.assignees, vec!["carol"]);
    let why = a
        .comments
        .iter()
        .find(|c| c.contains("slot=assignment"))
        .expect("explanation");
    assert!(why.contains("`bob` (away)"), "{why}");
    sim.assert_conformant();
}

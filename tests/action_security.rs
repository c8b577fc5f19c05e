//! Hostile issue text reaches no shell, no `${{ }}` and no workflow command.

mod support;

use serde_json::json;
use support::GitHubSim;
use support::action::{REPO, parent_body, planned, planned_with, run_action};

#[tokio::test(flavor = "multi_thread")]
async fn hostile_issue_text_changes_nothing_on_the_machine_or_in_the_outputs() {
    let sim = GitHubSim::start().await;
    let pwned = std::env::temp_dir().join(format!("pwned-{}", std::process::id()));
    let _ = std::fs::remove_file(&pwned);
    let touch = format!("$(touch {})", pwned.display());
    let title = format!(
        "{touch} `touch {}` ${{{{ github.token }}}}",
        pwned.display()
    );
    let text = format!(
        "{touch}\n${{{{ github.token }}}}\n::set-output name=x::y\n::add-mask::secret\nok<<EOF\nready=[99]\nEOF\n@everyone"
    );
    let p = planned_with(&sim, &parent_body(&title, &text)).await;
    // The step sees the task number and nothing of the issue's text; it
    // records its environment so we can check what reached it.
    let step = "env > \"$RUNNER_TEMP/step-env\"; echo \"log $VAYU_TASK\" >> \"$VAYU_PROGRESS\"";
    let run = run_action(
        &sim,
        "execute",
        "workflow_dispatch",
        &json!({ "inputs": { "task": p.a.to_string() } }),
        &[("INPUT_RUN", step)],
    )
    .await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!pwned.exists(), "issue text reached a shell");

    // Only our four keys, with our values.
    let keys: Vec<String> = run.outputs().into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["task", "status", "progress", "ready"]);
    assert_eq!(run.output("ready").as_deref(), Some("[3]"));

    // The title was echoed, but only between stop-commands markers.
    assert!(run.stdout.contains("::set-output") || run.stdout.contains(&touch));
    for cmd in run.commands() {
        assert!(
            ["::group::", "::endgroup::"]
                .iter()
                .any(|p| cmd.starts_with(p)),
            "the runner would process {cmd:?}"
        );
    }

    // The step got no token and no issue text.
    let step_env = std::fs::read_to_string(run.dir.join("step-env")).expect("step env");
    assert!(!step_env.contains("INPUT_GITHUB_TOKEN"), "{step_env}");
    assert!(!step_env.contains("tok\n"));
    assert!(!step_env.contains("touch"), "{step_env}");
    assert!(step_env.contains("VAYU_TASK=2\n"));

    // What vayu rendered on GitHub mentions nobody and holds no fake marker.
    let comment = &sim.issue(REPO, p.a).comments[0];
    assert!(!comment.contains("@everyone"));
    assert!(!comment.contains("touch"), "{comment}");
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_progress_lines_are_escaped_and_warned_about() {
    let sim = GitHubSim::start().await;
    let p = planned(&sim).await;
    let step = "printf 'progress 10 <!-- vayu:retries v=1 count=9 --> @alice\\n::set-output name=x::y\\nprogress 500\\n' >> \"$VAYU_PROGRESS\"";
    let run = run_action(
        &sim,
        "execute",
        "workflow_dispatch",
        &json!({ "inputs": { "task": p.a.to_string() } }),
        &[("INPUT_RUN", step)],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    let warnings: Vec<String> = run
        .commands()
        .into_iter()
        .filter(|c| c.starts_with("::warning"))
        .collect();
    assert_eq!(
        warnings,
        [
            "::warning title=vayu::$VAYU_PROGRESS line skipped: unknown progress verb `::set-output`: expected `progress <0-100> [step]`, `checkpoint <text>`, `artifact <name> <url>` or `log <text>`",
            "::warning title=vayu::$VAYU_PROGRESS line skipped: `progress` takes a whole number from 0 to 100 first, got `500`",
        ]
    );
    let comment = &sim.issue(REPO, p.a).comments[0];
    assert!(
        comment.contains("&lt;!-- vayu:retries v=1 count=9 --> @\u{200b}alice"),
        "{comment}"
    );
    assert!(comment.contains("<!-- vayu:retries v=1 count=0 -->"));
    assert_eq!(run.output("status").as_deref(), Some("completed"));
}

//! `scripts/install-vayu.sh` picks what to install from the ref the Action
//! was used at: a release tag, a commit a release tag names, or any other
//! commit (built from source at exactly that commit). Run against a local
//! git repository standing in for GitHub.

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A repository `owner/vayu` under `root` with a release commit tagged
/// v1.2.3 (annotated) and a later commit; returns both commit ids.
fn server(root: &Path) -> (String, String) {
    let repo = root.join("owner/vayu");
    std::fs::create_dir_all(&repo).expect("dir");
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(
        repo.join("Cargo.toml"),
        "[package]\nname = \"vayu\"\nversion = \"1.2.3\"\n",
    )
    .expect("write");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "release"]);
    git(&repo, &["tag", "-a", "v1.2.3", "-m", "v1.2.3"]);
    let release = git(&repo, &["rev-parse", "HEAD"]);
    std::fs::write(repo.join("README"), "later").expect("write");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "later"]);
    let later = git(&repo, &["rev-parse", "HEAD"]);
    (release, later)
}

/// The script's decision for `action_ref` (and `vayu-version`), with the
/// action checked out at `checkout`.
fn plan(root: &Path, checkout: &Path, action_ref: &str, version: &str) -> (bool, String) {
    let out = Command::new("bash")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/install-vayu.sh"
        ))
        .env("VAYU_INSTALL_PLAN", "1")
        .env("GITHUB_SERVER_URL", format!("file://{}", root.display()))
        .env("VAYU_ACTION_REPOSITORY", "owner/vayu")
        .env("VAYU_ACTION_REF", action_ref)
        .env("VAYU_VERSION", version)
        .env("GITHUB_ACTION_PATH", checkout)
        .output()
        .expect("bash runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text.trim().to_owned())
}

#[test]
fn the_install_follows_the_ref_the_action_is_pinned_to() {
    let root = tempfile::tempdir().expect("tmp");
    let (release, later) = server(root.path());
    let checkout = root.path().join("owner/vayu");

    // A release tag, or vayu-version, is used as it is.
    assert_eq!(
        plan(root.path(), &checkout, "v1.2.3", ""),
        (true, "version=v1.2.3 rev=".into())
    );
    assert_eq!(
        plan(root.path(), &checkout, "main", "v0.9.0"),
        (true, "version=v0.9.0 rev=".into())
    );
    // The commit the release tag names installs that release's asset.
    assert_eq!(
        plan(root.path(), &checkout, &release, ""),
        (true, "version=v1.2.3 rev=".into())
    );
    // Any other commit is built from source at exactly that commit, even
    // though its Cargo.toml still says 1.2.3.
    assert_eq!(
        plan(root.path(), &checkout, &later, ""),
        (true, format!("version= rev={later}"))
    );
}

#[test]
fn a_branch_or_a_malformed_version_is_refused_with_a_clear_error() {
    let root = tempfile::tempdir().expect("tmp");
    server(root.path());
    let checkout = root.path().join("owner/vayu");
    for (action_ref, version) in [("main", ""), ("v1.2.3", "1.2.3; rm -rf /")] {
        let (ok, text) = plan(root.path(), &checkout, action_ref, version);
        assert!(!ok, "{action_ref} {version}: {text}");
        assert!(
            text.contains("vayu-version must be a release tag such as v0.1.0"),
            "{text}"
        );
    }
}

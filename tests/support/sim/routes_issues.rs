//! Issues, labels, comments, reactions and assignees.

use serde_json::Value;

use super::world::{Comment, Label, NewIssue, Reaction, World};
use super::{ApiError, Ctx, Handled, Reply, paginate};

/// Handles the operation if it belongs here.
pub(crate) fn dispatch(w: &mut World, ctx: &Ctx) -> Option<Handled> {
    let r = match ctx.op {
        "issues/get" => get_issue(w, ctx),
        "issues/create" => create_issue(w, ctx),
        "issues/update" => update_issue(w, ctx),
        "issues/list-for-repo" => list_issues(w, ctx),
        "issues/list-labels-for-repo" => list_repo_labels(w, ctx),
        "issues/create-label" => create_label(w, ctx),
        "issues/get-label" => get_label(w, ctx),
        "issues/update-label" => update_label(w, ctx),
        "issues/delete-label" => delete_label(w, ctx),
        "issues/list-labels-on-issue" => issue_labels(w, ctx, false),
        "issues/add-labels" => set_issue_labels(w, ctx, false),
        "issues/set-labels" => set_issue_labels(w, ctx, true),
        "issues/remove-all-labels" => remove_all_labels(w, ctx),
        "issues/remove-label" => remove_label(w, ctx),
        "issues/list-comments" => list_comments(w, ctx, true),
        "issues/list-comments-for-repo" => list_comments(w, ctx, false),
        "issues/create-comment" => create_comment(w, ctx),
        "issues/get-comment" => get_comment(w, ctx),
        "issues/update-comment" => update_comment(w, ctx),
        "issues/delete-comment" => delete_comment(w, ctx),
        "reactions/list-for-issue" | "reactions/list-for-issue-comment" => list_reactions(w, ctx),
        "reactions/create-for-issue" | "reactions/create-for-issue-comment" => {
            create_reaction(w, ctx)
        }
        "reactions/delete-for-issue" | "reactions/delete-for-issue-comment" => {
            delete_reaction(w, ctx)
        }
        "issues/add-assignees" => assignees(w, ctx, true),
        "issues/remove-assignees" => assignees(w, ctx, false),
        _ => return None,
    };
    Some(r)
}

/// The repo must exist; its issue `issue_number` too.
fn issue_number(w: &World, ctx: &Ctx) -> Result<(String, u64), ApiError> {
    let repo = ctx.repo();
    let n = ctx.num("issue_number")?;
    w.issue(&repo, n).ok_or_else(ApiError::not_found)?;
    Ok((repo, n))
}

fn get_issue(w: &mut World, ctx: &Ctx) -> Handled {
    let (repo, n) = issue_number(w, ctx)?;
    Ok(Reply::ok(w.issue_json(
        &repo,
        w.issue(&repo, n).ok_or_else(ApiError::not_found)?,
    )))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .or_else(|| x["name"].as_str().map(str::to_string))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn create_issue(w: &mut World, ctx: &Ctx) -> Handled {
    let repo = ctx.repo();
    if !w.repos.contains_key(&repo) {
        return Err(ApiError::not_found());
    }
    let b = &ctx.body;
    let mut assignees = strings(&b["assignees"]);
    if let Some(a) = b["assignee"].as_str() {
        assignees.push(a.to_string());
    }
    let new = NewIssue {
        title: text(&b["title"]).unwrap_or_default(),
        body: b["body"].as_str().map(str::to_string),
        labels: strings(&b["labels"]),
        assignees,
        user: ctx.login.clone(),
    };
    let (n, _) = w.create_issue(&repo, new);
    Ok(Reply::created(w.issue_json(
        &repo,
        w.issue(&repo, n).ok_or_else(ApiError::not_found)?,
    )))
}

fn update_issue(w: &mut World, ctx: &Ctx) -> Handled {
    let (repo, n) = issue_number(w, ctx)?;
    let b = &ctx.body;
    let labels: Option<Vec<u64>> = b.get("labels").filter(|v| v.is_array()).map(|v| {
        strings(v)
            .iter()
            .map(|l| w.ensure_label(&repo, l))
            .collect()
    });
    let assignees = b.get("assignees").filter(|v| v.is_array()).map(strings);
    for a in assignees.iter().flatten() {
        w.user_id(a);
    }
    let now = w.tick();
    let issue = w.issue_mut(&repo, n).ok_or_else(ApiError::not_found)?;
    if let Some(t) = text(&b["title"]) {
        issue.title = t;
    }
    if b.get("body").is_some() {
        issue.body = b["body"].as_str().map(str::to_string);
    }
    if let Some(l) = labels {
        issue.labels = l;
    }
    if let Some(a) = assignees {
        issue.assignees = a;
    }
    match b["state"].as_str() {
        Some("closed") if issue.state != "closed" => {
            issue.state = "closed".into();
            issue.closed_at = Some(now.clone());
            issue.state_reason = Some(
                b["state_reason"]
                    .as_str()
                    .unwrap_or("completed")
                    .to_string(),
            );
        }
        Some("open") if issue.state != "open" => {
            issue.state = "open".into();
            issue.closed_at = None;
            issue.state_reason = Some("reopened".into());
        }
        _ => {
            if let Some(r) = b["state_reason"].as_str() {
                issue.state_reason = Some(r.to_string());
            }
        }
    }
    issue.updated_at = now;
    Ok(Reply::ok(w.issue_json(
        &repo,
        w.issue(&repo, n).ok_or_else(ApiError::not_found)?,
    )))
}

fn list_issues(w: &mut World, ctx: &Ctx) -> Handled {
    let repo = ctx.repo();
    let r = w.repos.get(&repo).ok_or_else(ApiError::not_found)?;
    let state = ctx.query.get("state").map(String::as_str).unwrap_or("open");
    let wanted: Vec<String> = ctx
        .query
        .get("labels")
        .map(|l| {
            l.split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_lowercase)
                .collect()
        })
        .unwrap_or_default();
    // `none` and `*` are GitHub's "no assignee" and "any assignee".
    let assignee = ctx.query.get("assignee").map(|a| a.to_lowercase());
    let ascending = ctx.query.get("direction").is_some_and(|d| d == "asc");
    let mut issues: Vec<&super::world::Issue> = r
        .issues
        .values()
        .filter(|i| state == "all" || i.state == state)
        .filter(|i| {
            wanted
                .iter()
                .all(|name| r.labels.get(name).is_some_and(|l| i.labels.contains(&l.id)))
        })
        .filter(|i| match assignee.as_deref() {
            None => true,
            Some("*") => !i.assignees.is_empty(),
            Some("none") => i.assignees.is_empty(),
            Some(a) => i.assignees.iter().any(|x| x.eq_ignore_ascii_case(a)),
        })
        .collect();
    if !ascending {
        issues.reverse();
    }
    let items = issues.iter().map(|i| w.issue_json(&repo, i)).collect();
    Ok(paginate(ctx, &w.base_url, items))
}

fn label_key(ctx: &Ctx) -> String {
    ctx.param("name").to_lowercase()
}

fn list_repo_labels(w: &mut World, ctx: &Ctx) -> Handled {
    let repo = ctx.repo();
    let r = w.repos.get(&repo).ok_or_else(ApiError::not_found)?;
    let items = r.labels.values().map(|l| w.label_json(&repo, l)).collect();
    Ok(paginate(ctx, &w.base_url, items))
}

fn create_label(w: &mut World, ctx: &Ctx) -> Handled {
    let repo = ctx.repo();
    let name = ctx.body["name"].as_str().unwrap_or_default().to_string();
    let id = w.next_id();
    let r = w.repos.get_mut(&repo).ok_or_else(ApiError::not_found)?;
    if r.labels.contains_key(&name.to_lowercase()) {
        return Err(ApiError::validation(
            "Label",
            "name",
            "already_exists",
            "already_exists",
        ));
    }
    let label = Label {
        id,
        name: name.clone(),
        color: ctx.body["color"]
            .as_str()
            .unwrap_or("ededed")
            .trim_start_matches('#')
            .to_string(),
        description: ctx.body["description"].as_str().map(str::to_string),
    };
    r.labels.insert(name.to_lowercase(), label.clone());
    Ok(Reply::created(w.label_json(&repo, &label)))
}

fn get_label(w: &mut World, ctx: &Ctx) -> Handled {
    let repo = ctx.repo();
    let l = w
        .repos
        .get(&repo)
        .and_then(|r| r.labels.get(&label_key(ctx)))
        .ok_or_else(ApiError::not_found)?;
    Ok(Reply::ok(w.label_json(&repo, l)))
}

fn update_label(w: &mut World, ctx: &Ctx) -> Handled {
    let repo = ctx.repo();
    let r = w.repos.get_mut(&repo).ok_or_else(ApiError::not_found)?;
    let mut l = r
        .labels
        .remove(&label_key(ctx))
        .ok_or_else(ApiError::not_found)?;
    if let Some(n) = ctx.body["new_name"].as_str() {
        l.name = n.to_string();
    }
    if let Some(c) = ctx.body["color"].as_str() {
        l.color = c.trim_start_matches('#').to_string();
    }
    if let Some(d) = ctx.body["description"].as_str() {
        l.description = Some(d.to_string());
    }
    r.labels.insert(l.name.to_lowercase(), l.clone());
    Ok(Reply::ok(w.label_json(&repo, &l)))
}

fn delete_label(w: &mut World, ctx: &Ctx) -> Handled {
    let repo = ctx.repo();
    let r = w.repos.get_mut(&repo).ok_or_else(ApiError::not_found)?;
    let l = r
        .labels
        .remove(&label_key(ctx))
        .ok_or_else(ApiError::not_found)?;
    for i in r.issues.values_mut() {
        i.labels.retain(|id| *id != l.id);
    }
    Ok(Reply::no_content())
}

fn issue_labels(w: &mut World, ctx: &Ctx, _unused: bool) -> Handled {
    let (repo, n) = issue_number(w, ctx)?;
    Ok(Reply::ok(labels_of(w, &repo, n)))
}

fn labels_of(w: &World, repo: &str, n: u64) -> Value {
    let ids = w
        .issue(repo, n)
        .map(|i| i.labels.clone())
        .unwrap_or_default();
    Value::Array(
        ids.iter()
            .filter_map(|id| w.label_by_id(repo, *id))
            .map(|l| w.label_json(repo, l))
            .collect(),
    )
}

fn set_issue_labels(w: &mut World, ctx: &Ctx, replace: bool) -> Handled {
    let (repo, n) = issue_number(w, ctx)?;
    let names = match &ctx.body {
        Value::Object(o) => strings(o.get("labels").unwrap_or(&Value::Null)),
        other => strings(other),
    };
    let ids: Vec<u64> = names.iter().map(|l| w.ensure_label(&repo, l)).collect();
    let now = w.tick();
    let issue = w.issue_mut(&repo, n).ok_or_else(ApiError::not_found)?;
    if replace {
        issue.labels.clear();
    }
    for id in ids {
        if !issue.labels.contains(&id) {
            issue.labels.push(id);
        }
    }
    issue.updated_at = now;
    Ok(Reply::ok(labels_of(w, &repo, n)))
}

fn remove_all_labels(w: &mut World, ctx: &Ctx) -> Handled {
    let (repo, n) = issue_number(w, ctx)?;
    let now = w.tick();
    let issue = w.issue_mut(&repo, n).ok_or_else(ApiError::not_found)?;
    issue.labels.clear();
    issue.updated_at = now;
    Ok(Reply::no_content())
}

fn remove_label(w: &mut World, ctx: &Ctx) -> Handled {
    let (repo, n) = issue_number(w, ctx)?;
    let id = w
        .repos
        .get(&repo)
        .and_then(|r| r.labels.get(&label_key(ctx)))
        .map(|l| l.id);
    let now = w.tick();
    let issue = w.issue_mut(&repo, n).ok_or_else(ApiError::not_found)?;
    match id {
        Some(id) if issue.labels.contains(&id) => {
            issue.labels.retain(|l| *l != id);
            issue.updated_at = now;
            Ok(Reply::ok(labels_of(w, &repo, n)))
        }
        _ => Err(ApiError::new(404, "Label does not exist")),
    }
}

fn list_comments(w: &mut World, ctx: &Ctx, one_issue: bool) -> Handled {
    let repo = ctx.repo();
    let only = if one_issue {
        Some(issue_number(w, ctx)?.1)
    } else {
        None
    };
    let r = w.repos.get(&repo).ok_or_else(ApiError::not_found)?;
    let mut items: Vec<Value> = r
        .comments
        .values()
        .filter(|c| only.is_none_or(|n| c.issue_number == n))
        .map(|c| w.comment_json(&repo, c))
        .collect();
    // The repository-wide listing takes `direction` (ids grow with time).
    if !one_issue && ctx.query.get("direction").map(String::as_str) == Some("desc") {
        items.reverse();
    }
    Ok(paginate(ctx, &w.base_url, items))
}

fn create_comment(w: &mut World, ctx: &Ctx) -> Handled {
    let (repo, n) = issue_number(w, ctx)?;
    let id = w.next_id();
    let now = w.tick();
    w.user_id(&ctx.login);
    let c = Comment {
        id,
        node_id: format!("IC_sim{id}"),
        issue_number: n,
        body: ctx.body["body"].as_str().unwrap_or_default().to_string(),
        user: ctx.login.clone(),
        created_at: now.clone(),
        updated_at: now.clone(),
        reactions: Vec::new(),
    };
    let r = w.repos.get_mut(&repo).ok_or_else(ApiError::not_found)?;
    r.comments.insert(id, c.clone());
    if let Some(i) = r.issues.get_mut(&n) {
        i.updated_at = now;
    }
    Ok(Reply::created(w.comment_json(&repo, &c)))
}

fn comment<'w>(w: &'w mut World, ctx: &Ctx) -> Result<&'w mut Comment, ApiError> {
    let id = ctx.num("comment_id")?;
    w.repos
        .get_mut(&ctx.repo())
        .and_then(|r| r.comments.get_mut(&id))
        .ok_or_else(ApiError::not_found)
}

fn get_comment(w: &mut World, ctx: &Ctx) -> Handled {
    let c = comment(w, ctx)?.clone();
    Ok(Reply::ok(w.comment_json(&ctx.repo(), &c)))
}

fn update_comment(w: &mut World, ctx: &Ctx) -> Handled {
    let now = w.tick();
    let c = comment(w, ctx)?;
    c.body = ctx.body["body"].as_str().unwrap_or_default().to_string();
    c.updated_at = now;
    let c = c.clone();
    Ok(Reply::ok(w.comment_json(&ctx.repo(), &c)))
}

fn delete_comment(w: &mut World, ctx: &Ctx) -> Handled {
    let id = comment(w, ctx)?.id;
    if let Some(r) = w.repos.get_mut(&ctx.repo()) {
        r.comments.remove(&id);
    }
    Ok(Reply::no_content())
}

/// The reaction list of the issue or comment the path names.
fn reactions<'w>(w: &'w mut World, ctx: &Ctx) -> Result<&'w mut Vec<Reaction>, ApiError> {
    if ctx.params.contains_key("comment_id") {
        Ok(&mut comment(w, ctx)?.reactions)
    } else {
        let (repo, n) = issue_number(w, ctx)?;
        Ok(&mut w
            .issue_mut(&repo, n)
            .ok_or_else(ApiError::not_found)?
            .reactions)
    }
}

fn list_reactions(w: &mut World, ctx: &Ctx) -> Handled {
    let filter = ctx.query.get("content").cloned();
    let list = reactions(w, ctx)?.clone();
    let items = list
        .iter()
        .filter(|r| filter.as_ref().is_none_or(|f| *f == r.content))
        .map(|r| w.reaction_json(r))
        .collect();
    Ok(paginate(ctx, &w.base_url, items))
}

/// Idempotent, as on GitHub: 200 with the existing reaction, 201 for a new one.
fn create_reaction(w: &mut World, ctx: &Ctx) -> Handled {
    let content = ctx.body["content"].as_str().unwrap_or_default().to_string();
    let id = w.next_id();
    let now = w.tick();
    w.user_id(&ctx.login);
    let list = reactions(w, ctx)?;
    if let Some(existing) = list
        .iter()
        .find(|r| r.user == ctx.login && r.content == content)
    {
        let existing = existing.clone();
        return Ok(Reply::ok(w.reaction_json(&existing)));
    }
    let r = Reaction {
        id,
        content,
        user: ctx.login.clone(),
        created_at: now,
    };
    list.push(r.clone());
    Ok(Reply::created(w.reaction_json(&r)))
}

fn delete_reaction(w: &mut World, ctx: &Ctx) -> Handled {
    let id = ctx.num("reaction_id")?;
    let list = reactions(w, ctx)?;
    let before = list.len();
    list.retain(|r| r.id != id);
    if list.len() == before {
        return Err(ApiError::not_found());
    }
    Ok(Reply::no_content())
}

fn assignees(w: &mut World, ctx: &Ctx, add: bool) -> Handled {
    let (repo, n) = issue_number(w, ctx)?;
    let names = strings(&ctx.body["assignees"]);
    for a in &names {
        w.user_id(a);
    }
    let now = w.tick();
    let issue = w.issue_mut(&repo, n).ok_or_else(ApiError::not_found)?;
    for a in names {
        let present = issue.assignees.contains(&a);
        if add && !present {
            issue.assignees.push(a);
        } else if !add {
            issue.assignees.retain(|x| *x != a);
        }
    }
    issue.updated_at = now;
    let body = w.issue_json(&repo, w.issue(&repo, n).ok_or_else(ApiError::not_found)?);
    Ok(if add {
        Reply::created(body)
    } else {
        Reply::ok(body)
    })
}

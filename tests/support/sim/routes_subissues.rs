//! Sub-issues: add (by database id), list, remove, reprioritize, parent.
//!
//! GitHub's rules are enforced with 422s: one parent per issue (unless `replace_parent`),
//! at most 100 sub-issues per parent, at most 8 levels, no cycles, same owner.

use super::world::World;
use super::{ApiError, Ctx, Handled, Reply, paginate};

/// Most sub-issues one parent may have.
pub const MAX_SUB_ISSUES: usize = 100;
/// Deepest nesting, counting the root as level 1.
pub const MAX_LEVELS: usize = 8;

pub(crate) fn dispatch(w: &mut World, ctx: &Ctx) -> Option<Handled> {
    let r = match ctx.op {
        "issues/add-sub-issue" => add(w, ctx),
        "issues/list-sub-issues" => list(w, ctx),
        "issues/remove-sub-issue" => remove(w, ctx),
        "issues/reprioritize-sub-issue" => reprioritize(w, ctx),
        "issues/get-parent" => parent(w, ctx),
        _ => return None,
    };
    Some(r)
}

fn parent_id(w: &World, ctx: &Ctx) -> Result<u64, ApiError> {
    let n = ctx.num("issue_number")?;
    Ok(w.issue(&ctx.repo(), n).ok_or_else(ApiError::not_found)?.id)
}

fn sub_id(ctx: &Ctx, field: &str) -> Result<u64, ApiError> {
    ctx.body[field].as_u64().ok_or_else(|| {
        ApiError::validation(
            "Issue",
            field,
            "missing_field",
            &format!("{field} is required"),
        )
    })
}

fn invalid(message: &str) -> ApiError {
    ApiError::validation("Issue", "sub_issue_id", "custom", message)
}

/// Level of `id` in its tree, the root being 1.
fn level(w: &World, id: u64) -> usize {
    let mut level = 1;
    let mut cur = w.issue_by_id(id).and_then(|i| i.parent);
    while let Some(p) = cur {
        level += 1;
        cur = w.issue_by_id(p).and_then(|i| i.parent);
    }
    level
}

/// Height of the subtree under `id`, a leaf being 1.
fn height(w: &World, id: u64) -> usize {
    let children = w
        .issue_by_id(id)
        .map(|i| i.sub_issues.clone())
        .unwrap_or_default();
    1 + children.iter().map(|c| height(w, *c)).max().unwrap_or(0)
}

fn is_ancestor(w: &World, candidate: u64, of: u64) -> bool {
    let mut cur = Some(of);
    while let Some(id) = cur {
        if id == candidate {
            return true;
        }
        cur = w.issue_by_id(id).and_then(|i| i.parent);
    }
    false
}

pub(crate) fn link(
    w: &mut World,
    parent: u64,
    child: u64,
    replace_parent: bool,
) -> Result<(), ApiError> {
    let p = w.issue_by_id(parent).ok_or_else(ApiError::not_found)?;
    let c = w
        .issue_by_id(child)
        .ok_or_else(|| invalid("The sub-issue does not exist"))?;
    let (p_repo, c_repo) = (&w.issue_index[&parent].0, &w.issue_index[&child].0);
    if p_repo.split('/').next() != c_repo.split('/').next() {
        return Err(invalid(
            "Sub-issues must belong to the same owner as the parent issue",
        ));
    }
    if p.sub_issues.contains(&child) {
        return Err(invalid("Issue may not contain duplicate sub-issues"));
    }
    if c.parent.is_some() && !replace_parent {
        return Err(invalid("Sub issue may only have one parent"));
    }
    if p.sub_issues.len() >= MAX_SUB_ISSUES {
        return Err(invalid(&format!(
            "Parent issue cannot have more than {MAX_SUB_ISSUES} sub-issues"
        )));
    }
    if is_ancestor(w, child, parent) {
        return Err(invalid(
            "An issue cannot be a sub-issue of itself or of its own sub-issues",
        ));
    }
    if level(w, parent) + height(w, child) > MAX_LEVELS {
        return Err(invalid(&format!(
            "Sub-issues cannot be nested more than {MAX_LEVELS} levels deep"
        )));
    }
    let old_parent = c.parent;
    if let Some(old) = old_parent
        && let Some(old) = w.issue_by_id_mut(old)
    {
        old.sub_issues.retain(|x| *x != child);
    }
    let now = w.tick();
    if let Some(c) = w.issue_by_id_mut(child) {
        c.parent = Some(parent);
    }
    if let Some(p) = w.issue_by_id_mut(parent) {
        p.sub_issues.push(child);
        p.updated_at = now;
    }
    Ok(())
}

/// Whether a brand-new issue could become a sub-issue of `parent` (GraphQL `createIssue`
/// checks this first, so a refused link creates no issue).
pub(crate) fn check_new_child(w: &World, parent: u64) -> Result<(), ApiError> {
    let p = w.issue_by_id(parent).ok_or_else(ApiError::not_found)?;
    if p.sub_issues.len() >= MAX_SUB_ISSUES {
        return Err(invalid(&format!(
            "Parent issue cannot have more than {MAX_SUB_ISSUES} sub-issues"
        )));
    }
    if level(w, parent) + 1 > MAX_LEVELS {
        return Err(invalid(&format!(
            "Sub-issues cannot be nested more than {MAX_LEVELS} levels deep"
        )));
    }
    Ok(())
}

fn add(w: &mut World, ctx: &Ctx) -> Handled {
    let parent = parent_id(w, ctx)?;
    let child = sub_id(ctx, "sub_issue_id")?;
    let replace = ctx.body["replace_parent"].as_bool().unwrap_or(false);
    link(w, parent, child, replace)?;
    Ok(Reply::created(w.issue_json_by_id(parent)))
}

fn list(w: &mut World, ctx: &Ctx) -> Handled {
    let parent = parent_id(w, ctx)?;
    let ids = w
        .issue_by_id(parent)
        .map(|i| i.sub_issues.clone())
        .unwrap_or_default();
    let items = ids.iter().map(|id| w.issue_json_by_id(*id)).collect();
    Ok(paginate(ctx, &w.base_url, items))
}

fn remove(w: &mut World, ctx: &Ctx) -> Handled {
    let parent = parent_id(w, ctx)?;
    let child = sub_id(ctx, "sub_issue_id")?;
    let p = w.issue_by_id_mut(parent).ok_or_else(ApiError::not_found)?;
    if !p.sub_issues.contains(&child) {
        return Err(ApiError::not_found());
    }
    p.sub_issues.retain(|x| *x != child);
    if let Some(c) = w.issue_by_id_mut(child) {
        c.parent = None;
    }
    Ok(Reply::ok(w.issue_json_by_id(parent)))
}

fn reprioritize(w: &mut World, ctx: &Ctx) -> Handled {
    let parent = parent_id(w, ctx)?;
    let child = sub_id(ctx, "sub_issue_id")?;
    let (anchor, after) = match (
        ctx.body["after_id"].as_u64(),
        ctx.body["before_id"].as_u64(),
    ) {
        (Some(a), None) => (a, true),
        (None, Some(b)) => (b, false),
        _ => return Err(invalid("Exactly one of after_id or before_id is required")),
    };
    let p = w.issue_by_id_mut(parent).ok_or_else(ApiError::not_found)?;
    if !p.sub_issues.contains(&child) || !p.sub_issues.contains(&anchor) || child == anchor {
        return Err(invalid("Both issues must be sub-issues of this parent"));
    }
    p.sub_issues.retain(|x| *x != child);
    let at = p.sub_issues.iter().position(|x| *x == anchor).unwrap_or(0);
    p.sub_issues.insert(if after { at + 1 } else { at }, child);
    Ok(Reply::ok(w.issue_json_by_id(parent)))
}

fn parent(w: &mut World, ctx: &Ctx) -> Handled {
    let id = parent_id(w, ctx)?;
    let p = w
        .issue_by_id(id)
        .and_then(|i| i.parent)
        .ok_or_else(ApiError::not_found)?;
    Ok(Reply::ok(w.issue_json_by_id(p)))
}

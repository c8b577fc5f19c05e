//! Issue dependencies: blocked_by add/list/remove and blocking list.
//!
//! Rules (422): no self-link, no duplicates, at most 50 per type on either side.

use super::world::World;
use super::{ApiError, Ctx, Handled, Reply, paginate};

/// Most dependencies of one type (blocked by / blocking) an issue may have.
pub const MAX_DEPENDENCIES: usize = 50;

pub(crate) fn dispatch(w: &mut World, ctx: &Ctx) -> Option<Handled> {
    let r = match ctx.op {
        "issues/add-blocked-by-dependency" => add(w, ctx),
        "issues/list-dependencies-blocked-by" => list(w, ctx, true),
        "issues/list-dependencies-blocking" => list(w, ctx, false),
        "issues/remove-dependency-blocked-by" => remove(w, ctx),
        _ => return None,
    };
    Some(r)
}

fn this_id(w: &World, ctx: &Ctx) -> Result<u64, ApiError> {
    let n = ctx.num("issue_number")?;
    Ok(w.issue(&ctx.repo(), n).ok_or_else(ApiError::not_found)?.id)
}

fn invalid(message: &str) -> ApiError {
    ApiError::validation("IssueDependency", "issue_id", "custom", message)
}

fn add(w: &mut World, ctx: &Ctx) -> Handled {
    let me = this_id(w, ctx)?;
    let blocker = ctx.body["issue_id"]
        .as_u64()
        .ok_or_else(|| invalid("issue_id is required"))?;
    if w.issue_by_id(blocker).is_none() {
        return Err(invalid("The blocking issue does not exist"));
    }
    if blocker == me {
        return Err(invalid("An issue cannot be blocked by itself"));
    }
    let mine = w
        .issue_by_id(me)
        .map(|i| i.blocked_by.clone())
        .unwrap_or_default();
    if mine.contains(&blocker) {
        return Err(invalid("This dependency already exists"));
    }
    if mine.len() >= MAX_DEPENDENCIES {
        return Err(invalid(&format!(
            "An issue can be blocked by at most {MAX_DEPENDENCIES} issues"
        )));
    }
    if w.blocking(blocker).len() >= MAX_DEPENDENCIES {
        return Err(invalid(&format!(
            "An issue can block at most {MAX_DEPENDENCIES} issues"
        )));
    }
    let now = w.tick();
    if let Some(i) = w.issue_by_id_mut(me) {
        i.blocked_by.push(blocker);
        i.updated_at = now;
    }
    Ok(Reply::created(w.issue_json_by_id(blocker)))
}

fn list(w: &mut World, ctx: &Ctx, blocked_by: bool) -> Handled {
    let me = this_id(w, ctx)?;
    let ids = if blocked_by {
        w.issue_by_id(me)
            .map(|i| i.blocked_by.clone())
            .unwrap_or_default()
    } else {
        w.blocking(me)
    };
    let items = ids.iter().map(|id| w.issue_json_by_id(*id)).collect();
    Ok(paginate(ctx, &w.base_url, items))
}

fn remove(w: &mut World, ctx: &Ctx) -> Handled {
    let me = this_id(w, ctx)?;
    let blocker = ctx.num("issue_id")?;
    let i = w.issue_by_id_mut(me).ok_or_else(ApiError::not_found)?;
    if !i.blocked_by.contains(&blocker) {
        return Err(ApiError::not_found());
    }
    i.blocked_by.retain(|b| *b != blocker);
    Ok(Reply::ok(w.issue_json_by_id(blocker)))
}

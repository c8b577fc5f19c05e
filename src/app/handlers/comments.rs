//! `issue_comment` events: find `/vayu` commands (only the new ones in an
//! edit), check who may run them, run them, and answer. vayu's own comments
//! are ignored, so its replies can never trigger it.
//!
//! Acknowledgement: a mutating command gets 👀 on receipt and 👍 when done;
//! a command that answers with a comment (`plan`, `status`, `help`) or fails
//! gets that comment instead, so `/vayu plan` writes exactly one thing.

use std::collections::HashMap;

use serde_json::json;

use super::commands::{Reply, run_command};
use crate::app::config_load::load_config;
use crate::app::convert::issue_from_event;
use crate::app::ctx::Ctx;
use crate::app::effects::{Effect, Executor, Target, note_marker};
use crate::app::error::{AppError, UserError};
use crate::app::event::{Comment, Issue, Origin};
use crate::app::outcome::Outcome;
use crate::app::ports::{GitHub, Ledger, LedgerEvent, Reaction, ReactionTarget};
use crate::core::command::{Command, ParseErrorKind, Parsed, new_commands, parse_comment};
use crate::core::config::{Config, Permission};
use crate::core::marker::escape_user_text;
use crate::render::notice;

/// A comment was posted (`old` is `None`) or edited (`old` is the text before, if GitHub sent it).
pub async fn created<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    origin: &Origin,
    issue: &Issue,
    comment: &Comment,
    old: Option<Option<&str>>,
) -> Result<Outcome, AppError> {
    // Someone ticked the boxes of vayu's review checklist (a self review).
    if old.is_some()
        && super::is_self(ctx, &comment.author)
        && !super::is_self(ctx, &origin.sender)
        && comment
            .body
            .contains(&note_marker(super::review::REVIEW_SLOT))
    {
        return super::review::checklist_edited(ctx, origin, issue, comment).await;
    }
    if super::is_self(ctx, &comment.author) || super::is_self(ctx, &origin.sender) {
        return Ok(Outcome::Ignored {
            why: "vayu's own comment".into(),
        });
    }
    let parsed = match old {
        Some(Some(before)) => new_commands(before, &comment.body),
        _ => parse_comment(&comment.body),
    };
    if parsed.is_empty() {
        return Ok(Outcome::Ignored {
            why: "no /vayu command".into(),
        });
    }
    let repo = &origin.repo;
    let cfg = match load_config(&ctx.gh, repo).await? {
        Ok(cfg) => cfg,
        Err(e) => {
            // Permissions come from the config: without a valid one, only explain.
            let mut ex = executor(ctx, origin, issue);
            let text = format!(
                "vayu cannot run commands until its configuration is fixed:\n\n```\n{e}\n```"
            );
            reply(&mut ex, comment, &parsed[0], &text).await?;
            return Ok(Outcome::Rejected {
                reason: e.to_string(),
                writes: ex.writes,
            });
        }
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut ran = 0;
    let mut acked = false;
    for p in &parsed {
        let nth = seen.entry(p.key()).or_default();
        *nth += 1;
        let key = format!(
            "{repo}#{}/-/command/{}/{}/{nth}",
            issue.number,
            comment.id,
            p.key()
        );
        if ctx.store.effect_done(&key).await?.is_some() {
            continue;
        }
        event(ctx, origin, issue, p).await?;
        let mut ex = executor(ctx, origin, issue);
        if p.result.as_ref().is_ok_and(Command::is_mutating) && !acked {
            react(&mut ex, comment, Reaction::Eyes).await?;
            acked = true;
        }
        let result = match &p.result {
            Err(e) => Err(parse_error(e)),
            Ok(cmd) => match allowed(ctx, &cfg, origin, comment, cmd).await {
                Ok(()) => run_command(ctx, &cfg, origin, issue, comment, p, cmd).await,
                Err(e) => Err(e),
            },
        };
        match result {
            Ok(Reply::Done) => react(&mut ex, comment, Reaction::PlusOne).await?,
            Ok(Reply::Said) => {}
            Err(AppError::User(u)) => reply(&mut ex, comment, p, &u.message).await?,
            Err(other) => return Err(other),
        }
        ctx.store.record_effect(&key, &json!({}), ctx.now()).await?;
        ran += 1;
    }
    Ok(Outcome::Commands { ran })
}

fn executor<'c, G: GitHub, S: Ledger>(
    ctx: &'c Ctx<G, S>,
    origin: &Origin,
    issue: &Issue,
) -> Executor<'c, G, S> {
    Executor::new(
        ctx,
        origin.repo.clone(),
        issue_from_event(issue),
        Default::default(),
        None,
    )
}

async fn event<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    origin: &Origin,
    issue: &Issue,
    p: &Parsed,
) -> Result<(), AppError> {
    ctx.store
        .append_event(&LedgerEvent {
            ts: ctx.now(),
            kind: "command_received",
            repo: origin.repo.clone(),
            issue: issue.number,
            data: json!({
                "command": p.raw,
                "user": origin.sender.login,
                "valid": p.result.is_ok(),
            }),
        })
        .await?;
    Ok(())
}

/// Checks the sender's repository permission against the verb's requirement.
async fn allowed<G: GitHub, S: Ledger>(
    ctx: &Ctx<G, S>,
    cfg: &Config,
    origin: &Origin,
    comment: &Comment,
    cmd: &Command,
) -> Result<(), AppError> {
    let verb = cmd.verb();
    let need = cfg.permissions.required(verb);
    if need == Permission::Read && !cmd.is_mutating() {
        return Ok(());
    }
    let user = &comment.author.login;
    let have = ctx.gh.permission(&origin.repo, user).await?;
    if have.is_some_and(|h| h >= need) {
        return Ok(());
    }
    let had = have.map_or("no", Permission::as_str);
    Err(UserError {
        message: format!(
            "@{user}: `/vayu {verb}` needs `{need}` permission on this repository and you have {had} access, so nothing was done. A maintainer can run it, or change `permissions.{verb}` in `.github/vayu.yml`."
        ),
    }
    .into())
}

fn parse_error(e: &crate::core::command::ParseError) -> AppError {
    let mut message = format!("line {}, column {}: {}", e.line, e.column, e.kind);
    if matches!(e.kind, ParseErrorKind::UnknownVerb { .. }) {
        message.push_str("\n\nThe commands are:\n");
        for v in crate::core::command::VERBS {
            message.push_str(&format!("\n- `{}`: {}", v.usage(), v.help));
        }
    }
    UserError { message }.into()
}

async fn react<G: GitHub, S: Ledger>(
    ex: &mut Executor<'_, G, S>,
    comment: &Comment,
    reaction: Reaction,
) -> Result<(), AppError> {
    ex.run(&Effect::React {
        target: ReactionTarget::Comment(comment.id),
        reaction,
    })
    .await
}

/// Posts the answer to one command (once: the slot names the comment and line).
pub(super) async fn reply<G: GitHub, S: Ledger>(
    ex: &mut Executor<'_, G, S>,
    comment: &Comment,
    p: &Parsed,
    text: &str,
) -> Result<(), AppError> {
    let slot = reply_slot(comment, p);
    let body = notice(
        &note_marker(&slot),
        &format!("> {}\n\n{text}", escape_user_text(&p.raw)),
    )?;
    ex.run(&Effect::Comment {
        on: Target::Parent,
        slot,
        body,
        replace: false,
    })
    .await
}

/// The slot of the answer to command `p` of `comment`.
pub(super) fn reply_slot(comment: &Comment, p: &Parsed) -> String {
    format!("reply-{}-{}", comment.id, p.line)
}

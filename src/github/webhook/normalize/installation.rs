//! `installation` and `installation_repositories`: which accounts and
//! repositories the app can reach.

use crate::app::event::Event;
use crate::core::ids::{InstallationId, Login};
use crate::github::webhook::WebhookError;
use crate::github::webhook::payload::{InstallationEvent, InstallationRepositoriesEvent};

use super::{Normalized, actor, missing, not_handled, repo_names};

pub(super) fn installation(p: InstallationEvent) -> Result<Normalized, WebhookError> {
    let name = format!("installation.{}", p.action);
    let installation = InstallationId(p.installation.id);
    let account = p
        .installation
        .account
        .as_ref()
        .map(|a| Login(a.login.clone()));
    let account = account.ok_or_else(|| missing(&name, "`installation.account`"))?;
    let sender = actor(&p.sender);
    let event = match p.action.as_str() {
        "created" => Event::InstallationCreated {
            installation,
            account,
            sender,
            repos: repo_names(&name, &p.repositories)?,
        },
        "deleted" => Event::InstallationDeleted {
            installation,
            account,
            sender,
        },
        "suspend" => Event::InstallationSuspended {
            installation,
            account,
            sender,
        },
        "unsuspend" => Event::InstallationUnsuspended {
            installation,
            account,
            sender,
        },
        other => return Ok(not_handled("installation", other)),
    };
    Ok(Normalized::Event(event))
}

pub(super) fn repositories(p: InstallationRepositoriesEvent) -> Result<Normalized, WebhookError> {
    let name = format!("installation_repositories.{}", p.action);
    let installation = InstallationId(p.installation.id);
    let sender = actor(&p.sender);
    let event = match p.action.as_str() {
        "added" => Event::InstallationReposAdded {
            installation,
            sender,
            repos: repo_names(&name, &p.repositories_added)?,
        },
        "removed" => Event::InstallationReposRemoved {
            installation,
            sender,
            repos: repo_names(&name, &p.repositories_removed)?,
        },
        other => return Ok(not_handled("installation_repositories", other)),
    };
    Ok(Normalized::Event(event))
}

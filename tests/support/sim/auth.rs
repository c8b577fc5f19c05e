//! Authentication: App JWTs (RS256) for `/app/…` and repo installation lookups; bearer
//! tokens for everything else. Unknown or missing credentials get GitHub's 401.

use std::collections::HashMap;

use axum::http::HeaderMap;

use super::{ApiError, Shared};

/// Operations GitHub authenticates with the App's JWT rather than a token.
const JWT_OPS: &[&str] = &[
    "apps/get-authenticated",
    "apps/list-installations",
    "apps/get-installation",
    "apps/delete-installation",
    "apps/create-installation-access-token",
    "apps/get-repo-installation",
];

/// Allowed clock skew between the App's clock and GitHub's, in seconds.
const SKEW: u64 = 60;

/// Returns the login the request acts as, or the 401/404 GitHub would send.
pub(crate) fn authenticate(
    shared: &Shared,
    headers: &HeaderMap,
    op: &str,
    params: &HashMap<String, String>,
) -> Result<String, ApiError> {
    let raw = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let credential = raw
        .strip_prefix("Bearer ")
        .or_else(|| raw.strip_prefix("bearer "))
        .or_else(|| raw.strip_prefix("token "))
        .unwrap_or("")
        .trim();
    if credential.is_empty() {
        return Err(ApiError::new(401, "Requires authentication"));
    }
    if JWT_OPS.contains(&op) {
        let app_id = verify_app_jwt(shared, credential)?;
        return Ok(format!("app-{app_id}"));
    }
    let world = shared.world();
    let Some(info) = world.tokens.get(credential) else {
        return Err(ApiError::new(401, "Bad credentials"));
    };
    if let (Some(repos), Some(owner), Some(repo)) =
        (&info.repos, params.get("owner"), params.get("repo"))
        && !repos.iter().any(|r| r == &format!("{owner}/{repo}"))
    {
        // An installation token does not see repositories outside its installation.
        return Err(ApiError::not_found());
    }
    Ok(info.login.clone())
}

#[derive(serde::Deserialize)]
struct Claims {
    iss: serde_json::Value,
    iat: u64,
    exp: u64,
}

/// Verifies the JWT against every registered App key; returns the App id it proves.
fn verify_app_jwt(shared: &Shared, jwt: &str) -> Result<u64, ApiError> {
    let bad = |why: &str| {
        ApiError::new(
            401,
            &format!("A JSON web token could not be decoded: {why}"),
        )
    };
    let keys: Vec<(u64, String)> = {
        let world = shared.world();
        world
            .installations
            .values()
            .map(|i| (i.app_id, i.public_key_pem.clone()))
            .collect()
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    for (app_id, pem) in keys {
        let Ok(key) = jsonwebtoken::DecodingKey::from_rsa_pem(pem.as_bytes()) else {
            continue;
        };
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.leeway = SKEW;
        // `iss` is checked below: GitHub (and octocrab) send it as a number, which the
        // crate's own string-typed `iss` check would count as missing. `iat` is required
        // by `Claims`.
        validation.set_required_spec_claims(&["exp"]);
        let Ok(data) = jsonwebtoken::decode::<Claims>(jwt, &key, &validation) else {
            continue;
        };
        let c = data.claims;
        let iss = match &c.iss {
            serde_json::Value::Number(n) => n.as_u64(),
            serde_json::Value::String(s) => s.parse().ok(),
            _ => None,
        };
        if iss != Some(app_id) {
            return Err(bad("'iss' is not the App's id"));
        }
        if c.iat > now + SKEW {
            return Err(bad(
                "'Issued at' claim ('iat') must be an Integer representing a time in the past",
            ));
        }
        if c.exp > c.iat + 600 + SKEW {
            return Err(bad(
                "'Expiration time' claim ('exp') is too far in the future",
            ));
        }
        return Ok(app_id);
    }
    Err(bad("no App key verifies its signature, or it has expired"))
}

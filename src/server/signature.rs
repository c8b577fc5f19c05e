//! `X-Hub-Signature-256` verification: HMAC-SHA256 of the raw body, compared
//! in constant time (`Mac::verify_slice`).

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The webhook secret; its `Debug` never shows the value.
#[derive(Clone)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// Wraps a secret; `None` when it is empty (an empty key verifies anything an attacker signs).
    pub fn new(secret: String) -> Option<Self> {
        (!secret.is_empty()).then_some(Self(secret))
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// Whether `header` (`sha256=<64 hex>`) is the HMAC of `body` under `secret`.
pub fn verify(secret: &WebhookSecret, header: Option<&[u8]>, body: &[u8]) -> bool {
    let Some(hex) = header.and_then(|h| h.strip_prefix(b"sha256=")) else {
        return false;
    };
    let Some(expected) = decode_hex(hex) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.0.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// The `sha256=<hex>` header value for `body`; for tests and tools that send deliveries.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this arm cannot be reached.
        Err(_) => return String::new(),
    };
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256=");
    for byte in digest {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn decode_hex(hex: &[u8]) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // GitHub's documented test vector.
    const VECTOR: &str = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    fn secret() -> WebhookSecret {
        WebhookSecret::new("It's a Secret to Everybody".to_owned()).expect("non-empty")
    }

    #[test]
    fn github_test_vector_verifies() {
        assert!(verify(&secret(), Some(VECTOR.as_bytes()), b"Hello, World!"));
        assert_eq!(sign("It's a Secret to Everybody", b"Hello, World!"), VECTOR);
    }

    #[test]
    fn uppercase_hex_verifies() {
        let upper = format!("sha256={}", VECTOR[7..].to_uppercase());
        assert!(verify(&secret(), Some(upper.as_bytes()), b"Hello, World!"));
    }

    #[test]
    fn wrong_body_missing_or_malformed_header_fail() {
        assert!(!verify(
            &secret(),
            Some(VECTOR.as_bytes()),
            b"Hello, World?"
        ));
        assert!(!verify(&secret(), None, b"Hello, World!"));
        assert!(!verify(
            &secret(),
            Some(&VECTOR.as_bytes()[7..]),
            b"Hello, World!"
        ));
        assert!(!verify(&secret(), Some(b"sha256=zz"), b"Hello, World!"));
        let sha1 = VECTOR.replace("sha256=", "sha1=");
        assert!(!verify(&secret(), Some(sha1.as_bytes()), b"Hello, World!"));
    }

    #[test]
    fn empty_secret_is_refused_and_debug_hides_the_value() {
        assert!(WebhookSecret::new(String::new()).is_none());
        assert_eq!(format!("{:?}", secret()), "WebhookSecret(<redacted>)");
    }
}

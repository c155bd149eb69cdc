//! What a limit is counted against: [`KeyBy`], safe keys from a request's parts.
//!
//! An API key is never a key itself (it would sit in memory, in DynamoDB, in logs): it is
//! limited under its HMAC-SHA256 fingerprint with a secret of the service's own. A client's
//! address comes from `X-Forwarded-For` only through a configured [`TrustedProxies`] rule —
//! with none, the header (which any client can set) is ignored and the peer address is used.

use std::net::IpAddr;
use std::sync::Arc;

use hmac::{Hmac, Mac};
use lift::{Context, EventInfo};
use sha2::Sha256;

/// A function choosing a key from the context and the event.
type KeyFn = dyn Fn(&Context, &dyn EventInfo) -> Option<String> + Send + Sync;

/// What requests are counted against.
#[derive(Clone)]
#[non_exhaustive]
pub enum KeyBy {
    /// The invocation's tenant (`tenant:<id>`), as the context verified it.
    Tenant,
    /// The user within their tenant (`user:<tenant>:<user>`).
    User,
    /// The API key in `header`, as its HMAC-SHA256 fingerprint under `secret`
    /// (`apikey:<hex>`): the key itself is never kept, logged or sent to a store.
    ApiKey {
        /// The header carrying the key (`x-api-key`).
        header: String,
        /// The service's own secret for the fingerprints.
        secret: Arc<[u8]>,
    },
    /// The client's address (`ip:<addr>`): the address AWS's front door saw, or, behind
    /// proxies of your own, the entry the outermost of them appended to `X-Forwarded-For`.
    ClientIp(TrustedProxies),
    /// The route (`route:<METHOD> <path>`): one budget for everyone calling it.
    Route,
    /// Any function of the context and the event; `kind` names it in logs.
    Custom {
        /// A name for logs and metrics (`merchant`).
        kind: &'static str,
        /// The key, or `None` to leave the request unlimited.
        key: Arc<KeyFn>,
    },
}

impl std::fmt::Debug for KeyBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyBy::ApiKey { header, .. } => f
                .debug_struct("ApiKey")
                .field("header", header)
                .finish_non_exhaustive(),
            KeyBy::ClientIp(proxies) => f.debug_tuple("ClientIp").field(proxies).finish(),
            other => f.write_str(other.kind()),
        }
    }
}

impl KeyBy {
    /// The API key in `header`, fingerprinted under `secret`.
    pub fn api_key(header: impl Into<String>, secret: impl AsRef<[u8]>) -> Self {
        KeyBy::ApiKey {
            header: header.into(),
            secret: Arc::from(secret.as_ref()),
        }
    }

    /// A key of your own, named `kind` in logs.
    pub fn custom(
        kind: &'static str,
        key: impl Fn(&Context, &dyn EventInfo) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        KeyBy::Custom {
            kind,
            key: Arc::new(key),
        }
    }

    /// The kind of key, for logs and metrics (`tenant`, `user`, `api_key`, `client_ip`,
    /// `route`, or a custom kind).
    pub fn kind(&self) -> &'static str {
        match self {
            KeyBy::Tenant => "tenant",
            KeyBy::User => "user",
            KeyBy::ApiKey { .. } => "api_key",
            KeyBy::ClientIp(_) => "client_ip",
            KeyBy::Route => "route",
            KeyBy::Custom { kind, .. } => kind,
        }
    }

    /// The key of this request, or `None` when the request has no such part (no tenant,
    /// no API key header): such a request is not limited by this key.
    pub fn key_of(&self, context: &Context, event: &dyn EventInfo) -> Option<String> {
        match self {
            KeyBy::Tenant => context.tenant_id().map(|t| format!("tenant:{t}")),
            KeyBy::User => context
                .user_id()
                .map(|u| format!("user:{}:{u}", context.tenant_id().unwrap_or("-"))),
            KeyBy::ApiKey { header, secret } => event
                .header(header)
                .filter(|k| !k.is_empty())
                .map(|k| api_key_fingerprint(secret, k)),
            KeyBy::ClientIp(proxies) => {
                let peer = event.source_ip()?;
                let ip = proxies.client_ip(peer, event.header("x-forwarded-for"));
                Some(format!("ip:{ip}"))
            }
            KeyBy::Route => Some(format!(
                "route:{} {}",
                event.method().unwrap_or("-"),
                event.path().unwrap_or("-")
            )),
            KeyBy::Custom { kind, key } => key(context, event).map(|k| format!("{kind}:{k}")),
        }
    }
}

/// The key for an API key: `apikey:` and the first 128 bits of HMAC-SHA256(`secret`,
/// `api_key`) in hex. The same key always gives the same fingerprint under one secret; the
/// fingerprint does not give the key back.
pub fn api_key_fingerprint(secret: &[u8], api_key: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let digest = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(api_key.as_bytes());
            mac.finalize().into_bytes()
        }
        Err(_) => Default::default(),
    };
    let mut out = String::with_capacity(7 + 32);
    out.push_str("apikey:");
    for b in &digest[..16] {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

/// How many proxies of your own stand in front of the service, each appending the address
/// it received the request from to `X-Forwarded-For`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrustedProxies {
    hops: usize,
}

impl TrustedProxies {
    /// No proxy of your own: `X-Forwarded-For` is ignored (the default).
    pub fn none() -> Self {
        Self { hops: 0 }
    }

    /// `hops` proxies of your own in front of the service (a load balancer: 1).
    pub fn hops(hops: usize) -> Self {
        Self { hops }
    }

    /// The client's address: `peer` (who connected to the service) unless trusted proxies
    /// stand in front, then the address the outermost trusted proxy received the request
    /// from — the `hops`-th entry of `X-Forwarded-For` counted from the right. Anything
    /// missing or malformed there falls back to `peer`: a client can write whatever it likes
    /// to the left of what the proxies appended, never to the right.
    pub fn client_ip(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if self.hops == 0 {
            return peer;
        }
        forwarded_for
            .and_then(|header| header.rsplit(',').nth(self.hops - 1))
            .and_then(|entry| entry.trim().parse().ok())
            .unwrap_or(peer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_are_fingerprinted_never_kept() {
        let a = api_key_fingerprint(b"service-secret", "sk_live_51Habc");
        assert_eq!(a, api_key_fingerprint(b"service-secret", "sk_live_51Habc"));
        assert_ne!(a, api_key_fingerprint(b"service-secret", "sk_live_51Habd"));
        assert_ne!(a, api_key_fingerprint(b"other-secret", "sk_live_51Habc"));
        assert!(a.starts_with("apikey:") && a.len() == 39 && !a.contains("sk_live"));
        // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?").
        assert_eq!(
            api_key_fingerprint(b"Jefe", "what do ya want for nothing?"),
            "apikey:5bdcc146bf60754e6a042426089575c7"
        );
    }

    #[test]
    fn a_spoofed_forwarded_for_changes_nothing_without_a_trusted_proxy_rule() {
        let peer: IpAddr = "203.0.113.7".parse().unwrap();
        let spoofed = Some("1.2.3.4");
        assert_eq!(TrustedProxies::none().client_ip(peer, spoofed), peer);
        // Behind one load balancer: the entry it appended; a client's own entries to the
        // left are ignored.
        let lb: IpAddr = "10.0.0.5".parse().unwrap();
        let header = Some("1.2.3.4, 198.51.100.9");
        let one = TrustedProxies::hops(1);
        assert_eq!(
            one.client_ip(lb, header),
            "198.51.100.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            TrustedProxies::hops(2).client_ip(lb, header),
            "1.2.3.4".parse::<IpAddr>().unwrap()
        );
        // Missing or malformed: the peer, never a guess.
        assert_eq!(one.client_ip(lb, None), lb);
        assert_eq!(one.client_ip(lb, Some("1.2.3.4, not-an-ip")), lb);
        assert_eq!(TrustedProxies::hops(3).client_ip(lb, header), lb);
    }
}

//! Who and what an invocation is for: [`EventInfo`] reads events, [`Extractors`] decides.
//!
//! Verified sources first. The tenant is Lambda's own `tenant_id` (tenant isolation mode)
//! when present, then an authorizer claim (`tenant_id`, `custom:tenant_id`) — both set by
//! AWS after authentication — and only then the `X-Tenant-ID` header, and only when the
//! header is configured as trusted (set by your own gateway, never by clients:
//! [`Extractors::trust_headers`]). A header that names another tenant than a verified
//! source is a [`TenantConflict`]: the middleware logs it at warn and answers 403, whether
//! the header is trusted or not. The user is the claim `sub`, then `user_id`, then the
//! `X-User-ID` header when trusted. Values are trimmed and capped at [`MAX_ID_CHARS`]; an
//! empty value counts as absent. API Gateway's own request id becomes the `correlation_id`.

use lambda_http::RequestExt;
use lambda_http::request::RequestContext;

use crate::error::TenantConflict;

/// Longest tenant or user id taken from a request; longer values are cut.
pub const MAX_ID_CHARS: usize = 256;

/// What the middleware can learn from an event. Every method defaults to "unknown", so a
/// custom event type implements only what it has.
pub trait EventInfo {
    /// The HTTP method.
    fn method(&self) -> Option<&str> {
        None
    }
    /// The request path.
    fn path(&self) -> Option<&str> {
        None
    }
    /// A header's value (name matched case-insensitively).
    fn header(&self, _name: &str) -> Option<&str> {
        None
    }
    /// An authorizer claim (JWT claims, Lambda authorizer context, Cognito claims).
    fn claim(&self, _name: &str) -> Option<String> {
        None
    }
    /// The gateway's own request id (API Gateway REST and HTTP APIs).
    fn gateway_request_id(&self) -> Option<String> {
        None
    }
    /// The address of the client as the front door AWS runs saw it — API Gateway's
    /// `sourceIp`, or the entry an ALB appended to `X-Forwarded-For` — never an address a
    /// client wrote into a header itself.
    fn source_ip(&self) -> Option<std::net::IpAddr> {
        None
    }
    /// The IAM identity AWS verified for the caller — API Gateway's IAM authorization, a
    /// Function URL with `AWS_IAM` auth — as its ARN.
    fn iam_caller(&self) -> Option<String> {
        None
    }
}

impl EventInfo for lambda_http::Request {
    fn method(&self) -> Option<&str> {
        Some(self.method().as_str())
    }

    fn path(&self) -> Option<&str> {
        // Without API Gateway's stage prefix.
        Some(self.raw_http_path())
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers().get(name).and_then(|v| v.to_str().ok())
    }

    fn claim(&self, name: &str) -> Option<String> {
        let authorizer = match self.request_context_ref()? {
            RequestContext::ApiGatewayV1(c) => &c.authorizer,
            RequestContext::ApiGatewayV2(c) => c.authorizer.as_ref()?,
            RequestContext::Alb(_) => return alb_oidc_claim(self, name),
            _ => return None,
        };
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        // JWT authorizers (HTTP API), then the authorizer context: flat (Lambda
        // authorizers) or under `claims` (Cognito user pools on REST APIs).
        authorizer
            .jwt
            .as_ref()
            .and_then(|jwt| jwt.claims.get(name).cloned())
            .or_else(|| authorizer.fields.get(name).and_then(text))
            .or_else(|| {
                authorizer
                    .fields
                    .get("claims")
                    .and_then(|c| c.get(name))
                    .and_then(text)
            })
    }

    fn gateway_request_id(&self) -> Option<String> {
        match self.request_context_ref()? {
            RequestContext::ApiGatewayV1(c) => c.request_id.clone(),
            RequestContext::ApiGatewayV2(c) => c.request_id.clone(),
            _ => None,
        }
    }

    fn iam_caller(&self) -> Option<String> {
        let arn = match self.request_context_ref()? {
            RequestContext::ApiGatewayV1(c) => c.identity.user_arn.clone(),
            RequestContext::ApiGatewayV2(c) => {
                c.authorizer.as_ref()?.iam.as_ref()?.user_arn.clone()
            }
            _ => None,
        };
        arn.filter(|a| !a.trim().is_empty())
    }

    fn source_ip(&self) -> Option<std::net::IpAddr> {
        let text = match self.request_context_ref()? {
            RequestContext::ApiGatewayV1(c) => c.identity.source_ip.clone()?,
            RequestContext::ApiGatewayV2(c) => c.http.source_ip.clone()?,
            // The ALB appends the address that connected to it as the last entry.
            RequestContext::Alb(_) => {
                let forwarded = self.headers().get("x-forwarded-for")?.to_str().ok()?;
                forwarded.rsplit(',').next()?.trim().to_owned()
            }
            _ => return None,
        };
        text.trim().parse().ok()
    }
}

/// A claim from the JWT an ALB with OIDC authentication forwards in `x-amzn-oidc-data`
/// (the ALB has verified its signature; the payload is read, not re-verified).
fn alb_oidc_claim(request: &lambda_http::Request, name: &str) -> Option<String> {
    use base64::Engine as _;
    let token = request.headers().get("x-amzn-oidc-data")?.to_str().ok()?;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    match &claims[name] {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Generic JSON events (SQS, EventBridge, …) carry no request metadata Lift reads.
impl EventInfo for serde_json::Value {}

/// Where tenant and user ids come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extractors {
    /// The tenant header (default `x-tenant-id`).
    pub tenant_header: String,
    /// Authorizer claims naming the tenant, tried in order.
    pub tenant_claims: Vec<String>,
    /// The user header (default `x-user-id`).
    pub user_header: String,
    /// Authorizer claims naming the user, tried in order.
    pub user_claims: Vec<String>,
    /// Whether the tenant and user headers are honoured when no verified source names the
    /// tenant or user (default `false`: a client can set any header).
    pub trusted_headers: bool,
}

impl Default for Extractors {
    fn default() -> Self {
        Self {
            tenant_header: "x-tenant-id".into(),
            tenant_claims: vec!["tenant_id".into(), "custom:tenant_id".into()],
            user_header: "x-user-id".into(),
            user_claims: vec!["sub".into(), "user_id".into()],
            trusted_headers: false,
        }
    }
}

fn clean(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.chars().take(MAX_ID_CHARS).collect())
}

impl Extractors {
    /// These extractors, honouring the tenant and user headers when no verified source
    /// names the tenant or user — for services behind a gateway of your own that sets them.
    pub fn trust_headers(mut self) -> Self {
        self.trusted_headers = true;
        self
    }

    /// The tenant: Lambda's tenant id, then the claims, then the header if trusted; a
    /// conflict when the header names another tenant than a verified source.
    pub fn tenant<E: EventInfo>(
        &self,
        lambda_tenant: Option<&str>,
        event: &E,
    ) -> Result<Option<String>, TenantConflict> {
        let verified = lambda_tenant.and_then(clean).or_else(|| {
            self.tenant_claims
                .iter()
                .find_map(|c| event.claim(c).as_deref().and_then(clean))
        });
        let header = event.header(&self.tenant_header).and_then(clean);
        match (verified, header) {
            (Some(verified), Some(header)) if verified != header => {
                Err(TenantConflict { verified, header })
            }
            (Some(verified), _) => Ok(Some(verified)),
            (None, header) => Ok(header.filter(|_| self.trusted_headers)),
        }
    }

    /// The user: the claims, then the header if trusted.
    pub fn user<E: EventInfo>(&self, event: &E) -> Option<String> {
        self.user_claims
            .iter()
            .find_map(|c| event.claim(c).as_deref().and_then(clean))
            .or_else(|| {
                event
                    .header(&self.user_header)
                    .and_then(clean)
                    .filter(|_| self.trusted_headers)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::{alb_event, apigw_v1_event, apigw_v2_event, http_request};

    #[test]
    fn the_source_address_is_the_one_aws_saw_never_a_clients_own_header() {
        let spoof = [("X-Forwarded-For", "1.1.1.1")];
        let ip = |event| http_request(&event).unwrap().source_ip();
        let gateway: std::net::IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(ip(apigw_v1_event("GET", "/", &spoof, None)), Some(gateway));
        assert_eq!(ip(apigw_v2_event("GET", "/", &spoof, None)), Some(gateway));
        // An ALB appends the address that connected to it; what a client wrote is left of it.
        let alb = [("X-Forwarded-For", "1.1.1.1, 198.51.100.9")];
        assert_eq!(
            ip(alb_event("GET", "/", &alb, None)),
            Some("198.51.100.9".parse().unwrap())
        );
        assert_eq!(ip(alb_event("GET", "/", &[], None)), None);
    }

    #[test]
    fn ids_are_trimmed_and_cut_at_the_char_limit_never_inside_a_char() {
        assert_eq!(clean("  acme \t"), Some("acme".to_owned()));
        assert_eq!(clean("   "), None);
        let exact = "a".repeat(MAX_ID_CHARS);
        assert_eq!(clean(&exact).as_deref(), Some(exact.as_str()));
        assert_eq!(clean(&format!("{exact}b")).as_deref(), Some(exact.as_str()));
        // 256 two-byte chars are 512 bytes: kept whole; one more is cut off.
        let wide = "é".repeat(MAX_ID_CHARS);
        assert_eq!(clean(&wide).as_deref(), Some(wide.as_str()));
        assert_eq!(clean(&format!("{wide}é")).as_deref(), Some(wide.as_str()));
    }
}

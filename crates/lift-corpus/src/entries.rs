//! The entries a corpus holds: their shapes, and each shape's fields as its call site logs
//! them — ids, prose, a URL, a nested webhook body, an error with its `source()` chain.

use std::fmt;
use std::time::Duration;

/// The shape of an entry: which call site logs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// Ids, amounts and codes only.
    Ids,
    /// Free-text sentences.
    Prose,
    /// An outbound HTTP request.
    Url,
    /// A nested `Serialize` body.
    Body,
    /// An error with its source chain.
    Failure,
}

impl Shape {
    /// Every shape, in table order.
    pub const ALL: [Shape; 5] = [
        Shape::Ids,
        Shape::Prose,
        Shape::Url,
        Shape::Body,
        Shape::Failure,
    ];

    /// A short name for tables and benchmark ids.
    pub const fn name(self) -> &'static str {
        match self {
            Shape::Ids => "ids",
            Shape::Prose => "prose",
            Shape::Url => "url",
            Shape::Body => "nested_body",
            Shape::Failure => "error_chain",
        }
    }
}

/// One log entry of the corpus.
#[derive(Debug, Clone)]
pub enum Entry {
    /// See [`Shape::Ids`]; message `Payment authorized`.
    Ids(Ids),
    /// See [`Shape::Prose`]; message `Charge declined by issuer`.
    Prose(Prose),
    /// See [`Shape::Url`]; message `Upstream request completed`.
    Url(Url),
    /// See [`Shape::Body`]; message `Webhook received`.
    Body(Box<Body>),
    /// See [`Shape::Failure`]; message `Charge failed`.
    Failure(Failure),
}

impl Entry {
    /// This entry's shape.
    pub fn shape(&self) -> Shape {
        match self {
            Entry::Ids(_) => Shape::Ids,
            Entry::Prose(_) => Shape::Prose,
            Entry::Url(_) => Shape::Url,
            Entry::Body(_) => Shape::Body,
            Entry::Failure(_) => Shape::Failure,
        }
    }

    /// The secret this entry carries, if it is one of the ~1 in 500 that carry one: the
    /// exact text that must not appear in any line written for it.
    pub fn sensitive(&self) -> Option<&str> {
        match self {
            Entry::Ids(e) => e.secret.as_deref(),
            Entry::Prose(e) => e.secret.as_deref(),
            Entry::Url(e) => e.secret.as_deref(),
            Entry::Body(e) => e.secret.as_deref(),
            Entry::Failure(e) => e.secret.as_deref(),
        }
    }
}

/// Ids, amounts and codes.
#[derive(Debug, Clone)]
pub struct Ids {
    /// A UUID.
    pub merchant_id: String,
    /// A UUID.
    pub customer_id: String,
    /// `pay_` and 24 letters and digits.
    pub payment_id: String,
    /// Minor units.
    pub amount: u64,
    /// ISO 4217.
    pub currency: &'static str,
    /// A payment status.
    pub status: &'static str,
    /// 1–3.
    pub attempt: u32,
    /// Milliseconds.
    pub latency_ms: f64,
    /// A card brand.
    pub card_brand: &'static str,
    /// The card's last four digits.
    pub last4: String,
    /// The secret carried, if any (see [`Entry::sensitive`]).
    pub secret: Option<String>,
}

/// Free text.
#[derive(Debug, Clone)]
pub struct Prose {
    /// A UUID.
    pub merchant_id: String,
    /// A sentence with capitals, digits and `=`.
    pub reason: String,
    /// A customer's note: quotes, accented letters, sometimes a card number.
    pub note: String,
    /// An issuer decline code.
    pub decline_code: &'static str,
    /// An AWS region.
    pub region: &'static str,
    /// Whether the charge will be retried.
    pub retry: bool,
    /// The secret carried, if any.
    pub secret: Option<String>,
}

/// An outbound HTTP request.
#[derive(Debug, Clone)]
pub struct Url {
    /// An HTTP method.
    pub method: &'static str,
    /// An upstream URL with a query string.
    pub url: String,
    /// The response status.
    pub status: u16,
    /// Milliseconds.
    pub latency_ms: f64,
    /// An IPv4 address.
    pub client_ip: String,
    /// A browser or SDK user agent.
    pub user_agent: &'static str,
    /// A Lambda function ARN.
    pub function_arn: String,
    /// A UUID.
    pub idempotency_key: String,
    /// The secret carried, if any.
    pub secret: Option<String>,
}

/// A webhook with a nested body.
#[derive(Debug, Clone)]
pub struct Body {
    /// The event type.
    pub event_type: &'static str,
    /// A UUID.
    pub merchant_id: String,
    /// The nested body.
    pub body: WebhookEvent,
    /// The secret carried, if any.
    pub secret: Option<String>,
}

/// A payment provider's webhook event.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WebhookEvent {
    /// `evt_…`.
    pub id: String,
    /// The event type.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Epoch seconds.
    pub created: u64,
    /// Live or test mode.
    pub livemode: bool,
    /// The object the event is about.
    pub data: PaymentObject,
}

/// The payment inside a webhook event.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PaymentObject {
    /// `pi_…`.
    pub id: String,
    /// Minor units.
    pub amount: u64,
    /// ISO 4217, lowercase.
    pub currency: &'static str,
    /// `cus_…`.
    pub customer: String,
    /// A status.
    pub status: &'static str,
    /// A sentence.
    pub description: String,
    /// Free-form metadata.
    pub metadata: Metadata,
    /// Billing details.
    pub billing_details: Billing,
}

/// Webhook metadata: what merchants put there.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Metadata {
    /// An order id.
    pub order_id: String,
    /// A note, sometimes with what should never be there.
    pub note: String,
}

/// Billing details.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Billing {
    /// A person's name, often accented.
    pub name: &'static str,
    /// An email address.
    pub email: String,
    /// A phone number.
    pub phone: String,
    /// A postal address.
    pub address: Address,
}

/// A postal address.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Address {
    /// Street and number.
    pub line1: String,
    /// City.
    pub city: &'static str,
    /// Postal code.
    pub postal_code: String,
    /// ISO 3166 country.
    pub country: &'static str,
}

/// A failed charge.
#[derive(Debug, Clone)]
pub struct Failure {
    /// A UUID.
    pub merchant_id: String,
    /// `pay_…`.
    pub payment_id: String,
    /// Minor units.
    pub amount: u64,
    /// 1–3.
    pub attempt: u32,
    /// Time spent.
    pub elapsed: Duration,
    /// The error, with its source chain.
    pub error: ChainError,
    /// The secret carried, if any.
    pub secret: Option<String>,
}

/// An error with a `source()` chain of its own kind.
#[derive(Debug, Clone)]
pub struct ChainError {
    message: String,
    source: Option<Box<ChainError>>,
}

impl ChainError {
    /// An error with `messages[0]` as its message and the rest as its source chain.
    pub fn new(messages: &[String]) -> Self {
        let (first, rest) = messages
            .split_first()
            .map_or(("", &[][..]), |(f, r)| (f.as_str(), r));
        Self {
            message: first.to_owned(),
            source: (!rest.is_empty()).then(|| Box::new(ChainError::new(rest))),
        }
    }
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ChainError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

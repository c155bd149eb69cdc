//! Realistic payment-service log entries from a seeded generator, shared by Lift's benchmarks
//! and tests so that every speed claim is measured on data shaped like its users' data.
//!
//! [`generate`] returns distinct entries of five shapes, each logged at its own call site
//! with a literal message and literal keys, the way services write log calls:
//!
//! | shape | what it carries |
//! |---|---|
//! | [`Shape::Ids`] | UUID merchant and customer ids, payment ids, an amount, a currency, a latency |
//! | [`Shape::Prose`] | sentences with capitals, digits, `=`, quotes and accented letters |
//! | [`Shape::Url`] | an upstream URL with a query string, an IP address, a user agent, an ARN |
//! | [`Shape::Body`] | a nested `Serialize` webhook body (ids, amounts, a billing address) |
//! | [`Shape::Failure`] | an error with a three-level `source()` chain, a duration |
//!
//! About one entry in 500 carries something that must never reach a log — a card number,
//! a CVV, a bearer token, an API key — placed where real services leak them (a free-text
//! note, a query string, a webhook's metadata, an error echoing a header); such entries are
//! marked ([`Entry::sensitive`]) so tests can check them. The same seed gives the same
//! entries on every machine.

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

// === the generator ===

/// One in this many entries carries a secret.
pub const SENSITIVE_ONE_IN: u32 = 500;

const CURRENCIES: [&str; 6] = ["USD", "EUR", "GBP", "JPY", "BRL", "INR"];
const STATUSES: [&str; 4] = ["authorized", "captured", "requires_action", "processing"];
const BRANDS: [&str; 5] = ["visa", "mastercard", "amex", "discover", "jcb"];
const DECLINE_CODES: [&str; 6] = [
    "insufficient_funds",
    "do_not_honor",
    "expired_card",
    "incorrect_cvc",
    "processing_error",
    "card_velocity_exceeded",
];
const REGIONS: [&str; 4] = ["eu-west-1", "us-east-1", "ap-southeast-2", "sa-east-1"];
const METHODS: [&str; 4] = ["POST", "GET", "POST", "DELETE"];
const USER_AGENTS: [&str; 4] = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    "aws-sdk-rust/1.3.9 os/linux lang/rust/1.91.0",
    "okhttp/4.12.0",
];
const NAMES: [&str; 8] = [
    "Zoë Müller",
    "José García",
    "Anna Kowalski",
    "Li Wei",
    "Amélie Dubois",
    "Ólafur Arnalds",
    "John Smith",
    "Priya Patel",
];
const CITIES: [&str; 6] = [
    "Berlin",
    "São Paulo",
    "Kraków",
    "Lyon",
    "Reykjavík",
    "Austin",
];
const COUNTRIES: [&str; 6] = ["DE", "BR", "PL", "FR", "IS", "US"];
const EVENT_TYPES: [&str; 4] = [
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "charge.refunded",
    "charge.dispute.created",
];
const HOSTS: [&str; 4] = [
    "api.stripe.com",
    "api.adyen.com",
    "payments.eu-west-1.amazonaws.com",
    "risk.internal.example.com",
];

/// `n` distinct entries from `seed`, shapes in equal parts (interleaved).
pub fn generate(seed: u64, n: usize) -> Vec<Entry> {
    let mut g = Generator {
        rng: fastrand::Rng::with_seed(seed),
    };
    (0..n)
        .map(|i| {
            let secret = g.rng.u32(0..SENSITIVE_ONE_IN) == 0;
            match Shape::ALL[i % Shape::ALL.len()] {
                Shape::Ids => Entry::Ids(g.ids(secret)),
                Shape::Prose => Entry::Prose(g.prose(secret)),
                Shape::Url => Entry::Url(g.url(secret)),
                Shape::Body => Entry::Body(Box::new(g.body(secret))),
                Shape::Failure => Entry::Failure(g.failure(secret)),
            }
        })
        .collect()
}

struct Generator {
    rng: fastrand::Rng,
}

impl Generator {
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.usize(..items.len())]
    }

    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from_digit(self.rng.u32(0..16), 16).unwrap_or('0'))
            .collect()
    }

    fn alnum(&mut self, n: usize) -> String {
        (0..n).map(|_| self.rng.alphanumeric()).collect()
    }

    fn uuid(&mut self) -> String {
        let variant = self.pick(&['8', '9', 'a', 'b']);
        format!(
            "{}-{}-4{}-{variant}{}-{}",
            self.hex(8),
            self.hex(4),
            self.hex(3),
            self.hex(3),
            self.hex(12)
        )
    }

    fn amount(&mut self) -> u64 {
        self.pick(&[100, 999, 1250, 4999, 12_000, 250_000]) + self.rng.u64(0..100)
    }

    fn latency(&mut self) -> f64 {
        (self.rng.f64() * 800.0 * 1000.0).round() / 1000.0
    }

    fn date(&mut self) -> String {
        format!("2026-{:02}-{:02}", self.rng.u32(1..13), self.rng.u32(1..29))
    }

    /// A Luhn-valid test card number of a common brand.
    fn card_number(&mut self) -> String {
        let (prefix, len) = self.pick(&[("4", 16), ("51", 16), ("37", 15), ("6011", 16)]);
        let mut digits: Vec<u32> = prefix.bytes().map(|b| u32::from(b - b'0')).collect();
        while digits.len() < len - 1 {
            digits.push(self.rng.u32(0..10));
        }
        let sum: u32 = digits
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &d)| match (i % 2 == 0, d * 2) {
                (true, x) if x > 9 => x - 9,
                (true, x) => x,
                (false, _) => d,
            })
            .sum();
        digits.push((10 - sum % 10) % 10);
        digits
            .iter()
            .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
            .collect()
    }

    fn ids(&mut self, secret: bool) -> Ids {
        let card = secret.then(|| self.card_number());
        Ids {
            merchant_id: self.uuid(),
            // A card number pasted into an id field by a careless client.
            customer_id: card.clone().unwrap_or_else(|| self.uuid()),
            payment_id: format!("pay_{}", self.alnum(24)),
            amount: self.amount(),
            currency: self.pick(&CURRENCIES),
            status: self.pick(&STATUSES),
            attempt: self.rng.u32(1..4),
            latency_ms: self.latency(),
            card_brand: self.pick(&BRANDS),
            last4: format!("{:04}", self.rng.u32(0..10_000)),
            secret: card,
        }
    }

    fn reason(&mut self) -> String {
        let amount = self.amount();
        let currency = self.pick(&CURRENCIES);
        match self.rng.u32(0..6) {
            0 => format!(
                "Issuer declined the charge: insufficient funds (code={})",
                self.rng.u32(5..99)
            ),
            1 => format!(
                "Retry {} of 3 scheduled in {} ms after a 503 from the acquirer",
                self.rng.u32(1..4),
                self.rng.u32(100..5000)
            ),
            2 => format!(
                "Customer asked to split the payment of {amount} {currency} into {} installments",
                self.rng.u32(2..13)
            ),
            3 => format!(
                "Address verification failed for postal code {:05} in {}",
                self.rng.u32(0..100_000),
                self.pick(&CITIES)
            ),
            4 => format!(
                "3-D Secure challenge abandoned after {} s by the cardholder",
                self.rng.u32(5..120)
            ),
            _ => format!(
                "Payout to IBAN ending {:04} scheduled for {}",
                self.rng.u32(0..10_000),
                self.date()
            ),
        }
    }

    fn prose(&mut self, secret: bool) -> Prose {
        let card = secret.then(|| self.card_number());
        let note = match &card {
            Some(card) => {
                format!("Customer wrote \"please use my other card {card}\" in the order note")
            }
            None => format!(
                "{} said \"merci beaucoup\" — café order #{} for {}",
                self.pick(&NAMES),
                self.rng.u32(1000..99_999),
                self.date()
            ),
        };
        Prose {
            merchant_id: self.uuid(),
            reason: self.reason(),
            note,
            decline_code: self.pick(&DECLINE_CODES),
            region: self.pick(&REGIONS),
            retry: self.rng.bool(),
            secret: card,
        }
    }

    fn url(&mut self, secret: bool) -> Url {
        let key = secret.then(|| format!("sk_live_{}", self.alnum(24)));
        let host = self.pick(&HOSTS);
        let mut url = format!(
            "https://{host}/v1/payment_intents/pi_{}/confirm?expand[]=charges&limit={}&starting_after=ch_{}",
            self.alnum(24),
            self.rng.u32(1..100),
            self.alnum(14)
        );
        if let Some(key) = &key {
            url.push_str("&api_key=");
            url.push_str(key);
        }
        Url {
            method: self.pick(&METHODS),
            url,
            status: self.pick(&[200, 200, 201, 402, 429, 503]),
            latency_ms: self.latency(),
            client_ip: format!(
                "{}.{}.{}.{}",
                self.rng.u8(1..224),
                self.rng.u8(..),
                self.rng.u8(..),
                self.rng.u8(1..255)
            ),
            user_agent: self.pick(&USER_AGENTS),
            function_arn: format!(
                "arn:aws:lambda:{}:{:012}:function:payments-api",
                self.pick(&REGIONS),
                self.rng.u64(100_000_000_000..1_000_000_000_000)
            ),
            idempotency_key: self.uuid(),
            secret: key,
        }
    }

    fn body(&mut self, secret: bool) -> Body {
        let cvv = secret.then(|| format!("{:03}", self.rng.u32(100..1000)));
        let note = match &cvv {
            Some(cvv) => format!("cvv={cvv} (entered by support)"),
            None => format!("Gift wrap, deliver after {}", self.date()),
        };
        let name = self.pick(&NAMES);
        let event_type = self.pick(&EVENT_TYPES);
        let body = WebhookEvent {
            id: format!("evt_{}", self.alnum(24)),
            kind: event_type,
            created: self.rng.u64(1_764_000_000..1_767_000_000),
            livemode: true,
            data: PaymentObject {
                id: format!("pi_{}", self.alnum(24)),
                amount: self.amount(),
                currency: "eur",
                customer: format!("cus_{}", self.alnum(14)),
                status: self.pick(&STATUSES),
                description: format!(
                    "Order {} — {} items",
                    self.rng.u32(10_000..99_999),
                    self.rng.u32(1..9)
                ),
                metadata: Metadata {
                    order_id: format!("ord_{}", self.rng.u64(1_000_000..9_999_999)),
                    note,
                },
                billing_details: Billing {
                    name,
                    email: format!(
                        "{}.{}@example.com",
                        self.alnum(6).to_lowercase(),
                        self.rng.u32(1..99)
                    ),
                    phone: format!(
                        "+49 30 {} {}",
                        self.rng.u32(1000..9999),
                        self.rng.u32(1000..9999)
                    ),
                    address: Address {
                        line1: format!("{} Hauptstraße", self.rng.u32(1..200)),
                        city: self.pick(&CITIES),
                        postal_code: format!("{:05}", self.rng.u32(0..100_000)),
                        country: self.pick(&COUNTRIES),
                    },
                },
            },
        };
        Body {
            event_type,
            merchant_id: self.uuid(),
            body,
            secret: cvv.map(|c| format!("cvv={c}")),
        }
    }

    fn failure(&mut self, secret: bool) -> Failure {
        let token =
            secret.then(|| format!("eyJhbGciOiJIUzI1NiJ9.{}.{}", self.alnum(24), self.alnum(20)));
        let top = match &token {
            Some(token) => {
                format!("upstream rejected request with header Authorization: Bearer {token}")
            }
            None => format!("payment {} declined", self.alnum(10)),
        };
        let middle = format!(
            "issuer {} unavailable after {} attempts",
            self.pick(&["Barclays", "Itaú", "BNP Paribas", "Chase"]),
            self.rng.u32(1..4)
        );
        let root = self
            .pick(&[
                "connection reset by peer (os error 104)",
                "operation timed out",
                "dns error: failed to lookup address information",
                "tls handshake eof",
            ])
            .to_owned();
        Failure {
            merchant_id: self.uuid(),
            payment_id: format!("pay_{}", self.alnum(24)),
            amount: self.amount(),
            attempt: self.rng.u32(1..4),
            elapsed: Duration::from_micros(self.rng.u64(1_000..3_000_000)),
            error: ChainError::new(&[top, middle, root]),
            secret: token,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_distinct_entries() {
        let a = generate(7, 10_000);
        let b = generate(7, 10_000);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        let distinct: std::collections::HashSet<String> =
            a.iter().map(|e| format!("{e:?}")).collect();
        assert_eq!(distinct.len(), 10_000);
        let sensitive = a.iter().filter(|e| e.sensitive().is_some()).count();
        assert!(
            (5..=60).contains(&sensitive),
            "{sensitive} sensitive entries"
        );
        for shape in Shape::ALL {
            assert_eq!(a.iter().filter(|e| e.shape() == shape).count(), 2_000);
        }
    }

    #[test]
    fn errors_carry_their_chain() {
        let e = ChainError::new(&["a".into(), "b".into(), "c".into()]);
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text.push_str(&format!(": {s}"));
            source = s.source();
        }
        assert_eq!(text, "a: b: c");
    }
}

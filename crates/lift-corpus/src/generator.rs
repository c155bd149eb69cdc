//! The seeded generator: vocabularies of a payment service (currencies, statuses, decline
//! codes, regions, user agents, names, cities, hosts) drawn from to make distinct entries of
//! every shape, one in [`SENSITIVE_ONE_IN`] carrying what must never reach a log.

use std::time::Duration;

use crate::entries::{
    Address, Billing, Body, ChainError, Entry, Failure, Ids, Metadata, PaymentObject, Prose, Shape,
    Url, WebhookEvent,
};

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

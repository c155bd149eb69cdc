//! A reply read into what the store keeps of an item — its numeric attributes, its
//! sliding-window slots as numbers — or into the service's error (its `__type` and message,
//! and whether trying again may succeed).

use std::collections::HashMap;
use std::fmt;

use super::super::reader::{
    Malformed, Reader, compact_number, eight_digits, first_digits, non_digits, slot_number,
};

/// How many characters of an error reply that is not DynamoDB's JSON its message keeps.
const MESSAGE_FROM_BODY: usize = 300;

/// An item's counters (`{"N": "…"}` values that fit a `u64`) by name.
pub(crate) type Numbers = HashMap<String, u64, foldhash::fast::RandomState>;

/// What the store reads of an item: its GCRA and fixed-window counters, and its
/// sliding-window slots apart — an item may hold thousands, kept as numbers, not names.
/// Anything else (the partition key, the TTL attribute, what others stored) is skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Item {
    /// GCRA and fixed-window counters.
    pub(crate) numbers: Numbers,
    /// Sliding-window slots.
    pub(crate) slots: Vec<SlotTime>,
}

/// One sliding-window slot: the limit it belongs to, its number and its admission's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SlotTime {
    pub(crate) count: u32,
    pub(crate) period_us: u64,
    pub(crate) slot: u32,
    pub(crate) time: u64,
}

impl Item {
    /// Adds the numeric attribute `name` if the store reads it; for a slot, the count and
    /// period of its limit.
    pub(crate) fn insert(&mut self, name: &str, value: u64) -> Option<(u32, u64)> {
        match super::super::attributes::slot_of_name(name) {
            Some((count, period_us, slot)) => {
                if self.slots.capacity() == 0 {
                    // An item with one slot of a limit holds up to `count`: one allocation.
                    self.slots.reserve(count.min(1024) as usize);
                }
                self.slots.push(SlotTime {
                    count,
                    period_us,
                    slot,
                    time: value,
                });
                Some((count, period_us))
            }
            None => {
                if super::super::attributes::is_counter(name) {
                    self.numbers.insert(name.to_owned(), value);
                }
                None
            }
        }
    }
}

/// What a call's reply says.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Reply {
    /// The call succeeded: the item after an update, or as read (empty: no item).
    Item(Item),
    /// The update's condition failed: the item as it is.
    ConditionFailed(Item),
}

/// An error reply.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ServiceError {
    /// The HTTP status.
    pub(crate) status: u16,
    /// The error's name (`__type` after its `#`), or the status when the body has none.
    pub(crate) kind: String,
    /// The service's message.
    pub(crate) message: String,
}

impl ServiceError {
    /// Whether the same call may succeed when sent again: throttling and server errors.
    pub(crate) fn is_transient(&self) -> bool {
        self.status >= 500
            || matches!(
                self.kind.as_str(),
                "ThrottlingException"
                    | "ProvisionedThroughputExceededException"
                    | "RequestLimitExceeded"
                    | "InternalServerError"
                    | "ServiceUnavailable"
                    | "LimitExceededException"
                    | "TransactionInProgressException"
            )
    }

    /// Whether the credentials were refused (expired or unknown): fresh ones may succeed.
    pub(crate) fn is_credentials(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "ExpiredTokenException"
                | "UnrecognizedClientException"
                | "InvalidSignatureException"
                | "IncompleteSignatureException"
        )
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {}): {}", self.kind, self.status, self.message)
    }
}

impl std::error::Error for ServiceError {}

/// Reads a reply with HTTP status `status` and body `body`.
pub(crate) fn read_reply(status: u16, body_bytes: &[u8]) -> Result<Reply, ServiceError> {
    let parsed = read_body(body_bytes);
    if (200..300).contains(&status) {
        return match parsed {
            Ok(b) => Ok(Reply::Item(b.attributes.or(b.item).unwrap_or_default())),
            Err(Malformed(at)) => Err(ServiceError {
                status,
                kind: "MalformedReply".to_owned(),
                message: format!("not DynamoDB's JSON at byte {at}"),
            }),
        };
    }
    let body = parsed.unwrap_or_default();
    let Some(kind) = body.kind.as_deref() else {
        // Not DynamoDB's JSON (a proxy's or a load balancer's page): its start says more.
        let text = String::from_utf8_lossy(body_bytes);
        let start = text
            .char_indices()
            .nth(MESSAGE_FROM_BODY)
            .map_or(&text[..], |(end, _)| &text[..end]);
        return Err(ServiceError {
            status,
            kind: format!("HTTP {status}"),
            message: start.to_owned(),
        });
    };
    let kind = kind.rsplit('#').next().unwrap_or(kind);
    if kind == "ConditionalCheckFailedException" {
        return Ok(Reply::ConditionFailed(body.item.unwrap_or_default()));
    }
    Err(ServiceError {
        status,
        kind: kind.to_owned(),
        message: body.message.unwrap_or_default(),
    })
}

/// The parts of a reply body the store reads.
#[derive(Debug, Default)]
struct Body {
    attributes: Option<Item>,
    item: Option<Item>,
    kind: Option<String>,
    message: Option<String>,
}

fn read_body(text: &[u8]) -> Result<Body, Malformed> {
    let mut body = Body::default();
    let mut r = Reader::new(text);
    r.object(|r, name| {
        if name.is("Attributes") {
            body.attributes = Some(read_item(r)?);
        } else if name.is("Item") {
            body.item = Some(read_item(r)?);
        } else if name.is("__type") {
            body.kind = Some(r.string()?.text().into_owned());
        } else if name.is("message") || name.is("Message") {
            body.message = Some(r.string()?.text().into_owned());
        } else {
            r.skip_value()?;
        }
        Ok(())
    })?;
    r.end()?;
    Ok(body)
}

/// An item: each attribute's value is an object whose one member names its type; the
/// store keeps the `N`s that fit a `u64`.
fn read_item(r: &mut Reader<'_>) -> Result<Item, Malformed> {
    if let Some((item, used)) = compact_item(r.rest()) {
        r.advance(used);
        return Ok(item);
    }
    let mut item = ItemBuilder::default();
    r.object(|r, name| {
        let number = match r.plain_number_value() {
            Some(number) => number,
            None => {
                let mut number = None;
                r.object(|r, tag| {
                    if tag.is("N") {
                        number = r.string()?.plain().and_then(|n| n.parse().ok());
                        Ok(())
                    } else {
                        r.skip_value()
                    }
                })?;
                number
            }
        };
        if let Some(n) = number {
            match name.plain() {
                Some(plain) => item.add(plain.as_bytes(), n),
                // Unescaped, the name is not text of the reply: added on its own.
                None => {
                    item.item.insert(&name.text(), n);
                }
            }
        }
        Ok(())
    })?;
    Ok(item.item)
}

/// An item as DynamoDB writes the store's — compact, every attribute an `N` or an `S`,
/// nothing escaped — read in one tight pass, with what it used of `text`; `None` for
/// anything else (nothing is lost: the general reader then reads it).
fn compact_item(b: &[u8]) -> Option<(Item, usize)> {
    const STRING: &[u8] = b":{\"S\":\"";
    let mut item = ItemBuilder::default();
    if b.first() != Some(&b'{') {
        return None;
    }
    if b.get(1) == Some(&b'}') {
        return Some((item.item, 2));
    }
    let mut i = 1;
    loop {
        if let Some(used) = item.next_slot(b.get(i..)?) {
            i += used;
        } else {
            // `"name"`, with no escape.
            if b.get(i) != Some(&b'"') {
                return None;
            }
            let name_len = memchr::memchr2(b'"', b'\\', b.get(i + 1..)?)?;
            if b.get(i + 1 + name_len) != Some(&b'"') {
                return None;
            }
            let name = b.get(i + 1..i + 1 + name_len)?;
            i += name_len + 2;
            let rest = b.get(i..)?;
            if let Some((number, used)) = rest.strip_prefix(b":").and_then(compact_number) {
                if let Some(n) = number {
                    item.add(name, n);
                }
                i += 1 + used;
            } else if let Some(value) = rest.strip_prefix(STRING) {
                let len = memchr::memchr2(b'"', b'\\', value)?;
                if value.get(len..len + 2) != Some(b"\"}") {
                    return None;
                }
                i += STRING.len() + len + 2;
            } else {
                return None;
            }
        }
        match b.get(i)? {
            b',' => i += 1,
            b'}' => return Some((item.item, i + 1)),
            _ => return None,
        }
    }
}

/// An item being read, and the last slot name's limit: the next slots of that limit share
/// its name's part through the last `_`, and only their slot number is read.
#[derive(Default)]
struct ItemBuilder<'a> {
    item: Item,
    last_limit: Option<LastLimit<'a>>,
}

/// The limit of the last slot read: its name's prefix (through the last `_`), count and
/// period, and the prefix as words when it is 8 to 24 bytes long.
#[derive(Clone, Copy)]
struct LastLimit<'a> {
    prefix: &'a [u8],
    count: u32,
    period_us: u64,
    words: Option<PrefixWords>,
}

impl<'a> ItemBuilder<'a> {
    /// Adds the numeric attribute `name` (bytes of the reply).
    fn add(&mut self, name: &'a [u8], n: u64) {
        if let Some(last) = self.last_limit
            && let Some(rest) = name.strip_prefix(last.prefix)
            && let Some((slot, digits)) = slot_number(rest)
            && digits == rest.len()
        {
            self.push_slot(last, slot, n);
            return;
        }
        let Ok(text) = std::str::from_utf8(name) else {
            // Not a slot (slot names are ASCII) and not a name the store writes.
            self.item.insert(&String::from_utf8_lossy(name), n);
            return;
        };
        if let Some((count, period_us)) = self.item.insert(text, n)
            && let Some(end) = name.iter().rposition(|b| *b == b'_')
        {
            let prefix = &name[..=end];
            self.last_limit = Some(LastLimit {
                prefix,
                count,
                period_us,
                words: PrefixWords::of(prefix),
            });
        }
    }

    fn push_slot(&mut self, limit: LastLimit<'_>, slot: u32, time: u64) {
        self.item.slots.push(SlotTime {
            count: limit.count,
            period_us: limit.period_us,
            slot,
            time,
        });
    }

    /// At the start of `b`, a slot of the last slot's limit as the store writes it (see
    /// [`PrefixWords::common_slot`]): added, and the bytes it spans; `None` for anything
    /// else, nothing added (the general reading then reads it). Most of a sliding window's
    /// item.
    fn next_slot(&mut self, b: &[u8]) -> Option<usize> {
        let last = self.last_limit?;
        let (slot, time, used) = last.words?.common_slot(b)?;
        self.push_slot(last, slot, time);
        Some(used)
    }
}

/// A slot name's prefix (`s_l100_60000000_`) as three overlapping eight-byte words, so that
/// the slots after the first are recognised by a few compares.
#[derive(Debug, Clone, Copy)]
struct PrefixWords {
    len: usize,
    words: [u64; 3],
}

/// The eight bytes at `at`, when there are as many.
fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    bytes
        .get(at..)
        .and_then(<[u8]>::first_chunk::<8>)
        .map(|w| u64::from_le_bytes(*w))
}

impl PrefixWords {
    /// The words at 0, the middle and the end of `prefix` (8 to 24 bytes).
    fn of(prefix: &[u8]) -> Option<Self> {
        let len = prefix.len();
        if !(8..=24).contains(&len) {
            return None;
        }
        Some(Self {
            len,
            words: [
                word_at(prefix, 0)?,
                word_at(prefix, len.min(16) - 8)?,
                word_at(prefix, len - 8)?,
            ],
        })
    }

    /// `"<prefix><slot>":{"N":"<time>"}` at the start of `b` with a slot of 1 to 7 digits
    /// and a time of exactly 16 (microseconds since the epoch from 2001 to 2286: every time
    /// the store writes) — the slot, the time and the bytes they span; `None` for anything
    /// else, which the general path reads.
    fn common_slot(&self, b: &[u8]) -> Option<(u32, u64, usize)> {
        const MARK: u64 = u64::from_le_bytes(*b"\":{\"N\":\"");
        // The longest such attribute spans 24 + 7 + 26 bytes after its quote: one bounds
        // check for all (the last attribute of a reply, with less behind it, takes the
        // general path).
        let name = b.strip_prefix(b"\"")?.first_chunk::<64>()?;
        let word = |at: usize| {
            let at = at.min(56);
            u64::from_le_bytes([
                name[at],
                name[at + 1],
                name[at + 2],
                name[at + 3],
                name[at + 4],
                name[at + 5],
                name[at + 6],
                name[at + 7],
            ])
        };
        let len = self.len.min(24);
        if word(0) != self.words[0]
            || word(len.min(16) - 8) != self.words[1]
            || word(len - 8) != self.words[2]
        {
            return None;
        }
        let digits = word(len);
        let k = (non_digits(digits).trailing_zeros() / 8) as usize;
        let end = len + k.min(7);
        if !(1..=7).contains(&k) || word(end) != MARK {
            return None;
        }
        let (high, low) = (word(end + 8), word(end + 16));
        let close = u16::from_le_bytes([name[(end + 24).min(62)], name[(end + 25).min(63)]]);
        if non_digits(high) | non_digits(low) != 0 || close != u16::from_le_bytes(*b"\"}") {
            return None;
        }
        // Up to seven digits fit a `u32`.
        let slot = u32::try_from(first_digits(digits, k)).ok()?;
        let time = eight_digits(high) * 100_000_000 + eight_digits(low);
        Some((slot, time, 1 + end + 26))
    }
}

#[cfg(test)]
mod tests {
    use proptest::strategy::Strategy as _;

    use super::*;

    fn item(pairs: &[(&str, u64)]) -> Item {
        let mut item = Item::default();
        for (name, n) in pairs {
            item.insert(name, *n);
        }
        item
    }

    #[test]
    fn a_reply_gives_the_items_numbers_and_skips_the_rest() {
        let body = br#"{"Attributes":{"pk":{"S":"tenant:acme"},"g_l1_1":{"N":"17"},"neg":{"N":"-1"},"big":{"N":"1e400"},"l":{"L":[{"N":"1"}]},"expires_at":{"N":"99"}}}"#;
        let want = item(&[("g_l1_1", 17)]);
        assert_eq!(read_reply(200, body), Ok(Reply::Item(want)));
        assert_eq!(read_reply(200, b"{}"), Ok(Reply::Item(Item::default())));
        // A name with an escape is read too.
        assert_eq!(
            read_reply(200, br#"{"Item":{"g\u005fl1_1":{"N":"3"}}}"#),
            Ok(Reply::Item(item(&[("g_l1_1", 3)])))
        );
    }

    #[test]
    fn sliding_window_slots_are_kept_as_numbers() {
        let body = br#"{"Attributes":{"s_l100_60000000_7":{"N":"5"},"s_l100_60000000_x":{"N":"6"},"s_l3_1000000_2":{"N":"9"}}}"#;
        let Ok(Reply::Item(read)) = read_reply(200, body) else {
            panic!("not an item")
        };
        let slot = |count, period_us, slot, time| SlotTime {
            count,
            period_us,
            slot,
            time,
        };
        assert_eq!(
            read.slots,
            [slot(100, 60_000_000, 7, 5), slot(3, 1_000_000, 2, 9)]
        );
        // Not a slot's name, nor a counter's: not kept.
        assert!(read.numbers.is_empty());
        // As DynamoDB writes them, a limit's slots after its first are read word by word;
        // whatever is not a slot of 1 to 7 digits with a 16-digit time goes the general way.
        let t = 1_764_755_123_456_789u64;
        let body = format!(
            r#"{{"Attributes":{{"s_l100_60000000_7":{{"N":"{t}"}},"s_l100_60000000_":{{"N":"{t}"}},"s_l100_60000000_42":{{"N":"{t}"}},"s_l100_60000000_12345678":{{"N":"{t}"}},"s_l100_60000000_3":{{"N":"1{t}"}},"s_l100_60000000_5x":{{"N":"{t}"}},"s_l100_60000000_9":{{"N":"{t}"}}}}}}"#
        );
        let Ok(Reply::Item(read)) = read_reply(200, body.as_bytes()) else {
            panic!("not an item")
        };
        let l = |s, time| slot(100, 60_000_000, s, time);
        assert_eq!(
            read.slots,
            [
                l(7, t),
                l(42, t),
                l(12_345_678, t),
                l(3, t + 10_000_000_000_000_000),
                l(9, t)
            ]
        );
    }

    #[test]
    fn a_failed_condition_returns_the_item_as_it_is() {
        let body = br#"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"g_l1_1":{"N":"42"}}}"#;
        assert_eq!(
            read_reply(400, body),
            Ok(Reply::ConditionFailed(item(&[("g_l1_1", 42)])))
        );
    }

    #[test]
    fn errors_are_named_and_classified() {
        let throttled = read_reply(
            400,
            br#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","Message":"Rate exceeded"}"#,
        )
        .unwrap_err();
        assert_eq!(throttled.kind, "ThrottlingException");
        assert_eq!(throttled.message, "Rate exceeded");
        assert!(throttled.is_transient());
        let missing = read_reply(
            400,
            br#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#,
        )
        .unwrap_err();
        assert!(!missing.is_transient() && !missing.is_credentials());
        let expired = read_reply(
            400,
            br#"{"__type":"com.amazon.coral.service#ExpiredTokenException"}"#,
        )
        .unwrap_err();
        assert!(expired.is_credentials());
        let gateway = read_reply(502, b"<html>Bad Gateway</html>").unwrap_err();
        assert_eq!(gateway.kind, "HTTP 502");
        assert_eq!(gateway.message, "<html>Bad Gateway</html>");
        assert!(gateway.is_transient());
        let garbled = read_reply(200, b"{\"Attributes\":").unwrap_err();
        assert_eq!(garbled.kind, "MalformedReply");
    }

    /// An attribute value of any DynamoDB type, nested a little.
    fn attribute_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        use serde_json::json;
        let number = prop_oneof![
            any::<u64>().prop_map(|n| n.to_string()),
            "-?[0-9]{1,25}(\\.[0-9]{1,3})?(e[0-9])?",
        ];
        let leaf = prop_oneof![
            number.prop_map(|n| json!({ "N": n })),
            any::<String>().prop_map(|s| json!({ "S": s })),
            any::<bool>().prop_map(|b| json!({ "BOOL": b })),
            Just(json!({ "NULL": true })),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(|l| json!({ "L": l })),
                proptest::collection::btree_map(any::<String>(), inner, 0..4)
                    .prop_map(|m| json!({ "M": m })),
            ]
        })
    }

    /// What a reply's item holds by a reading independent of the store's: serde_json's.
    fn reference(item: &serde_json::Map<String, serde_json::Value>) -> Item {
        let mut want = Item::default();
        for (name, value) in item {
            if let Some(n) = value
                .get("N")
                .and_then(|n| n.as_str())
                .and_then(|n| n.parse().ok())
            {
                want.insert(name, n);
            }
        }
        want
    }

    proptest::proptest! {
        #[test]
        fn a_reply_is_read_as_serde_json_reads_it(
            item in proptest::collection::btree_map(
                proptest::prop_oneof![
                    proptest::strategy::Just("s_l100_60000000_7".to_owned()),
                    "s_l100_60000000_[0-9+x]{0,12}",
                    "s_l[0-9]{1,3}_[0-9]{1,8}_[0-9]{1,3}",
                    "[gf]_l[0-9]{1,3}_[0-9_]{1,10}",
                    proptest::prelude::any::<String>(),
                ],
                attribute_value(),
                0..12,
            ),
            pretty in proptest::prelude::any::<bool>(),
            denied in proptest::prelude::any::<bool>(),
        ) {
            let item: serde_json::Map<_, _> = item.into_iter().collect();
            let want = reference(&item);
            let (status, body) = if denied {
                (400, serde_json::json!({
                    "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                    "message": "The conditional request failed",
                    "Item": item,
                }))
            } else {
                (200, serde_json::json!({ "Attributes": item }))
            };
            let text = if pretty {
                serde_json::to_string_pretty(&body).unwrap()
            } else {
                serde_json::to_string(&body).unwrap()
            };
            let got = read_reply(status, text.as_bytes());
            let want = if denied { Reply::ConditionFailed(want) } else { Reply::Item(want) };
            proptest::prop_assert_eq!(got, Ok(want));
        }

        #[test]
        fn a_compact_item_is_read_as_serde_json_reads_it(
            item in proptest::collection::btree_map(
                proptest::prop_oneof![
                    "s_l100_60000000_[0-9]{0,3}",
                    "s_l100_60000000_[0-9]{6,8}",
                    "s_l100_60000000_[0-9]{9,12}",
                    "s_l123456_98765432100_[0-9]{1,3}",
                    "s_l[0-9]{1,3}_[0-9]{1,8}_[0-9]{1,3}",
                    "[gf]_l[0-9]{1,3}_[0-9_]{1,10}",
                    "[a-z_0-9]{1,12}",
                ],
                proptest::prop_oneof![
                    proptest::prelude::any::<u64>()
                        .prop_map(|n| serde_json::json!({ "N": n.to_string() })),
                    "[0-9]{1,20}".prop_map(|n| serde_json::json!({ "N": n })),
                    // A time as the store writes it: 16 digits.
                    "[0-9]{15,17}".prop_map(|n| serde_json::json!({ "N": n })),
                    "[a-z:]{0,12}".prop_map(|s| serde_json::json!({ "S": s })),
                ],
                0..60,
            ),
        ) {
            let item: serde_json::Map<_, _> = item.into_iter().collect();
            let text = serde_json::to_string(&serde_json::json!({ "Attributes": &item })).unwrap();
            let got = read_reply(200, text.as_bytes());
            proptest::prop_assert_eq!(got, Ok(Reply::Item(reference(&item))));
            // The compact pass read it (not the general reader).
            let inner = serde_json::to_string(&item).unwrap();
            proptest::prop_assert!(compact_item(inner.as_bytes()).is_some());
        }

        #[test]
        fn any_bytes_are_read_without_a_panic(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            status in proptest::prelude::any::<u16>(),
        ) {
            let _ = read_reply(status, &body);
        }
    }
}

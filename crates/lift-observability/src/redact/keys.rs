//! Key rules: what a field's name says about its value, decided from the name's tokens.
//!
//! A key is split into lowercase tokens at `_`, `-`, `.`, spaces and other punctuation, at
//! case changes (`cvvCode` → `cvv`, `code`; `APIKey` → `api`, `key`) and between letters
//! and digits (`cvv2` → `cvv`, `2`). A name is sensitive authentication data (PCI DSS
//! 3.3.1: removed) or a secret (`[REDACTED]`) when its tokens contain one of the names
//! below, wherever they stand — `card_cvv`, `cvv_number`, `secretKey`, `aws_secret_key` —
//! unless the last token says the value *describes* the secret rather than being it
//! (`token_type`, `secret_arn`, `pin_length`, `password_changed_at`), or a word after a
//! sensitive-data name says the value is a check's outcome (`cvc_check`, `cvvResultCode`).
//! Words written as one are also matched by their ending (`dbpassword`, `PGPASSWORD`,
//! `x-amzn-oidc-accesstoken`).
//!
//! Everything here is a `const fn`, so the logging macros decide a literal key's rule at
//! compile time; keys known only at run time (field arrays, nested `Serialize` keys, names
//! in free text) pay one walk over their bytes.

/// How a key's value is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRule {
    /// The value is scanned like any text.
    Scan,
    /// The value is a secret: written as `[REDACTED]`.
    Secret,
    /// Sensitive authentication data: the field is removed (in free text, the value).
    Remove,
    /// Known safe: written as given.
    Safe,
}

/// Single tokens naming sensitive authentication data.
const SAD_TOKENS: [&[u8]; 10] = [
    b"cvv",
    // American Express's four-digit code (`4DBC`, split from its digit).
    b"dbc",
    b"cvc",
    b"cvn",
    b"csc",
    b"cav",
    b"cvd",
    b"pin",
    b"pinblock",
    b"trackdata",
];
/// Token pairs naming sensitive authentication data (`security_code`, `card_code`…).
const SAD_PAIRS: [(&[u8], &[u8]); 10] = [
    (b"security", b"code"),
    (b"card", b"code"),
    (b"card", b"verification"),
    // Worldpay's (Vantiv's) `cardValidationNum`.
    (b"card", b"validation"),
    // The code's name in the UK (Opayo's, Barclaycard's `CV2`), split from its digit.
    (b"cv", b"2"),
    (b"verification", b"value"),
    (b"track", b"1"),
    (b"track", b"2"),
    (b"track", b"data"),
    (b"pin", b"block"),
];
/// Single tokens naming a secret.
const SECRET_TOKENS: [&[u8]; 26] = [
    b"password",
    b"passwords",
    b"passwd",
    b"pwd",
    b"pass",
    b"passphrase",
    b"passcode",
    // One-time passwords: a login's or a payment's second factor.
    b"otp",
    b"totp",
    b"hotp",
    b"secret",
    b"secrets",
    b"token",
    b"credential",
    b"credentials",
    b"auth",
    b"authorization",
    b"cookie",
    // API Gateway's HTTP API events (payload 2.0) carry a request's cookies as a list.
    b"cookies",
    b"signature",
    // An Azure shared access signature's (`?sv=…&sig=…`).
    b"sig",
    // A webhook's signature as Shopify sends it (`X-Shopify-Hmac-Sha256`).
    b"hmac",
    b"apikey",
    b"privatekey",
    b"secretkey",
    // What KMS `Decrypt` and `GenerateDataKey` answer: the decrypted data, a data key.
    b"plaintext",
];
/// Token pairs naming a secret: one-time codes (`mfa_code`, `verification_code`), and
/// Cognito's custom authentication challenges, which carry the expected answer in
/// `privateChallengeParameters` and the user's in `challengeAnswer` (a one-time code, or a
/// password) — events its Lambda triggers receive, and often log.
const SECRET_PAIRS: [(&[u8], &[u8]); 5] = [
    (b"private", b"challenge"),
    (b"challenge", b"answer"),
    // One-time codes sent for a second factor.
    (b"mfa", b"code"),
    (b"sms", b"code"),
    (b"verification", b"code"),
];
/// `<word>_key` pairs naming a secret (`api_key`, `signing_key`…). A bare `key` is not one.
const SECRET_KEY_QUALIFIERS: [&[u8]; 22] = [
    b"api",
    // Payment gateways' credentials: Authorize.Net's `transactionKey`, NMI's `security_key`,
    // the merchant keys of Paytm and others.
    b"transaction",
    b"security",
    b"merchant",
    // An application's key (Datadog's `DD_APP_KEY`), a message authentication code's.
    b"app",
    b"application",
    b"mac",
    // Azure's connection strings: `AccountKey=` (storage), `SharedAccessKey=` (Service Bus,
    // Event Hubs); MinIO's and Alibaba Cloud's `AccessKey` pairs.
    b"account",
    b"access",
    // Envelope encryption's plaintext data key (KMS `GenerateDataKey`), a symmetric key,
    // Stripe's ephemeral keys (`ek_live_…`, handed to a mobile client).
    b"data",
    b"aes",
    b"ephemeral",
    b"private",
    b"signing",
    b"encryption",
    b"master",
    b"session",
    b"hmac",
    b"client",
    // Azure API Management's `Ocp-Apim-Subscription-Key`, an agent's license key (New
    // Relic's `NEW_RELIC_LICENSE_KEY`), a search service's admin key (Algolia's).
    b"subscription",
    b"license",
    b"admin",
];
/// Last tokens that describe a secret instead of holding it (`token_type`, `secret_arn`).
const DESCRIBING_TOKENS: [&[u8]; 44] = [
    b"id",
    b"ids",
    b"arn",
    b"name",
    b"names",
    b"type",
    b"kind",
    b"method",
    b"scheme",
    b"count",
    b"length",
    b"len",
    b"size",
    b"expiry",
    b"expires",
    b"expired",
    b"expiration",
    b"ttl",
    b"at",
    b"in",
    b"version",
    // How it is made (`signature_algorithm`, `sig_alg`).
    b"alg",
    b"algorithm",
    b"policy",
    b"hint",
    b"enabled",
    b"required",
    // Whether it was given or checked: a flag (`signature_verified`, `password_valid`).
    b"verified",
    b"valid",
    b"present",
    b"provided",
    b"supplied",
    b"matched",
    // When it was last set: a time or a flag (`password_last_changed`, `token_rotated`).
    b"changed",
    b"updated",
    b"rotated",
    b"created",
    b"status",
    b"provider",
    b"url",
    b"uri",
    b"endpoint",
    // Where it is kept (`password_file`, `--password-file`, `AWS_SHARED_CREDENTIALS_FILE`).
    b"file",
    b"path",
];
/// Tokens after a sensitive-data name that make the value the outcome of a check on the
/// data, not the data: what gateways answer about a card's code (Stripe's `cvc_check`,
/// Braintree's `cvvResponseCode`, Authorize.Net's `cvvResultCode`, Adyen's `cvcResult`) or
/// a PIN (`pin_verified`) — `M`, `pass`, `1 Matches`, `true`. A secret's name keeps its
/// rule whatever follows (`token_response` may hold the token).
const OUTCOME_TOKENS: [&[u8]; 12] = [
    b"check",
    b"checks",
    b"result",
    b"results",
    b"response",
    b"verified",
    b"present",
    b"provided",
    b"supplied",
    b"match",
    b"matched",
    b"indicator",
];
/// Endings of a token written as one word that name a secret (`dbpassword`, `PGPASSWORD`,
/// `accesstoken` in `x-amzn-oidc-accesstoken`).
const SECRET_ENDINGS: [&[u8]; 7] = [
    b"password",
    b"passwd",
    b"secret",
    b"token",
    b"apikey",
    // Session cookies, bearer credentials of a login: Django's `sessionid`, Java's
    // `JSESSIONID`, PHP's `PHPSESSID`.
    b"sessionid",
    b"sessid",
];
/// Endings of a token written as one word that name sensitive authentication data.
const SAD_ENDINGS: [&[u8]; 4] = [b"cvv", b"cvc", b"securitycode", b"pinblock"];
/// Whole keys (normalized) naming sensitive authentication data that are too short or too
/// common to match as a token: Amex's `cid` only when it is the whole key.
const SAD_WHOLE_KEYS: [&[u8]; 1] = [b"cid"];

const fn is_lower(b: u8) -> bool {
    b.is_ascii_lowercase()
}
const fn is_upper(b: u8) -> bool {
    b.is_ascii_uppercase()
}
const fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}
const fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Whether a token boundary falls between `key[i - 1]` and `key[i]` (both alphanumeric).
const fn boundary(key: &[u8], i: usize) -> bool {
    let (a, b) = (key[i - 1], key[i]);
    if is_digit(a) != is_digit(b) {
        return true;
    }
    if is_lower(a) && is_upper(b) {
        return true;
    }
    // `APIKey`: the last capital of a run starts the next word.
    is_upper(a) && is_upper(b) && i + 1 < key.len() && is_lower(key[i + 1])
}

/// The tokens `prev` and `current` of `key` (start and end of each), lowercased, are one of
/// `pairs`.
const fn pair_in(
    key: &[u8],
    prev: (usize, usize),
    current: (usize, usize),
    pairs: &[(&[u8], &[u8])],
) -> bool {
    let mut p = 0;
    while p < pairs.len() {
        if token_is(key, prev.0, prev.1, pairs[p].0)
            && token_is(key, current.0, current.1, pairs[p].1)
        {
            return true;
        }
        p += 1;
    }
    false
}

/// `key[from..to]`, lowercased, equals `name`.
const fn token_is(key: &[u8], from: usize, to: usize, name: &[u8]) -> bool {
    if to - from != name.len() {
        return false;
    }
    let mut i = 0;
    while i < name.len() {
        if key[from + i].to_ascii_lowercase() != name[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn token_in(key: &[u8], from: usize, to: usize, names: &[&[u8]]) -> bool {
    let mut n = 0;
    while n < names.len() {
        if token_is(key, from, to, names[n]) {
            return true;
        }
        n += 1;
    }
    false
}

/// Whether the token `key[from..to]`, lowercased, ends with one of `names` (`dbpassword`,
/// `PGPASSWORD`, `accesstoken`: words written as one).
const fn token_ends_in(key: &[u8], from: usize, to: usize, names: &[&[u8]]) -> bool {
    let mut n = 0;
    while n < names.len() {
        let name = names[n];
        if to - from >= name.len() && token_is(key, to - name.len(), to, name) {
            return true;
        }
        n += 1;
    }
    false
}

/// A 1,024-bit Bloom filter over tokens: one bit per (length, first two letters, last
/// letter).
type Bloom = [u64; 16];

const fn bloom_bit(len: usize, first: u8, second: u8, last: u8) -> (usize, u64) {
    let h = len
        .wrapping_mul(0x9e37)
        .wrapping_add((first.to_ascii_lowercase() as usize).wrapping_mul(0x85eb))
        .wrapping_add((second.to_ascii_lowercase() as usize).wrapping_mul(0xc2b3))
        .wrapping_add((last.to_ascii_lowercase() as usize).wrapping_mul(0x27d5));
    let h = (h ^ (h >> 11)) % 1024;
    (h / 64, 1 << (h % 64))
}

const fn bloom_add(mut bloom: Bloom, names: &[&[u8]]) -> Bloom {
    let mut i = 0;
    while i < names.len() {
        let n = names[i];
        let second = if n.len() > 1 { n[1] } else { 0 };
        let (word, bit) = bloom_bit(n.len(), n[0], second, n[n.len() - 1]);
        bloom[word] |= bit;
        i += 1;
    }
    bloom
}

/// Every token that can start a match: the single names, the first words of the pairs and
/// the qualifiers of `…_key` (a pair needs its first word).
const MATCH_STARTS: Bloom = {
    let mut bloom = bloom_add([0; 16], &SAD_TOKENS);
    bloom = bloom_add(bloom, &SECRET_TOKENS);
    bloom = bloom_add(bloom, &SECRET_KEY_QUALIFIERS);
    bloom = bloom_add(bloom, &SAD_WHOLE_KEYS);
    let mut p = 0;
    while p < SAD_PAIRS.len() {
        bloom = bloom_add(bloom, &[SAD_PAIRS[p].0]);
        p += 1;
    }
    bloom
};

/// The last three letters of the endings (`…word`, `…ret`, `…ken`…).
const ENDINGS: Bloom = {
    let mut bloom = [0; 16];
    let mut i = 0;
    while i < SECRET_ENDINGS.len() + SAD_ENDINGS.len() {
        let n = if i < SECRET_ENDINGS.len() {
            SECRET_ENDINGS[i]
        } else {
            SAD_ENDINGS[i - SECRET_ENDINGS.len()]
        };
        let (word, bit) = bloom_bit(3, n[n.len() - 3], n[n.len() - 2], n[n.len() - 1]);
        bloom[word] |= bit;
        i += 1;
    }
    bloom
};

const fn in_bloom(bloom: &Bloom, token: &[u8]) -> bool {
    let n = token.len();
    let second = if n > 1 { token[1] } else { 0 };
    let (word, bit) = bloom_bit(n, token[0], second, token[n - 1]);
    bloom[word] & bit != 0
}

/// Byte classes for the token walk of [`may_have_rule`]: 0 other, 1 lowercase, 2 uppercase,
/// 3 digit.
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = if (b as u8).is_ascii_lowercase() {
            1
        } else if (b as u8).is_ascii_uppercase() {
            2
        } else if (b as u8).is_ascii_digit() {
            3
        } else {
            0
        };
        b += 1;
    }
    t
};

/// Whether `key` may have a rule: some token could start a match, or the key could end
/// like a one-word name. `false` is certain (the full rule would say [`KeyRule::Scan`]);
/// `true` means "look closer". Most keys (`merchant_id`, `amount`, `status`) are answered
/// here, in one walk over their bytes with the same token boundaries as [`boundary`].
const fn may_have_rule(key: &[u8]) -> bool {
    let n = key.len();
    let mut start = 0;
    let mut prev = 0u8;
    let mut i = 0;
    while i <= n {
        let c = if i < n { CLASS[key[i] as usize] } else { 0 };
        let ends = prev != 0
            && (c == 0
                || (prev == 3) != (c == 3)
                || (prev == 1 && c == 2)
                || (prev == 2 && c == 2 && i + 1 < n && CLASS[key[i + 1] as usize] == 1));
        if ends
            && (in_bloom(&MATCH_STARTS, key.split_at(start).1.split_at(i - start).0)
                || i - start >= 3 && in_bloom(&ENDINGS, key.split_at(i - 3).1.split_at(3).0))
        {
            return true;
        }
        if c != 0 && (prev == 0 || ends) {
            start = i;
        }
        prev = c;
        i += 1;
    }
    false
}

/// The built-in rule for `key`: [`KeyRule::Remove`], [`KeyRule::Secret`] or
/// [`KeyRule::Scan`]. A `const fn`, so the logging macros decide at compile time.
pub(crate) const fn builtin_key_rule(key: &str) -> KeyRule {
    builtin_rule_of_bytes(key.as_bytes())
}

/// [`builtin_key_rule`] for a name given as bytes (names found in text are ASCII).
pub(crate) const fn builtin_rule_of_bytes(key: &[u8]) -> KeyRule {
    if !may_have_rule(key) {
        return KeyRule::Scan;
    }
    full_rule(key)
}

/// The rule, comparing every token with every name, token by token as they come (no limit
/// on how many: a name judged again after part of it was masked gets the same verdict).
const fn full_rule(key: &[u8]) -> KeyRule {
    let mut sad = false;
    let mut secret = false;
    // A token after a sensitive-data name says the value is a check's outcome.
    let mut outcome = false;
    let mut count = 0;
    // The token before the current one, then (after the loop) the last one.
    let (mut prev_start, mut prev_end) = (0, 0);
    let mut i = 0;
    while i < key.len() {
        if !is_alnum(key[i]) {
            i += 1;
            continue;
        }
        let (s, e) = {
            let start = i;
            i += 1;
            while i < key.len() && is_alnum(key[i]) && !boundary(key, i) {
                i += 1;
            }
            (start, i)
        };
        outcome |= sad && token_in(key, s, e, &OUTCOME_TOKENS);
        sad |= token_in(key, s, e, &SAD_TOKENS) || token_ends_in(key, s, e, &SAD_ENDINGS);
        secret |= token_in(key, s, e, &SECRET_TOKENS) || token_ends_in(key, s, e, &SECRET_ENDINGS);
        if count > 0 {
            let (prev, current) = ((prev_start, prev_end), (s, e));
            sad |= pair_in(key, prev, current, &SAD_PAIRS);
            secret |= pair_in(key, prev, current, &SECRET_PAIRS)
                || token_in(key, prev_start, prev_end, &SECRET_KEY_QUALIFIERS)
                    && token_is(key, s, e, b"key");
        }
        (prev_start, prev_end) = (s, e);
        count += 1;
    }
    if count == 0 {
        return KeyRule::Scan;
    }
    if count > 1 && token_in(key, prev_start, prev_end, &DESCRIBING_TOKENS) {
        return KeyRule::Scan;
    }
    if count == 1 && token_in(key, prev_start, prev_end, &SAD_WHOLE_KEYS) {
        return KeyRule::Remove;
    }
    if sad && !outcome {
        KeyRule::Remove
    } else if secret {
        KeyRule::Secret
    } else {
        KeyRule::Scan
    }
}

/// Whether `key` names a payload that events carry encoded in base64 — an API Gateway, ALB
/// or function URL event's `body` (a form post often arrives encoded), a Kinesis or
/// Firehose record's `data`, a message's `payload` (any case): its value is read as the text
/// it encodes ([`super::encoded`]), where other text is decoded only when it is JSON.
#[inline(always)]
pub(crate) const fn is_payload_key(key: &[u8]) -> bool {
    // Setting the 0x20 bit lowers a letter's case and makes no other byte a lowercase letter.
    const BODY: u32 = u32::from_le_bytes(*b"body");
    const DATA: u32 = u32::from_le_bytes(*b"data");
    const PAYLOAD: u64 = u64::from_le_bytes(*b"payload\0");
    if let [a, b, c, d] = *key {
        matches!(u32::from_le_bytes([a, b, c, d]) | 0x2020_2020, BODY | DATA)
    } else if let [a, b, c, d, e, f, g] = *key {
        u64::from_le_bytes([a, b, c, d, e, f, g, 0]) | 0x0020_2020_2020_2020 == PAYLOAD
    } else {
        false
    }
}

/// Whether an integer under `key` is exempt from card-number masking because the key names
/// a time (`timestamp`, `ts`, `time`, or ending `_at`, `_ms`, `_time`, `At`): a time is
/// never masked, whatever its digits.
pub(crate) fn is_time_key(key: &str) -> bool {
    let k = key.as_bytes();
    // Every such key ends in `p`, `e`, `s` or `t` (either case).
    if !matches!(
        k.last().map(u8::to_ascii_lowercase),
        Some(b'p' | b'e' | b's' | b't')
    ) {
        return false;
    }
    let lower_ends =
        |name: &[u8]| k.len() >= name.len() && k[k.len() - name.len()..].eq_ignore_ascii_case(name);
    lower_ends(b"timestamp")
        || lower_ends(b"time")
        || k.eq_ignore_ascii_case(b"ts")
        || key.ends_with("_ts")
        || key.ends_with("_at")
        || key.ends_with("_ms")
        || key.ends_with("At")
        || key.ends_with("Ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_by_their_tokens_wherever_they_stand() {
        for removed in [
            "cvv",
            "CVV",
            "cvv2",
            "card_cvv",
            "cvvCode",
            "cvv_number",
            "card_verification",
            "pin",
            "pin_code",
            "card_pin",
            "PinBlock",
            "pin_block",
            "security_code",
            "Security-Code",
            "cardSecurityCode",
            "card_code",
            "cardCode",
            "track1",
            "track_2",
            "track_data",
            "cid",
            "card_4dbc",
            "4DBC",
            "cardcvv",
            // Each was written in clear.
            "cv2",
            "CV2",
            "card_cv2",
            "cardValidationNum",
        ] {
            assert_eq!(builtin_key_rule(removed), KeyRule::Remove, "{removed}");
        }
        for secret in [
            "password",
            "db_password",
            "dbpassword",
            "secret_key",
            "secretKey",
            "aws_secret_key",
            "aws_secret_access_key",
            "pwd",
            "pass",
            "passphrase",
            "credentials",
            "auth",
            "signing_key",
            // Each was written in clear.
            "transactionKey",
            "security_key",
            "merchant_key",
            "DD_APP_KEY",
            "application_key",
            "mac_key",
            "X-Shopify-Hmac-Sha256",
            "Ocp-Apim-Subscription-Key",
            "subscriptionKey",
            "NEW_RELIC_LICENSE_KEY",
            "ALGOLIA_ADMIN_KEY",
            "api_key",
            "apiKey",
            "APIKey",
            "x-api-key",
            "X-Api-Key",
            "Authorization",
            "proxy-authorization",
            "set-cookie",
            "X-Amz-Security-Token",
            "X-Amz-Signature",
            "githubtoken",
            // Words written as one, in any case and inside longer names (each was in clear).
            "PGPASSWORD",
            "x-amzn-oidc-accesstoken",
            "authtoken_value",
            "dbpassword_v2",
            "Dbpassword",
            "refresh_token",
            "client_secret",
            "private_key",
            // An outcome word after a secret's name does not clear it.
            "token_response",
            "password_check",
            // Lists of them: API Gateway's HTTP API events hold a request's `cookies`.
            "cookies",
            "passwords",
            // Cognito's custom authentication challenges: the answer expected, and given.
            "privateChallengeParameters",
            "challengeAnswer",
            // One-time passwords and codes.
            "otp",
            "totp_secret",
            "mfaCode",
            "sms_code",
            "verification_code",
            // An Azure shared access signature's.
            "sig",
            // Azure connection strings' keys.
            "AccountKey",
            "SharedAccessKey",
            "access_key",
            // KMS's answers, envelope encryption's keys, Stripe's ephemeral keys.
            "Plaintext",
            "data_key",
            "dataKey",
            "aes_key",
            "ephemeral_key",
            // Session cookies.
            "sessionid",
            "JSESSIONID",
            "PHPSESSID",
        ] {
            assert_eq!(builtin_key_rule(secret), KeyRule::Secret, "{secret}");
        }
        for plain in [
            "amount",
            "method",
            "publicChallengeParameters",
            "challengeName",
            "otp_enabled",
            "verification_status",
            "country_code",
            "pinned",
            "spin",
            "tokens_used",
            "max_tokens",
            "token_type",
            // A file's path is no secret (each was `[REDACTED]`).
            "password_file",
            "token_path",
            "AWS_SHARED_CREDENTIALS_FILE",
            "token_count",
            "secret_arn",
            "secret_name",
            "password_changed_at",
            "pin_length",
            // A check's outcome on the data, as gateways answer it (each was removed).
            "cvc_check",
            "cvvResultCode",
            "cvv_response_code",
            "cvcResult",
            "cvcResultRaw",
            "cvv_result",
            "pin_verified",
            "cvv_present",
            "security_code_check",
            "card_verification_result",
            "cvvMatch",
            "cv2_result",
            "hmac_algorithm",
            "hmac_valid",
            "CV2Result",
            "card_validation_result",
            "signature_verified",
            "password_last_changed",
            "signature_algorithm",
            "SharedAccessKeyName",
            "data_key_id",
            "plaintext_length",
            "partition_key",
            "sort_key",
            "cache_key",
            "metadata_key",
            "AccountName",
            "session_id",
            "checkout_session_id",
            "sig_alg",
            "signal",
            "signed",
            "secretRotated",
            "is_password_valid",
            "api_key_provided",
            "key",
            "idempotency_key",
            "s3_key",
            "access_key_id",
            "api_key_id",
            "passenger",
            "compass",
            "tracking_id",
            "track",
            "cidr",
            "author",
            "authored_by",
            "",
            "-",
            "_",
        ] {
            assert_eq!(builtin_key_rule(plain), KeyRule::Scan, "{plain}");
        }
    }

    /// The Bloom filter's quick "no" is never wrong: every key it rejects gets `Scan` from
    /// the full comparison too.
    #[test]
    fn the_quick_rejection_agrees_with_the_full_rule() {
        let mut rng = fastrand::Rng::with_seed(9);
        let words = [
            "cvv",
            "card",
            "code",
            "pin",
            "block",
            "api",
            "key",
            "secret",
            "token",
            "auth",
            "pass",
            "word",
            "id",
            "type",
            "merchant",
            "amount",
            "x",
            "2",
            "security",
            "track",
            "data",
            "signing",
            "session",
            "cookie",
            "sig",
            "nature",
            "verification",
            "value",
            "check",
            "result",
            "dbpassword",
            "PGPASSWORD",
            "accesstoken",
            "cardcvv",
        ];
        for _ in 0..50_000 {
            let n = rng.usize(1..4);
            let mut key = String::new();
            for k in 0..n {
                let w = words[rng.usize(..words.len())];
                match (k, rng.u8(0..4)) {
                    (0, _) => key.push_str(w),
                    (_, 0) => key.push_str(
                        &w[..1]
                            .to_uppercase()
                            .chars()
                            .chain(w[1..].chars())
                            .collect::<String>(),
                    ),
                    (_, 1) => key.push_str(w),
                    (_, 2) => {
                        key.push('_');
                        key.push_str(w);
                    }
                    _ => {
                        key.push('-');
                        key.push_str(&w.to_uppercase());
                    }
                }
            }
            if !may_have_rule(key.as_bytes()) {
                assert_eq!(full_rule(key.as_bytes()), KeyRule::Scan, "{key}");
            }
        }
    }

    #[test]
    fn the_rule_is_known_at_compile_time() {
        const RULE: KeyRule = builtin_key_rule("card_cvv");
        assert_eq!(RULE, KeyRule::Remove);
    }

    #[test]
    fn payload_keys_are_body_data_and_payload_in_any_case() {
        for k in [
            "body", "Body", "BODY", "data", "Data", "payload", "Payload", "PAYLOAD",
        ] {
            assert!(is_payload_key(k.as_bytes()), "{k}");
        }
        // Folding the case makes no other byte a letter (`B` | 0x20 is `b`; `\x02` stays).
        for k in [
            "bod",
            "bodies",
            "body_id",
            "dat",
            "date",
            "payloads",
            "pay_load",
            "b\x0fdy",
            "\x02ata",
            "payl\x0fad",
            "",
        ] {
            assert!(!is_payload_key(k.as_bytes()), "{k:?}");
        }
    }

    #[test]
    fn time_keys() {
        for k in [
            "timestamp",
            "ts",
            "created_at",
            "latency_ms",
            "eventTime",
            "createdAt",
        ] {
            assert!(is_time_key(k), "{k}");
        }
        for k in ["card", "amount", "tsx", "order_id"] {
            assert!(!is_time_key(k), "{k}");
        }
    }
}

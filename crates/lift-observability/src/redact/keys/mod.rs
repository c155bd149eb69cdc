//! Key rules: what a field's name says about its value, decided from the name's tokens.
//!
//! A key is split into lowercase tokens at `_`, `-`, `.`, spaces and other punctuation, at
//! case changes (`cvvCode` → `cvv`, `code`; `APIKey` → `api`, `key`) and between letters
//! and digits (`cvv2` → `cvv`, `2`). A name is sensitive authentication data (PCI DSS
//! 3.3.1: removed) or a secret (`[REDACTED]`) when its tokens contain one of the names of
//! [`vocabulary`], wherever they stand — `card_cvv`, `cvv_number`, `secretKey`, `aws_secret_key` —
//! unless a token after the last such name says the value *describes* the secret rather than
//! being it (`token_type`, `secret_arn`, `pin_length`, `password_changed_at`,
//! `auth_scheme_options`) and none after that says it holds it again (`token_file_contents`),
//! a word after a sensitive-data name says the value is a check's outcome (`cvc_check`,
//! `cvvResultCode`), or a word before `token` makes it a cursor (`NextToken`, `pageToken`,
//! `CancellationToken`).
//! Words written as one are also matched by their ending (`dbpassword`, `PGPASSWORD`,
//! `x-amzn-oidc-accesstoken`).
//!
//! Everything here is a `const fn`, so the logging macros decide a literal key's rule at
//! compile time; keys known only at run time (field arrays, nested `Serialize` keys, names
//! in free text) pay one walk over their bytes.
//!
//! This module holds the rule; [`vocabulary`] its words, [`quick`] the quick rejection of
//! names no rule can match.

mod quick;
mod vocabulary;

use quick::may_have_rule;
use vocabulary::{
    CURSOR_QUALIFIERS, DESCRIBING_PAIRS, DESCRIBING_TOKENS, HOLDING_TOKENS, NOT_SECRET_PAIRS,
    OUTCOME_TOKENS, PREPOSITIONS, SAD_ENDINGS, SAD_PAIRS, SAD_TOKENS, SAD_WHOLE_KEYS,
    SECRET_ENDINGS, SECRET_KEY_QUALIFIERS, SECRET_PAIRS, SECRET_TOKENS,
};

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

/// Whether `name`'s last token describes a secret instead of holding it (`algorithm`, `id`,
/// `key_id`, `length`, as [`vocabulary`]'s describing words say): a struct's only field so
/// named holds none, whatever the struct's name (`SigningKey { algorithm: ECDSA }`).
pub(crate) fn names_a_description(name: &[u8]) -> bool {
    let mut end = name.len();
    while end > 0 && !is_alnum(name[end - 1]) {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && is_alnum(name[start - 1]) && (start == end || !boundary(name, start)) {
        start -= 1;
    }
    start < end && token_in(name, start, end, &DESCRIBING_TOKENS)
}

/// The rule, comparing every token with every name, token by token as they come (no limit
/// on how many: a name judged again after part of it was masked gets the same verdict).
pub(super) const fn full_rule(key: &[u8]) -> KeyRule {
    let mut sad = false;
    let mut secret = false;
    // A token after a sensitive-data name says the value is a check's outcome.
    let mut outcome = false;
    // A token after the last name's describes it, and none after that holds it again.
    let mut described = false;
    let mut count = 0;
    // The token before the current one, then (after the loop) the last one; and the one
    // before that.
    let (mut prev_start, mut prev_end) = (0, 0);
    let (mut before_start, mut before_end) = (0, 0);
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
        let mut names_sad =
            token_in(key, s, e, &SAD_TOKENS) || token_ends_in(key, s, e, &SAD_ENDINGS);
        let mut names_secret =
            token_in(key, s, e, &SECRET_TOKENS) || token_ends_in(key, s, e, &SECRET_ENDINGS);
        if count > 0 {
            let (prev, current) = ((prev_start, prev_end), (s, e));
            names_sad |= pair_in(key, prev, current, &SAD_PAIRS);
            names_secret |= pair_in(key, prev, current, &SECRET_PAIRS)
                || token_in(key, prev_start, prev_end, &SECRET_KEY_QUALIFIERS)
                    && token_is(key, s, e, b"key");
            if token_is(key, s, e, b"token")
                && token_in(key, prev_start, prev_end, &CURSOR_QUALIFIERS)
                || pair_in(key, prev, current, &NOT_SECRET_PAIRS)
            {
                names_secret = false;
            }
        }
        sad |= names_sad;
        secret |= names_secret;
        described = if names_sad || names_secret || token_in(key, s, e, &HOLDING_TOKENS) {
            false
        } else {
            described
                || token_in(key, s, e, &DESCRIBING_TOKENS) && !token_in(key, s, e, &PREPOSITIONS)
                || count > 0 && pair_in(key, (prev_start, prev_end), (s, e), &DESCRIBING_PAIRS)
        };
        (before_start, before_end) = (prev_start, prev_end);
        (prev_start, prev_end) = (s, e);
        count += 1;
    }
    if count == 0 {
        return KeyRule::Scan;
    }
    if count > 1 && (described || token_in(key, prev_start, prev_end, &PREPOSITIONS)) {
        return KeyRule::Scan;
    }
    // Its last characters (`api_key_last4`, `token_last_4`), as a dashboard shows a key's.
    if count > 2 && is_digit(key[prev_start]) && token_is(key, before_start, before_end, b"last") {
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
    fn a_name_whose_last_token_describes_is_a_description() {
        for name in ["algorithm", "id", "key_id", "keyLength", "Type", "version"] {
            assert!(names_a_description(name.as_bytes()), "{name}");
        }
        for name in ["inner", "value", "bytes", "key", "idx", "", "_", "id_value"] {
            assert!(!names_a_description(name.as_bytes()), "{name}");
        }
    }

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
            "cvNumber",
            "card_cvNumber",
            "ccv",
            "card_ccv",
            "cc_cid",
            "ccCid",
            // ISO 8583's PIN block and track data by their data elements' numbers.
            "DE052",
            "de52",
            "de_35",
            "DE045",
            "field52",
            "field_35",
            "field052",
            "F52",
            "f_035",
            "F045",
            // A magnetic stripe's data (was in clear).
            "magstripe",
            "magneticStripe",
            "mag_stripe_data",
            // An encrypted PIN block, tracks by their short names (were in clear).
            "epb",
            "EPB",
            "trk2",
            "trk_1_data",
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
            // Payment cryptographic keys (each was written in clear).
            "bdk",
            "BDK",
            "ipek",
            "dukptKey",
            "base_derivation_key",
            "zpk",
            "zmk_under_lmk",
            "tmk",
            "kek",
            "kbpk",
            "cvk_a",
            "pvk",
            "transport_key",
            "clearKey",
            "key_component_2",
            "keyComponents",
            "tr31_key_block",
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
            // An account's recovery: its spare codes, a recovery key, a reset's code (each
            // was written in clear).
            "recovery_codes",
            "backupCodes",
            "backup_code",
            "RecoveryKey",
            "reset_code",
            // OAuth's proofs of a grant: PKCE's, OAuth 1.0's, the device flow's polling code.
            "code_verifier",
            "codeVerifier",
            "oauth_verifier",
            "device_code",
            // A webhook's and a JWT's signing keys, a pre-shared key, a deploy key (each was
            // in clear).
            "WEBHOOK_KEY",
            "jwtKey",
            "shared_key",
            "DEPLOY_KEY",
            "cipher_key",
            // Azure Functions' key, as an HTTP trigger's header takes it.
            "x-functions-key",
            "FunctionsKey",
            // A wallet's recovery words.
            "mnemonic",
            "seed_phrase",
            "seedPhrase",
            "recovery_phrase",
            "secret_phrase",
            // A password's short name, a private key's, a second factor's code (each was in
            // clear).
            "pw",
            "newPw",
            "privkey",
            "priv_key",
            "two_factor_code",
            "secondFactorCode",
            // Credentials' short name (each was in clear).
            "creds",
            "aws_creds",
            "dbCreds",
            // The API key an API Gateway authorizer returns for usage plans.
            "usageIdentifierKey",
        ] {
            assert_eq!(builtin_key_rule(secret), KeyRule::Secret, "{secret}");
        }
        for plain in [
            "amount",
            "method",
            // Words beside the new names that say nothing alone.
            "stripe_account",
            "risk_factor",
            "factor_code_type",
            "pw_reset_sent",
            // Other data elements, and a PIN block's length.
            "de4",
            "DE004",
            "de_520",
            "field_5",
            "F4",
            "f520",
            "F39",
            "de52_length",
            "publicChallengeParameters",
            "challengeName",
            "otp_enabled",
            "verification_status",
            "country_code",
            // OAuth's grant type and the user's code a device shows (it grants nothing
            // alone), a seed for randomness, a backup's settings.
            "grant_type",
            "user_code",
            "seed",
            "random_seed",
            "backup_id",
            "backup_enabled",
            "recovery_point_arn",
            "reset_code_sent_at",
            "device_id",
            "webhook_key_id",
            "jwt_key_alg",
            "pinned",
            "spin",
            "tokens_used",
            "max_tokens",
            "token_type",
            // A file's path is no secret (each was `[REDACTED]`).
            "password_file",
            "token_path",
            "AWS_SHARED_CREDENTIALS_FILE",
            // Where it comes from, how it is checked (each was `[REDACTED]`).
            "authSource",
            "authMechanism",
            "secret_source",
            "credentials_location",
            "secretKeyRef",
            "password_ref",
            "api_key_reference",
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
            // A key's last characters, as a dashboard shows them; a terminal's capability,
            // a PIN block's format.
            "api_key_last4",
            "token_last_4",
            "pin_entry_capability",
            "pin_entry_mode",
            "pin_block_format",
            "otp_sent",
            "otpChannel",
            // How often a PIN or a password was tried, how many tries are left.
            "pin_attempts",
            "failedPinAttempts",
            "password_retries",
            "pin_tries_remaining",
            // A payment's authorized amount and currency, a token's amount, a password's
            // strength.
            "auth_amount",
            "authorizationCurrency",
            "token_amount",
            "password_strength",
            "passwordScore",
            // CyberSource's flag that a code was sent, and its length.
            "cvIndicator",
            "cvNumberLength",
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
            // What describes a payment key: its check value, a DUKPT key serial number, its
            // id, its block's format.
            "kcv",
            "ksn",
            "bdk_id",
            "zpk_name",
            "key_block_format",
            "",
            "-",
            "_",
        ] {
            assert_eq!(builtin_key_rule(plain), KeyRule::Scan, "{plain}");
        }
    }

    #[test]
    fn cursors_rate_limiters_and_what_follows_a_secret_s_description_are_no_secrets() {
        // Each was `[REDACTED]` in the AWS SDK's own debug log (CloudWatch Logs' pagination
        // and sequence tokens, the retry quota's token bucket, the auth scheme's options).
        for plain in [
            "NextToken",
            "next_token",
            "nextForwardToken",
            "next_backward_token",
            "uploadSequenceToken",
            "NextContinuationToken",
            "ContinuationToken",
            "pageToken",
            "next_page_token",
            "PaginationToken",
            "StartingToken",
            "syncToken",
            "resumeToken",
            "cancellation_token",
            "cancel_token",
            "IdempotencyToken",
            "version_token",
            "token_bucket",
            "auth_schemes",
            "auth_scheme_options",
            "auth_scheme_option_resolver",
            "auth_scheme_option_resolver_params",
            // RFC 9421's parameters of a signature, not the signature.
            "Signature-Input",
            "signature_input",
            "api_key_fingerprint",
            "tokenFingerprint",
            // OpenID Connect's and Cognito's claims, a model's token counts.
            "auth_time",
            "token_use",
            "token_usage",
            "auth_timestamp",
            "SecretVersionsToStages",
            "secret_versions_to_stages",
            "password_stage",
            "password_policy_min_length",
        ] {
            assert_eq!(builtin_key_rule(plain), KeyRule::Scan, "{plain}");
        }
        // A word that holds the value after the description, a cursor's word before
        // another secret's, a token of a kind that is a credential.
        for secret in [
            "token_file_contents",
            "secret_name_value",
            "next_password",
            "page_secret",
            "nexttoken",
            "refresh_token",
            "session_token",
            "csrf_token",
            "client_request_token",
            "next_token_secret",
            // A preposition before another word says where it is, not what describes it.
            "token_in_header",
            "password_at_rest",
            "auth_in_query",
        ] {
            assert_eq!(builtin_key_rule(secret), KeyRule::Secret, "{secret}");
        }
        assert_eq!(builtin_key_rule("cvv_format_value"), KeyRule::Remove);
    }

    #[test]
    fn what_aws_and_cors_say_of_credentials_is_no_secret() {
        // Each was `[REDACTED]` in a logged IAM, Cognito, KMS or CORS answer: a date, a
        // duration, ids, a key's kind, flows and scopes, an issuer, a flag.
        for plain in [
            "PasswordLastUsed",
            "AccessKeyLastUsed",
            "AccessKeyMetadata",
            "APIKeySummaries",
            "ClientSecretCreateDate",
            "AuthTokenLastModifiedDate",
            "AccessTokenValidity",
            "credential_duration_seconds",
            "MaxPasswordAge",
            "CredentialAgeDays",
            "CustomerMasterKeySpec",
            "EncryptionKeyIdentifier",
            "secret_arns",
            "CredentialUid",
            "AuthFlow",
            "ExplicitAuthFlows",
            "AllowedOAuthScopes",
            "token_scope",
            "TrustedTokenIssuers",
            "token_audiences",
            "passwordRequirements",
            "PasswordReusePrevention",
            "SecretEncoding",
            "defaultAuthStrategy",
            "idTokenGeneration",
            "accessTokenGeneration",
            "AppCookieStickinessPolicies",
            "auth_rate",
            "credentialProviders",
            "tokenUrls",
            "Access-Control-Allow-Credentials",
            "AllowCredentials",
        ] {
            assert_eq!(builtin_key_rule(plain), KeyRule::Scan, "{plain}");
        }
        // `used` alone, a credential allowed, a description's word before the secret's.
        for secret in [
            "api_key_used",
            "token_used",
            "allowed_credentials",
            "last_used_token",
            "scope_token",
            "metadata_secret",
        ] {
            assert_eq!(builtin_key_rule(secret), KeyRule::Secret, "{secret}");
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

//! The words of the key rules: names of sensitive authentication data and of secrets (single
//! tokens, pairs, endings of words written as one), the qualifiers of `…_key`, and the
//! last tokens that make a name describe a secret or report a check's outcome instead of
//! holding one.

/// Single tokens naming sensitive authentication data.
pub(super) const SAD_TOKENS: [&[u8]; 13] = [
    b"cvv",
    // The code's name some acquirers and carts use (Card Code Verification).
    b"ccv",
    // American Express's four-digit code (`4DBC`, split from its digit).
    b"dbc",
    b"cvc",
    b"cvn",
    b"csc",
    b"cav",
    b"cvd",
    b"pin",
    b"pinblock",
    // An encrypted PIN block, as PIN pads and payment HSMs name it (PCI DSS 3.3.1.3 keeps
    // it from storage as the PIN itself).
    b"epb",
    b"trackdata",
    // A magnetic stripe's data: the full track.
    b"magstripe",
];
/// Token pairs naming sensitive authentication data (`security_code`, `card_code`…).
pub(super) const SAD_PAIRS: [(&[u8], &[u8]); 37] = [
    (b"security", b"code"),
    // Magento's and osCommerce's card code field (`cc_cid`: American Express's name for it).
    (b"cc", b"cid"),
    (b"card", b"code"),
    (b"card", b"verification"),
    // Worldpay's (Vantiv's) `cardValidationNum`.
    (b"card", b"validation"),
    // The code's name in the UK (Opayo's, Barclaycard's `CV2`), split from its digit.
    (b"cv", b"2"),
    // CyberSource's (`card_cvNumber`, `<cvNumber>`).
    (b"cv", b"number"),
    (b"verification", b"value"),
    (b"track", b"1"),
    (b"track", b"2"),
    (b"track", b"data"),
    (b"trk", b"1"),
    (b"trk", b"2"),
    (b"pin", b"block"),
    (b"magnetic", b"stripe"),
    (b"mag", b"stripe"),
    // ISO 8583's data elements by number, as processors log a message's fields (`DE052`,
    // `de_35`, `field52`, `Field 52`, `F52`): the PIN block (52), track 2 (35) and track 1
    // (45) data.
    (b"de", b"52"),
    (b"de", b"052"),
    (b"de", b"35"),
    (b"de", b"035"),
    (b"de", b"45"),
    (b"de", b"045"),
    (b"field", b"52"),
    (b"field", b"052"),
    (b"field", b"35"),
    (b"field", b"035"),
    (b"field", b"45"),
    (b"field", b"045"),
    // As ISO 8583 libraries and switches' traces write a field's number (`F52`, `F035`).
    (b"f", b"52"),
    (b"f", b"052"),
    (b"f", b"35"),
    (b"f", b"035"),
    (b"f", b"45"),
    (b"f", b"045"),
    // A bitmap's bit for the element, as BASE24's and Postilion's traces name it (`Bit 52`).
    (b"bit", b"52"),
    (b"bit", b"35"),
    (b"bit", b"45"),
];
/// Single tokens naming a secret.
pub(super) const SECRET_TOKENS: [&[u8]; 44] = [
    b"password",
    b"passwords",
    b"passwd",
    b"pwd",
    // A form's and a query's short name for it (`user=bob&pw=…`, `newPw`).
    b"pw",
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
    // Their short name (`creds`, `aws_creds`: a destructured argument `#[instrument]` logs).
    b"creds",
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
    b"privkey",
    b"secretkey",
    // What KMS `Decrypt` and `GenerateDataKey` answer: the decrypted data, a data key.
    b"plaintext",
    // OAuth's proofs of a grant: PKCE's `code_verifier`, OAuth 1.0's `oauth_verifier`; an SRP
    // password verifier (as good as the password to whoever holds it).
    b"verifier",
    // A wallet's recovery words (BIP-39): whoever holds them holds its funds.
    b"mnemonic",
    // Payment cryptographic keys by their names in PCI PIN and key management (ANSI X9.24,
    // TR-31, payment HSMs): DUKPT's base derivation key and initial key, a key block
    // protection key, key-encrypting keys, zone and terminal master, PIN, MAC and data keys,
    // card and PIN verification keys.
    b"bdk",
    b"ipek",
    b"kbpk",
    b"kek",
    b"zmk",
    b"zpk",
    b"zak",
    b"zek",
    b"tmk",
    b"tpk",
    b"tak",
    b"cvk",
    b"pvk",
];
/// Token pairs naming a secret: one-time codes (`mfa_code`, `verification_code`), recovery
/// codes and phrases (`backupCodes`, `seed_phrase`), OAuth's `device_code`, and
/// Cognito's custom authentication challenges, which carry the expected answer in
/// `privateChallengeParameters` and the user's in `challengeAnswer` (a one-time code, or a
/// password) — events its Lambda triggers receive, and often log.
pub(super) const SECRET_PAIRS: [(&[u8], &[u8]); 19] = [
    (b"private", b"challenge"),
    (b"challenge", b"answer"),
    // One-time codes sent for a second factor.
    (b"mfa", b"code"),
    (b"sms", b"code"),
    (b"verification", b"code"),
    // A second factor's code by that name (`two_factor_code`, `secondFactorCode`).
    (b"factor", b"code"),
    // A password reset's emailed code (Cognito's `ForgotPassword` sends one).
    (b"reset", b"code"),
    // An account's recovery and backup codes (a second factor's spares, each good for a
    // sign-in), a recovery key.
    (b"recovery", b"code"),
    (b"recovery", b"codes"),
    (b"backup", b"code"),
    (b"backup", b"codes"),
    (b"recovery", b"key"),
    // OAuth's device authorization grant (RFC 8628): the `device_code` a device polls with.
    (b"device", b"code"),
    // A wallet's recovery words, by the names wallets give them.
    (b"seed", b"phrase"),
    (b"recovery", b"phrase"),
    (b"secret", b"phrase"),
    // A key's components (entered by custodians, XORed into the key) and a TR-31 key block.
    (b"key", b"component"),
    (b"key", b"components"),
    (b"key", b"block"),
];
/// `<word>_key` pairs naming a secret (`api_key`, `signing_key`…). A bare `key` is not one.
pub(super) const SECRET_KEY_QUALIFIERS: [&[u8]; 35] = [
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
    b"priv",
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
    // A webhook's signing key, a JWT's (`WEBHOOK_KEY`, `JWT_KEY`), a pre-shared or Azure
    // `SharedKey`, an SSH deploy key, a cipher's.
    b"webhook",
    b"jwt",
    b"shared",
    b"deploy",
    b"cipher",
    // Azure Functions' keys, as its HTTP triggers take them (`x-functions-key`).
    b"functions",
    // The API key an API Gateway authorizer hands its usage plans (`usageIdentifierKey`).
    b"identifier",
    // Payment keys (`dukpt_key`, `base_derivation_key`, a transport or wrapping key, a key
    // in clear).
    b"dukpt",
    b"derivation",
    b"transport",
    b"wrapping",
    b"clear",
];
/// Tokens that describe a secret instead of holding it (`token_type`, `secret_arn`), last in
/// a name or anywhere after its secret's word (`auth_scheme_options`) — but for
/// [`PREPOSITIONS`], which describe only last (`expires_in`, `created_at`; `token_in_header`
/// holds a token).
pub(super) const DESCRIBING_TOKENS: [&[u8]; 118] = [
    b"id",
    b"ids",
    // Which one, by another name (KMS's `EncryptionKeyIdentifier`, `secret_arns`,
    // `credential_uid`).
    b"identifier",
    b"identifiers",
    b"uid",
    b"arn",
    b"arns",
    b"name",
    b"names",
    b"type",
    b"kind",
    b"method",
    b"scheme",
    b"schemes",
    b"count",
    // A rate limiter's (`token_bucket: TokenBucket { … }`, as the AWS SDK's retry quota
    // prints).
    b"bucket",
    b"buckets",
    // How often it was tried, how many tries are left (`pin_attempts`, `password_retries`,
    // `pin_tries_remaining`): a count. (`password_attempt` may hold the attempt.)
    b"attempts",
    b"tries",
    b"retries",
    b"remaining",
    b"length",
    b"len",
    b"size",
    // A payment's authorization is no credential's (`auth_amount`, `authorization_currency`),
    // nor a token's amount; a password's strength is a score (`password_strength`).
    b"amount",
    b"amounts",
    b"currency",
    // A payment service's approval rate (`auth_rate`, `authorization_rate`).
    b"rate",
    b"rates",
    b"strength",
    b"score",
    // A fingerprint is made to be shown (`api_key_fingerprint`, an HMAC of the key, as
    // rate limiters key by it; `token_fingerprint`).
    b"fingerprint",
    b"fingerprints",
    // When and what for (OpenID Connect's `auth_time`, Cognito's `token_use`, a model's
    // `token_usage`).
    b"time",
    b"timestamp",
    b"use",
    b"usage",
    b"expiry",
    b"expires",
    b"expired",
    b"expiration",
    b"ttl",
    // When, and for how long (IAM's `ClientSecretCreateDate`, Cognito's
    // `AccessTokenValidity`, `credential_duration_seconds`, `MaxPasswordAge`).
    b"date",
    b"dates",
    b"validity",
    b"period",
    b"duration",
    b"seconds",
    b"minutes",
    b"hours",
    b"days",
    b"age",
    b"at",
    b"in",
    b"version",
    // Secrets Manager's versions and their stages (`SecretVersionsToStages`: ids mapped to
    // `AWSCURRENT`, `AWSPREVIOUS`).
    b"versions",
    b"stage",
    b"stages",
    // How it is made (`signature_algorithm`, `sig_alg`).
    b"alg",
    b"algorithm",
    b"policy",
    b"policies",
    b"requirements",
    // How often it may come back (IAM's `PasswordReusePrevention`: a count).
    b"reuse",
    // How it is obtained and what it grants (Cognito's `AuthFlow` and `ExplicitAuthFlows`,
    // OAuth's `AllowedOAuthScopes`, `token_scope`), who issues it and for whom (a JWT's
    // `iss` and `aud`: `TrustedTokenIssuer`, `token_audiences`).
    b"flow",
    b"flows",
    // How it is issued or chosen (AppSync's `defaultAuthStrategy`, Cognito's pre token
    // generation answer: `idTokenGeneration`, `accessTokenGeneration` — claims to add or
    // suppress, no token).
    b"strategy",
    b"generation",
    b"scope",
    b"scopes",
    b"issuer",
    b"issuers",
    b"audience",
    b"audiences",
    // What is known of it and what kind it is (IAM's `AccessKeyMetadata`: ids, dates and
    // states of a user's keys; `APIKeySummaries`; KMS's `CustomerMasterKeySpec`).
    b"metadata",
    b"summary",
    b"summaries",
    b"spec",
    b"specs",
    // What a terminal can take and how it is written (`pin_entry_capability`,
    // `pin_entry_mode`, `pin_block_format`).
    b"capability",
    b"capabilities",
    b"mode",
    b"format",
    b"encoding",
    // Whether and how a one-time code was sent (`otp_sent`, `otp_channel`).
    b"sent",
    b"channel",
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
    b"modified",
    b"rotated",
    b"created",
    b"status",
    b"provider",
    b"providers",
    b"url",
    b"urls",
    b"uri",
    b"uris",
    b"endpoint",
    b"endpoints",
    // Where it is kept (`password_file`, `--password-file`, `AWS_SHARED_CREDENTIALS_FILE`).
    b"file",
    b"path",
    // Where it comes from and how it is checked (`secret_source`, MongoDB's `authSource` and
    // `authMechanism`, a database's name and a SASL mechanism's).
    b"source",
    b"sources",
    b"mechanism",
    b"location",
    // Where to find it (Kubernetes' `secretKeyRef`, `passwordRef: ssm:/prod/db/password`).
    b"ref",
    b"refs",
    b"reference",
];
/// Two words that together describe a secret: HTTP Message Signatures' `Signature-Input`
/// (RFC 9421: the components a signature covers, its key's id, its algorithm, its creation
/// time — no signature); when it was last used (IAM's `PasswordLastUsed`, a date, and
/// `AccessKeyLastUsed`: a date, a service's name, a region — `used` alone may name the
/// secret a call used, `api_key_used`).
pub(super) const DESCRIBING_PAIRS: [(&[u8], &[u8]); 2] =
    [(b"signature", b"input"), (b"last", b"used")];

/// Describing words that describe only as a name's last token: before another word they
/// say where the secret is (`token_in_header`, `password_at_rest`).
pub(super) const PREPOSITIONS: [&[u8]; 2] = [b"in", b"at"];

/// Tokens after a describing word that say the name holds the value after all
/// (`token_file_contents`, `secret_name_value`): the description no longer applies.
pub(super) const HOLDING_TOKENS: [&[u8]; 8] = [
    b"value",
    b"values",
    b"content",
    b"contents",
    b"data",
    b"bytes",
    b"raw",
    b"text",
];
/// Words before `token` that make it a cursor or a handle, not a credential: pagination's
/// (AWS's `NextToken`, S3's `ContinuationToken`, CloudWatch Logs' `nextForwardToken` and
/// `uploadSequenceToken`, Cognito's `PaginationToken`, the AWS CLI's `StartingToken`,
/// Google's `pageToken` and `syncToken`, MongoDB's `resumeToken`), a cancellation's
/// (tokio's `CancellationToken`), an idempotency's (`IdempotencyToken`), an optimistic
/// lock's (Square's `version_token`).
pub(super) const CURSOR_QUALIFIERS: [&[u8]; 15] = [
    b"next",
    b"page",
    b"pagination",
    b"continuation",
    b"sequence",
    b"forward",
    b"backward",
    b"starting",
    b"sync",
    b"resume",
    b"cancellation",
    b"cancel",
    b"idempotency",
    b"continue",
    b"version",
];
/// Two words that together name no secret though the second alone does: CORS's
/// `Access-Control-Allow-Credentials` and `AllowCredentials` (whether a browser may send
/// its cookies: `true`).
pub(super) const NOT_SECRET_PAIRS: [(&[u8], &[u8]); 1] = [(b"allow", b"credentials")];
/// Tokens after a sensitive-data name that make the value the outcome of a check on the
/// data, not the data: what gateways answer about a card's code (Stripe's `cvc_check`,
/// Braintree's `cvvResponseCode`, Authorize.Net's `cvvResultCode`, Adyen's `cvcResult`) or
/// a PIN (`pin_verified`) — `M`, `pass`, `1 Matches`, `true`. A secret's name keeps its
/// rule whatever follows (`token_response` may hold the token).
pub(super) const OUTCOME_TOKENS: [&[u8]; 12] = [
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
pub(super) const SECRET_ENDINGS: [&[u8]; 7] = [
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
pub(super) const SAD_ENDINGS: [&[u8]; 4] = [b"cvv", b"cvc", b"securitycode", b"pinblock"];
/// Whole keys (normalized) naming sensitive authentication data that are too short or too
/// common to match as a token: Amex's `cid` only when it is the whole key.
pub(super) const SAD_WHOLE_KEYS: [&[u8]; 1] = [b"cid"];

//! The redaction quality set: labelled cases, sensitive and benign, through every way a
//! string reaches a line — free text (`Redactor::redact`, as `lift-ship --redact` and EMF
//! and X-Ray use it), a JSON line's message and field, a console line, a raw JSON line.
//! Recall on the sensitive cases must be 100% and false positives on the benign ones 0;
//! the table is printed (`cargo test -p lift-observability --test it quality -- --nocapture`)
//! and copied into the README.

use lift_observability::{Clock, Format, Logger, MemorySink, Redactor, Value};

/// A Luhn-valid number of `len` digits starting with `prefix`, the rest from `seed`.
fn card(prefix: &str, len: usize, seed: u64) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut digits: Vec<u32> = prefix.bytes().map(|b| u32::from(b - b'0')).collect();
    while digits.len() < len - 1 {
        digits.push(rng.u32(0..10));
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    digits.push((10 - sum % 10) % 10);
    digits
        .iter()
        .map(|d| char::from_digit(*d, 10).unwrap())
        .collect()
}

/// Card brands: (name, issuer prefix, lengths issued).
const BRANDS: [(&str, &str, &[usize]); 14] = [
    ("Visa", "4", &[13, 16, 19]),
    ("Mastercard", "51", &[16]),
    ("Mastercard", "55", &[16]),
    ("Mastercard 2-series", "2221", &[16]),
    ("Mastercard 2-series", "2720", &[16]),
    ("American Express", "34", &[15]),
    ("American Express", "37", &[15]),
    ("Discover", "6011", &[16, 19]),
    ("JCB", "3530", &[16, 19]),
    ("Diners Club", "36", &[14]),
    ("UnionPay", "62", &[16, 19]),
    ("Maestro", "6759", &[13, 19]),
    ("Mir", "2200", &[16]),
    ("Discover 65", "65", &[16]),
];

/// `pan` in groups of four joined by `sep`.
fn grouped(pan: &str, sep: &str) -> String {
    pan.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(sep)
}

/// One labelled case.
struct Case {
    category: &'static str,
    text: String,
    /// What must not survive; `None`: benign, the text must come out unchanged.
    secret: Option<String>,
}

fn sensitive(category: &'static str, text: impl Into<String>, secret: impl Into<String>) -> Case {
    Case {
        category,
        text: text.into(),
        secret: Some(secret.into()),
    }
}

fn benign(category: &'static str, text: impl Into<String>) -> Case {
    Case {
        category,
        text: text.into(),
        secret: None,
    }
}

fn card_cases(cases: &mut Vec<Case>) {
    let mut seed = 1;
    for (_, prefix, lengths) in BRANDS {
        for &len in lengths {
            seed += 1;
            let pan = card(prefix, len, seed);
            let other = card("5555", 16, seed + 1000);
            let shown_as = [
                pan.clone(),
                grouped(&pan, " "),
                grouped(&pan, "-"),
                // A form-encoded body writes a space as `+`, a URL as `%20`.
                grouped(&pan, "+"),
                grouped(&pan, "%20"),
                // Typed loosely.
                grouped(&pan, "  "),
                grouped(&pan, " - "),
                // Spaces that do not break, as a web page or a PDF it was copied from writes
                // them (HTML's `&nbsp;`), and the narrow one of French digit grouping.
                grouped(&pan, "\u{a0}"),
                grouped(&pan, "\u{202f}"),
                // The same escaped as JSON keeps to ASCII (Python's `json.dumps`).
                grouped(&pan, "\\u00a0"),
            ];
            for shown in shown_as {
                for text in [
                    format!("card {shown} declined"),
                    format!("2026-11-27 05:19:35 {shown} declined"),
                    format!("qty 2 {shown}"),
                    format!("amount 25 {shown}"),
                    format!("cards: {other} {shown}"),
                    format!("pan={shown}&x=1"),
                    format!("charge body {{\"number\":\"{shown}\",\"brand\":\"x\"}}"),
                    format!("https://pay.example.com/charge?card={shown}&a=1"),
                    format!("[{shown}]"),
                    format!("card:\n{shown}."),
                    format!("cards on file:\n* {shown}"),
                    format!("body=card%3D{shown}%26exp%3D1229"),
                    format!("return%3D%252Fpay%253Fcard%253D{shown}%2526exp%253D1229"),
                    format!("q=pay%20{shown}%20now"),
                    format!("**{shown}**"),
                ] {
                    cases.push(sensitive("card number in text", text, pan.clone()));
                }
            }
        }
    }
}

fn name_value_cases(cases: &mut Vec<Case>) {
    const SAD: [&str; 22] = [
        "cvv",
        "CVV2",
        "cvc",
        "card_cvv",
        "cvvCode",
        "cvv_number",
        "security_code",
        "securityCode",
        "pin",
        "pin_code",
        "card_pin",
        "card_verification",
        "cardCode",
        "cid",
        "card_4dbc",
        // The UK's name (Opayo's, Barclaycard's), Worldpay's (Vantiv's), CyberSource's.
        "CV2",
        "card_cv2",
        "cardValidationNum",
        "card_cvNumber",
        // A magnetic stripe's data, an encrypted PIN block, a track by its short name.
        "magstripe",
        "epb",
        "trk2",
    ];
    const SECRET: [&str; 66] = [
        "password",
        "pwd",
        "pass",
        // A form's short name, a private key's, a second factor's code.
        "pw",
        "privkey",
        "two_factor_code",
        "passphrase",
        "secret_key",
        "secretKey",
        "aws_secret_key",
        "aws_secret_access_key",
        "api_key",
        "X-Api-Key",
        "apiKey",
        "credentials",
        "auth",
        "signing_key",
        "client_secret",
        "token",
        "access_token",
        "Authorization",
        "db_password",
        "x-amz-security-token",
        // Words written as one, whatever their case, inside longer names.
        "PGPASSWORD",
        "x-amzn-oidc-accesstoken",
        // API Gateway's HTTP API events (payload 2.0) list a request's cookies.
        "cookies",
        // A Cognito custom authentication challenge's answer (its Lambda triggers' events).
        "challengeAnswer",
        // One-time passwords and codes.
        "otp",
        "mfa_code",
        "verification_code",
        // An Azure shared access signature's (`?sv=…&sig=…`: Blob storage, Logic Apps and
        // the Teams workflows that replace its webhooks).
        "sig",
        // Azure connection strings' keys, session cookies.
        "AccountKey",
        "SharedAccessKey",
        "sessionid",
        "JSESSIONID",
        // KMS's decrypted answer, envelope encryption's data key, Stripe's ephemeral keys.
        "Plaintext",
        "data_key",
        "ephemeral_key",
        // Payment gateways' credentials (Authorize.Net, NMI), an application's key
        // (Datadog), a webhook's signature as Shopify sends it.
        "transactionKey",
        "security_key",
        "merchant_key",
        "DD_APP_KEY",
        "X-Shopify-Hmac-Sha256",
        // An account's spare sign-in codes; OAuth's proofs of a grant (PKCE's verifier, the
        // device flow's polling code, OAuth 1.0's verifier); a wallet's recovery words.
        "recovery_codes",
        "backupCodes",
        "code_verifier",
        "device_code",
        "oauth_verifier",
        "mnemonic",
        "seed_phrase",
        // A webhook's and a JWT's signing keys.
        "WEBHOOK_KEY",
        "jwt_key",
        // Azure API Management's subscription key, an agent's license key, a search
        // service's admin key.
        "Ocp-Apim-Subscription-Key",
        "NEW_RELIC_LICENSE_KEY",
        "ALGOLIA_ADMIN_KEY",
        // Azure Functions' key, in an HTTP trigger's header.
        "x-functions-key",
        // Payment cryptographic keys (ANSI X9.24, TR-31, payment HSMs): DUKPT's, zone and
        // terminal keys, key-encrypting keys, a key's components, a key block.
        "bdk",
        "IPEK",
        "dukptKey",
        "zpk",
        "ZMK",
        "tmk_under_lmk",
        "kek",
        "cvk_pair",
        "key_component_1",
        "tr31KeyBlock",
    ];
    for (category, names, value) in [
        ("sensitive-data name=value", &SAD[..], "7391"),
        ("secret name=value", &SECRET[..], "hunter2x9Q"),
    ] {
        for name in names {
            for text in [
                format!("{{\"{name}\":\"{value}\",\"brand\":\"visa\"}}"),
                format!("charge body {{\"{name}\": \"{value}\"}} sent"),
                format!("{{'{name}': '{value}'}}"),
                format!("{name}={value}&next=1"),
                format!("{name}: {value}"),
                format!("{{\"{name}\":{value}1}}"),
                format!("<auth><{name}>{value}</{name}></auth>"),
                // An element named by its attribute: a gateway's `<field name="…">`, Spring's
                // `<property name="…">`, Java's properties as XML.
                format!("<fields><field name=\"{name}\">{value}</field></fields>"),
                format!("<entry key='{name}'>{value}</entry>"),
                // Form fields, as Stripe-style APIs and Rails/PHP forms nest them, and
                // URL-encoded bodies and query strings.
                format!("card[{name}]={value}&card[exp_month]=12"),
                format!("payment_method%5Bcard%5D%5B{name}%5D={value}&a=1"),
                format!("body={name}%3D{value}%26next%3D1"),
                format!("q=%7B%22{name}%22%3A%22{value}%22%7D"),
                format!("return%3Dhttps%3A%2F%2Fx%2Fpay%3F{name}%3D{value}%26a%3D1"),
                // Encoded twice: a URL inside another URL's query.
                format!("return%3Dhttps%253A%252F%252Fx%253F{name}%253D{value}%2526a%253D1"),
                format!("r%3D%252Fp%253Fuser%255B{name}%255D%253D{value}%2526a%253D1"),
                // Rust's `Debug` of a struct with wrapped fields; Ruby and PHP hashes.
                format!("Req {{ {name}: Some(\"{value}\"), brand: None }}"),
                // A pair of its own in a message, its name quoted.
                format!("invalid \"{name}\": \"{value}\" (retry)"),
                // A byte string, as `bytes::Bytes`'s `Debug` and Python's `repr` write it.
                format!("{{'{name}': b'{value}', 'brand': b'visa'}} {name}: b\"{value}\""),
                // A wrapper named by its path, as code writes it.
                format!("{{\"{name}\": AttributeValue::S(\"{value}\"), \"brand\": S(\"visa\")}}"),
                format!("{{:{name} => \"{value}\"}} [{name}] => {value}"),
                format!("{name} := \"{value}\""),
                // A line cut short inside the value's quotes, plain and URL-encoded.
                format!("body {{\"{name}\": \"{value}"),
                format!("q=%7B%22{name}%22%3A%22{value}"),
                // An object or a list under the name: DynamoDB's item JSON, a list of
                // values, a Python dict, Rust's `Debug` of a `Vec`.
                format!(
                    "{{\"NewImage\":{{\"{name}\":{{\"S\":\"{value}\"}},\"id\":{{\"N\":\"1\"}}}}}}"
                ),
                format!("{{\"{name}\":[\"{value}\",\"x\"],\"brand\":\"visa\"}}"),
                format!("{{'{name}': {{'S': '{value}'}}, 'id': 1}}"),
                format!("Req {{ {name}: [\"{value}\"], brand: None }}"),
                // `serde_json::Value`'s `Debug`: a list, an object, a string.
                format!("Object {{\"{name}\": Array [String(\"{value}\")], \"n\": Null}}"),
                format!("Object {{\"{name}\": Object {{\"S\": String(\"{value}\")}}}}"),
                format!("Object {{\"{name}\": String(\"{value}\")}}"),
                // Pretty-printed: JSON (`to_string_pretty`, `JSON.stringify(v, null, 2)`) and
                // Rust's `{:#?}`, values on the lines after their names.
                format!("{{\n  \"{name}\": \"{value}\",\n  \"brand\": \"visa\"\n}}"),
                format!("{{\n  \"{name}\": {{\n    \"S\": \"{value}\"\n  }}\n}}"),
                format!(
                    "Req {{\n    {name}: Some(\n        \"{value}\",\n    ),\n    brand: None,\n}}"
                ),
                format!("Req {{\n    {name}: Secret {{\n        inner: \"{value}\",\n    }},\n}}"),
                // PostgreSQL's detail of a key that already exists.
                format!("duplicate key\nDETAIL: Key ({name})=({value}) already exists."),
                format!("Key (email, {name})=(a@b.c, {value}) already exists."),
            ] {
                cases.push(sensitive(category, text, value));
            }
        }
    }
    cases.push(sensitive(
        "sensitive-data name=value",
        "cvv=123&cvc=456&pin=1234",
        "123",
    ));
    cases.push(sensitive(
        "sensitive-data name=value",
        "cvv=123&cvc=456&pin=1234",
        "456",
    ));
    cases.push(sensitive(
        "sensitive-data name=value",
        "cvv=123&cvc=456&pin=1234",
        "1234",
    ));
    cases.push(sensitive(
        "secret name=value",
        "password: hunter2",
        "hunter2",
    ));
    // A card number in groups after a sensitive name: none of its digits after the first
    // group may be left (before, the value ended at the first space).
    let pan = card("4", 16, 77);
    let tail = pan[4..].to_owned();
    for text in [
        format!("pin: {}", grouped(&pan, " ")),
        format!("cvv {}", grouped(&pan, " ")),
        format!("password={} ok", grouped(&pan, "-")),
    ] {
        cases.push(sensitive("sensitive-data name=value", text, tail.clone()));
    }
    cases.push(sensitive(
        "secret name=value",
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ));
    cases.push(sensitive(
        "secret name=value",
        "Cookie: session=abc123; theme=dark",
        "abc123",
    ));
    // Cognito's custom attributes in a trigger's event: a quoted name holding a `:`.
    for (name, value) in [("custom:pin", "7391"), ("custom:api_key", "hunter2x9Q")] {
        let category = if value == "7391" {
            "sensitive-data name=value"
        } else {
            "secret name=value"
        };
        for text in [
            format!("{{\"userAttributes\":{{\"{name}\":\"{value}\",\"email\":\"a@b.c\"}}}}"),
            format!("{{'{name}': '{value}'}}"),
        ] {
            cases.push(sensitive(category, text, value));
        }
    }
    // Labels of words whose last word alone says nothing (`Key`, `Code`, `Value`).
    for (category, labels, value) in [
        (
            "sensitive-data name=value",
            &[
                "Security Code",
                "Card Verification Value",
                "card verification",
                "PIN Block",
            ][..],
            "7391",
        ),
        (
            "secret name=value",
            &[
                "API Key",
                "Secret Key",
                "Signing key",
                "AWS Secret Access Key",
                "api key",
                "Verification Code",
                "MFA code",
            ][..],
            "hunter2x9Q",
        ),
    ] {
        for label in labels {
            for text in [
                format!("{label}: {value}"),
                format!("{label} = {value}, next"),
                format!("Your {label}: {value}."),
            ] {
                cases.push(sensitive(category, text, value));
            }
        }
    }
}

/// A name and its value as two members of one object: ECS task definitions, HAR headers,
/// CloudFormation parameters, Elastic Beanstalk options, Kubernetes YAML, Rust's `Debug`,
/// SSM parameters (a `SecureString` is secret whatever its name); or as a tuple of two.
fn pair_cases(cases: &mut Vec<Case>) {
    let value = "Tr0ub4dor3x";
    for name in [
        "DB_PASSWORD",
        "X-Api-Key",
        "STRIPE_SECRET_KEY",
        "/prod/db/password",
        "card_cvv",
        "authToken",
    ] {
        for text in [
            format!(r#"{{"name":"{name}","value":"{value}"}}"#),
            format!(r#"task env [{{"name": "{name}", "value": "{value}"}}, {{"name": "A"}}]"#),
            format!(r#"{{"ParameterKey":"{name}","ParameterValue":"{value}"}}"#),
            format!(
                r#"{{"Namespace":"aws:elasticbeanstalk:application:environment","OptionName":"{name}","Value":"{value}"}}"#
            ),
            format!("env:\n- name: {name}\n  value: {value}\n- name: B"),
            format!(r#"Parameter {{ name: Some("{name}"), value: Some("{value}") }}"#),
            format!(r#"{{'name': '{name}', 'type': 'String', 'value': '{value}'}}"#),
            // Rust's `Debug` of `Vec<(String, String)>`: headers, `std::env::vars()`.
            format!(r#"env [("{name}", "{value}"), ("AWS_REGION", "eu-west-1")]"#),
            format!(r#"headers: [("{name}", Some("{value}"))]"#),
            // A map's entry as JAXB and XStream write it.
            format!("<entry><key>{name}</key><value>{value}</value></entry>"),
            format!("<entry>\n  <name>{name}</name>\n  <value>{value}</value>\n</entry>"),
            // A validation error's field and the value it rejected (Spring's `FieldError`).
            format!(r#"{{"field":"{name}","rejectedValue":"{value}","code":"Size"}}"#),
            // A JSON Patch operation (RFC 6902), its pointer's last segment the name.
            format!(r#"[{{"op":"replace","path":"/settings/{name}","value":"{value}"}}]"#),
            format!(r#"{{"path":"/{name}","op":"add","value":"{value}"}}"#),
        ] {
            cases.push(sensitive("name and value as a pair", text, value));
        }
        if !name.contains('/') {
            cases.push(sensitive(
                "name and value as a pair",
                format!("Field error in object 'req' on field '{name}': rejected value [{value}]; codes [Size]"),
                value,
            ));
        }
    }
    for name in ["/prod/stripe/key", "/prod/db/conn"] {
        cases.push(sensitive(
            "name and value as a pair",
            format!(
                r#"{{"Parameter":{{"Name":"{name}","Type":"SecureString","Value":"{value}","Version":3}}}}"#
            ),
            value,
        ));
    }
}

/// A security code written after a card number and its expiry date, no names: a customer's
/// note, a checkout's fields joined.
fn code_after_card_cases(cases: &mut Vec<Case>) {
    for (seed, (_, prefix, lengths)) in BRANDS.iter().enumerate() {
        let pan = card(prefix, lengths[0], 500 + seed as u64);
        // A code whose digits the card and the expiry around it cannot spell.
        let around = format!("{pan}1228{pan}122028{pan}0929{pan}2812");
        let code = ["7391", "5824", "6093", "8157"]
            .into_iter()
            .find(|c| !around.contains(c))
            .unwrap();
        for text in [
            format!("pls charge {pan} 12/28 {code} thx"),
            format!("{pan}|12|2028|{code}"),
            format!("card {}, 0929, {code}.", grouped(&pan, " ")),
            format!("{pan} {code} 09/29"),
            // An export's columns.
            format!("{pan}\t12/28\t{code}"),
            // The year first (ISO 8583, track data); the expiry's label; parentheses.
            format!("{pan};2812;{code}"),
            format!("{pan} exp 12/28 {code}"),
            format!("{pan} (12/28) {code}"),
        ] {
            cases.push(sensitive("security code after a card", text, code));
        }
    }
}

fn anchored_cases(cases: &mut Vec<Case>) {
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXZhbHVl";
    let unsigned = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0In0.";
    for (category, text, secret) in [
        (
            "credentials",
            "Authorization: Bearer eyJabc.def.ghi",
            "eyJabc.def.ghi",
        ),
        (
            "credentials",
            "sending Bearer abc123DEF456ghi",
            "abc123DEF456ghi",
        ),
        ("credentials", "header Bearer\tabc123DEF456", "abc123DEF456"),
        ("credentials", "Bearer xyz9", "xyz9"),
        ("credentials", "Bearer short", "short"),
        (
            "credentials",
            "auth Basic dXNlcjpwYXNzd29yZA==",
            "dXNlcjpwYXNzd29yZA==",
        ),
        ("credentials", "basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ("credentials", "Token 9f8e7d6c5b4a", "9f8e7d6c5b4a"),
        ("credentials", "Authorization: Token abcDEF", "abcDEF"),
        (
            "credentials",
            "proxy-authorization: Digest username=x, response=6629fae4",
            "6629fae4",
        ),
        (
            "credentials",
            "Authorization: SSWS 00QCjAl4MlV-WPXM-0123456789abcdef",
            "00QCjAl4MlV-WPXM-0123456789abcdef",
        ),
        (
            "credentials",
            "Authorization: Bot MTk4NjIy.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs",
            "ZnCjm1XVW7vRze4b7Cq4se7kKWs",
        ),
        (
            "credentials",
            "authorization=ApiKey ak_9f8e7d6c",
            "ak_9f8e7d6c",
        ),
        (
            "credentials",
            "HTTP_AUTHORIZATION=GenieKey eb243592-faa2-4ba2",
            "eb243592-faa2-4ba2",
        ),
        (
            "credentials",
            r#"Authorization: Token token="9f8e7d6c5b4a", nonce="x""#,
            "9f8e7d6c5b4a",
        ),
        (
            "credentials",
            r#"sent Token token="9f8e7d6c5b4a""#,
            "9f8e7d6c5b4a",
        ),
        (
            "AWS key id",
            "key AKIAIOSFODNN7EXAMPLE used",
            "AKIAIOSFODNN7EXAMPLE",
        ),
        (
            "AWS key id",
            "session ASIAY34FZKBOKMUTVV7A,",
            "ASIAY34FZKBOKMUTVV7A",
        ),
        // The secret access key right after its key id, as a tool or a config dump pairs
        // them.
        (
            "AWS secret access key after its key id",
            "Using AWS credentials AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ),
        (
            "AWS secret access key after its key id",
            "profile default: ASIAY34FZKBOKMUTVV7A:Hx9+Lm2Qp7Rs4Tu6Vw8Xy0Za1Bc3De5Fg7Hi9Jk2",
            "Hx9+Lm2Qp7Rs4Tu6Vw8Xy0Za1Bc3De5Fg7Hi9Jk2",
        ),
        (
            "AWS secret access key after its key id",
            "AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY,us-east-1",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ),
        (
            "AWS secret access key after its key id",
            "| AKIAIOSFODNN7EXAMPLE | wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY |",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ),
        ("JWT", &format!("jwt {jwt}!"), jwt),
        ("JWT", &format!("id_token={jwt}"), jwt),
        (
            "JWT",
            &format!("unsigned {unsigned} end"),
            "eyJzdWIiOiIxMjM0In0",
        ),
        (
            "SigV4",
            "GET /x?X-Amz-Date=20261127&X-Amz-Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024",
            "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024",
        ),
        (
            "SigV4",
            "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        ),
        (
            "URL user-info",
            "connect https://admin:hunter2@db.internal/x",
            "hunter2",
        ),
        (
            "URL user-info",
            "postgres://app:pw@10.0.0.1:5432/payments",
            ":pw@",
        ),
        ("URL user-info", "redis://:s3cret@cache:6379", "s3cret"),
        // GitHub Actions' form: the user a secret's name, the password the token.
        (
            "URL user-info",
            "git clone https://x-access-token:ghs_16C7e42F292c6912E7710c838347Ae178B4a@github.com/org/repo.git",
            "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
        ),
        // A token as the user, no password (`git clone https://<token>@…`).
        (
            "URL user-info",
            "remote: https://ghp_R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01@github.com/org/repo.git",
            "R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01",
        ),
        (
            "URL user-info",
            "https://glpat-xY9zAbCdEfGh12345678@gitlab.example.com/group/app.git",
            "xY9zAbCdEfGh12345678",
        ),
        (
            "URL user-info",
            "origin https://k3mx7v2qpa5wz4ty6n3bhc2rj7de5fgh4sl6ui2vo3xa7bycnd5e@dev.azure.com/org/_git/app (fetch)",
            "k3mx7v2qpa5wz4ty6n3bhc2rj7de5fgh4sl6ui2vo3xa7bycnd5e",
        ),
        // A token as the user with a password after it, as GitHub documents it.
        (
            "URL user-info",
            "git clone https://ghp_R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01:x-oauth-basic@github.com/org/repo.git",
            "R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01",
        ),
        // Slashes escaped, as PHP's `json_encode` writes them.
        (
            "URL user-info",
            r#"{"dsn":"mysql:\/\/app:hunter2x9Q@db.internal:3306\/shop"}"#,
            "hunter2x9Q",
        ),
        (
            "track data",
            "swipe %B4111111111111111^DOE/JOHN^2512101000000000? ok",
            "2512101000000000",
        ),
        (
            "track data",
            "t2 ;4111111111111111=25121010000000000? end",
            "25121010000000000",
        ),
        (
            "track data",
            "raw 4111111111111111=2512101123456789",
            "2512101123456789",
        ),
        (
            "track data",
            "tag57 4111111111111111D25121010000000000F",
            "25121010000000000",
        ),
        (
            "track data",
            "B4111111111111111^DOE/JOHN^2512101000000000",
            "DOE/JOHN",
        ),
    ] {
        cases.push(sensitive(category, text, secret));
    }
    // A newtype named for a secret or sensitive data, with a derived `Debug`, logged outside
    // a field named for it.
    for (wrapper, secret) in [
        ("Password", "hunter2x9Q"),
        ("ApiKey", "k3yV4lu3x9"),
        ("ClientSecret", "cs_9f8e7d6c5b"),
        ("SessionToken", "tok_a1b2c3d4e5"),
        ("PinBlock", "0412AC89FFEE"),
    ] {
        for text in [
            format!("connecting with {wrapper}(\"{secret}\")"),
            format!("Config {{ auth: Some({wrapper}(Some(\"{secret}\"))) }}"),
            format!("[{wrapper}(\"{secret}\"), {wrapper}(\"{secret}\")]"),
            format!(r#"{{"msg":"connecting with {wrapper}(\"{secret}\")"}}"#),
            // The newtype's field named (`struct Secret { inner: String }`), `{:?}`, `{:#?}`.
            format!("connecting with {wrapper} {{ inner: \"{secret}\" }}"),
            format!("Config {{ db: Some({wrapper} {{ value: Some(\"{secret}\") }}) }}"),
            format!("{wrapper} {{\n    key: \"{secret}\",\n}}"),
        ] {
            cases.push(sensitive("value in a wrapper", text, secret));
        }
    }
    // Stripe secret and restricted keys with no name before them: a config dump, a curl
    // line, a URL's user, a message.
    let stripe = "51H8xYzAbCdEfGhIjKlMnOpQrStUvWx";
    for prefix in ["sk_live_", "sk_test_", "rk_live_", "rk_test_"] {
        for text in [
            format!("Config {{ stripe: \"{prefix}{stripe}\" }}"),
            format!("curl -u {prefix}{stripe}: https://api.stripe.com/v1/charges"),
            format!("https://{prefix}{stripe}:@api.stripe.com/v1/refunds"),
            format!("using key {prefix}{stripe}, retrying"),
        ] {
            cases.push(sensitive("Stripe key", text, stripe));
        }
    }
    // Other payment providers' secret keys with no name before them: Checkout.com's secret
    // keys, Braintree's access tokens (whose parts a `$` joins).
    let braintree = "x8ynt7wbmnrpqpnh$8b0c5e7a6a5d8c1f2e3d4c5b6a798877";
    let adyen_body = "nhmfuXNWTK0Qc+iSRp1YdlMWYS4RYA4cRkZRioSE334JkKdoSBnDDEMFdWw2+5HzctViMSCJMYAc=-6QO8fIrGtndQrpjryx98FYKxAnLfcijkLM37bEPnwwI=";
    let adyen = format!("AQE{adyen_body}");
    let adyen_long_tail = "mALhxaVPNjYf74bqPotG12HroatrKA066yE=-W+t7NF;s4}%=kUSD";
    let adyen_long = format!(
        "AQEyhmfxK4nJbhZGw0m/n3Q5qf3VaY9UCJ14XWZE03G/k2NFitRvbe4N1XqH1eHaH2AksaEQwV1bDb7kfNy1WIxIIkxgBw==-y3qzsw{adyen_long_tail}"
    );
    let square_body = "EOuLQPDnWpyHbmO7abc1dEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg";
    let square = format!("EAAA{square_body}");
    let paypal_body = "Hc8Vq2Xn7RkP0dLmT4sYwJ9bF3eG6hK1uZ-aQ5oN8iC2xV7rE4tW0yU3pS6dM9gB1fH_jL5kO8nA2zX4cI7vR0qT3wY6e";
    let paypal = format!("A21AA{paypal_body}");
    let paddle_body = "01jd4kq8zvx2m7h3n9p5r6s0tw_Xk9vP2mR8sT4wL6yN1cF3hJ5bD7";
    for (text, secret) in [
        (
            "using key sk_sbox_m73dzbpy7cf3gfd46xr4yj5xo4e for checkout".to_owned(),
            "m73dzbpy7cf3gfd46xr4yj5xo4e",
        ),
        (
            "Config { cko: \"sk_sbox_m73dzbpy7cf3gfd46xr4yj5xo4e\" }".to_owned(),
            "m73dzbpy7cf3gfd46xr4yj5xo4e",
        ),
        // Production keys, today's (a symbol for a check character) and the previous
        // API's (a UUID).
        (
            "checkout.com client built with sk_q2xw4uvnm5rj7kdf3ahyt6gbcp#".to_owned(),
            "q2xw4uvnm5rj7kdf3ahyt6gbcp",
        ),
        (
            r#"{"provider":"checkout","cko":"sk_q2xw4uvnm5rj7kdf3ahyt6gbcpe"}"#.to_owned(),
            "q2xw4uvnm5rj7kdf3ahyt6gbcpe",
        ),
        (
            "Config { cko: \"sk_fde517a8-3f01-41ef-b4bd-4282384b0a64\" }".to_owned(),
            "fde517a8-3f01-41ef-b4bd-4282384b0a64",
        ),
        (
            "401 from api.sandbox.checkout.com with sk_test_fde517a8-3f01-41ef-b4bd-4282384b0a64"
                .to_owned(),
            "fde517a8-3f01-41ef-b4bd-4282384b0a64",
        ),
        (
            format!("gateway set up with access_token$production${braintree}"),
            braintree,
        ),
        (format!("token access_token$sandbox${braintree}"), braintree),
        // Adyen's API keys and Square's access tokens, in an error and a config dump.
        (
            format!("adyen rejected API key {adyen}: 401 Unauthorized"),
            adyen_body,
        ),
        (format!("Config {{ adyen: \"{adyen}\" }}"), adyen_body),
        (format!("[\"{adyen_long}\"]"), adyen_long_tail),
        (
            format!("square call with {square} failed (401)"),
            square_body,
        ),
        (
            format!("Config {{ square: Some(\"{square}\") }}"),
            square_body,
        ),
        (
            format!("Authorization: Bearer access_token$production${braintree}"),
            braintree,
        ),
        // PayPal's OAuth access tokens and Paddle's API keys, in an error and a config dump.
        (
            format!("paypal capture failed with {paypal}: 401"),
            paypal_body,
        ),
        (
            format!("Config {{ paypal: Some(\"{paypal}\") }}"),
            paypal_body,
        ),
        (format!("[\"{paypal}\"]"), paypal_body),
        (
            format!("paddle said 403 for pdl_live_apikey_{paddle_body}"),
            paddle_body,
        ),
        (
            format!("Config {{ paddle: \"pdl_sdbx_apikey_{paddle_body}\" }}"),
            paddle_body,
        ),
        (
            format!("verifying webhook with pdl_ntfset_{paddle_body}"),
            paddle_body,
        ),
    ] {
        cases.push(sensitive("payment provider key", text, secret));
    }
    // Slack's tokens and Google's API keys with no name before them, told by their prefix
    // as secret scanners tell them.
    for (prefix, body) in [
        (
            "xoxb-",
            "1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        ),
        (
            "xoxp-",
            "1234567890-1234567890-1234567890-abcdef0123456789abcdef",
        ),
        (
            "xoxa-",
            "2-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        ),
        ("AIza", "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"),
    ] {
        for text in [
            format!("Config {{ alerts: \"{prefix}{body}\" }}"),
            format!("https://{prefix}{body}@hooks.example.com/notify"),
            format!("[\"{prefix}{body}\", \"{prefix}{body}\"]"),
            format!("auth failed for {prefix}{body}, retrying"),
        ] {
            cases.push(sensitive("Slack token, Google API key", text, body));
        }
    }
    // Amazon Bedrock's API keys with no name before them: long-term (`ABSK` and base64) and
    // short-term (`bedrock-api-key-` and a presigned request in base64).
    for (prefix, body) in [
        (
            "ABSK",
            "QmVkcm9ja0FQSUtleS1xN3prLWF0LTEyMzQ1Njc4OTAxMjpYazl2UDJtUjhz+/T4wL6yN1cF3hJ5bD7gQ0eA==",
        ),
        (
            "bedrock-api-key-",
            "YmVkcm9jay5hbWF6b25hd3MuY29tLz9BY3Rpb249Q2FsbFdpdGhCZWFyZXJUb2tlbiZYLUFtei1B+GdvcmL0aG09QVdTNC1/TUFDLVNIQTI1NiZWZXJzaW9uPTE=",
        ),
    ] {
        for text in [
            format!("Config {{ bedrock: \"{prefix}{body}\" }}"),
            format!("invoke_model failed with {prefix}{body}: expired"),
            format!("[\"{prefix}{body}\"]"),
            format!("{prefix}{body}"),
        ] {
            cases.push(sensitive("Bedrock API key", text, body));
        }
    }
    // GitHub's, GitLab's, npm's tokens and Stripe's webhook secrets as the value after a
    // `=` or `:` whatever its name: an SSM parameter, an env file, a config, an error.
    for (prefix, body) in [
        ("ghp_", "R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01"),
        ("gho_", "16C7e42F292c6912E7710c838347Ae178B4a"),
        ("ghs_", "16C7e42F292c6912E7710c838347Ae178B4a"),
        (
            "github_pat_",
            "11ABCDEFG0aBcDeFgHiJkLm_NoPqRsTuVwXyZ0123456789AbCdEfGhIjKlMnOpQrStUvWxYz012345",
        ),
        ("glpat-", "xY9zAbCdEfGh12345678"),
        ("whsec_", "5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH"),
        ("npm_", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
        ("shpat_", "0123456789abcdef0123456789abcdef"),
        ("sq0atp-", "Ab1Cd2Ef3Gh4Ij5Kl6Mn7O"),
        (
            "EAAA",
            "EOuLQPDnWpyHbmO7abcdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKl",
        ),
        (
            "SG.",
            "ngeVfQFYQlKU0ufo8x5d1A.TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr",
        ),
        ("hvs.", "CAESIJlWh1zJkTn4Ab3Cd5Ef7Gh9IjKlMnOpQrStUvWxYz"),
        ("access-production-", "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"),
        ("live_", "dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"),
        ("hf_", "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh"),
        ("GOCSPX-", "AbCdEfGhIjKlMnOpQrStUvWxYz01"),
        ("FLWSECK-", "0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d-X"),
    ] {
        for text in [
            format!(r#"{{"Parameter":{{"Type":"SecureString","Value":"{prefix}{body}"}}}}"#),
            format!("GH_PAT={prefix}{body}"),
            format!("auth: {prefix}{body}, retrying"),
            format!(r#"{{"msg":"loaded {{\"ci\":\"{prefix}{body}\"}}"}}"#),
            format!("deploy --with {prefix}{body} --force"),
            // The whole text: a field's value, a list's item.
            format!("{prefix}{body}"),
        ] {
            cases.push(sensitive("provider token as a value", text, body));
        }
    }
    // Tokens whose prefix ends in a `_`, `-` or `.`, wherever they stand: in prose, in an
    // element named for nothing sensitive, after a separator percent-encoded, in parentheses.
    for (prefix, body) in [
        ("ghp_", "R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01"),
        ("ghu_", "16C7e42F292c6912E7710c838347Ae178B4a"),
        ("ghr_", "1B4a2e77838347a7E420ce178F2E7c6912E169"),
        (
            "github_pat_",
            "11ABCDEFG0aBcDeFgHiJkLm_NoPqRsTuVwXyZ0123456789AbCdEfGhIjKlMnOpQrStUvWxYz012345",
        ),
        ("whsec_", "5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH"),
        // Stripe's ephemeral keys (a mobile app's customer session).
        ("ek_live_", "YWNjdF8xMjM0NTY3ODkwLHJhbmRvbTEyMw"),
        ("ek_test_", "YWNjdF8xOThpT0hwN0xFYVBSYmV5LGtleQ"),
        ("npm_", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
        ("shpss_", "0123456789abcdef0123456789abcdef"),
        (
            "dop_v1_",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ),
        ("glpat-", "xY9zAbCdEfGh12345678"),
        ("glrt-", "t1_AbCdEfGh12345678xY9z"),
        ("glptt-", "0123456789abcdefABCDEF0123456789abcdef01"),
        ("sq0atp-", "Ab1Cd2Ef3Gh4Ij5Kl6Mn7O"),
        ("sq0csp-", "Ab1Cd2Ef3Gh4Ij5Kl6Mn7OpQrStUvWxYz0123456789A"),
        (
            "pypi-",
            "AgEIcHlwaS5vcmcCJGE4ZjQ5YjYwLTk2NjctNDQ2Mi1hYzg5LWZjYmQ1NzJmNjZhNQ",
        ),
        (
            "SG.",
            "ngeVfQFYQlKU0ufo8x5d1A.TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr",
        ),
        ("hvs.", "CAESIJlWh1zJkTn4Ab3Cd5Ef7Gh9IjKlMnOpQrStUvWxYz"),
        ("NRAK-", "ABCDEFGHIJ0123456789KLMNOPQ"),
        ("dckr_pat_", "AbCdEf0123456789xYz1AbCd"),
        ("access-production-", "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"),
        ("access-sandbox-", "8ab976e6-64bc-4b38-98f7-731e7a349970"),
        // Mollie's and GoCardless' live keys, Hugging Face's, Linear's, Grafana's,
        // Supabase's, Netlify's, Pulumi's, Postman's, RubyGems', Doppler's, Google's OAuth
        // client secrets, Slack's app-level tokens, Flutterwave's and Tailscale's keys.
        ("live_", "dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"),
        ("live_", "kkHyQn5Ga2eR-LUt-W7nS_bmVq3y0AZ7s6a-BwNE"),
        ("hf_", "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh"),
        ("lin_api_", "0a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T"),
        ("glsa_", "AbCdEfGhIjKlMnOpQrStUvWxYz012345_0a1b2c3d"),
        (
            "glc_",
            "eyJvIjoiMTIzNDU2IiwibiI6InN0YWNrLTEyMzQ1Ni1obS1yZWFkIiwiayI6IkFiQ2RFZjEyMyJ9",
        ),
        ("sbp_", "0123456789abcdef0123456789abcdef01234567"),
        ("nfp_", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ab"),
        ("pul-", "0123456789abcdef0123456789abcdef01234567"),
        (
            "PMAK-",
            "0123456789abcdef01234567-0123456789abcdef0123456789abcdef01",
        ),
        (
            "rubygems_",
            "0123456789abcdef0123456789abcdef0123456789abcdef",
        ),
        ("dp.pt.", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfG"),
        ("dp.st.", "prd.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfG"),
        ("GOCSPX-", "AbCdEfGhIjKlMnOpQrStUvWxYz01"),
        (
            "xapp-",
            "1-A0123456789-1234567890123-0123456789abcdef0123456789abcdef0123456789abcdef",
        ),
        ("FLWSECK-", "0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d-X"),
        ("FLWSECK_TEST-", "8b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e-X"),
        (
            "tskey-",
            "auth-kABCDEF1CNTRL-abcdefghijkLMNOPQRSTUVWXYZ0123",
        ),
        ("shippo_live_", "0123456789abcdef0123456789abcdef01234567"),
        ("figd_", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
        (
            "AGE-SECRET-KEY-",
            "1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ0",
        ),
    ] {
        for text in [
            format!("pushing with {prefix}{body} to origin"),
            format!("<pat>{prefix}{body}</pat>"),
            format!("pat%3D{prefix}{body}%26x%3D1"),
            format!("rotated the webhook secret ({prefix}{body}) today"),
            format!("error: token\n{prefix}{body} expired"),
        ] {
            cases.push(sensitive("provider token in prose", text, body));
        }
    }
    // Stripe's client secrets with no name before them: the body goes, the intent's id stays.
    for (id, body) in [
        ("pi_3MtwBwLkdIwHu7ix28a3tqPa", "YrKJUKribcBjcG8HVhfZluoGH"),
        (
            "seti_1Mm8s8LkdIwHu7ix0OXBfTRG",
            "NXDICkPqPeiBTAFqWmkbff09lRmSVXe",
        ),
    ] {
        for text in [
            format!("confirming {id}_secret_{body} in the browser"),
            format!(r#"{{"intent":{{"value":"{id}_secret_{body}"}}}}"#),
            format!("https://shop.example.com/pay#{id}_secret_{body}"),
            format!("{id}_secret_{body}"),
        ] {
            cases.push(sensitive("Stripe client secret", text, body));
        }
    }
    // Keys and tokens with no name before them, emphasised as Markdown and Slack write them
    // or percent-encoded after a separator or a quote (a URL's query, a form body).
    for (key, secret) in [
        (
            "sk_live_51H8xYzAbCdEfGhIjKlMnOpQrStUvWx",
            "51H8xYzAbCdEfGhIjKlMnOpQrStUvWx",
        ),
        (
            "sk-proj-Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789",
            "Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789",
        ),
        (
            "xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
            "1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        ),
        (
            "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
            "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
        ),
        ("AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
        (
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXZhbHVl",
            "c2lnbmF0dXJlLXZhbHVl",
        ),
    ] {
        for text in [
            format!("rotate **{key}** today"),
            format!("the leaked key was *{key}*"),
            format!("https://pay.example.com/cb?next%3D{key}%26x%3D1"),
            format!("q=%7B%22k%22%3A%22{key}%22%7D"),
        ] {
            cases.push(sensitive("key emphasised or percent-encoded", text, secret));
        }
    }
    // A chip card's data objects in hex (ISO 8583 field 55, a kernel's trace): the PAN
    // (tag 5A), track 2 equivalent data (57, 9F6B) and track 1 data (56) glued to the tags
    // around them.
    for (tlv, secret) in [
        ("5A084111111111111111", "4111111111111111"),
        ("5a085555555555554444", "5555555555554444"),
        ("5A08378282246310005F", "378282246310005"),
        ("5A0A6011000990139424009F", "6011000990139424009"),
        (
            "57134111111111111111D25121011234567890123F",
            "4111111111111111D2512101",
        ),
        (
            "9F6B135555555555554444D25122011234567890123F",
            "5555555555554444D2512201",
        ),
        // Mastercard's contactless track 1 (56): its ASCII in hex, `B5555…^DOE/JOHN^2512…`.
        (
            "562F42353535353535353535353535343434345E444F452F4A4F484E5E3235313232303131323334353637383930313233",
            "353535353535353535353535343434345E444F452F4A4F484E5E32353132",
        ),
    ] {
        for text in [
            format!("icc data 9F2608A1B2C3D4E5F60708{tlv}5F2403251231"),
            format!(r#"{{"de55":"9F3602001A{tlv}","mti":"0100"}}"#),
            tlv.to_string(),
        ] {
            cases.push(sensitive("chip card data in hex", text, secret));
        }
    }
    // ISO 8583's PIN block by its data element's number, as a processor logs a message.
    for text in [
        r#"{"mti":"0200","de2":"4111111111111111","de52":"1A2B3C4D5E6F7081"}"#,
        "DE052=1A2B3C4D5E6F7081 DE004=000000001000",
        "Iso8583 { mti: 200, de4: 1000, de52: \"1A2B3C4D5E6F7081\" }",
        "field_52: 1A2B3C4D5E6F7081",
    ] {
        cases.push(sensitive("ISO 8583 PIN block", text, "1A2B3C4D5E6F7081"));
    }
    // A form's field in a multipart body (a form posted to a function URL or an ALB),
    // raw and as a JSON string escapes it.
    for (text, secret) in [
        (
            "--b7\r\nContent-Disposition: form-data; name=\"cvc\"\r\n\r\n7391\r\n--b7--",
            "7391",
        ),
        (
            "--b7\nContent-Disposition: form-data; name=\"password\"\nContent-Type: text/plain\n\nhunter2x9Q\n--b7--",
            "hunter2x9Q",
        ),
        (
            r#"{"body":"--b7\r\nContent-Disposition: form-data; name=\"card[cvc]\"\r\n\r\n7391\r\n--b7--","isBase64Encoded":false}"#,
            "7391",
        ),
        (
            "body: \"--b7\\r\\nContent-Disposition: form-data; name=\\\"api_key\\\"\\r\\n\\r\\nhunter2x9Q\\r\\n--b7--\"",
            "hunter2x9Q",
        ),
    ] {
        cases.push(sensitive("form field in a multipart body", text, secret));
    }
    // YAML values on the lines under their name (a config dumped at start-up).
    for (text, secret) in [
        (
            "config:\n  db:\n    password: |\n      hunter2x9Q\n    host: db",
            "hunter2x9Q",
        ),
        (
            "stripe:\n  api_key:\n    hunter2x9Q\n  region: eu",
            "hunter2x9Q",
        ),
        ("- name: pos\n  pin: >-\n    7391\n- name: web", "7391"),
    ] {
        cases.push(sensitive("YAML block value", text, secret));
    }
    // What follows a line break or a tab written as an escape — a JSON line's multi-line
    // message (`lift-ship --redact`), a string's `Debug` — each at a line's start.
    const ESCAPED: &str = "after an escaped line break";
    for (text, secret) in [
        (
            r#"{"level":"error","msg":"charge failed\n4111111111111111 declined"}"#,
            "4111111111111111",
        ),
        (r#"body: "amount=25\r\npin=7391""#, "7391"),
        (
            r#"{"msg":"headers:\nAuthorization: Bearer hunter2x9Q"}"#,
            "hunter2x9Q",
        ),
        (r#""request\n\tBearer hunter2x9Q""#, "hunter2x9Q"),
        (
            r#""env\nsk_live_51H8xYzAbCdEfGhIjKlMnOp""#,
            "51H8xYzAbCdEfGhIjKlMnOp",
        ),
        (r#""keys\nAKIAIOSFODNN7EXAMPLE""#, "AKIAIOSFODNN7EXAMPLE"),
        (r#""note\ncvv 7391""#, "7391"),
        (r#""args\n--password hunter2x9Q""#, "hunter2x9Q"),
        (
            r#""jwt\neyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl""#,
            "eyJzdWIiOiIxIn0",
        ),
        (
            r#"{"msg":"config\npassword: |\n  hunter2x9Q"}"#,
            "hunter2x9Q",
        ),
        (r#"{"msg":"api_key:\n  hunter2x9Q"}"#, "hunter2x9Q"),
    ] {
        cases.push(sensitive(ESCAPED, text, secret));
    }
    // `=`, `<` and `>` escaped HTML-safe, as Gson (Java) and Go's `encoding/json` write
    // them by default: a Java or Go service's JSON line shipped by `lift-ship --redact`.
    for (text, secret) in [
        (
            r#"{"msg":"retry body cvv\u003d7391\u0026amount\u003d25"}"#,
            "7391",
        ),
        (
            r#"{"msg":"login password\u003dhunter2x9Q ok"}"#,
            "hunter2x9Q",
        ),
        (
            r#"{"msg":"gateway \u003ccvc\u003e7391\u003c/cvc\u003e"}"#,
            "7391",
        ),
        (
            r#"{"xml":"\u003cApiKey\u003ehunter2x9Q\u003c\/ApiKey\u003e"}"#,
            "hunter2x9Q",
        ),
    ] {
        cases.push(sensitive("escaped HTML-safe (Gson, Go)", text, secret));
    }
    // JSON inside a JSON string inside a JSON line: an event logged as `json.dumps(event)`,
    // whose `body` is itself a JSON string (API Gateway's); a quote inside an escaped value.
    for (text, secret) in [
        (
            r#"{"level":"INFO","message":"{\"body\": \"{\\\"card\\\": {\\\"cvc\\\": \\\"7391\\\"}}\"}"}"#,
            "7391",
        ),
        (
            r#"{"message":"{\"body\":\"{\\\"password\\\":\\\"hunter2x9Q\\\"}\"}"}"#,
            "hunter2x9Q",
        ),
        (
            r#"{"message":"{\"body\":\"{\\\"pin\\\": 7391}\"}"}"#,
            "7391",
        ),
        (
            r#"{"message":"{\"password\":\"hunter2\\\"x9Qtail\"}"}"#,
            "x9Qtail",
        ),
    ] {
        cases.push(sensitive("JSON escaped twice", text, secret));
    }
    // OpenAI's and Anthropic's secret keys with no name before them.
    let llm = "Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789_cd-EF";
    for prefix in ["sk-", "sk-proj-", "sk-svcacct-", "sk-ant-api03-"] {
        for text in [
            format!("openai error: Incorrect API key {prefix}{llm}"),
            format!("Config {{ llm: \"{prefix}{llm}\" }}"),
        ] {
            cases.push(sensitive("LLM API key", text, llm));
        }
    }
    // OpenRouter's (lower-case hex), Groq's, Perplexity's and Replicate's.
    for (prefix, body) in [
        (
            "sk-or-v1-",
            "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
        ),
        (
            "gsk_",
            "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOp",
        ),
        ("pplx-", "0123456789abcdef0123456789abcdef0123456789abcdef"),
        ("r8_", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
    ] {
        for text in [
            format!("llm call failed with key {prefix}{body}"),
            format!("Config {{ llm: \"{prefix}{body}\" }}"),
            format!("{prefix}{body}"),
        ] {
            cases.push(sensitive("LLM API key", text, body));
        }
    }
    // A security code after its name and a space, as messages and notes write it.
    for text in [
        "validating card 4111111111111111 cvv 7391",
        "The CVV2 was 7391.",
        "invalid CVC \"7391\"",
        "CVC 7391 entered",
        "cvn 7391",
        "CV2 7391 declined",
        // A string's `Debug` (an error's message echoed in `Err("…")`).
        r#"Err("invalid cvc \"7391\" for card")"#,
        // A newtype's `Debug`.
        r#"rejected Cvv("7391")"#,
        "Cvc2(Some(7391))",
        r#"Err(PaymentError { kind: InvalidCvc("7391") })"#,
        // A noun or a verb after the name, a dash or a number sign, parentheses.
        "customer typed CVV code 7391 twice",
        "cvc number: 7391",
        "the cvv is: 7391",
        "retry with cvv-7391",
        "CVV#7391 rejected",
        "GET /api/cards/tok_1/cvv/7391 200",
        "CVV (7391) rejected",
        "CCV 7391 entered",
        "checkout ccv=7391&cc_cid=7391",
        // A Scala map's `toString`.
        "Map(cvv -> 7391, amount -> 1250)",
    ] {
        cases.push(sensitive("security code in prose", text, "7391"));
    }
    // A PIN or a security code after its name, a noun or a verb, and a space.
    for (text, secret) in [
        ("customer entered PIN 7391 at the terminal", "7391"),
        ("pin 739164 rejected", "739164"),
        ("The PIN is 7391.", "7391"),
        ("PIN was: 7391", "7391"),
        ("PIN code 7391, retry", "7391"),
        ("pin number 7391", "7391"),
        ("card_pin 7391", "7391"),
        ("PIN 739164820517 accepted", "739164820517"),
        ("CSC 739 mismatch", "739"),
        ("csc is 7391", "7391"),
        ("Amex CID 7391 entered", "7391"),
        ("cid was 739", "739"),
        ("card security code 739 declined", "739"),
        ("Security code was 7391", "7391"),
        ("note: \"security code 739\" in escaped text", "739"),
        // In quotes, as `Debug` writes a string (`info!("PIN {:?}", pin)`).
        ("verifying PIN \"7391\" for card", "7391"),
        ("card security code \"739\" declined", "739"),
        ("CID is \"7391\"", "7391"),
        // A table's aligned columns, as a terminal's receipt or a dump prints them.
        ("AMOUNT   12.50\nPIN      7391\nSTATUS   APPROVED", "7391"),
        ("card security code    739", "739"),
        // A tab-separated table's.
        ("AMOUNT\t12.50\nPIN\t7391\nSTATUS\tAPPROVED", "7391"),
        ("field\tvalue\ncsc\t\t739", "739"),
        ("otp\t482913", "482913"),
        // A change and `to`.
        ("PIN changed to 7391 by cardholder", "7391"),
        ("pin set to \"7391\"", "7391"),
        ("Card PIN updated to 739165", "739165"),
    ] {
        cases.push(sensitive(
            "PIN or security code named in prose",
            text,
            secret,
        ));
    }
    // A one-time code (a second factor's, a payment challenge's) after its name in prose.
    for text in [
        "sending OTP 482913 to +15551234567",
        "otp is 482913",
        "TOTP 482913 accepted",
        "OTP code 482913, expires in 5 min",
        "Your verification code is 482913.",
        "verification code 482913 sent by SMS",
        "MFA code was: 482913",
        "sms code 482913",
        "OTP        482913",
        "passcode 482913 entered",
        "Your security code is 482913; do not share it",
        "sending OTP \"482913\" to the customer",
    ] {
        cases.push(sensitive("one-time code named in prose", text, "482913"));
    }
    // A password after its name and a blank in prose, as a format string writes it.
    for (text, secret) in [
        ("login failed for bob with password hunter2", "hunter2"),
        ("the password is P@ssw0rd!", "P@ssw0rd"),
        ("Password was Summer2024.", "Summer2024"),
        ("PASSWORD HunterTwo rejected", "HunterTwo"),
        ("passwd s3cret, retrying", "s3cret"),
        ("db_password\th4ck3rman", "h4ck3rman"),
        ("password \"correct horse\" rejected", "correct horse"),
        (
            "connecting as app with password 'tr0ub4dor&3'",
            "tr0ub4dor&3",
        ),
        ("error: {\"msg\":\"new password 73916482 set\"}", "73916482"),
        ("temporary password is Xk9#mQ2v for 24 h", "Xk9#mQ2v"),
        ("Your temporary password is: Xk9#mQ2v", "Xk9#mQ2v"),
        // A change and `to`.
        ("Password reset to Xk9#mQ2v for bob", "Xk9#mQ2v"),
        ("admin password changed to 'tr0ub4dor&3'", "tr0ub4dor&3"),
        ("password set to  Temp1234!", "Temp1234!"),
    ] {
        cases.push(sensitive("password named in prose", text, secret));
    }
    // A password reset or sign-in link's token in a request's path, as an access log or a
    // middleware's line writes it.
    for text in [
        "GET /reset-password/Xk9mQ2vT4rL8pW3nB6yZ 200 12ms",
        "https://shop.example.com/password_resets/Xk9mQ2vT4rL8pW3nB6yZ/edit",
        "{\"path\":\"/password/reset/Xk9mQ2vT4rL8pW3nB6yZ\",\"status\":200}",
        "GET /passwordless/Xk9mQ2vT4rL8pW3nB6yZ?next=%2Fcart 302",
    ] {
        cases.push(sensitive(
            "password reset link",
            text,
            "Xk9mQ2vT4rL8pW3nB6yZ",
        ));
    }
    // An account's recovery codes listed after their name: each of them a sign-in.
    for text in [
        "Recovery codes: 8f2a-4c1d 9b3e-7a2f 4c1d-8f2a",
        "backup_codes=8f2a-4c1d,9b3e-7a2f,4c1d-8f2a",
        "mfa setup done; Backup Codes: 8f2a-4c1d 9b3e-7a2f 4c1d-8f2a (shown once)",
    ] {
        cases.push(sensitive("recovery codes listed", text, "9b3e-7a2f"));
    }
    // An OAuth authorization code on its way back to the client (the redirect's query, as
    // an access log writes it) and on its way to the token endpoint (the form).
    for (text, secret) in [
        (
            "GET /callback?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj 302 4ms",
            "SplxlOBeZQQYbYS6WxSbIA",
        ),
        (
            "POST /token grant_type=authorization_code&code=4/0AX4XfWhAb3kD9fL2mQ8xZ7pR4tY&redirect_uri=https%3A%2F%2Fshop.example.com%2Fcb",
            "4/0AX4XfWhAb3kD9fL2mQ8xZ7pR4tY",
        ),
        (
            "{\"url\":\"https://shop.example.com/cb?state=s1&code=5f1b0e4c-9a1d-4b7e-8c3f-2d6e7a8b9c0d\"}",
            "5f1b0e4c-9a1d-4b7e-8c3f-2d6e7a8b9c0d",
        ),
        (
            "github oauth: /login/callback?code=3584d83530557fdd1f46&state=x",
            "3584d83530557fdd1f46",
        ),
    ] {
        cases.push(sensitive("OAuth authorization code", text, secret));
    }
    // A key after a secret's kind, `key` and a blank in prose.
    for (text, secret) in [
        (
            "invalid API key 4478a9b0c1d2e3f4a5b6, retrying",
            "4478a9b0c1d2e3f4a5b6",
        ),
        ("HMAC key is \"s3cr3t-k3y\"", "s3cr3t-k3y"),
        (
            "loaded secret_key 9f86d081884c7d659a2feaa0c55ad015",
            "9f86d081884c7d659a2feaa0c55ad015",
        ),
        (
            "mailgun api-key key-3ax6xnjp29jd6fds4gc373sgvjxteol0.",
            "3ax6xnjp29jd6fds4gc373sgvjxteol0",
        ),
        ("signingKey\tZm9vYmFyMTIzNDU2", "Zm9vYmFyMTIzNDU2"),
        ("Webhook key was whk_8Fh2kLq9Zt", "8Fh2kLq9Zt"),
        ("encryption key 0x8f2a9c71d4e6b3a5", "8f2a9c71d4e6b3a5"),
        ("client key 'c1f4e2a9b7d3'", "c1f4e2a9b7d3"),
        ("API key rotated to k9Zq2Lm4xW7", "k9Zq2Lm4xW7"),
    ] {
        cases.push(sensitive("key named in prose", text, secret));
    }
    // A secret after a secret's kind, `secret` and a blank in prose.
    for (text, secret) in [
        (
            "invalid client secret 8f2a9c71e4b6d3a0f1c2, retrying",
            "8f2a9c71e4b6d3a0f1c2",
        ),
        (
            "oauth: client secret is \"s3cr3t value\" rejected",
            "s3cr3t value",
        ),
        ("client_secret\tabcDEF123456", "abcDEF123456"),
        (
            "clientSecret 9f86d081884c7d659a2feaa0c55ad015, retrying",
            "9f86d081884c7d659a2feaa0c55ad015",
        ),
        (
            "Slack signing secret was 8f42a1b0c3d4e5f6a7b8c9d0e1f2a3b4.",
            "8f42a1b0c3d4e5f6a7b8c9d0e1f2a3b4",
        ),
        ("shared secret is x9Y8z7", "x9Y8z7"),
        ("Using CONSUMER-SECRET Abc123xyz", "Abc123xyz"),
        ("app secret 'P@ssphrase!'", "P@ssphrase!"),
        (
            "TOTP secret JBSWY3DPEHPK3PXP2 enrolled",
            "JBSWY3DPEHPK3PXP2",
        ),
        (
            "webhook secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La",
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2La",
        ),
        // Credentials after their name, whatever stands before it.
        ("login rejected credentials x9y8z7w6", "x9y8z7w6"),
        ("using credentials admin:hunter2x", "admin:hunter2x"),
        (
            "Credentials are in; credential is \"S3cr3t-Pa55\"",
            "S3cr3t-Pa55",
        ),
    ] {
        cases.push(sensitive("secret named in prose", text, secret));
    }
    // A JSON Web Key's private members: `d`, `p`, `q`, `dp`, `dq`, `qi` and `k`, in every
    // order a library writes them (a map's sorted keys put `d` before `kty`).
    const D: &str = "jpsQnnGQmL-YBIffH1136cLZfNmyH5eVYVPW2eKJfPo";
    for (text, secret) in [
        (
            r#"{"kty":"oct","k":"GawgguFyGrWKav7AX4VKUg","alg":"HS256"}"#.to_string(),
            "GawgguFyGrWKav7AX4VKUg",
        ),
        (
            format!(r#"{{"crv":"P-256","d":"{D}","kty":"EC","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"}}"#),
            D,
        ),
        (
            format!(r#"{{"kty":"OKP","crv":"Ed25519","d": "{D}"}}"#),
            D,
        ),
        (
            r#"{"kty":"RSA","e":"AQAB","p":"83i-7IvMGXoMXCskv73TKr8637FiO7Z27zv8oj6pbWUQyLPQBQxtPVnwD20R"}"#.to_string(),
            "83i-7IvMGXoMXCskv73TKr8637FiO7Z27zv8oj6pbWUQyLPQBQxtPVnwD20R",
        ),
        (
            r#"{"q":"3dfOR9cuYq-0S-mkFLzgItgMEfFzB2q3hWehMuG0oCuqnb3vobLyumqjVZQO1dIrdwgTnCdpYzBcOfW5r370AFXjiWft_NGEiovonizhKpo9VVS78TzFgxkIdrecRezsZ-1kYd_s1qDbxtkDEgfAITAG9LUnADun4vIcb6yelxk"}"#.to_string(),
            "3dfOR9cuYq-0S-mkFLzgItgMEfFzB2q3hWehMuG0oCuqnb3vobLyumqjVZQO1dIrdwgTnCdpYzBcOfW5r370AFXjiWft_NGEiovonizhKpo9VVS78TzFgxkIdrecRezsZ-1kYd_s1qDbxtkDEgfAITAG9LUnADun4vIcb6yelxk",
        ),
        (
            r#"{"dp":"G4sPXkc6Ya9y8oJW9_ILj4xuppu0lzi_H7VTkS8xj5SdX3coE0oimYwxIi2emTAue0UOa5dpgFGyBJ4c8tQ2VF402XRugKDTP8akYhFo5tAA77Qe_NmtuYZc3C3m3I24G2GvR5sSDxUyAN2zq8Lfn9EUms6rY3Ob8YeiKkTiBj0"}"#.to_string(),
            "G4sPXkc6Ya9y8oJW9_ILj4xuppu0lzi_H7VTkS8xj5SdX3coE0oimYwxIi2emTAue0UOa5dpgFGyBJ4c8tQ2VF402XRugKDTP8akYhFo5tAA77Qe_NmtuYZc3C3m3I24G2GvR5sSDxUyAN2zq8Lfn9EUms6rY3Ob8YeiKkTiBj0",
        ),
        (
            r#"{"dq":"s9lAH9fggBsoFR8Oac2R_E2gw282rT2kGOAhvIllETE1efrA6huUUvMfBcMpn8lqeW6vzznYY5SSQF7pMdC_agI3nG8Ibp1BUb0JUiraRNqUfLhcQb_d9GF4Dh7e74WbRsobRonujTYN1xCaP6TO61jvWrX-L18txXw494Q_cgk","qi":"GyM_p6JrXySiz1toFgKbWV-JdI3jQ4ypu9rbMWx3rQJBfmt0FoYzgUIZEVFEcOqwemRN81zoDAaa-Bk0KWNGDjJHZDdDmFhW3AN7lI-puxk_mHZGJ11rxyR8O55XLSe3SPmRfKwZI6yU24ZxvQKFYItdldUKGzO6Ia6zTKhAVRU"}"#.to_string(),
            "GyM_p6JrXySiz1toFgKbWV-JdI3jQ4ypu9rbMWx3rQJBfmt0FoYzgUIZEVFEcOqwemRN81zoDAaa-Bk0KWNGDjJHZDdDmFhW3AN7lI-puxk_mHZGJ11rxyR8O55XLSe3SPmRfKwZI6yU24ZxvQKFYItdldUKGzO6Ia6zTKhAVRU",
        ),
        (
            format!(r#"jwk loaded: {{\"kty\":\"EC\",\"d\":\"{D}\"}}"#),
            D,
        ),
        (
            "{'kty': 'oct', 'k': 'GawgguFyGrWKav7AX4VKUg'}".to_string(),
            "GawgguFyGrWKav7AX4VKUg",
        ),
    ] {
        cases.push(sensitive("JSON Web Key private member", text, secret));
    }
    // Headers whose value is a list of parameters, some quoted; a command line's user and
    // password (curl, wget); a long flag's value after a blank.
    const HEADERS: &str = "header parameters";
    const COMMANDS: &str = "command-line user";
    const FLAGS: &str = "command-line flag";
    for (category, text, secret) in [
        (
            HEADERS,
            "Stripe-Signature: t=1492774577,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd",
            "5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd",
        ),
        (
            HEADERS,
            "Authorization: Digest username=\"bob\", realm=\"api\", nonce=\"dcd98b\", response=\"6629fae49393a05397450978507c4ef1\"",
            "6629fae49393a05397450978507c4ef1",
        ),
        (
            HEADERS,
            "Cookie: sid=\"s3ss10nV4lue\"; theme=dark",
            "s3ss10nV4lue",
        ),
        (
            HEADERS,
            "X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        ),
        (
            COMMANDS,
            "curl -u admin:hunter2x9Q https://api.example.com",
            "hunter2x9Q",
        ),
        (
            COMMANDS,
            "curl -s --user ops@example.com:hunter2x9Q https://x",
            "hunter2x9Q",
        ),
        (
            COMMANDS,
            "wget --user=bob:hunter2x9Q https://x/file",
            "hunter2x9Q",
        ),
        (
            COMMANDS,
            "spawning \"curl\" \"-sS\" \"-u\" \"admin:hunter2x9Q\" \"https://x\"",
            "hunter2x9Q",
        ),
        (
            COMMANDS,
            "curl https://api.stripe.com/v1/charges -u sk_test_4eC39HqLyj:",
            "4eC39HqLyj",
        ),
        (
            FLAGS,
            "pg_dump --host db --password hunter2x9Q --format c",
            "hunter2x9Q",
        ),
        (
            FLAGS,
            "starting with args [\"payments\", \"--api-key\", \"hunter2x9Q\", \"--port\", \"8080\"]",
            "hunter2x9Q",
        ),
        (
            FLAGS,
            "spawn \"psql\" \"--set\" \"x=1\" \"--db-password\" \"hunter2x9Q\"",
            "hunter2x9Q",
        ),
        (
            FLAGS,
            "deploy --client-secret 'hunter 2x9Q' --yes",
            "hunter 2x9Q",
        ),
        (FLAGS, "terminal-sim --pin 4821 --amount 1250", "4821"),
    ] {
        cases.push(sensitive(category, text, secret));
    }
    // SQL statements an ORM or a driver logs with their values, each matched to its column
    // by position: inline (SeaORM), in rows, or after the statement (Diesel's binds).
    const SQL: &str = "SQL value by position";
    for (text, secret) in [
        (
            r#"INSERT INTO "credentials" ("name", "password") VALUES ('db', 'Hunter2x9Q')"#,
            "Hunter2x9Q",
        ),
        (
            r#"INSERT INTO "api_keys" ("tenant_id", "api_key", "created_at") VALUES ('t-1', 'k8Zq2Lm9Wv4R', '2026-12-07')"#,
            "k8Zq2Lm9Wv4R",
        ),
        (
            "insert into cards (last4, cvv, expiry) values ('4242', '737', '12/28'), ('4444', '4821', '01/29')",
            "4821",
        ),
        (
            "INSERT INTO `webhooks` (`url`, `signing_secret`) VALUES ('https://x.example.com/h', 'a9F3kQ7zP2')",
            "a9F3kQ7zP2",
        ),
        (
            r#"INSERT INTO "users" ("email", "password") VALUES ($1, $2) -- binds: ["a@b.c", "Hunter2x9Q"]"#,
            "Hunter2x9Q",
        ),
        (
            r#"UPDATE "users" SET "password" = $1 WHERE "id" = $2 -- binds: ["Hunter2x9Q", 7]"#,
            "Hunter2x9Q",
        ),
        (
            r#"UPDATE "users" SET "password" = 'Hunter2x9Q' WHERE "id" = 7"#,
            "Hunter2x9Q",
        ),
        // MySQL's and SQLite's `?`, each the next bind along the statement.
        (
            "SELECT `users`.`id` FROM `users` WHERE `users`.`email` = ? AND `users`.`password` = ? -- binds: [\"a@b.c\", \"Hunter2x9Q\"]",
            "Hunter2x9Q",
        ),
        (
            "UPDATE `cards` SET `cvv` = ?, `updated_at` = ? WHERE `id` = ? -- binds: [\"4821\", 2026-12-07T10:00:00, 5]",
            "4821",
        ),
        (
            "SELECT id FROM devices WHERE tenant = ? AND pin = ? -- binds: [\"t-1\", \"4821\"]",
            "4821",
        ),
        // In a JSON line, after a URL's query (`lift-ship --redact`).
        (
            r#"{"url":"/pay?x=1","msg":"SELECT id FROM t WHERE a IN (?, ?) AND pin = ? -- binds: [1, 2, \"4821\"]"}"#,
            "4821",
        ),
        (
            r#"SELECT "id" FROM "sessions" WHERE "refresh_token" = 'r9Kx2Qm7Lp4Z' AND "revoked" = false"#,
            "r9Kx2Qm7Lp4Z",
        ),
        (
            r#"{"msg":"INSERT INTO \"secrets\" (\"tenant\", \"client_secret\") VALUES ('t1', 'q8Zx9pLm2Wv')"}"#,
            "q8Zx9pLm2Wv",
        ),
    ] {
        cases.push(sensitive(SQL, text, secret));
    }
    // ISO 8583's data elements holding sensitive authentication data, by their numbers as
    // processors' and jPOS's dumps write them.
    for (text, secret) in [
        ("Field 52: A1B2C3D4E5F60718", "A1B2C3D4E5F60718"),
        ("DE 52: 9F3A6B2C1D0E4F58", "9F3A6B2C1D0E4F58"),
        (
            "Bit 35: 4111111111111111=25121011234567890",
            "25121011234567890",
        ),
        ("BIT_52=9F3A6B2C1D0E4F58", "9F3A6B2C1D0E4F58"),
        // A field's number after an `F`, as ISO 8583 libraries and switches' traces write it.
        ("F52=9F3A6B2C1D0E4F58 F4=000000001250", "9F3A6B2C1D0E4F58"),
        (
            r#"{"F035":"4111111111111111=25121011234567890"}"#,
            "25121011234567890",
        ),
        ("f45: B4111111111111111^DOE/JOHN^25121011000", "DOE/JOHN"),
        ("Field 052: 9F3A6B2C1D0E4F58", "9F3A6B2C1D0E4F58"),
        ("Field 52 (PIN block): A1B2C3D4E5F60718", "A1B2C3D4E5F60718"),
        ("PIN block (52): A1B2C3D4E5F60718", "A1B2C3D4E5F60718"),
        (
            "<field id=\"52\" value=\"A1B2C3D4E5F60718\" type=\"binary\"/>",
            "A1B2C3D4E5F60718",
        ),
        (
            "<isomsg>\n  <field id=\"0\" value=\"0100\"/>\n  <field id=\"45\" value=\"B4111111111111111^DOE/JOHN^25121011000\"/>\n</isomsg>",
            "DOE/JOHN",
        ),
    ] {
        cases.push(sensitive("ISO 8583 data element", text, secret));
    }
    // A label with a note in parentheses before its separator.
    for (text, secret) in [
        ("CVV (3 digits): 737", "737"),
        ("Password (optional) = Hunter2x9Q", "Hunter2x9Q"),
        ("API key (prod): k8Zq2Lm9Wv4R", "k8Zq2Lm9Wv4R"),
    ] {
        cases.push(sensitive("label with a note", text, secret));
    }
    // Webhook and bot URLs: the path's secret, wherever the URL stands.
    for (url, secret) in [
        (
            "https://hooks.slack.com/services/T0A1B2C3D/B0A1B2C3D/abcDEF123ghiJKL456mnoPQR7",
            "abcDEF123ghiJKL456mnoPQR7",
        ),
        (
            "https://hooks.slack.com/workflows/T0A1B2C3D/A0B2C3D4E/412345678/wfSecret42xyz",
            "wfSecret42xyz",
        ),
        (
            "https://discord.com/api/webhooks/1234567890123456789/AbC-dEf_GhIjKlMnOpQr0123",
            "AbC-dEf_GhIjKlMnOpQr0123",
        ),
        (
            "https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage",
            "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
        ),
        (
            "https://contoso.webhook.office.com/webhookb2/1f0e9a2b-aa@72f9c1d0-bb/IncomingWebhook/0123456789abcdef/9c1b2d3e-cc",
            "0123456789abcdef",
        ),
        (
            "https://hooks.zapier.com/hooks/catch/1234567/abcd3f9/",
            "abcd3f9",
        ),
    ] {
        // As `url::Url`'s `Debug` writes it (reqwest's errors, `tracing`'s `?url`).
        let (host, path) = url
            .strip_prefix("https://")
            .and_then(|rest| rest.split_once('/'))
            .unwrap();
        let debug = format!(
            "reqwest::Error {{ kind: Request, url: Url {{ scheme: \"https\", username: \"\", host: Some(Domain(\"{host}\")), port: None, path: \"/{path}\", query: None }} }}"
        );
        for text in [
            debug,
            format!("POST {url} returned 404"),
            format!("{{\"webhook_url\":\"{url}\"}}"),
            format!("alert failed (target={url}): timeout"),
            // Slashes escaped, as PHP's `json_encode` writes them.
            format!("{{\"webhook_url\":\"{}\"}}", url.replace('/', "\\/")),
        ] {
            cases.push(sensitive("webhook URL", text, secret));
        }
    }
    // PEM private keys: whole, cut short (a line's limit), under a secret's name, one line.
    let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj";
    for label in [
        "PRIVATE KEY",
        "RSA PRIVATE KEY",
        "EC PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
        "PGP PRIVATE KEY BLOCK",
    ] {
        for text in [
            format!("loaded -----BEGIN {label}-----\n{body}\nMGQ4\n-----END {label}-----\n"),
            format!("-----BEGIN {label}-----\r\n{body}"),
            format!("private_key: -----BEGIN {label}-----\n{body}\n-----END {label}-----"),
            format!("key=-----BEGIN {label}-----{body}-----END {label}----- loaded"),
        ] {
            cases.push(sensitive("private key", text, body));
        }
    }
}

fn benign_cases(cases: &mut Vec<Case>) {
    let mut rng = fastrand::Rng::with_seed(42);
    for _ in 0..60 {
        let hex = |n: usize, rng: &mut fastrand::Rng| -> String {
            (0..n)
                .map(|_| char::from_digit(rng.u32(0..16), 16).unwrap())
                .collect()
        };
        let uuid = format!(
            "{}-{}-4{}-{}-{}",
            hex(8, &mut rng),
            hex(4, &mut rng),
            hex(3, &mut rng),
            hex(4, &mut rng),
            hex(12, &mut rng)
        );
        cases.push(benign("UUID", format!("merchant {uuid} charged")));
        cases.push(benign("hex id", format!("sha256 {} ok", hex(64, &mut rng))));
        let epoch = rng.u64(1_700_000_000_000..1_800_000_000_000);
        cases.push(benign("epoch milliseconds", format!("at {epoch} ms")));
        let order = format!("{}", rng.u64(1_000_000_000_000..9_999_999_999_999_999));
        if !lift_observability::card::is_card_number(order.as_bytes()) {
            cases.push(benign("order id", format!("order_{order} created")));
        }
    }
    for text in [
        "20261127051935123",
        "at 1764221757123 ms",
        "ts=1764221757123",
        "order 1234567890123456",
        "call +1 415 555 2671 or +44 20 7946 0958",
        // 13 digits that pass Luhn with a Visa prefix: a phone number after its `+`.
        "sms sent to +49 151 12345678, tel=%2B4915112345678",
        "tel=%2B14155552671&alt=+1+415+555+2671",
        "at 20261127051935+0100 and 1764221757123+0000",
        "total 1200+3400+5600+7800=18000",
        // Numbers laid out with two spaces or spaced dashes: no card among their groups.
        "pages 12 - 14 of 2026 - 2027",
        "qty  12  price  12500  total  150000",
        "at 1764221757123  1764221757124  1764221757125",
        "2026-12-07  10:30:15  200  1532 ms",
        "q=pay%2025%2000%20USD%20on%202026%2012%2004%201764221757123",
        "data:image/png;base64,iVBORw0KGgo+4111+1111+1111+1111A==",
        "next=%252Forders%253Fpage%253D2%2526limit%253D50 50%2525 off",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments/stripe-webhook-Xy12Ab",
        "amount 1,234,567.89 USD",
        "USD 12500 captured",
        "version 1.2.3 and v2.14.0-rc.1",
        "trace 1-5759e988-bd862e3fe1be46a994272793",
        "arn:aws:lambda:eu-west-1:123456789012:function:payments-api",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/stripe-AbCdEf",
        "from 192.168.10.24 and 2001:db8::1",
        "2026-12-02T05:34:19.260Z",
        "Bank transfer ok",
        "basic plan selected",
        "Basic auth failed for user",
        "Token expired",
        "the bearer of the card",
        "WWW-Authenticate: Bearer realm=\"payments\", error=\"invalid_token\"",
        "401: invalid Bearer token; Bearer authentication failed",
        "Authorization failed",
        "password reset requested",
        "Invalid credentials for user bob; credentials expired at 2026-12-07T10:00:00Z",
        "key=value status=ok",
        "status: 200",
        "https://api.example.com/v1/charges?limit=10&starting_after=ch_1NirD82eZvKYlo2C",
        "ISBN 978-3-16-148410-0",
        "IBAN DE89 3704 0044 0532 0130 00",
        "token_type=bearer",
        "A payment of 12.50 EUR was authorized by the issuer",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36",
        "s3://bucket/key/2026/12/02/file.json",
        "retry after 1500 ms: upstream timeout: connection reset by peer",
        "tx4111111111111111USD",
        "id 41111111111111111111111",
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQeY2\n-----END CERTIFICATE-----",
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
        "BEGIN PRIVATE KEY section missing",
        "<b>Bold</b> <amount currency=\"EUR\">1250</amount>",
        "<token_type>bearer</token_type><pin_length>4</pin_length>",
        "if a < b and c > d",
        "redirect=https%3A%2F%2Fshop.example.com%2Fcart%3Fitem%3D42%26qty%3D2",
        "discount 50%25 applied at 20%3A00, 100% done",
        "q=card%5Btype%5D%3Dvisa&filter[status]=active&page[size]=20",
        "path=%2F1764221757123%2Fexport",
        "pk_live_51H8xYzAbCdEfGhIjKlMnOpQrStUvWx risk_live_score_abcdefghijklmnopq",
        "task_test_runner_1 desk_live_chat sk_live_short",
        // Words after newer providers' prefixes; `live_` glued to another key's prefix.
        "live_payments_enabled is_live_mode hf_threshold lin_api_version pul-request-queue",
        "pk_live_51H8xYzAbCdEfGhIjKlMnOp rzp_live_ILgsfZCZoFIKMb dp.pt.short GOCSPX-short",
        // Numbers in quotes after words that name no code.
        "order \"1234\" shipped, retry \"3\" of \"5\", code \"404\", PIN length \"4\"",
        // Checkout.com's publishable keys; a sort key's prefix before words.
        "pk_sbox_m73dzbpy7cf3gfd46xr4yj5xo4e pk_fde517a8-3f01-41ef-b4bd-4282384b0a64",
        "sk_customer_profile_by_tenant sk_abcdefghijklmnopqrstuvwxyz",
        // Words after a provider's prefix, a body too short, a prefix glued to a word.
        "step=npm_install_dependencies branch: github_pat_docs mode: ghp_short1",
        "job=wnpm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 status: ghost_town_Q1",
        "status: succeeded, stage=EAAAlpha Version: SG.module_loader_default",
        // Words after a prefix that ends in a `-` or `.`, and the words and regions whose
        // `-` or `.` comes after a letter such a prefix ends in.
        "pypi-mirror-for-internal-builds, sq0atp-rotation-policy, hvs.token.ttl, SG.v3.mail.send",
        "us-east-1 ap-southeast-2 multi-tenant opt-in e.g. payment_intent.succeeded items.",
        "ran npm_install_dependencies, ghp_short1 and shpat_v2; tghp_R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01",
        "the_secret_recipe_for_success_2026 pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_short",
        // Prefixes with too little after them, digits alone, a word before.
        "xoxb-not-a-key xoxb-1234567890123-1234567890123 AIzaSy AI-assisted AIDA",
        // Capitals an Adyen or a Square key starts with, in words and base64 that are none.
        "AQE score 3, AQI 42, rated EAAA, EAAAlpha, {\"kty\":\"RSA\",\"e\":\"AQAB\"}",
        // Paths under a password's name whose next segment is no token.
        "GET /reset-password/new 200, /password/reset/confirm, /passwords/policy-2026, /password-reset/abc123",
        // A version's number after a password's or a secret's name.
        "password v2.1 rollout done; client secret V3.10.2 live; password 1.4.0 released",
        // A multipart body's fields named for nothing sensitive.
        "--b7\r\nContent-Disposition: form-data; name=\"amount\"\r\n\r\n1250\r\n--b7\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nPIN pad\r\n--b7--",
        // Ids under a JSON Web Key's one-letter names, shorter than a private key's part.
        "{\"p\":\"pi_3NxYzAbCdEfGhIjKlMnOpQr\",\"d\":\"cus_9s6XKzkNRiz8i3Mhq7wT0Ab\"}",
        // Capitals whose `A` anchors with them (`AC`, `AY`, `A[`, `AP`, `AR`, `AB`) and
        // starts no key.
        "ACH TRANSACTION_DECLINED: PAYMENT_FAILED for ACCOUNT A[1], DAY 3, AAA rating",
        "API APPROVED via ARN, ABSKIT, AX, AZ; relay id 65A21AA4F1, A21AA, ABSKQmVk",
        // Counts of tries under a PIN's and a password's names; a key's last characters; a
        // terminal's capability, a PIN block's format.
        "pin_attempts=2 pin_length=4 pin_verified=true password_retries=1 pin_tries_remaining=3",
        "{\"api_key_last4\":\"a1b2\",\"pin_entry_capability\":\"can_accept\",\"pin_block_format\":\"ISO-0\"}",
        "{\"otp_sent\":true,\"otp_channel\":\"sms\",\"otp_expires_in\":300}",
        // Words after Paddle's and Bedrock's prefixes.
        "bedrock-api-key-rotation enabled; pdl_ntfset_events table; pdl_live_apikey_",
        "cert=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAQEyhmfxK4nJbhZGw0m/n3Q5qf3VaY9UCJ14XWZE03G== AQEshort==-abc",
        "axoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "CVV 2 check passed, cvc 12345, cvv is missing, service 123, cv 1234",
        // Numbers after other words, or too short or long for a PIN or a code.
        "postal code 10115, error code 4001, promo code 2026, spin 1234, pins 1234",
        "pin 2 of the header, PIN 12 tries, CSC 12345, PIN 1234abc, security 737, CID 12345, acid 1234",
        "Retry 1 of 3 scheduled in 300 ms after a 503; the number 1234 is free",
        "otp 2 of 3 sent to sms number 15551234567; verification 123456, code 123456",
        // Words after a password's name, and words holding its letters.
        "password reset requested; password is incorrect; password must be 8 characters long",
        "password doesn't match, re-entered password FAILED, password v2 rollout, password (hidden)",
        "passwords rotated, PasswordHash abc123 stored, the answer 42, forward 3 swaps",
        // `key` with no secret's kind before it, and words after one.
        "cache key 4478a9b0c1d2e3f4a5b6, idempotency key 39b25e46-3781-4487-9120-1f5202849343",
        "primary key 12345678; API key rotated, API key v1.2, API key id 42, like Gecko",
        // `secret` with no secret's kind before it (a Secrets Manager secret's name), words
        // after one, `cr` in other words.
        "secret prod/db/password not found; secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf rotated",
        "client secret rotated, client secret expired, client secret v2, client secrets listed",
        "Credit card declined across regions; description created by the CRM, CR LF",
        // A JSON Web Key's public members; `d`, `k` and `p` holding no key material.
        r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#,
        r#"{"kty":"RSA","e":"AQAB","kid":"2026-12-rotation-Key7"} {"d":"2026-12-06","k":"cache-key-for-merchant-54470beb","p":"page-2"}"#,
        // Plaid's prefixes before words: an environment's name, no token.
        "access-production-environment ready; access-sandbox-mode on; access-production-",
        "cvv(card) called; cvc(1) checked; Cvv(None)",
        // Wrappers named for nothing sensitive, calls in prose, a secret that is nothing.
        "OrderId(\"ord_123\") Ok(\"done\") Some(\"x\") password(\"ignored\") Password(None)",
        // Structs of one field named for nothing sensitive; a secret's of more fields.
        "Order { id: \"ord_123\" } Customer {\n    email: \"a@example.com\",\n} Token { kind: Bearer, ttl: 300 }",
        // A number that is no card (Luhn fails) keeps what follows it.
        "ref 4111111111111112 12/28 737 queued",
        // 3-D Secure authentication values are not sensitive authentication data (PCI SSC
        // FAQ 1603): they stay.
        "cavv=AAABCZIhcQAAAABZlyFxAAAAAAA= eci=05 authenticationValue=MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=",
        // What gateways answer about a card's code: a check's outcome, not the code.
        "{\"checks\":{\"cvc_check\":\"pass\",\"address_line1_check\":\"pass\"}}",
        "cvvResultCode=M&avsResultCode=Y&cvv_response_code=N",
        "{\"cvcResult\":\"1 Matches\",\"pin_verified\":true}",
        "password_last_changed=2026-01-01 signature_verified=true api_key_provided=false",
        // Labels of words that hold nothing sensitive.
        "Primary key: 42, Public Key: abc, Error Code: 42, Idempotency Key: idem_123",
        "Email Verification: pending; Auth failed: timeout; token refresh: ok",
        // Pretty-printed values under names that hold nothing sensitive.
        "{\n  \"card\": {\n    \"brand\": \"visa\",\n    \"last4\": \"4242\"\n  },\n  \"token_type\": \"bearer\"\n}",
        "Charge {\n    amount: 1250,\n    card: Some(\n        Card { brand: Visa },\n    ),\n}",
        // Paths' `::` and source locations after sensitive words.
        "panicked at lift::auth::token::refresh: boom at src/auth.rs:12:5",
        "SELECT password::text FROM users; expected struct payments::secret::Config",
        // Objects and lists under names that do not hold a secret.
        "{\"card\":{\"brand\":\"visa\",\"exp_month\":12},\"token_type\":[\"bearer\"]}",
        "{'pin_length': {'N': '4'}, 'secret_arn': ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:a']}",
        "env [(\"AWS_REGION\", \"eu-west-1\"), (\"LOG_LEVEL\", \"debug\")] f(\"a\", \"b\")",
        // Pairs whose name holds nothing sensitive, and a value read from elsewhere.
        "{\"name\":\"REGION\",\"value\":\"eu-west-1\"} {\"name\":\"Anna Kowalski\",\"value\":1200}",
        "[{\"ParameterKey\":\"InstanceType\",\"ParameterValue\":\"t3.micro\"}]",
        "{\"Name\":\"/prod/app/region\",\"Type\":\"String\",\"Value\":\"eu-west-1\"}",
        "env:\n- name: DB_PASSWORD\n  valueFrom: arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf\n- name: REGION\n  value: eu-west-1",
        // Webhook providers' other URLs, and other hosts' paths shaped like a webhook's.
        "posted to https://slack.com/api/chat.postMessage and https://discord.com/channels/123/456",
        "docs at https://api.telegram.org/ and https://outlook.office.com/mail/inbox/id/AAQk",
        "GET https://api.example.com/services/T0A1B2C3D/B0A1B2C3D/orders 200",
        "docker run -u 1000:1000 payments:latest; sudo -u postgres psql; curl --user-agent a:b",
        "docker login --username ci --password-stdin registry.example.com --no-password x",
        "aws secretsmanager get-secret-value --secret-id prod/db --version-stage AWSCURRENT",
        "args [\"app\", \"--password\", \"--verbose\", \"--port\", \"80\"] -- done -----",
        "pip install scikit-learn; sk-learn task-runner-2026 risk-based-scoring-engine-v2 mask-ABCDEFGHIJKLMNOP0123456789abcdef",
        "Incorrect API key provided: sk-proj-********************************abcd",
        "password_file=/run/secrets/db AWS_SHARED_CREDENTIALS_FILE=/root/.aws/credentials --password-file /run/secrets/pw",
        // A MongoDB URL's authentication database and mechanism; where a secret comes from.
        "mongodb://db:27017/payments?authSource=admin&authMechanism=SCRAM-SHA-256 {\"secret_source\":\"ssm\"}",
        // References to secrets: Kubernetes' `secretKeyRef`, a vault path.
        r#"{"valueFrom":{"secretKeyRef":{"name":"db-creds","key":"url"}},"tokenRef":"vault:secret/data/payments#token"}"#,
        "config:\n  region:\n    eu-west-1\n  token_type: |\n    bearer\nerror: invalid token:\n    at line 3",
        "Config { user: \"app\", password: None } {\"api_key\":null,\"cvv\":null}",
        "{\"AccountName\":\"acct\",\"SharedAccessKeyName\":\"RootManageSharedAccessKey\",\"session_id\":\"cs_live_a1\"}",
        // Escaped HTML-safe, holding nothing sensitive.
        r#"{"msg":"a\u003d1\u0026region\u003deu \u003cb\u003ebold\u003c/b\u003e"}"#,
        // Elements named by attributes that hold nothing sensitive; a code under `id`.
        r#"<field name="brand">visa</field><entry key='timeout'>30</entry><f id="cvv">ok</f>"#,
        // Lists of numbers that are no text, and bytes that hold nothing.
        "Stats { latencies: [12, 250, 31, 400], codes: [200, 201, 402, 429] }",
        "body: [104, 101, 108, 108, 111, 44, 32, 119, 111, 114, 108, 100]",
        // URLs' users that are names, not tokens.
        "origin ssh://git@github.com/org/repo.git; https://jane.doe@example.com/x; https://build-bot-service-account-2026@ci.example.com/",
        // A chip card's data objects with no card data among them: amounts, a cryptogram,
        // the transaction counter, a date; a PAN's tag whose value is no card number.
        "de55=9F02060000000125009F03060000000000009F1A0208405F2A0209789A032612069F2608A1B2C3D4E5F607089F3602001A",
        "5A0812345678901234565F24032512319F100706010A03A00000",
        // `basic` and `Bearer` before a sentence's last word and its `.`, and before words
        // joined by hyphens.
        "Fraud rules need a basic understanding. Then retry with HTTP Bearer Auth. Basic built-in checks run on basic e-commerce flows.",
        // ISO 8583's other data elements: amount, currency, a response code.
        r#"{"mti":"0210","de4":"000000001000","de49":"978","de39":"00","de_520":"x"}"#,
        "F4=000000001250 F49=978 F39=00 F520=x",
        // OAuth's grant type and the code a device shows its user (it grants nothing
        // alone), a seed for randomness, a backup's id, labels of codes and phrases.
        r#"{"grant_type":"urn:ietf:params:oauth:grant-type:device_code","user_code":"WDJB-MJHT","seed":42,"backup_id":"bk-7f3a9c21e4b8","recovery_point":"rp-2026-12-06"}"#,
        "Error codes: 500, 502. Search phrase: card declined. Reset code sent to the user.",
        // Codes in queries that grant nothing: a decline's, an error's, a promotion's.
        "GET /pay/result?code=card_declined&decline_code=insufficient_funds 402; /r?code=404; /p?code=SAVE20NOW; /p?promo_code=ab12cd34ef56gh78ij",
        // A proxy's challenge: no credential in it.
        "Proxy-Authenticate: Basic realm=\"proxy\", charset=\"UTF-8\"",
        // After an escaped line break: ids, times and names that hold nothing.
        r#"{"msg":"done\n1764221757123 ms\nregion: |\n  eu-west-1\n\tmerchant=mch_4f2a9c71"}"#,
        // What describes a payment key without holding it: its check value, a DUKPT key
        // serial number, its id and its block's format.
        r#"{"kcv":"5A7B3C","ksn":"FFFF9876543210E00001","bdk_id":"bdk-2026-01","key_block_format":"D"}"#,
        // Aligned columns whose labels name no code.
        "ORDER     1234\nITEMS     3\nTOTAL     12.50\nCODE      200",
        "ORDER\t1234\nITEMS\t\t3\nPIN\tSET\nCODE\t200",
        // SQL statements with no secret's column, and a placeholder with no list of binds.
        r#"INSERT INTO "orders" ("id", "amount", "currency") VALUES ('ord_1', 2500, 'EUR'), ('ord_2', 990, 'USD')"#,
        r#"UPDATE "users" SET "password" = $1 WHERE "id" = $2"#,
        "SELECT `id` FROM `users` WHERE `pin` = ? LIMIT 1",
        // ISO 8583 elements that hold no sensitive data; a note under a name that says nothing.
        "Field 4: 000000001250 Field 49: 978 <field id=\"39\" value=\"00\"/> <option id=\"52\" value=\"XL\"/>",
        "Retries (max): 3, Amount (EUR): 12.50",
        r#"SELECT * FROM "payments" WHERE "status" = 'captured' AND "amount" = 2500 -- binds: []"#,
        // A map's entries whose keys name nothing secret; a value element after other tags.
        "<entry><key>currency</key><value>EUR</value></entry><entry><key>passwordPolicy</key><value>strict</value></entry>",
        "<password type=\"text\"></password><amount><value>12.50</value></amount>",
        // Messages naming a field in quotes, no value after it (`{:?}: {}`).
        r#"error: "password": required field missing"#,
        r#"the field "token": expired at 10:00; header "authorization": missing"#,
        // A key's or a password's type whose only field describes it (`ring`'s, a custom
        // `Debug` that shows a key's id alone).
        r#"EcdsaSigningKey { algorithm: ECDSA } ApiKey { id: "key_7f3a9c21" }"#,
        // A payment's authorized amount, a password's strength: no secret's value.
        r#"{"auth_amount":"12.50","authorization_currency":"EUR","password_strength":"weak","token_amount":"3"}"#,
        // A change to a number named for nothing secret; a change to no value.
        "count rose from 10 to 1234 today; limit updated to 5000 per day",
        "PIN changed to a new one; password set to expire in 90 days",
        // A validation error on a field that holds nothing secret.
        r#"{"field":"amount","rejectedValue":-5,"code":"Min"} on field 'email': rejected value [bob@example.com]"#,
    ] {
        cases.push(benign("look-alike", text));
    }
    // A JSON Patch whose pointer ends in no secret's name; a path and a value that are no
    // patch (a request's metrics).
    for text in [
        r#"[{"op":"replace","path":"/password/minLength","value":12},{"op":"add","path":"/note","value":"gift"}]"#,
        r#"{"path":"/v1/tokens","value":42,"unit":"Count"}"#,
    ] {
        cases.push(benign("pair look-alike", text));
    }
}

/// A cursor named a token (AWS's `NextToken`, CloudWatch Logs' `nextForwardToken`, Google's
/// `pageToken`), a rate limiter's token bucket, an auth scheme's options, a secret's version
/// stages — as the AWS SDK's own debug log prints them — stay; a credential's token beside
/// them goes.
fn cursor_cases(cases: &mut Vec<Case>) {
    let names = [
        "NextToken",
        "nextToken",
        "next_token",
        "nextForwardToken",
        "next_backward_token",
        "uploadSequenceToken",
        "ContinuationToken",
        "NextContinuationToken",
        "pageToken",
        "next_page_token",
        "PaginationToken",
        "syncToken",
        "resumeToken",
        "IdempotencyToken",
        "version_token",
    ];
    let value = "f/38710934721953018475629011873461028374650192837465019283";
    for name in names {
        for text in [
            format!(r#"{{"logStreamName":"web-1","{name}":"{value}"}}"#),
            format!(r#"GetLogEventsOutput {{ events: Some([]), {name}: Some("{value}") }}"#),
            format!("list_streams {name}={value} limit=50"),
            format!("paginating: {name}: {value}"),
        ] {
            cases.push(benign("cursor named a token", text));
        }
        let session = "FwoGZXIvYXdzEBYaDHqa0AP1nJ3Q8aEXAMPLE";
        cases.push(sensitive(
            "credential beside a cursor",
            format!(r#"{{"{name}":"{value}","sessionToken":"{session}"}}"#),
            session,
        ));
        cases.push(sensitive(
            "credential beside a cursor",
            format!("{name}={value}&access_token={session}"),
            session,
        ));
    }
    // A word of place before another is no description: the name holds the credential.
    for text in [
        r#"{"nextToken":"f/3871","token_in_header":"Zq9x7Lm2K4w8Rt6Yp3Vb"}"#,
        "password_at_rest=Zq9x7Lm2K4w8Rt6Yp3Vb next_page_token=2",
    ] {
        cases.push(sensitive(
            "credential beside a cursor",
            text,
            "Zq9x7Lm2K4w8Rt6Yp3Vb",
        ));
    }
    for text in [
        "token_bucket: TokenBucket { semaphore: Semaphore { permits: 500 }, max_permits: 500, retry_cost: 5 }",
        r#"auth_schemes: {AuthSchemeId { scheme_id: "sigv4" }: SharedAuthScheme(SigV4AuthScheme)}"#,
        r#"auth_scheme_options: [AuthSchemeOption { scheme_id: AuthSchemeId { scheme_id: "sigv4" } }]"#,
        "cancellation_token: CancellationToken { is_cancelled: false }",
        r#"secret_versions_to_stages: Some({"515578d9-e2ac-4260-b938-55453c26e2bb": ["AWSCURRENT"]})"#,
        r#"{"SecretVersionsToStages":{"515578d9-e2ac-4260-b938-55453c26e2bb":["AWSCURRENT","AWSPENDING"]}}"#,
        r#"{"password_policy_min_length":12,"auth_scheme_options":["sigv4"]}"#,
    ] {
        cases.push(benign("name describing a secret", text));
    }
}

/// What AWS's APIs and a browser's CORS answer about credentials, as functions log the
/// responses: dates, ids, flows, scopes, issuers and a flag, under names that hold a
/// secret's word — none a secret. Beside them, the same words under names that hold one.
fn credential_description_cases(cases: &mut Vec<Case>) {
    for text in [
        // IAM's GetUser and ListAccessKeys, GetAccessKeyLastUsed.
        r#"{"User":{"UserName":"bob","UserId":"AIDAJQABLZS4A3QDU576Q","PasswordLastUsed":"2026-11-30T08:12:44Z"}}"#,
        r#"{"AccessKeyMetadata":[{"UserName":"bob","Status":"Active","CreateDate":"2026-01-12T10:00:00Z"}],"IsTruncated":false}"#,
        r#"{"AccessKeyLastUsed":{"LastUsedDate":"2026-11-29T17:05:00Z","ServiceName":"s3","Region":"eu-west-1"}}"#,
        "password_last_used: 2026-11-30T08:12:44Z",
        // Cognito's DescribeUserPoolClient.
        r#"{"ExplicitAuthFlows":["ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH"],"AllowedOAuthFlows":["code"],"AllowedOAuthScopes":["openid","email"]}"#,
        r#"{"AuthFlow":"USER_SRP_AUTH","ClientSecretCreateDate":"2026-03-02T09:00:00Z"}"#,
        // KMS's and Secrets Manager's descriptions of a key and a secret.
        r#"{"CustomerMasterKeySpec":"SYMMETRIC_DEFAULT","EncryptionKeyIdentifier":"alias/payments"}"#,
        r#"secret_arns=["arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"]"#,
        r#"{"TrustedTokenIssuers":["https://idp.example.com"],"token_audiences":["payments-api"]}"#,
        // A payment service's approval rate.
        "auth_rate: 92.4% over 10000 attempts",
        // CORS, as an API Gateway response's headers carry it.
        r#"{"access-control-allow-credentials":"true","access-control-allow-origin":"https://shop.example.com"}"#,
        "AllowCredentials: yes",
        // AppSync's identity and Cognito's pre token generation answer, as a trigger logs
        // its event.
        r#"{"sourceIp":["192.168.196.186"],"defaultAuthStrategy":"ALLOW"}"#,
        r#"{"claimsAndScopeOverrideDetails":{"idTokenGeneration":{"claimsToAddOrOverride":{"tenant":"t1"},"claimsToSuppress":["email"]},"accessTokenGeneration":{"scopesToAdd":["payments/read"]}}}"#,
        // OAuth's client metadata: a member's list of names, no pair.
        r#"{"grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"private_key_jwt"}"#,
        r#"Client { grant_types: ["password", "refresh_token"] }"#,
    ] {
        cases.push(benign("what AWS and CORS say of credentials", text));
    }
    let secret = "Zq9x7Lm2K4w8Rt6Yp3Vb";
    for text in [
        format!(r#"{{"api_key_used":"{secret}","LastUsedDate":"2026-11-29T17:05:00Z"}}"#),
        format!(r#"{{"auth_flow":"client_credentials","client_secret":"{secret}"}}"#),
        format!("token_scope=payments access_token={secret}"),
        format!(r#"{{"AccessKeyMetadata":[{{"Status":"Active"}}],"SecretAccessKey":"{secret}"}}"#),
        format!(r#"{{"allowed_credentials":"{secret}"}}"#),
        format!(r#"{{"pair":["password","{secret}"]}}"#),
        format!(r#"{{"form":[["client_secret","{secret}"]]}}"#),
    ] {
        cases.push(sensitive("credential beside its description", text, secret));
    }
}

/// Floats as Rust, JSON and Python write them, their fraction 16 or 17 digits long — a
/// score, a coordinate, a latency — in text and in a message holding a JSON document: the
/// fraction's digits are no card number, whatever Luhn says.
fn decimal_fraction_cases(cases: &mut Vec<Case>) {
    for text in [
        "face landmark eyeLeft X=0.6394737362861633 Y=0.40819624066352844",
        "model score 0.6006892323493958 above threshold",
        r#"{"BoundingBox":{"Height":0.3249259889125824,"Left":0.5155559778213501}}"#,
        "latency_s=0.30000000000000004 retries=0",
    ] {
        cases.push(benign("decimal fraction", text));
    }
}

/// A value after its name, a separator and a blank that JSON escapes: a tab (`\t` in a raw
/// line's message, as `lift-ship --redact` reads it) or a no-break space (`\u00a0`, as
/// Python's `json.dumps` writes one).
fn escaped_blank_cases(cases: &mut Vec<Case>) {
    for (text, secret) in [
        ("password:\thunter2x9", "hunter2x9"),
        ("login failed, password:\t\tq1w2e3r4 rejected", "q1w2e3r4"),
        ("api_key:\tsk9f8e7d6c5b4a", "sk9f8e7d6c5b4a"),
        ("cvv:\t737", "737"),
        (r"password:\u00a0hunter2x9", "hunter2x9"),
        (r"token=\u00a0Zq9x7Lm2K4w8Rt6Yp3Vb", "Zq9x7Lm2K4w8Rt6Yp3Vb"),
    ] {
        cases.push(sensitive("value after a blank JSON escapes", text, secret));
    }
}

/// config-rs's and figment's type errors quote the value before the setting's path: under a
/// path whose last part names a secret or a card's data it goes, under others it stays.
fn configuration_error_cases(cases: &mut Vec<Case>) {
    let values = ["hunter2pass", "q1w2e3$$", "sk_test_only_4f2a"];
    for path in [
        "database.password",
        "stripe.api_key",
        "webhook.signing_secret",
        "servers[0].password",
        "auth.client_secret",
    ] {
        for value in values {
            for text in [
                format!(r#"invalid type: string "{value}", expected u16 for key `{path}`"#),
                format!(
                    r#"invalid value: string "{value}", expected base64 for key `{path}` in config/prod.toml"#
                ),
                format!(
                    r#"invalid type: found string "{value}", expected u16 for key "default.{path}" in APP_ env"#
                ),
                format!(
                    r#"{{"level":"ERROR","message":"config: invalid type: found string \"{value}\", expected u16 for key \"default.{path}\""}}"#
                ),
            ] {
                cases.push(sensitive("value in a configuration error", text, value));
            }
        }
    }
    for (path, value) in [("card.pin", "4321"), ("payment.cvv", "737")] {
        for text in [
            format!("invalid type: 64-bit integer `{value}`, expected a string for key `{path}`"),
            format!(
                r#"invalid type: found unsigned int `{value}`, expected a string for key "default.{path}""#
            ),
        ] {
            cases.push(sensitive("value in a configuration error", text, value));
        }
    }
    for text in [
        r#"invalid type: string "abc", expected a number for key `app.port`"#,
        r#"invalid type: string "eight", expected u16 for key `db.password_min_length`"#,
        r#"invalid type: found string "fast", expected u32 for key "default.token_ttl_secs""#,
        "invalid type: map, expected a string for key `db.password`",
        r#"invalid value: string "us-east-9", expected a region for key `aws.region`"#,
    ] {
        cases.push(benign("configuration error", text));
    }
}

/// MySQL's error 1366 quotes the value a column could not hold before the column's name:
/// under a column named for a secret or a card's data it goes, under others it stays.
fn incorrect_value_cases(cases: &mut Vec<Case>) {
    for (column, value) in [
        ("'password'", r"\xF0\x9F\x94\x91hunter2"),
        ("'pin'", "12a4"),
        ("`payments`.`cards`.`cvv`", "7x7"),
        ("'api_key'", r"\xE2\x82\xACk3y"),
        ("'client_secret'", r"\xF0\x9F\x98\x80s3cr"),
    ] {
        for text in [
            format!(
                "error returned from database: 1366 (HY000): Incorrect string value: '{value}' for column {column} at row 1"
            ),
            format!(
                r#"Database(MySqlDatabaseError {{ code: Some("HY000"), number: 1366, message: "Incorrect integer value: '{value}' for column {column} at row 1" }})"#
            ),
        ] {
            cases.push(sensitive("value a column could not hold", text, value));
        }
    }
    for text in [
        r"1366 (HY000): Incorrect string value: '\xF0\x9F\x98\x80' for column 'name' at row 1",
        "Incorrect integer value: 'abc' for column `payments`.`orders`.`id` at row 1",
        "Incorrect datetime value: '2026-13-01' for column 'created_at' at row 1",
    ] {
        cases.push(benign("column error", text));
    }
}

/// Pairs as Python's `repr` writes them, in single quotes (a form's `ImmutableMultiDict`,
/// `parse_qsl`'s list, a dict's `items()`), as `lift-ship --redact` meets them in another
/// runtime's logs: the second item goes by the first.
fn python_pair_cases(cases: &mut Vec<Case>) {
    for (name, value) in [
        ("password", "hunter2pass"),
        ("api_key", "k3y-9f8e7d6c"),
        ("client_secret", "s3cr3t-4f2a"),
        ("access_token", "at_9Zq8Yx7W"),
        ("cvv", "737"),
        ("cvc", "1234"),
    ] {
        for text in [
            format!("ImmutableMultiDict([('username', 'alice'), ('{name}', '{value}')])"),
            format!("dict_items([('{name}', '{value}'), ('remember', 'on')])"),
            format!("form=[('{name}','{value}')]"),
            format!(r#"{{"level":"INFO","message":"params [('{name}', b'{value}')]"}}"#),
        ] {
            cases.push(sensitive("Python's pair in single quotes", text, value));
        }
    }
    for text in [
        "ImmutableMultiDict([('username', 'alice'), ('remember', 'on')])",
        "[('password_min_length', '12'), ('secret_arn', 'arn:aws:secretsmanager:x')]",
        "dict_items([('token_type', 'bearer'), ('key_id', 'k-2026')])",
    ] {
        cases.push(benign("Python's pairs", text));
    }
}

/// MySQL's and MariaDB's duplicate-key error quotes the value before the key's name: under
/// a key named for a secret or a card's data it goes, under others it stays.
fn duplicate_entry_cases(cases: &mut Vec<Case>) {
    let keys = [
        "sessions.token",
        "token",
        "api_keys.api_key",
        "api_keys_api_key_unique",
        "users.uniq_password",
        "refresh_tokens.refresh_token",
        "oauth.access_token_UNIQUE",
        "cards.uniq_pin",
    ];
    let values = [
        "a1b2c3d4e5f6a7b8c9d0",
        "acme-7f3e9a21c4",
        "9f8e7d6c5b4a3928",
    ];
    for key in keys {
        for value in values {
            for text in [
                format!(
                    "error returned from database: 1062 (23000): Duplicate entry '{value}' for key '{key}'"
                ),
                format!(
                    r#"Database(MySqlDatabaseError {{ code: Some("23000"), number: 1062, message: "Duplicate entry '{value}' for key '{key}'" }})"#
                ),
            ] {
                cases.push(sensitive("value in a duplicate-key error", text, value));
            }
        }
    }
    for text in [
        "1062 (23000): Duplicate entry 'ord_1234' for key 'payments.order_id'",
        "Duplicate entry '42' for key 'PRIMARY'",
        "Duplicate entry 'tok_1234' for key 'tokens.token_id'",
        "Duplicate entry 'jenny@example.com' for key 'users.email'",
    ] {
        cases.push(benign("duplicate-key error", text));
    }
}

/// Credentials as `Debug` writes the `headers` crate's typed `Authorization` (axum's
/// `TypedHeader`, an argument `#[instrument]` logs), and under their short name.
fn typed_header_cases(cases: &mut Vec<Case>) {
    for (user, password) in [
        ("alice", "hunter2pass"),
        ("svc-adyen", "Zq9!x7#Lm2"),
        ("", "k3yOnly"),
    ] {
        let colon = user.len();
        for text in [
            format!(
                r#"auth=TypedHeader(Authorization(Basic {{ decoded: "{user}:{password}", colon_pos: {colon} }}))"#
            ),
            format!(
                r#"webhook received header=Authorization(Basic {{ decoded: "{user}:{password}", colon_pos: {colon} }})"#
            ),
        ] {
            cases.push(sensitive(
                "Basic credentials as Debug writes them",
                text,
                password,
            ));
        }
    }
    for text in [
        r#"creds=Bearer_aZ9x7Lm2q"#,
        r#"{"aws_creds":"aZ9x7Lm2q"}"#,
        r#"login creds: aZ9x7Lm2q"#,
    ] {
        cases.push(sensitive(
            "Basic credentials as Debug writes them",
            text,
            "aZ9x7Lm2q",
        ));
    }
    for text in [
        r#"Basic { decoded_len: 12 } BasicInfo { decoded: "ok" }"#,
        "credits=120 creditsRemaining=3",
    ] {
        cases.push(benign("Basic credentials look-alike", text));
    }
}

/// An API Gateway event's authorizer and its JWT's claims, as Powertools' `log_event` and a
/// handler's first line log them: when and what for a token was issued stays, an API key an
/// authorizer hands its usage plans goes.
fn authorizer_cases(cases: &mut Vec<Case>) {
    for text in [
        r#"{"claims":{"auth_time":"1765100000","client_id":"3n4b5urk1ft4fl3mg5e62d9ado","scope":"payments/write","sub":"7d1f0c3e","token_use":"access"}}"#,
        r#"{"cognito:username":"alice","token_use":"id","auth_time":1765100000,"exp":1765103600}"#,
        r#"{"model":"claude","token_usage":{"input_tokens":1200,"output_tokens":310}}"#,
        r#"{"tenant":"acme","api_key_fingerprint":"b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"}"#,
        // An HTTP message signature's input (RFC 9421): what it covers, its key's id.
        r#"signature-input: sig1=("@method" "@target-uri" "content-digest");created=1765132200;keyid="partner-2026-12";alg="ed25519""#,
        r#"{"keyid":"partner-2026-12","signature_input":"sig1=("@method" "content-digest");created=1765132200"}"#,
    ] {
        cases.push(benign("claims, fingerprint, signature input", text));
    }
    for text in [
        // The signature itself, beside its input.
        r#"signature-input: sig1=("@method");keyid="k1" signature: sig1=:Zq9x7Lm2K4w8Rt6Yp3Vb:"#,
        r#"{"principalId":"user|a1b2","usageIdentifierKey":"Zq9x7Lm2K4w8Rt6Yp3Vb"}"#,
        "authorizer context usage_identifier_key=Zq9x7Lm2K4w8Rt6Yp3Vb",
    ] {
        cases.push(sensitive(
            "API key an authorizer returns",
            text,
            "Zq9x7Lm2K4w8Rt6Yp3Vb",
        ));
    }
}

/// An IBAN for `country` and `bban` (ISO 13616: check digits so that the whole is 1 modulo
/// 97), in its print format (groups of four).
fn iban(country: &str, bban: &str) -> String {
    let value = |c: char| c.to_digit(36).unwrap();
    let remainder = format!("{bban}{country}00").chars().fold(0, |r, c| {
        let v = value(c);
        if v >= 10 {
            (r * 100 + v) % 97
        } else {
            (r * 10 + v) % 97
        }
    });
    let whole = format!("{country}{:02}{bban}", 98 - remainder);
    whole
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(" ")
}

/// IBANs in their print format, whose digit groups often hold a stretch that passes Luhn and
/// starts with a card brand's prefix, stay whole; a card number beside one goes.
fn iban_cases(cases: &mut Vec<Case>) {
    // (country, the account part's shape: n a digit, a a letter).
    let shapes = [
        ("DE", "nnnnnnnnnnnnnnnnnn"),
        ("PL", "nnnnnnnnnnnnnnnnnnnnnnnn"),
        ("HU", "nnnnnnnnnnnnnnnnnnnnnnnn"),
        ("PT", "nnnnnnnnnnnnnnnnnnnnn"),
        ("AT", "nnnnnnnnnnnnnnnn"),
        ("ES", "nnnnnnnnnnnnnnnnnnnn"),
        ("GB", "aaaannnnnnnnnnnnnn"),
        ("IT", "annnnnnnnnnnnnnnnnnnnnn"),
        ("BE", "nnnnnnnnnnnn"),
        ("NO", "nnnnnnnnnnn"),
    ];
    let mut rng = fastrand::Rng::with_seed(13616);
    let mut kept = 0;
    while kept < 120 {
        let (country, shape) = shapes[rng.usize(..shapes.len())];
        let bban: String = shape
            .chars()
            .map(|k| {
                if k == 'n' {
                    rng.digit(10)
                } else {
                    rng.uppercase()
                }
            })
            .collect();
        let account = iban(country, &bban);
        // Only those whose groups hold a stretch the card search masks alone: the others
        // hold nothing to be told apart.
        if !masked_without_head(&account) {
            continue;
        }
        kept += 1;
        cases.push(benign(
            "IBAN",
            format!("SEPA transfer to {account} accepted"),
        ));
        let pan = card("4", 16, kept);
        cases.push(sensitive(
            "card beside an IBAN",
            format!("payer IBAN {account} card {pan}"),
            pan.clone(),
        ));
        cases.push(sensitive(
            "card beside an IBAN",
            format!("{account} {}", grouped(&pan, " ")),
            pan[6..12].to_string(),
        ));
    }
}

/// Whether the IBAN's groups without its head (country and check digits) hold a stretch
/// the card search masks.
fn masked_without_head(account: &str) -> bool {
    let groups = &account[5..];
    Redactor::new().redact(groups) != groups
}

/// A state reported after a sensitive name — `token: expired`, `password: must be …`, a
/// gateway's card-code result `cvv=N` — stays; a value near a state's word, or a state's
/// word in quotes, goes.
fn state_cases(cases: &mut Vec<Case>) {
    let names = [
        "password",
        "token",
        "api_key",
        "secret",
        "Authorization",
        "signature",
        "cvv",
        "pin",
    ];
    let states = [
        "expired",
        "Required.",
        "MISSING",
        "invalid",
        "not set",
        "must be at least 8 characters",
        "has expired",
        "too short",
        "N/A",
        "mismatch",
        "revoked",
        "***",
        "[FILTERED]",
        "(empty)",
        // A sentence's article (`malformed signature: a header is not ASCII`).
        "the header is not ASCII",
        "a new one is required",
        "Your card's security code is incorrect.",
        "Please retry",
    ];
    let near = ["Expired7", "hunter2", "Required!1", "s3t", "NotSet99"];
    for name in names {
        for separator in [": ", "=", " = "] {
            for state in states {
                cases.push(benign(
                    "state after a name",
                    format!("login failed: {name}{separator}{state}"),
                ));
            }
            for value in near {
                cases.push(sensitive(
                    "value near a state's word",
                    format!("login failed: {name}{separator}{value} retry"),
                    value,
                ));
            }
            // In quotes a state's word is a value — a password may be one — but no card
            // security code or PIN is written in letters: there it reports on the data.
            let quoted = format!(r#"login failed: {name}{separator}"expired""#);
            if matches!(name, "cvv" | "pin") {
                cases.push(benign("card data's check result", quoted));
            } else {
                cases.push(sensitive("value near a state's word", quoted, "expired"));
            }
        }
    }
    // A gateway's answer on a card's security code or a PIN, under the data's name, in
    // quotes or in an element (PayPal's `processor_response`, Paysafe's `cvvVerification`);
    // the code itself in those places, and in a pair, goes.
    for text in [
        r#"{"processor_response":{"avs_code":"A","cvv_code":"M","response_code":"0000"}}"#,
        r#"{"cvvVerification":"MATCH","avsVerification":"NOT_PROCESSED"}"#,
        r#"{"card":{"cvc":"unchecked","pin":"required"}}"#,
        "<Response><CVV2>M</CVV2><AVS>Y</AVS></Response>",
        "cvv_code: 'N', avs_code: 'Y'",
    ] {
        cases.push(benign("card data's check result", text));
    }
    for (text, code) in [
        (r#"{"processor_response":{"cvv_code":"737"}}"#, "737"),
        (r#"{"cvvVerification":"0737"}"#, "0737"),
        ("<Card><CVV2>7371</CVV2></Card>", "7371"),
        (r#"[{"name":"cvv","value":"737"}]"#, "737"),
        (r#"{"pin_block":"ABCDEFABCDEFABCD"}"#, "ABCDEFABCDEFABCD"),
        (r#"{"cvv":"M7"}"#, "M7"),
    ] {
        cases.push(sensitive("card data near a check result", text, code));
    }
    for text in [
        "auth declined cvv=N avs=Y",
        "gateway response: cvv: M, avs: Z, code 05",
        "result cvv=U pin=P",
        // A gateway's decline after its code in parentheses.
        "Stripe error: card_error (incorrect_cvc): Your card's security code is incorrect.",
        "declined (incorrect_pin): Please retry with the correct PIN",
    ] {
        cases.push(benign("state after a name", text));
    }
    for (text, code) in [("cvv=737 avs=Y", "737"), ("cvv: 0737, avs: Z", "0737")] {
        cases.push(sensitive("value near a state's word", text, code));
    }
    // A value after a state's word: `set to …`, `is …`.
    for name in names {
        for (phrase, value) in [
            ("set to {}", "Tr0ub4dor3"),
            ("changed to '{}'", "8271"),
            ("reset as {} today", "k9Zq2Lm4"),
            ("is \"{}\"", "hunter2"),
            ("was {}", "s3cr3tV4lue"),
            ("is set to {}", "4417"),
        ] {
            cases.push(sensitive(
                "value near a state's word",
                format!("admin {name}: {}", phrase.replace("{}", value)),
                value,
            ));
        }
        for phrase in ["is required", "was revoked", "is not set", "set", "changed"] {
            cases.push(benign(
                "state after a name",
                format!("admin {name}: {phrase}"),
            ));
        }
    }
}

/// serde's error after a field's path, as axum's JSON rejection and `serde_path_to_error`
/// write it: the value it quotes goes; an error that quotes none, or names a field that
/// holds nothing secret, stays.
fn serde_error_cases(cases: &mut Vec<Case>) {
    let paths = [
        "cvv",
        "card.cvc",
        "payment_method.card.cvv",
        "cards[0].pin",
        "password",
        "credentials.api_key",
    ];
    let errors = [
        ("invalid type: integer `{}`, expected a string", "737"),
        ("invalid value: integer `{}`, expected u8", "7371"),
        ("invalid type: floating point `{}`, expected u16", "737.5"),
        ("invalid type: string \"{}\", expected u16", "0737"),
        (
            "invalid value: string \"{}\", expected 8 characters or more",
            "hunter2",
        ),
    ];
    for path in paths {
        for (error, value) in errors {
            let error = error.replace("{}", value);
            cases.push(sensitive(
                "value in a serde error",
                format!(
                    "Failed to deserialize the JSON body into the target type: {path}: {error} at line 1 column 11"
                ),
                value,
            ));
            cases.push(sensitive(
                "value in a serde error",
                format!("{path}: {error}"),
                value,
            ));
        }
        for text in [
            format!("{path}: invalid type: map, expected a string at line 1 column 9"),
            format!("{path}: invalid length 5, expected 3 digits"),
        ] {
            cases.push(benign("serde error", text));
        }
    }
    cases.push(benign(
        "serde error",
        "amount: invalid type: string \"12.50\", expected f64 at line 1 column 14",
    ));
    // The `validator` crate's error with no message of its own: its parameters, the value
    // among them.
    for path in paths {
        for (parameters, value) in [
            (r#"[{"value": String("{}"), "min": Number(8)}]"#, "hunter2"),
            (
                r#"[{"min": Number(3), "max": Number(4), "value": String("{}")}]"#,
                "73712",
            ),
            (r#"[{"value": Number({}), "min": Number(100)}]"#, "737"),
        ] {
            cases.push(sensitive(
                "value in a validation error",
                format!(
                    "{path}: Validation error: length {}",
                    parameters.replace("{}", value)
                ),
                value,
            ));
        }
        cases.push(benign(
            "validation error",
            format!(r#"{path}: Validation error: length [{{"min": Number(8)}}]"#),
        ));
    }
    cases.push(benign(
        "validation error",
        r#"email: Validation error: email [{"value": String("bob@example.com")}]"#,
    ));
}

/// `text` in base64 (standard alphabet, padded).
fn base64(text: impl AsRef<[u8]>) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// `text` gzip'd (the trailer's CRC zero: inflating does not check it), as CloudWatch Logs
/// compresses a subscription's events.
fn gzip(text: &[u8]) -> Vec<u8> {
    let mut stream = vec![0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff];
    stream.extend(miniz_oxide::deflate::compress_to_vec(text, 6));
    stream.extend_from_slice(&[0, 0, 0, 0]);
    stream.extend_from_slice(&(text.len() as u32).to_le_bytes());
    stream
}

/// JSON encoded in base64: an API Gateway or ALB event's body when `isBase64Encoded`, a
/// queue's payload; standard and URL-safe, in an event, a query, a line of text.
fn encoded_cases(cases: &mut Vec<Case>) {
    let pan = card("4", 16, 77);
    for body in [
        format!(r#"{{"card":{{"number":"{pan}","cvc":"123"}},"amount":1250}}"#),
        r#"{"cvv":"737"}"#.to_owned(),
        r#"{"password":"hunter2x9Q","user":"bob"}"#.to_owned(),
        r#"{"headers":{"Authorization":"Bearer abc123DEF456ghi"}}"#.to_owned(),
        format!(r#"{{"note":"paid with {pan} today"}}"#),
    ] {
        let encoded = base64(&body);
        let url_safe = encoded.replace('+', "-").replace('/', "_");
        for text in [
            format!(r#"{{"body":"{encoded}","isBase64Encoded":true}}"#),
            format!("payload={} next", url_safe.trim_end_matches('=')),
            format!("message {encoded}"),
        ] {
            // Its first 16 bytes, the same in both alphabets: a run kept shows them.
            assert_eq!(encoded[..16], url_safe[..16]);
            cases.push(sensitive("JSON encoded in base64", text, &encoded[..16]));
        }
    }
    // Bytes written as their values, as `Debug` and JSON write a `Vec<u8>`: a Kinesis
    // record's `Base64Data`, a request's body.
    for body in [
        format!(r#"{{"card":"{pan}"}}"#),
        r#"{"cvv":"737"}"#.to_owned(),
        "password=hunter2x9Q&user=bob".to_owned(),
    ] {
        let values = |sep: &str| {
            let values: Vec<String> = body.bytes().map(|b| b.to_string()).collect();
            format!("[{}]", values.join(sep))
        };
        let (spaced, compact) = (values(", "), values(","));
        for text in [
            format!("KinesisRecord {{ data: Base64Data({spaced}), partition_key: \"p\" }}"),
            format!("Request {{ method: POST, body: {spaced} }}"),
            format!("Request {{ method: POST, body: Binary({spaced}) }}"),
            format!("{{\"data\":{compact}}}"),
        ] {
            cases.push(sensitive("bytes as their values", text, &spaced[..24]));
        }
        // (In JSON the values are the compact list's.)
        cases.push(sensitive(
            "bytes as their values",
            format!("{{\"body\":{compact},\"n\":1}}"),
            &compact[..24],
        ));
    }
    // Any text in base64 under a payload's name: a form post through a function URL or an
    // ALB (often encoded), a record's text, a JSON array, pretty-printed JSON.
    for body in [
        format!("card_number={pan}&cvc=737&exp_month=12&exp_year=2028"),
        "amount=1250&password=hunter2x9Q&user=bob".to_owned(),
        format!("customer paid with {pan} today"),
        r#"[{"cvv":"737"}]"#.to_owned(),
        "{\n  \"cvv\": \"737\"\n}".to_owned(),
    ] {
        let encoded = base64(&body);
        let url_safe = encoded.replace('+', "-").replace('/', "_");
        for text in [
            format!(r#"{{"body":"{encoded}","isBase64Encoded":true}}"#),
            format!(r#"{{"Records":[{{"kinesis":{{"data":"{encoded}"}}}}]}}"#),
            format!(
                "ApiGatewayProxyRequest {{ body: Some(\"{encoded}\"), is_base64_encoded: true }}"
            ),
            format!("payload={} next", url_safe.trim_end_matches('=')),
        ] {
            assert_eq!(encoded[..16], url_safe[..16]);
            cases.push(sensitive("payload in base64", text, &encoded[..16]));
        }
    }
    for body in [
        "amount=1250&currency=usd&description=Gift%20wrap",
        "Thank you for your order",
    ] {
        cases.push(benign(
            "payload in base64",
            format!(r#"{{"body":"{}","isBase64Encoded":true}}"#, base64(body)),
        ));
    }
    // Gzip'd, then in base64: a CloudWatch Logs subscription's events as a forwarding
    // function receives them (`awslogs.data`), a Firehose record's, a Kinesis record's data
    // as `Debug` writes its bytes.
    let events = |message: &str| {
        format!(
            r#"{{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/aws/lambda/checkout","logEvents":[{{"id":"38719284719284719284","timestamp":1764221757123,"message":"{message}"}}]}}"#
        )
    };
    for message in [
        format!("charge failed card={pan} exp=12/28"),
        r#"{\"cvv\":\"737\",\"brand\":\"visa\"}"#.to_owned(),
        "login bob password=hunter2x9Q".to_owned(),
        "calling stripe with sk_live_51HxYzAbCdEfGhIjKlMnOpQrStUv".to_owned(),
    ] {
        let gzipped = gzip(events(&message).as_bytes());
        let encoded = base64(&gzipped);
        let values: Vec<String> = gzipped.iter().map(u8::to_string).collect();
        let spaced = format!("[{}]", values.join(", "));
        for (text, shown) in [
            (
                format!(r#"{{"awslogs":{{"data":"{encoded}"}}}}"#),
                &encoded[20..36],
            ),
            (
                format!(
                    r#"{{"records":[{{"recordId":"49546986683135544286507457936321625675700192471156785154","data":"{encoded}"}}]}}"#
                ),
                &encoded[20..36],
            ),
            (
                format!("KinesisRecord {{ data: Base64Data({spaced}), partition_key: \"p\" }}"),
                &spaced[40..64],
            ),
        ] {
            cases.push(sensitive("gzip'd payload", text, shown));
        }
    }
    cases.push(benign(
        "gzip'd payload",
        format!(
            r#"{{"awslogs":{{"data":"{}"}}}}"#,
            base64(gzip(events("Payment authorized in 182 ms").as_bytes()))
        ),
    ));
    // What holds nothing stays: a pagination cursor, a state parameter.
    for body in [
        r#"{"last_id":"pi_3MtwBwLkdIwHu7ix28a3tqPa","limit":10}"#,
        r#"{"return_to":"/checkout?step=2","nonce":"a1b2c3"}"#,
    ] {
        cases.push(benign(
            "JSON encoded in base64",
            format!("next_cursor={} ok", base64(body)),
        ));
    }
}

/// The texts of every labelled case, sensitive and benign (the composition sweep's
/// material: `composition.rs`).
pub(crate) fn all_texts() -> Vec<String> {
    all_cases().into_iter().map(|case| case.text).collect()
}

fn all_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    card_cases(&mut cases);
    name_value_cases(&mut cases);
    code_after_card_cases(&mut cases);
    pair_cases(&mut cases);
    anchored_cases(&mut cases);
    encoded_cases(&mut cases);
    benign_cases(&mut cases);
    state_cases(&mut cases);
    serde_error_cases(&mut cases);
    cursor_cases(&mut cases);
    credential_description_cases(&mut cases);
    escaped_blank_cases(&mut cases);
    decimal_fraction_cases(&mut cases);
    iban_cases(&mut cases);
    duplicate_entry_cases(&mut cases);
    configuration_error_cases(&mut cases);
    incorrect_value_cases(&mut cases);
    python_pair_cases(&mut cases);
    typed_header_cases(&mut cases);
    authorizer_cases(&mut cases);
    cases
}

/// A request body held as bytes.
#[derive(serde::Serialize)]
struct Body {
    bytes: Vec<u8>,
}

/// The ways a case is written: free text, a JSON line's message and field, a console line,
/// a body held as bytes.
fn outputs(text: &str) -> Vec<(&'static str, String)> {
    let redactor = Redactor::new();
    let mut out = vec![
        ("text", redactor.redact(text).into_owned()),
        ("raw line", redactor.redact_line(text).into_owned()),
    ];
    // A line whose message is itself a JSON line (a log event forwarded whole): whatever is
    // found there, the line stays JSON, its message too.
    {
        let inner = serde_json::json!({ "msg": text }).to_string();
        let line = serde_json::json!({ "message": inner }).to_string();
        let redacted = redactor.redact_line(&line);
        let outer = serde_json::from_str::<serde_json::Value>(&redacted)
            .unwrap_or_else(|e| panic!("{e}: {line} became {redacted}"));
        let message = outer["message"].as_str().unwrap_or_default();
        serde_json::from_str::<serde_json::Value>(message)
            .unwrap_or_else(|e| panic!("{e}: {line} became {redacted}"));
    }
    // The text as another runtime's JSON logger writes it in a message (its quotes, line
    // breaks and tabs escaped), read by `lift-ship --redact`: the line stays JSON, and the
    // message read back is judged. (Text already escaped is written so in its own cases.)
    if !text.contains('\\') {
        let line = serde_json::json!({ "msg": text }).to_string();
        let redacted = redactor.redact_line(&line);
        let message = serde_json::from_str::<serde_json::Value>(&redacted)
            .unwrap_or_else(|e| panic!("{e}: {line} became {redacted}"));
        out.push((
            "another runtime's JSON line",
            message["msg"].as_str().unwrap_or_default().to_owned(),
        ));
    }
    for format in [Format::Json, Format::Console] {
        let sink = MemorySink::new();
        // A clock that stands still: a console line keeps its timestamp, whose digits may
        // hold a short secret's (`05.123`).
        let log = Logger::builder()
            .format(format)
            .sink(sink.clone())
            .clock(Clock::fixed(1_764_000_000_000))
            .build();
        let body = Body {
            bytes: text.as_bytes().to_vec(),
        };
        log.info(
            text,
            &[
                lift_observability::field("value", text),
                lift_observability::field("body", Value::serde(&body)),
            ],
        );
        let line = sink.lines().remove(0);
        let name = if format == Format::Json {
            "JSON line"
        } else {
            "console line"
        };
        if format == Format::Json {
            let v: serde_json::Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {text:?} gave {line}"));
            out.push((name, v["message"].as_str().unwrap_or_default().to_owned()));
            out.push((name, v["value"].as_str().unwrap_or_default().to_owned()));
            // A body held as bytes in a `Serialize` value: written as a list of numbers.
            let bytes: Vec<u8> = v["body"]["bytes"]
                .as_array()
                .map(|list| list.iter().map(|n| n.as_u64().unwrap_or(0) as u8).collect())
                .unwrap_or_default();
            out.push(("bytes", String::from_utf8_lossy(&bytes).into_owned()));
        } else {
            out.push((name, line));
        }
    }
    out
}

#[test]
fn every_sensitive_case_is_caught_and_no_benign_case_is_touched() {
    let cases = all_cases();
    // Category, sensitive or benign, cases, misses, false positives: a category's benign
    // look-alikes get a row of their own.
    let mut rows: Vec<(&str, bool, usize, usize, usize)> = Vec::new();
    let mut failures = Vec::new();
    for case in &cases {
        let sensitive = case.secret.is_some();
        let row = match rows
            .iter()
            .position(|r| r.0 == case.category && r.1 == sensitive)
        {
            Some(i) => i,
            None => {
                rows.push((case.category, sensitive, 0, 0, 0));
                rows.len() - 1
            }
        };
        rows[row].2 += 1;
        let mut bad = false;
        for (via, out) in outputs(&case.text) {
            match &case.secret {
                Some(secret) => {
                    let compact: String = secret
                        .chars()
                        .filter(|c| !matches!(c, ' ' | '-' | '+'))
                        .collect();
                    if out.contains(secret.as_str())
                        || out
                            .replace("%20", "")
                            .replace([' ', '-', '+'], "")
                            .contains(&compact)
                    {
                        failures.push(format!("MISS via {via}: {:?} -> {out:?}", case.text));
                        bad = true;
                    }
                }
                None => {
                    if via != "console line" && out != case.text {
                        failures.push(format!(
                            "FALSE POSITIVE via {via}: {:?} -> {out:?}",
                            case.text
                        ));
                        bad = true;
                    }
                }
            }
        }
        if bad {
            if sensitive {
                rows[row].3 += 1;
            } else {
                rows[row].4 += 1;
            }
        }
    }
    println!("| category | cases | caught / untouched | recall / false positives |");
    println!("|---|---|---|---|");
    for &(category, sensitive, n, misses, fps) in &rows {
        if sensitive {
            println!(
                "| {category} | {n} | {} caught | {:.1}% recall |",
                n - misses,
                100.0 * (n - misses) as f64 / n as f64
            );
        } else {
            println!(
                "| {category} (benign) | {n} | {} untouched | {fps} false positives |",
                n - fps
            );
        }
    }
    let total_sensitive = cases.iter().filter(|c| c.secret.is_some()).count();
    println!(
        "| **all** | {} | {total_sensitive} sensitive, {} benign | |",
        cases.len(),
        cases.len() - total_sensitive
    );
    assert!(cases.len() >= 300, "{} cases", cases.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

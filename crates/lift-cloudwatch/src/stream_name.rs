//! [`StreamTemplate`]: log stream names from a template, optionally one stream per tenant.
//!
//! Placeholders: `{date}` (UTC `YYYY-MM-DD` when the sink starts), `{hostname}`,
//! `{instance_id}` (16 hex digits, random per process), `{tenant_id}` (the entry's tenant).
//! Everything but `{tenant_id}` is resolved once, at build time; a template with
//! `{tenant_id}` routes each entry to its tenant's stream — tenant isolation in storage.
//!
//! Tenant ids are sanitised for stream names: `:` and `*` (forbidden by CloudWatch) and
//! control characters become `_`; an entry without a tenant goes to the
//! [`NO_TENANT`] stream; a rendered name longer than 512 characters is cut at a character
//! boundary. The static parts are validated when the template is parsed.

use crate::error::TemplateError;
use crate::limits::MAX_LOG_STREAM_NAME_CHARS;
use crate::names::validate_log_stream_name;

/// The tenant part used for entries that carry no tenant id.
pub(crate) const NO_TENANT: &str = "no-tenant";

/// The default template: one stream per day, host and process.
pub const DEFAULT_STREAM_TEMPLATE: &str = "{date}/{hostname}/{instance_id}";

/// Values for the static placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateValues {
    /// `{date}`.
    pub date: String,
    /// `{hostname}`.
    pub hostname: String,
    /// `{instance_id}`.
    pub instance_id: String,
}

impl TemplateValues {
    /// The values for this process now.
    pub fn current() -> Self {
        let hostname = gethostname::gethostname().to_string_lossy().into_owned();
        Self {
            date: utc_date(lift_observability::system_millis()),
            hostname: if hostname.is_empty() {
                "localhost".to_owned()
            } else {
                hostname
            },
            instance_id: format!("{:016x}", fastrand::u64(..)),
        }
    }
}

/// A parsed stream-name template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamTemplate {
    /// The text before `{tenant_id}` (or the whole name).
    prefix: String,
    /// The text after `{tenant_id}`; `None` when the template has no tenant placeholder.
    suffix: Option<String>,
}

impl StreamTemplate {
    /// Parses `template`, resolving the static placeholders from `values`.
    pub fn parse(template: &str, values: &TemplateValues) -> Result<Self, TemplateError> {
        let mut prefix = String::new();
        let mut suffix: Option<String> = None;
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let out = suffix.as_mut().unwrap_or(&mut prefix);
            out.push_str(&rest[..open]);
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| TemplateError::Unclosed(template.to_owned()))?;
            let name = &rest[open + 1..open + close];
            match name {
                "date" => out.push_str(&values.date),
                "hostname" => out.push_str(&values.hostname),
                "instance_id" => out.push_str(&values.instance_id),
                "tenant_id" if suffix.is_none() => suffix = Some(String::new()),
                _ => return Err(TemplateError::UnknownPlaceholder(name.to_owned())),
            }
            rest = &rest[open + close + 1..];
        }
        suffix.as_mut().unwrap_or(&mut prefix).push_str(rest);
        let parsed = Self { prefix, suffix };
        validate_log_stream_name(&parsed.render(Some("tenant")))?;
        Ok(parsed)
    }

    /// Whether each tenant gets its own stream.
    pub fn is_per_tenant(&self) -> bool {
        self.suffix.is_some()
    }

    /// The stream name for an entry of `tenant`.
    pub fn render(&self, tenant: Option<&str>) -> String {
        let Some(suffix) = &self.suffix else {
            return self.prefix.clone();
        };
        let tenant = tenant.filter(|t| !t.is_empty()).unwrap_or(NO_TENANT);
        let mut name = String::with_capacity(self.prefix.len() + tenant.len() + suffix.len());
        name.push_str(&self.prefix);
        name.extend(tenant.chars().map(|c| {
            if c == ':' || c == '*' || c.is_control() {
                '_'
            } else {
                c
            }
        }));
        name.push_str(suffix);
        if let Some((cut, _)) = name.char_indices().nth(MAX_LOG_STREAM_NAME_CHARS) {
            name.truncate(cut);
        }
        name
    }
}

/// `YYYY-MM-DD` (UTC) for Unix milliseconds.
fn utc_date(unix_ms: i64) -> String {
    // Civil-from-days (Howard Hinnant's algorithm).
    let days = unix_ms.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> TemplateValues {
        TemplateValues {
            date: "2026-11-27".into(),
            hostname: "host-1".into(),
            instance_id: "00ff00ff00ff00ff".into(),
        }
    }

    #[test]
    fn static_placeholders_resolve_once() {
        let t = StreamTemplate::parse(DEFAULT_STREAM_TEMPLATE, &values()).unwrap();
        assert!(!t.is_per_tenant());
        assert_eq!(t.render(Some("acme")), "2026-11-27/host-1/00ff00ff00ff00ff");
    }

    #[test]
    fn tenant_placeholder_routes_and_sanitises() {
        let t = StreamTemplate::parse("payments/{tenant_id}/{date}", &values()).unwrap();
        assert!(t.is_per_tenant());
        assert_eq!(t.render(Some("acme")), "payments/acme/2026-11-27");
        assert_eq!(t.render(Some("a:b*c\n")), "payments/a_b_c_/2026-11-27");
        assert_eq!(t.render(None), "payments/no-tenant/2026-11-27");
        assert_eq!(t.render(Some("")), "payments/no-tenant/2026-11-27");
        let long = "é".repeat(600);
        assert_eq!(t.render(Some(&long)).chars().count(), 512);
    }

    #[test]
    fn bad_templates_are_refused_with_clear_errors() {
        assert_eq!(
            StreamTemplate::parse("{nope}", &values()),
            Err(TemplateError::UnknownPlaceholder("nope".into()))
        );
        assert!(matches!(
            StreamTemplate::parse("a{date", &values()),
            Err(TemplateError::Unclosed(_))
        ));
        assert!(matches!(
            StreamTemplate::parse("a:b", &values()),
            Err(TemplateError::Name(_))
        ));
        assert!(matches!(
            StreamTemplate::parse("", &values()),
            Err(TemplateError::Name(_))
        ));
    }

    #[test]
    fn dates_are_utc_civil_dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400_000), "2000-02-29");
        assert_eq!(utc_date(1_795_752_557_123), "2026-11-27");
    }
}

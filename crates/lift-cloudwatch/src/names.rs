//! Log group and stream names, validated when configured rather than rejected by AWS later.
//!
//! Rules (CreateLogGroup / CreateLogStream, see `docs/aws-facts.md`): a group name is 1–512
//! characters of `[.\-_/#A-Za-z0-9]` and must not start with `aws/` (reserved for AWS
//! services); a stream name is 1–512 characters with no `:` or `*`.

use crate::error::NameError;
use crate::limits::{MAX_LOG_GROUP_NAME_CHARS, MAX_LOG_STREAM_NAME_CHARS};

/// Checks a log group name against CloudWatch's rules.
pub fn validate_log_group_name(name: &str) -> Result<(), NameError> {
    const KIND: &str = "log group";
    check_length(KIND, name, MAX_LOG_GROUP_NAME_CHARS)?;
    if let Some(found) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | '#')))
    {
        return Err(NameError::BadCharacter {
            kind: KIND,
            name: clip(name),
            found,
            allowed: "letters, digits and . - _ / #",
        });
    }
    if name.starts_with("aws/") {
        return Err(NameError::ReservedPrefix { name: clip(name) });
    }
    Ok(())
}

/// Checks a log stream name against CloudWatch's rules.
pub fn validate_log_stream_name(name: &str) -> Result<(), NameError> {
    const KIND: &str = "log stream";
    check_length(KIND, name, MAX_LOG_STREAM_NAME_CHARS)?;
    if let Some(found) = name.chars().find(|c| matches!(c, ':' | '*')) {
        return Err(NameError::BadCharacter {
            kind: KIND,
            name: clip(name),
            found,
            allowed: "anything but : and *",
        });
    }
    Ok(())
}

fn check_length(kind: &'static str, name: &str, max: usize) -> Result<(), NameError> {
    let chars = name.chars().count();
    if chars == 0 {
        Err(NameError::Empty { kind })
    } else if chars > max {
        Err(NameError::TooLong { kind, chars, max })
    } else {
        Ok(())
    }
}

fn clip(name: &str) -> String {
    name.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names() {
        assert!(validate_log_group_name("/aws/lambda/payments").is_ok());
        assert!(validate_log_group_name("lift.demo_group-1#a").is_ok());
        assert!(validate_log_group_name(&"g".repeat(512)).is_ok());
        assert_eq!(
            validate_log_group_name(&"g".repeat(513)),
            Err(NameError::TooLong {
                kind: "log group",
                chars: 513,
                max: 512
            })
        );
        assert_eq!(
            validate_log_group_name(""),
            Err(NameError::Empty { kind: "log group" })
        );
        let err = validate_log_group_name("my group").unwrap_err();
        assert_eq!(
            err.to_string(),
            "log group name \"my group\" contains ' ', which is not allowed (letters, digits and . - _ / #)"
        );
        assert!(matches!(
            validate_log_group_name("aws/lambda/x"),
            Err(NameError::ReservedPrefix { .. })
        ));
        assert!(validate_log_group_name("grüppe").is_err());
    }

    #[test]
    fn stream_names() {
        assert!(validate_log_stream_name("2026/11/27/[$LATEST]abc").is_ok());
        assert!(validate_log_stream_name("tenant é ü").is_ok());
        assert!(validate_log_stream_name(&"s".repeat(512)).is_ok());
        assert!(validate_log_stream_name(&"s".repeat(513)).is_err());
        assert!(validate_log_stream_name("a:b").is_err());
        assert!(validate_log_stream_name("a*b").is_err());
        assert!(validate_log_stream_name("").is_err());
    }
}

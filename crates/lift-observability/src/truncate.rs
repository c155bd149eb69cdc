//! Shrinking a line that is too big (for the logger's entry cap, or one CloudWatch event)
//! without breaking it.
//!
//! A line that is a JSON object stays a valid JSON object: whole top-level members are kept
//! while they fit, the member that overflows is dropped — or, when its value is a string,
//! cut at a character boundary outside any escape sequence — and
//! `"truncated":true,"original_bytes":N` is appended. Any other line is cut at a character
//! boundary. The result is never longer than the cap.

use std::borrow::Cow;

/// One top-level member of a JSON object line.
#[derive(Debug, Clone, Copy)]
struct Member {
    /// Index of the `,` or `}` that ends this member.
    end: usize,
    /// Index just after the opening quote of the member's value, when the value is a string.
    string_value_start: Option<usize>,
}

/// Returns `line` unchanged if it fits in `max_bytes`, else a truncated copy that does.
pub fn truncate_line(line: &str, max_bytes: usize) -> Cow<'_, str> {
    if line.len() <= max_bytes {
        return Cow::Borrowed(line);
    }
    match top_level_members(line) {
        Some(members) => truncate_json(line, &members, max_bytes)
            .map(Cow::Owned)
            .unwrap_or_else(|| Cow::Borrowed(cut_at_char_boundary(line, max_bytes))),
        None => Cow::Borrowed(cut_at_char_boundary(line, max_bytes)),
    }
}

fn truncate_json(line: &str, members: &[Member], max_bytes: usize) -> Option<String> {
    let suffix = format!(",\"truncated\":true,\"original_bytes\":{}}}", line.len());
    let budget = max_bytes.checked_sub(suffix.len())?;
    // Whole members that fit.
    let mut kept_end = None;
    for m in members {
        if m.end <= budget {
            kept_end = Some(m.end);
            continue;
        }
        // This member overflows: keep part of its string value if there is room for the
        // closing quote.
        if let Some(start) = m.string_value_start {
            if start < budget {
                let cut = safe_string_cut(line, start, budget - 1);
                let mut out = String::with_capacity(max_bytes);
                out.push_str(&line[..cut]);
                out.push('"');
                out.push_str(&suffix);
                return Some(out);
            }
        }
        break;
    }
    let mut out = String::with_capacity(max_bytes);
    match kept_end {
        Some(end) => out.push_str(&line[..end]),
        // Not even the first member fits: keep only the marker.
        None => {
            out.push('{');
            out.push_str(&suffix[1..suffix.len() - 1]);
            out.push('}');
            return (out.len() <= max_bytes).then_some(out);
        }
    }
    out.push_str(&suffix);
    Some(out)
}

/// The largest index `<= limit` inside the string that starts at `start` where the string
/// can be closed: a character boundary not inside an escape sequence.
fn safe_string_cut(line: &str, start: usize, limit: usize) -> usize {
    let bytes = line.as_bytes();
    let mut i = start;
    loop {
        let width = match bytes.get(i) {
            Some(b'\\') => escape_width(bytes, i),
            Some(b'"') | None => return i,
            Some(&b) => utf8_width(b),
        };
        if i + width > limit {
            return i;
        }
        i += width;
    }
}

/// The width of the escape at `i`: 2 (`\n`), 6 (`\u00e9`), or 12 for a UTF-16 surrogate
/// pair written as two escapes (`\ud83d\ude00`), which must never be split: a lone
/// surrogate is invalid JSON text for strict parsers.
fn escape_width(bytes: &[u8], i: usize) -> usize {
    if bytes.get(i + 1) != Some(&b'u') {
        return 2;
    }
    let high = bytes
        .get(i + 2..i + 6)
        .and_then(|h| std::str::from_utf8(h).ok())
        .and_then(|h| u16::from_str_radix(h, 16).ok());
    let pair_follows = bytes.get(i + 6) == Some(&b'\\') && bytes.get(i + 7) == Some(&b'u');
    match high {
        Some(0xd800..=0xdbff) if pair_follows => 12,
        _ => 6,
    }
}

fn utf8_width(lead: u8) -> usize {
    match lead {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub fn cut_at_char_boundary(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Scans a line that should be one JSON object and lists its top-level members; `None` if
/// it is not an object this scanner understands (then the line is cut as plain text).
fn top_level_members(line: &str) -> Option<Vec<Member>> {
    let bytes = line.as_bytes();
    if bytes.first() != Some(&b'{') || bytes.last() != Some(&b'}') {
        return None;
    }
    let mut members = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut after_colon = false;
    let mut string_value_start = None;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                if depth == 1 && after_colon {
                    string_value_start = Some(i + 1);
                }
                after_colon = false;
            }
            b'{' | b'[' => {
                depth += 1;
                after_colon = false;
            }
            b'}' | b']' => {
                if depth == 1 {
                    if b != b'}' || i != bytes.len() - 1 {
                        return None;
                    }
                    if string_value_start.is_some() || !members.is_empty() || i > 1 {
                        members.push(Member {
                            end: i,
                            string_value_start: string_value_start.take(),
                        });
                    }
                }
                depth = depth.checked_sub(1)?;
            }
            b',' if depth == 1 => {
                members.push(Member {
                    end: i,
                    string_value_start: string_value_start.take(),
                });
            }
            b':' if depth == 1 => after_colon = true,
            b' ' | b'\t' => {}
            _ => after_colon = false,
        }
    }
    (depth == 0 && !in_string && !members.is_empty()).then_some(members)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(s: &str) -> serde_json::Value {
        serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
    }

    #[test]
    fn fitting_lines_are_untouched() {
        assert!(matches!(
            truncate_line("{\"a\":1}", 7),
            Cow::Borrowed("{\"a\":1}")
        ));
        assert_eq!(truncate_line("plain", 10), "plain");
    }

    #[test]
    fn keeps_whole_members_then_marks_truncation() {
        let line = r#"{"timestamp":"2026-11-27T04:09:17.123Z","level":"INFO","n":1,"big":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25]}"#;
        let out = truncate_line(line, 110);
        assert!(out.len() <= 110, "{}", out.len());
        let v = parse(&out);
        assert_eq!(v["level"], "INFO");
        assert_eq!(v["n"], 1);
        assert!(v.get("big").is_none());
        assert_eq!(v["truncated"], true);
        assert_eq!(v["original_bytes"], line.len());
    }

    #[test]
    fn cuts_a_long_string_value_at_a_safe_point() {
        let message = "é".repeat(400) + "\\n\\u00e9" + &"x".repeat(100);
        let line = format!(r#"{{"level":"INFO","message":"{message}","after":1}}"#);
        for cap in 60..line.len() {
            let out = truncate_line(&line, cap);
            assert!(out.len() <= cap, "cap {cap}: {}", out.len());
            let v = parse(&out);
            if out.len() < line.len() {
                assert_eq!(v["truncated"], true);
            }
        }
    }

    #[test]
    fn exactly_the_cap_and_one_over_with_a_multibyte_character_at_the_cut() {
        // A plain-text line whose last character is 3 bytes long.
        let line = format!("{}€", "a".repeat(1021));
        assert_eq!(line.len(), 1024);
        assert_eq!(truncate_line(&line, 1024), line);
        let cut = truncate_line(&line, 1023);
        assert_eq!(cut, "a".repeat(1021));
        // A JSON line at the cap and one byte over, the cut falling inside "€".
        let json = format!(r#"{{"message":"{}€"}}"#, "a".repeat(1024 - 17));
        assert_eq!(json.len(), 1024);
        assert_eq!(truncate_line(&json, 1024), json);
        let over = format!(r#"{{"message":"{}€"}}"#, "a".repeat(1024 - 16));
        let out = truncate_line(&over, 1024);
        assert!(out.len() <= 1024);
        let v = parse(&out);
        assert_eq!(v["truncated"], true);
        assert!(v["message"].as_str().unwrap().chars().all(|c| c == 'a'));
    }

    #[test]
    fn a_surrogate_pair_written_as_two_escapes_is_never_split() {
        let line = format!(r#"{{"message":"{}","n":1}}"#, "ab\\ud83d\\ude00".repeat(20));
        for cap in 60..line.len() {
            let out = truncate_line(&line, cap);
            assert!(out.len() <= cap);
            assert_eq!(
                out.matches("\\ud83d").count(),
                out.matches("\\ude00").count()
            );
            // serde_json refuses a lone surrogate escape.
            let v = parse(&out);
            assert!(v.is_object());
        }
    }

    #[test]
    fn non_objects_and_broken_json_are_cut_as_text() {
        assert_eq!(truncate_line("[1,2,3,4]", 4), "[1,2");
        assert_eq!(truncate_line("{\"a\":\"unterminated}", 6), "{\"a\":\"");
    }

    proptest! {
        #[test]
        fn any_json_object_stays_valid(
            fields in proptest::collection::vec((".{0,12}", ".{0,80}", any::<i64>()), 1..12),
            cap in 70usize..400,
        ) {
            let mut map = serde_json::Map::new();
            for (k, s, n) in &fields {
                map.insert(k.clone(), serde_json::json!([s, n]));
                map.insert(format!("{k}_s"), serde_json::Value::String(s.clone()));
            }
            let line = serde_json::Value::Object(map).to_string();
            let out = truncate_line(&line, cap);
            prop_assert!(out.len() <= cap.max(line.len().min(cap)));
            let v: serde_json::Value = serde_json::from_str(&out).map_err(|e| TestCaseError::fail(format!("{e}: {out}")))?;
            prop_assert!(v.is_object());
        }
    }
}

//! The two request bodies, written straight into a buffer: a conditional `UpdateItem` and
//! a strongly consistent `GetItem`.

/// `x-amz-target` of `UpdateItem`.
pub(crate) const UPDATE_ITEM: &str = "DynamoDB_20120810.UpdateItem";
/// `x-amz-target` of `GetItem`.
pub(crate) const GET_ITEM: &str = "DynamoDB_20120810.GetItem";

/// One conditional `UpdateItem` on the item whose partition key is `key`. The expressions,
/// placeholders and attribute names are the store's own (ASCII letters, digits and
/// operators: nothing JSON escapes), written as they are; the table and key are escaped.
pub(crate) struct UpdateItem<'a> {
    pub(crate) table: &'a str,
    pub(crate) partition_key: &'a str,
    pub(crate) key: &'a str,
    pub(crate) update_expression: &'a str,
    pub(crate) condition_expression: &'a str,
    pub(crate) names: &'a [(Placeholder, String)],
    pub(crate) values: &'a [(Placeholder, u64)],
}

/// An expression's placeholder (`#a0`, `:x12`, `:now`), kept inline: an update names a
/// dozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Placeholder {
    text: [u8; 16],
    len: u8,
}

impl Placeholder {
    /// `tag` alone (`:now`): one of the store's ASCII tags (16 bytes at most are kept).
    pub(crate) fn new(tag: &str) -> Self {
        let mut p = Placeholder {
            text: [0; 16],
            len: 0,
        };
        p.push(tag.as_bytes());
        p
    }

    /// `tag` and the limit's index (`#a0`, `:n1`); `_<n>` after it when there is one
    /// (`#r0_2`).
    pub(crate) fn numbered(tag: &str, i: usize, n: Option<usize>) -> Self {
        let mut p = Self::new(tag);
        let mut digits = itoa::Buffer::new();
        p.push(digits.format(i).as_bytes());
        if let Some(n) = n {
            p.push(b"_");
            p.push(digits.format(n).as_bytes());
        }
        p
    }

    fn push(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if let Some(slot) = self.text.get_mut(usize::from(self.len)) {
                *slot = b;
                self.len += 1;
            }
        }
    }

    /// The placeholder's text.
    pub(crate) fn as_str(&self) -> &str {
        // The store's ASCII tags and digits: always UTF-8.
        std::str::from_utf8(&self.text[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl UpdateItem<'_> {
    /// The request body: the new item back on success (`ALL_NEW`), the item as it was when
    /// the condition fails (`ALL_OLD`).
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"TableName\":");
        string(out, self.table);
        out.extend_from_slice(b",\"Key\":{");
        string(out, self.partition_key);
        out.extend_from_slice(b":{\"S\":");
        string(out, self.key);
        out.extend_from_slice(b"}},\"UpdateExpression\":");
        own_string(out, self.update_expression);
        out.extend_from_slice(b",\"ConditionExpression\":");
        own_string(out, self.condition_expression);
        out.extend_from_slice(b",\"ExpressionAttributeNames\":{");
        for (i, (placeholder, name)) in self.names.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            own_string(out, placeholder.as_str());
            out.push(b':');
            own_string(out, name);
        }
        out.extend_from_slice(b"},\"ExpressionAttributeValues\":{");
        let mut digits = itoa::Buffer::new();
        for (i, (placeholder, value)) in self.values.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            own_string(out, placeholder.as_str());
            out.extend_from_slice(b":{\"N\":\"");
            out.extend_from_slice(digits.format(*value).as_bytes());
            out.extend_from_slice(b"\"}");
        }
        out.extend_from_slice(
            b"},\"ReturnValues\":\"ALL_NEW\",\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\"}",
        );
    }
}

/// A strongly consistent `GetItem` of the item whose partition key is `key`.
pub(crate) fn get_item(out: &mut Vec<u8>, table: &str, partition_key: &str, key: &str) {
    out.extend_from_slice(b"{\"TableName\":");
    string(out, table);
    out.extend_from_slice(b",\"Key\":{");
    string(out, partition_key);
    out.extend_from_slice(b":{\"S\":");
    string(out, key);
    out.extend_from_slice(b"}},\"ConsistentRead\":true}");
}

/// Whether JSON needs any byte of `s` escaped.
fn needs_escape(s: &str) -> bool {
    s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\')
}

/// A JSON string.
fn string(out: &mut Vec<u8>, s: &str) {
    if needs_escape(s) {
        // Writing a `str` into a `Vec` cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    } else {
        own_string(out, s);
    }
}

/// A JSON string of text that needs no escape (the store's own), quoted as it is.
fn own_string(out: &mut Vec<u8>, s: &str) {
    debug_assert!(!needs_escape(s));
    out.reserve(s.len() + 2);
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(body: &[u8]) -> serde_json::Value {
        serde_json::from_slice(body).unwrap()
    }

    #[test]
    fn an_update_body_is_the_json_dynamodb_expects() {
        let names = [(
            Placeholder::numbered("#a", 0, None),
            "g_l10_1000000".to_owned(),
        )];
        let values = [
            (Placeholder::new(":now"), 5),
            (
                Placeholder::numbered(":n", 0, None),
                18_446_744_073_709_551_615,
            ),
        ];
        let mut out = Vec::new();
        UpdateItem {
            table: "rate-limits",
            partition_key: "pk",
            key: "tenant:\"acme\"\n",
            update_expression: "SET #a0 = :n0",
            condition_expression: "(attribute_not_exists(#a0) OR #a0 <= :now)",
            names: &names,
            values: &values,
        }
        .write(&mut out);
        assert_eq!(
            parsed(&out),
            serde_json::json!({
                "TableName": "rate-limits",
                "Key": {"pk": {"S": "tenant:\"acme\"\n"}},
                "UpdateExpression": "SET #a0 = :n0",
                "ConditionExpression": "(attribute_not_exists(#a0) OR #a0 <= :now)",
                "ExpressionAttributeNames": {"#a0": "g_l10_1000000"},
                "ExpressionAttributeValues": {
                    ":now": {"N": "5"},
                    ":n0": {"N": "18446744073709551615"}
                },
                "ReturnValues": "ALL_NEW",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"
            })
        );
        let mut out = Vec::new();
        get_item(&mut out, "t", "pk", "k");
        assert_eq!(
            parsed(&out),
            serde_json::json!({"TableName": "t", "Key": {"pk": {"S": "k"}}, "ConsistentRead": true})
        );
    }

    proptest::proptest! {
        #[test]
        fn any_string_is_written_as_json_reads_it_back(text in proptest::prelude::any::<String>()) {
            let mut out = Vec::new();
            string(&mut out, &text);
            proptest::prop_assert_eq!(serde_json::from_slice::<String>(&out).unwrap(), text);
        }
    }
}

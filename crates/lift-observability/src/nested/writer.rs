//! The writer's state and what it decides per member: where the line goes, which key's
//! rule applies to the member being written (removed, `[REDACTED]`, as given, a pair's
//! value, a payload), how strings, numbers and card-number-shaped numbers are written,
//! and how deep the value nests.

use serde::Serialize;

use crate::plain_probe::Plain;
use crate::redact::static_keys::{ValueRole, value_role};
use crate::redact::{KeyRule, Redactor, keys};

use super::{MAX_NESTING_DEPTH, NestedError};

/// The serializer Lift writes nested values with (see the module docs).
#[derive(Debug)]
pub struct NestedWriter<'a> {
    pub(super) out: &'a mut Vec<u8>,
    pub(super) key: &'a mut String,
    pub(super) redactor: Option<&'a Redactor>,
    pub(super) depth: u32,
    /// The member being written sits under a key naming a time: numbers stay numbers.
    pub(super) time_key: bool,
    /// How the member being written is written: as given under a safe key, read as the text
    /// it encodes under a payload's key.
    pub(super) how: How,
}

impl<'a> NestedWriter<'a> {
    pub(super) fn redacting(&self) -> Option<&'a Redactor> {
        self.redactor.filter(|_| self.how != How::Raw)
    }

    pub(super) fn string(&mut self, s: &str) {
        self.out.push(b'"');
        match self.redacting() {
            // One comparison for all three: the roles stand side by side.
            Some(r)
                if matches!(
                    self.how,
                    How::Payload | How::KeyMaterial | How::SymmetricKey
                ) =>
            {
                self.string_by_role(r, s);
            }
            Some(r) => r.write_json_str(self.out, s),
            None => crate::escape::json_str(self.out, s),
        }
        self.out.push(b'"');
    }

    /// A string under a payload's key or a JSON Web Key's private member.
    #[cold]
    fn string_by_role(&mut self, r: &Redactor, s: &str) {
        if self.how == How::Payload {
            r.write_json_payload(self.out, s);
        } else if r.is_key_material(self.how == How::SymmetricKey, s) {
            r.write_key_material(self.out);
        } else {
            r.write_json_str(self.out, s);
        }
    }

    fn masked(&mut self, masked: Option<([u8; 21], usize)>) -> bool {
        match masked {
            Some((digits, n)) => {
                self.out.push(b'"');
                self.out.extend_from_slice(&digits[..n]);
                self.out.push(b'"');
                true
            }
            None => false,
        }
    }

    pub(super) fn integer(&mut self, v: i128) {
        if let Some(r) = self.redacting()
            && !self.time_key
            && let Ok(magnitude) = u64::try_from(v.unsigned_abs())
            && self.masked(r.masked_integer("", magnitude, v < 0))
        {
            return;
        }
        self.out
            .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }

    pub(super) fn float(&mut self, v: f64) {
        if let Some(r) = self.redacting()
            && !self.time_key
            && self.masked(r.masked_float("", v))
        {
            return;
        }
        if crate::numbers::write_finite_f64(self.out, v).is_none() {
            self.out.extend_from_slice(b"null");
        }
    }

    pub(super) fn enter(&mut self, open: u8) -> Result<(), NestedError> {
        self.depth += 1;
        if self.depth > MAX_NESTING_DEPTH {
            return Err(NestedError(format!(
                "nested deeper than {MAX_NESTING_DEPTH} levels"
            )));
        }
        self.out.push(open);
        Ok(())
    }

    /// A struct field: its verdict is cached by the name's address.
    pub(super) fn static_member(&mut self, key: &'static str, first: &mut bool) -> Member {
        let Some(r) = self.redacting() else {
            return self.member(key, first);
        };
        let verdict = r.static_key(key);
        if !verdict.inert || verdict.rule != KeyRule::Scan {
            return self.member(key, first);
        }
        // An inert key is printable ASCII without a quote or a backslash: written as it is.
        if !std::mem::take(first) {
            self.out.push(b',');
        }
        match verdict.quoted {
            Some(quoted) => quoted.write(self.out),
            None => {
                self.out.push(b'"');
                self.out.extend_from_slice(key.as_bytes());
                self.out.extend_from_slice(b"\":");
            }
        }
        Member::Write {
            time_key: verdict.time,
            how: How::redacted(verdict.role),
        }
    }

    /// The rule for the member named `key`, written as `,"key":` unless removed; returns
    /// how to write its value.
    pub(super) fn member(&mut self, key: &str, first: &mut bool) -> Member {
        let rule = match self.redacting() {
            Some(r) => r.key_rule(key),
            None => KeyRule::Safe,
        };
        if rule == KeyRule::Remove {
            return Member::Removed;
        }
        self.member_with_rule(key, rule, first)
    }

    /// A member whose value is left out: counted.
    pub(super) fn removed(&self) {
        if let Some(r) = self.redactor {
            r.counts().add_sad();
        }
    }

    /// [`Self::member`] for a member whose rule is `rule` (not [`KeyRule::Remove`]).
    #[inline(always)]
    pub(super) fn member_with_rule(
        &mut self,
        key: &str,
        rule: KeyRule,
        first: &mut bool,
    ) -> Member {
        if !std::mem::take(first) {
            self.out.push(b',');
        }
        // The key is text too: a card number used as a map key is masked.
        self.string(key);
        self.out.push(b':');
        match rule {
            KeyRule::Secret => Member::Secret,
            KeyRule::Safe => Member::Write {
                time_key: false,
                how: How::Raw,
            },
            // Not under a safe key (redacting): redacted.
            _ => Member::Write {
                time_key: keys::is_time_key(key),
                how: How::redacted(value_role(key.as_bytes())),
            },
        }
    }

    /// Writes a member's value with its key's flags, restoring the enclosing ones after.
    pub(super) fn value<T: Serialize + ?Sized>(
        &mut self,
        member: Member,
        value: &T,
    ) -> Result<(), NestedError> {
        let Member::Write { time_key, how } = member else {
            // A secret's value is written by `Compound::secret_value`, out of this function,
            // which serde inlines into every struct's fields.
            debug_assert!(matches!(member, Member::Skip));
            return Ok(());
        };
        let saved = (self.time_key, self.how);
        (self.time_key, self.how) = (time_key, how);
        let result = value.serialize(&mut *self);
        (self.time_key, self.how) = saved;
        result
    }

    /// A secret's value: `"[REDACTED]"`, counted, or `null` when it is nothing.
    pub(super) fn secret(&mut self, plain: Option<Plain>) {
        if let Some(plain) = plain {
            self.out.extend_from_slice(plain.json().as_bytes());
        } else {
            if let Some(r) = self.redactor {
                r.counts().add_secret_key();
            }
            self.out.extend_from_slice(b"\"[REDACTED]\"");
        }
    }

    /// The marker for a pair's value its name made sensitive (`rule`), written as free
    /// text writes it (`"value":"[REMOVED]"`; a tuple keeps its length) and counted; `false`
    /// when the name says nothing, or the value is nothing (`null`), and it is to be written.
    pub(super) fn pair_marker<T: Serialize + ?Sized>(&mut self, rule: KeyRule, value: &T) -> bool {
        let Some(r) = self.redactor else { return false };
        if matches!(rule, KeyRule::Remove | KeyRule::Secret)
            && crate::plain_probe::plain_value(value).is_some()
            || rule == KeyRule::Remove && crate::plain_probe::reports_on_card_data(value)
        {
            return false;
        }
        match rule {
            KeyRule::Remove => {
                r.counts().add_sad();
                self.out.extend_from_slice(b"\"[REMOVED]\"");
            }
            KeyRule::Secret => {
                r.counts().add_secret_key();
                self.out.extend_from_slice(b"\"[REDACTED]\"");
            }
            KeyRule::Scan | KeyRule::Safe => return false,
        }
        true
    }
}

/// What to do with a member's value.
#[derive(Debug, Clone, Copy)]
pub(super) enum Member {
    /// Not written: no member is pending (a map's value before its key was judged).
    Skip,
    /// Named for sensitive authentication data: left out (the key too), unless its value
    /// reports on the data instead of holding it (a check's result: `"cvv_code":"M"`).
    Removed,
    /// A secret's: written as `"[REDACTED]"`, or `null` when it is nothing.
    Secret,
    /// Written (numbers stay numbers under a key naming a time; `how`: redacted, as given,
    /// or as a pair's value).
    Write { time_key: bool, how: How },
}

/// How a member's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum How {
    /// Redacted (strings go through text detection).
    Redacted,
    /// Redacted, and the value of a name and value pair ([`pairs`](crate::redact::pairs)):
    /// the name members written before it decide whether it is written.
    PairValue,
    /// Redacted, and a payload's ([`keys::is_payload_key`]): a string that starts with a run
    /// of base64 is read as the text it encodes.
    Payload,
    /// Redacted, and a JSON Web Key's private key member's ([`jwk`](crate::redact::jwk)): a
    /// string that reads as key material is `[REDACTED]`.
    KeyMaterial,
    /// Redacted, and a JSON Web Key's symmetric key member's (`k`): a string that reads as
    /// key material is `[REDACTED]`.
    SymmetricKey,
    /// As given: under a safe key, or with redaction off.
    Raw,
}

impl How {
    /// Redacted, as what the key says its value is asks.
    #[inline(always)]
    fn redacted(role: ValueRole) -> How {
        match role {
            ValueRole::Plain => How::Redacted,
            ValueRole::PairValue => How::PairValue,
            ValueRole::Payload => How::Payload,
            ValueRole::KeyMaterial => How::KeyMaterial,
            ValueRole::SymmetricKey => How::SymmetricKey,
        }
    }
}

//! X-Ray's limits, as named constants citing the X-Ray developer guide.

/// One UDP datagram to the daemon, header line included ("Sending segment documents to
/// the X-Ray daemon": segment documents up to 64 KB).
pub const MAX_DATAGRAM_BYTES: usize = 64 * 1024;
/// Annotations per trace ("Annotations: up to 50 annotations per trace").
pub const MAX_ANNOTATIONS: usize = 50;
/// Annotation keys: up to 500 alphanumeric characters (underscore allowed).
pub const MAX_ANNOTATION_KEY_LEN: usize = 500;
/// Annotation string values: up to 1,000 Unicode characters.
pub const MAX_ANNOTATION_VALUE_CHARS: usize = 1000;
/// Segment names: up to 200 characters (segment document `name`).
pub const MAX_NAME_CHARS: usize = 200;
/// The line that precedes every document in a datagram.
pub const DAEMON_HEADER: &str = "{\"format\": \"json\", \"version\": 1}\n";

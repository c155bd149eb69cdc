//! [`ResponseStatus`]: the status a response is logged with.

/// The HTTP-like status of a successful response, for logs.
pub trait ResponseStatus {
    /// The status code.
    fn status(&self) -> u16;
}

impl<B> ResponseStatus for http::Response<B> {
    fn status(&self) -> u16 {
        self.status().as_u16()
    }
}

/// Generic JSON responses succeeded: 200.
impl ResponseStatus for serde_json::Value {
    fn status(&self) -> u16 {
        200
    }
}

/// No response: 200.
impl ResponseStatus for () {
    fn status(&self) -> u16 {
        200
    }
}

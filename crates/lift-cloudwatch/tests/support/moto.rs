//! The CloudWatch Logs side of the emulator harness: an SDK client for a [`Moto`] server,
//! reading streams back, unique group names.

use aws_sdk_cloudwatchlogs::config::{BehaviorVersion, Credentials, Region};

#[path = "moto_server.rs"]
mod server;

pub(crate) use server::Moto;

impl Moto {
    /// An SDK config builder pointed at this server with dummy credentials.
    pub(crate) fn sdk_config(&self) -> aws_sdk_cloudwatchlogs::config::Builder {
        aws_sdk_cloudwatchlogs::config::Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
            .endpoint_url(&self.endpoint)
    }

    /// A plain client, for reading back and for changing things under the shipper.
    pub(crate) fn client(&self) -> aws_sdk_cloudwatchlogs::Client {
        aws_sdk_cloudwatchlogs::Client::from_conf(self.sdk_config().build())
    }
}

/// Every event in `group`/`stream`, oldest first, through GetLogEvents pagination.
pub(crate) async fn read_stream(
    client: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
    stream: &str,
) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .get_log_events()
            .log_group_name(group)
            .log_stream_name(stream)
            .start_from_head(true)
            .set_next_token(token.clone())
            .send()
            .await
            .expect("GetLogEvents");
        let events = page.events();
        let got = events.len();
        out.extend(events.iter().map(|e| {
            (
                e.timestamp().unwrap_or_default(),
                e.message().unwrap_or_default().to_owned(),
            )
        }));
        let next = page.next_forward_token().map(str::to_owned);
        if got == 0 || next.is_none() || next == token {
            break;
        }
        token = next;
    }
    out
}

/// A group name no other test uses.
pub(crate) fn unique_group(prefix: &str) -> String {
    format!("/lift/test/{prefix}-{:016x}", fastrand::u64(..))
}

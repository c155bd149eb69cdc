//! DynamoDB's JSON protocol for the store's two calls: the `UpdateItem` and `GetItem` bodies
//! written straight into a buffer ([`request`]), and a reply read into what the store keeps
//! of an item — its numeric attributes — or into the service's error ([`reply`]).

mod reply;
mod request;

pub(crate) use reply::{Item, Reply, ServiceError, read_reply};
pub(crate) use request::{GET_ITEM, Placeholder, UPDATE_ITEM, UpdateItem, get_item};

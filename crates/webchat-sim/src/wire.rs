//! Reading a request body at the edge: any JSON object body becomes a typed request, or a
//! [`SimError`] that names the problem (bad JSON, wrong type, missing field, too large).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use wxsim_protocol::parse_json;

use crate::error::SimError;

/// A JSON body parsed leniently (no content-type required), strictly where fields matter.
pub struct WireJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for WireJson<T> {
    type Rejection = SimError;

    async fn from_request(req: Request, state: &S) -> Result<Self, SimError> {
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|rejection| SimError::Body {
                status: rejection.status(),
                reason: rejection.body_text(),
            })?;
        Ok(WireJson(parse_json(&body)?))
    }
}

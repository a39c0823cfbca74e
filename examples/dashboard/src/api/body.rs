//! Reading requests: JSON bodies and query strings, with [`ApiError`]s that say what is wrong
//! (axum's own rejections are plain text).
//!
//! Bodies are parsed whatever their `Content-Type` (the layout's `curl -d '{...}'` calls send
//! one, quick hand-written calls often do not), and an empty body reads as `{}`, so `curl -X
//! POST .../api/bot/start` works.

use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// Largest body accepted (64 KiB: task data is small).
pub const MAX_BODY: usize = 64 * 1024;

/// A JSON body decoded as `T`; an empty body is decoded from `{}`.
#[derive(Debug, Clone)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(body_error)?;
        let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        let mut decoder = serde_json::Deserializer::from_slice(text);
        let value = serde_path_to_error::deserialize(&mut decoder).map_err(json_error)?;
        decoder
            .end()
            .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
        Ok(JsonBody(value))
    }
}

/// Syntax errors say the body is not JSON; errors in the data name the field.
fn json_error(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = error.path().to_string();
    let inner = error.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        return ApiError::bad_request(format!("the body is not valid JSON: {inner}"));
    }
    if path == "." {
        ApiError::bad_request(format!("the body does not fit this endpoint: {inner}"))
    } else {
        ApiError::bad_request(format!(
            "the body does not fit this endpoint: `{path}`: {inner}"
        ))
    }
}

fn body_error(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            kind: "payload_too_large",
            message: format!("the body is larger than {MAX_BODY} bytes"),
        };
    }
    ApiError::bad_request(format!(
        "the body could not be read: {}",
        rejection.body_text()
    ))
}

/// A query string decoded as `T`.
#[derive(Debug, Clone)]
pub struct QueryArgs<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryArgs<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(args)| QueryArgs(args))
            .map_err(|e: QueryRejection| {
                ApiError::bad_request(format!("bad query string: {}", e.body_text()))
            })
    }
}

/// `?limit=` with its default and upper bound: 400 outside `1..=max`.
pub fn limit(given: Option<u64>, default: u64, max: u64) -> Result<u64, ApiError> {
    match given {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::bad_request(format!(
            "limit {n} is out of range: give 1 to {max}"
        ))),
    }
}

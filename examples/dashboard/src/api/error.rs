//! [`ApiError`]: every failure of the API as a JSON body with a status that says whose fault
//! it is. Bad input is a 4xx naming what is wrong; an unreachable store is 503; only what is
//! nobody's input is 500.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use staunch::{Error, ErrorKind};

/// An API failure: status, machine-readable kind and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// `bad_request`, `not_found`, `method_not_allowed`, `conflict`, `payload_too_large`,
    /// `unavailable` or `internal`.
    pub kind: &'static str,
    /// What went wrong.
    pub message: String,
}

impl ApiError {
    /// 400: the request is malformed or names something invalid.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            kind: "bad_request",
            message: message.into(),
        }
    }

    /// 404: what the request names does not exist.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            kind: "not_found",
            message: message.into(),
        }
    }

    /// 409: the request is valid but the bot's state does not allow it now.
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::CONFLICT,
            kind: "conflict",
            message: message.into(),
        }
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> ApiError {
        let message = error.to_string();
        if staunch::bot::is_invalid_transition(&error) {
            return ApiError::conflict(message);
        }
        let (status, kind) = match error.kind() {
            ErrorKind::InvalidInput => (StatusCode::BAD_REQUEST, "bad_request"),
            ErrorKind::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            // Redis is up but refusing (out of memory, read-only, loading): not the caller's
            // fault, and it passes; the same answer as an outage.
            ErrorKind::Refused => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            _ if error.is_outage() => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        if status.is_server_error() {
            tracing::warn!(target: "staunch_dashboard", %error, "request failed");
        }
        ApiError {
            status,
            kind,
            message,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.message, "kind": self.kind });
        (self.status, Json(body)).into_response()
    }
}

/// The router's answer for a path it does not know.
pub async fn route_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no endpoint {}", uri.path()))
}

/// The router's answer for a known path with a method it does not serve.
pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        kind: "method_not_allowed",
        message: format!("{} does not accept {method}", uri.path()),
    }
}

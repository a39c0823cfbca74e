//! Cache keys: the Transform Army guide's layout, the TTL table, and the encoding that keeps one tenant's
//! patterns out of another tenant's keys (see the module docs of [`super`]).

use std::collections::HashMap;
use std::time::Duration;

use staunch_core::glob::escape;
use staunch_core::{Error, Result};

/// The cache types of the Transform Army guide's TTL table.
pub mod cache_type {
    /// Workflow definitions (2 h).
    pub const WORKFLOW_DEF: &str = "workflow_def";
    /// Tenant configuration (30 min).
    pub const TENANT_CONFIG: &str = "tenant_config";
    /// Provider settings (30 min).
    pub const PROVIDER_CONFIG: &str = "provider_config";
    /// API responses (5 min).
    pub const API_RESPONSE: &str = "api_response";
    /// Session data (24 h).
    pub const USER_SESSION: &str = "user_session";
    /// Rate limiting counters (1 min).
    pub const RATE_LIMIT: &str = "rate_limit";
    /// Health status (30 s).
    pub const HEALTH_CHECK: &str = "health_check";
}

/// The Transform Army guide's TTL table.
pub fn default_ttls() -> HashMap<String, Duration> {
    use cache_type::*;
    [
        (WORKFLOW_DEF, 2 * 3600),
        (TENANT_CONFIG, 30 * 60),
        (PROVIDER_CONFIG, 30 * 60),
        (API_RESPONSE, 5 * 60),
        (USER_SESSION, 24 * 3600),
        (RATE_LIMIT, 60),
        (HEALTH_CHECK, 30),
    ]
    .into_iter()
    .map(|(name, secs)| (name.to_owned(), Duration::from_secs(secs)))
    .collect()
}

/// Which entry: tenant (or global), cache type and identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    pub(super) tenant: Option<String>,
    pub(super) cache_type: String,
    pub(super) identifier: String,
}

impl CacheKey {
    /// `cache:tenant:{tenant_id}:{cache_type}:{identifier}`.
    pub fn tenant(tenant_id: &str, cache_type: &str, identifier: &str) -> CacheKey {
        CacheKey {
            tenant: Some(tenant_id.to_owned()),
            cache_type: cache_type.to_owned(),
            identifier: identifier.to_owned(),
        }
    }

    /// `cache:{cache_type}:{identifier}`, shared by all tenants.
    pub fn global(cache_type: &str, identifier: &str) -> CacheKey {
        CacheKey {
            tenant: None,
            cache_type: cache_type.to_owned(),
            identifier: identifier.to_owned(),
        }
    }

    /// Tenant-scoped when `tenant_id` is given, global otherwise.
    pub fn scoped(tenant_id: Option<&str>, cache_type: &str, identifier: &str) -> CacheKey {
        CacheKey {
            tenant: tenant_id.map(str::to_owned),
            cache_type: cache_type.to_owned(),
            identifier: identifier.to_owned(),
        }
    }

    /// The cache type.
    pub fn cache_type(&self) -> &str {
        &self.cache_type
    }
}

/// Percent-encodes `%` and `:` so a segment never contains the separator.
pub fn encode_segment(text: &str) -> String {
    text.replace('%', "%25").replace(':', "%3A")
}

/// The key prefix (ending in `:`) of a scope and type, checked; `literal_glob` escapes it for
/// use as a pattern.
pub(super) fn scope_prefix(
    prefix: &str,
    tenant: Option<&str>,
    cache_type: &str,
    literal_glob: bool,
) -> Result<String> {
    if cache_type.is_empty() {
        return Err(Error::invalid("cache type must not be empty"));
    }
    if cache_type == "tenant" {
        return Err(Error::invalid(
            "cache type `tenant` is reserved (it would collide with tenant keys)",
        ));
    }
    let lit = |s: String| if literal_glob { escape(&s) } else { s };
    let mut out = lit(format!("{prefix}:"));
    if let Some(tenant) = tenant {
        if tenant.is_empty() {
            return Err(Error::invalid("tenant id must not be empty"));
        }
        out.push_str(&lit(format!("tenant:{}:", encode_segment(tenant))));
    }
    out.push_str(&lit(format!("{}:", encode_segment(cache_type))));
    Ok(out)
}

//! TLS certificates from the settings: `REDIS_SSL_CA_CERTS`, `REDIS_SSL_CERTFILE`,
//! `REDIS_SSL_KEYFILE` (or the `[redis]` keys `ssl_ca_certs`, `ssl_certfile`, `ssl_keyfile`),
//! or the same names as query parameters of a `rediss://` URL
//! (`rediss://host:6380?ssl_ca_certs=/etc/ca.pem&ssl_certfile=...&ssl_keyfile=...`, as
//! redis-py reads them). A setting wins over the URL's parameter; the parameters are taken
//! out of the URL before it reaches the Redis client.

use std::path::PathBuf;

use super::settings::RedisSettings;

/// The query parameters that name TLS files.
const PARAMS: [&str; 3] = ["ssl_ca_certs", "ssl_certfile", "ssl_keyfile"];

/// `url` without the TLS file parameters, and the CA, client certificate and key files the
/// settings or the URL name.
pub(super) fn split(url: &str, redis: &RedisSettings) -> (String, [Option<PathBuf>; 3]) {
    let mut from_url: [Option<PathBuf>; 3] = [None, None, None];
    let url = match url.split_once('?') {
        None => url.to_owned(),
        Some((base, query)) => {
            // The fragment (`#insecure`) follows the query.
            let (query, fragment) = match query.split_once('#') {
                Some((q, f)) => (q, Some(f)),
                None => (query, None),
            };
            let mut kept = Vec::new();
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                match PARAMS.iter().position(|p| *p == name) {
                    Some(i) => from_url[i] = Some(PathBuf::from(value)),
                    None => kept.push(pair),
                }
            }
            let mut out = base.to_owned();
            if !kept.is_empty() {
                out.push('?');
                out.push_str(&kept.join("&"));
            }
            if let Some(fragment) = fragment {
                out.push('#');
                out.push_str(fragment);
            }
            out
        }
    };
    let [ca, cert, key] = from_url;
    (
        url,
        [
            redis.ssl_ca_certs.clone().or(ca),
            redis.ssl_certfile.clone().or(cert),
            redis.ssl_keyfile.clone().or(key),
        ],
    )
}

/// The Redis options' TLS part from the files (read now; the error names the file).
#[cfg(feature = "redis")]
pub(super) fn options(
    files: &[Option<PathBuf>; 3],
) -> staunch_core::Result<staunch_redis::TlsOptions> {
    staunch_redis::TlsOptions::from_files(
        files[0].as_deref(),
        files[1].as_deref(),
        files[2].as_deref(),
    )
    .map_err(|e| {
        staunch_core::Error::invalid(format!("invalid setting REDIS_SSL_*: {}", e.message()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parameters_are_taken_out() {
        let redis = RedisSettings::new("");
        let (url, files) = split(
            "rediss://h:6380/2?ssl_ca_certs=/ca.pem&protocol=resp3&ssl_certfile=/c.pem&ssl_keyfile=/k.pem#insecure",
            &redis,
        );
        assert_eq!(url, "rediss://h:6380/2?protocol=resp3#insecure");
        assert_eq!(files[0].as_deref(), Some(std::path::Path::new("/ca.pem")));
        assert_eq!(files[2].as_deref(), Some(std::path::Path::new("/k.pem")));
        let mut redis = RedisSettings::new("");
        redis.ssl_ca_certs = Some(PathBuf::from("/setting.pem"));
        let (url, files) = split("rediss://h?ssl_ca_certs=/ca.pem", &redis);
        assert_eq!(url, "rediss://h");
        assert_eq!(
            files[0].as_deref(),
            Some(std::path::Path::new("/setting.pem"))
        );
        assert_eq!(split("redis://h/1", &redis).0, "redis://h/1");
    }
}

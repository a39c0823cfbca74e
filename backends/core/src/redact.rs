//! Keeping passwords out of `Debug`, `Display`, logs and error messages.
//!
//! A Redis URL carries its password in the userinfo (`redis://user:password@host`). Every
//! `Debug` of options or settings and every error about a URL prints [`redact_url`] instead of
//! the URL itself.
//!
//! The userinfo is taken to end at the *last* `@` of the URL, so a password with an unescaped
//! `?`, `#`, `/` or `@` (which a URL parser would read as the start of the query, fragment,
//! path or host) is still recognised as the password and hidden whole. The price is that an
//! `@` inside a query string hides the text before it as well, which errs on the safe side.

/// `url` with its userinfo replaced: `redis://user:***@host:6379/0` when a user name is
/// given, `redis://***@host:6379/0` otherwise. A URL without `@` is returned as it is; text
/// that is not a URL at all (no `://`) is returned as `<not a URL>` if it contains an `@`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return if url.contains('@') {
            "<not a URL>".to_owned()
        } else {
            url.to_owned()
        };
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    let user = match userinfo.split_once(':') {
        // Only a plain user name is kept: anything that looks like part of a broken URL
        // may be part of the password.
        Some((user, _)) if !user.is_empty() && !user.contains(['/', '?', '#', '%']) => Some(user),
        _ => None,
    };
    match user {
        Some(user) => format!("{scheme}://{user}:***@{host}"),
        None => format!("{scheme}://***@{host}"),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_hidden_whole() {
        assert_eq!(redact_url("redis://h:6379/0"), "redis://h:6379/0");
        assert_eq!(
            redact_url("redis://u:secret@h:6379/0"),
            "redis://u:***@h:6379/0"
        );
        assert_eq!(
            redact_url("redis://:pa?ss@host:6380/0"),
            "redis://***@host:6380/0"
        );
        assert_eq!(redact_url("redis://:p@s#s/x@host"), "redis://***@host");
        assert_eq!(redact_url("redis://u/x:p@h"), "redis://***@h");
        assert_eq!(redact_url("redis://onlyuser@h"), "redis://***@h");
        assert_eq!(redact_url("user:pw@host"), "<not a URL>");
    }
}

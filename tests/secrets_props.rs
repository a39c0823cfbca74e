//! Passwords never show: a property test over random passwords, unescaped `?`, `#`, `@`, `%`,
//! `/` and `:` included, checks every public `Debug` of settings, options and stores, and every
//! error on the way from a URL to an open store.

use proptest::prelude::*;
use staunch::config::{RedisSettings, Secret, Settings};
use staunch_redis::{RedisOptions, RedisStore};

/// True when `text` shows `password` raw or percent-encoded.
fn shows(text: &str, password: &str) -> bool {
    let encoded: String = password
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    text.contains(password) || text.contains(&encoded)
}

/// Every way a URL with `password` reaches a public `Debug` or an error, with what came out.
fn outputs(url: &str, password: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let settings = RedisSettings::new(url);
    out.push(("RedisSettings Debug".into(), format!("{settings:?}")));
    out.push(("redacted_url".into(), settings.redacted_url()));
    let mut with_password = RedisSettings::new("redis://127.0.0.1:6380");
    with_password.password = Some(Secret::new(password));
    out.push(("password setting".into(), format!("{with_password:?}")));
    match Settings::new()
        .merge_env_vars([("REDIS_URL", url), ("STAUNCH_FAILOVER", "off")])
        .and_then(|s| s.validate().map(|()| s))
    {
        Ok(s) => out.push(("Settings Debug".into(), format!("{s:?}"))),
        Err(e) => {
            out.push(("settings error Display".into(), e.to_string()));
            out.push(("settings error Debug".into(), format!("{e:?}")));
        }
    }
    let options = RedisOptions::new(url);
    out.push(("RedisOptions Debug".into(), format!("{options:?}")));
    match RedisStore::lazy(options) {
        Ok(store) => {
            out.push(("RedisStore Debug".into(), format!("{store:?}")));
            out.push(("options() Debug".into(), format!("{:?}", store.options())));
        }
        Err(e) => {
            out.push(("lazy error Display".into(), e.to_string()));
            out.push(("lazy error Debug".into(), format!("{e:?}")));
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                out.push(("lazy error source".into(), s.to_string()));
                source = s.source();
            }
        }
    }
    out
}

fn check(url: &str, password: &str) {
    for (what, text) in outputs(url, password) {
        assert!(
            !shows(&text, password),
            "{what} shows the password {password:?} of {url:?}: {text}"
        );
    }
}

#[test]
fn the_issue_s_url() {
    check("redis://:pa?ss@host:6380/0", "pa?ss");
    // With the userinfo read up to the last `@`, that URL is usable: its password is
    // percent-encoded when the settings render it.
    let settings = Settings::new()
        .merge_env_vars([("REDIS_URL", "redis://:pa?ss@host:6380/0")])
        .expect("settings");
    settings.validate().expect("a password with ? is accepted");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn passwords_never_show(
        body in "[a-zA-Z0-9?#@%/:!&=+ ]{4,16}",
        user in prop::option::of("[a-z]{1,8}"),
        db in prop::option::of(0u32..16),
    ) {
        // A marker makes an accidental match with ordinary text impossible.
        let password = format!("Zq9{body}");
        let user = user.unwrap_or_default();
        let db = db.map(|d| format!("/{d}")).unwrap_or_default();
        for host in ["127.0.0.1:6380", "redis.example", "[::1]:6379"] {
            check(&format!("redis://{user}:{password}@{host}{db}"), &password);
            check(&format!("rediss://{user}:{password}@{host}{db}?protocol=resp3"), &password);
        }
    }
}

/// Opening the named databases with such a URL: the error, or the handle's `Debug` and health.
#[cfg(feature = "redis")]
#[tokio::test]
async fn opening_never_shows_the_password() {
    for password in ["Zq9pa?ss", "Zq9a#b/c@d", "Zq9%zz:x", "Zq9/@?#%"] {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("redis://app:{password}@127.0.0.1:1/0");
        let settings = Settings::new()
            .data_dir(dir.path())
            .merge_env_vars([("REDIS_URL", url.as_str())]);
        let settings = match settings {
            Ok(s) => s,
            Err(e) => {
                assert!(!shows(&format!("{e} {e:?}"), password), "{e:?}");
                continue;
            }
        };
        match staunch::config::Staunch::open(settings).await {
            Ok(staunch) => {
                let text = format!("{staunch:?} {:?}", staunch.health().await);
                assert!(!shows(&text, password), "{text}");
                let _ = staunch.close().await;
            }
            Err(e) => assert!(!shows(&format!("{e} {e:?}"), password), "{e:?}"),
        }
    }
}

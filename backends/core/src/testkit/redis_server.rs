//! A `redis-server` for tests: placeholder, replaced below.

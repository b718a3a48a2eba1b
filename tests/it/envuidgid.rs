//! Integration tests for envuidgid.

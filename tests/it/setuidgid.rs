//! Integration tests for setuidgid.

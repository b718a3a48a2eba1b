//! Integration tests for svok.

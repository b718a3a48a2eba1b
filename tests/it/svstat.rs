//! Integration tests for svstat.

//! Integration tests for supervise.

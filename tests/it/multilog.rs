//! Integration tests for multilog.

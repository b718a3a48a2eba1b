//! Integration tests for svc.

//! Integration tests for interop.

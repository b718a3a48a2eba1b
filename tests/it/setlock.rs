//! Integration tests for setlock.

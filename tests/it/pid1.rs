//! Integration tests for pid1.

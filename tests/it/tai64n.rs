//! Integration tests for tai64n.

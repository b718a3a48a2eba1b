//! Integration tests for envdir.

//! Integration tests for fghack.

//! Integration tests for softlimit.

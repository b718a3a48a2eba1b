//! Integration tests for svscan.

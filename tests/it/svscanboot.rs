//! Integration tests for svscanboot.

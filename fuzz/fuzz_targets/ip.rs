#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| daemonbox_fuzz::checks::run("ip", data));

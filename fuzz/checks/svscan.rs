//! svscan's service table under random scans, starts and exits.

use super::Input;
use crate::applets::svscan::table::{EXIT_HOLD, Key, Role, Table};
use std::time::Duration;

/// After any sequence of the operations svscan performs: every running pid belongs to
/// exactly one slot and every slot's pid is indexed; nothing with a running supervise is
/// dropped; a slot with a running supervise is never started again; one told to exit (exit
/// 0) is not started again before the hold time, even by a periodic scan.
pub fn table(data: &[u8]) {
    let mut input = Input::new(data);
    let mut table: Table<()> = Table::default();
    let mut next_pid = 100;
    let mut now = Duration::ZERO;
    let mut known: Vec<Key> = Vec::new();
    let mut told_until = std::collections::HashMap::new();
    while !input.is_empty() {
        let op = input.byte();
        let key: Key = (0, u64::from(input.byte() % 8));
        let role = if op & 0x10 == 0 {
            Role::Main
        } else {
            Role::Log
        };
        now += Duration::from_millis(u64::from(input.byte()) * 20);
        match op % 6 {
            0 => {
                if table.get_mut(key).is_none() {
                    let log = (op & 0x20 != 0).then_some(());
                    table.insert(key, b"svc", log);
                    if !known.contains(&key) {
                        known.push(key);
                    }
                } else if let Some(entry) = table.get_mut(key) {
                    entry.active = true;
                }
            }
            1 => {
                let periodic = op & 0x40 != 0;
                let start = table
                    .get_mut(key)
                    .is_some_and(|e| e.should_start(role, periodic, now));
                if start {
                    assert!(
                        told_until
                            .get(&(key, role == Role::Log))
                            .is_none_or(|&t| now >= t)
                    );
                    table.started(key, role, next_pid, now);
                    next_pid += 1;
                }
            }
            2 => {
                let pids: Vec<i32> = table.pids().collect();
                if !pids.is_empty() {
                    let pid = pids[usize::from(input.byte()) % pids.len()];
                    let code = [None, Some(0), Some(1), Some(111)][usize::from(op >> 6)];
                    let (key, role) = table.reaped(pid, code, now).unwrap();
                    if code == Some(0) {
                        told_until.insert((key, role == Role::Log), now + EXIT_HOLD);
                    }
                }
            }
            3 => assert!(table.reaped(next_pid + 7, None, now).is_none()),
            4 => table.begin_scan(),
            _ => {
                for gone in table.drop_inactive() {
                    assert!(!gone.active && gone.main.pid.is_none() && gone.logger.pid.is_none());
                }
                // A directory that comes back later is a new service: no hold carries over.
                told_until.retain(|&(key, _), _| table.get_mut(key).is_some());
            }
        }
        check(&mut table, &known, now);
    }
}

fn check(table: &mut Table<()>, known: &[Key], now: Duration) {
    let mut slots = Vec::new();
    for &key in known {
        if let Some(entry) = table.get_mut(key) {
            for role in [Role::Main, Role::Log] {
                if let Some(pid) = entry.slot(role).pid {
                    assert!(!entry.should_start(role, true, now));
                    slots.push(pid);
                }
            }
        }
    }
    let mut pids: Vec<i32> = table.pids().collect();
    pids.sort_unstable();
    slots.sort_unstable();
    assert_eq!(pids, slots);
    assert_eq!(table.running(), slots.len());
}

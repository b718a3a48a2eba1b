//! svscan's service table under random scans, starts and exits.

use super::Input;
use crate::applets::svscan::table::{Key, Role, Table};
use std::time::Duration;

/// After any sequence of the operations svscan performs: every running pid belongs to
/// exactly one slot and every slot's pid is indexed; nothing with a running supervise is
/// dropped; a slot with a running supervise is never started again.
pub fn table(data: &[u8]) {
    let mut input = Input::new(data);
    let mut table: Table<()> = Table::default();
    let mut next_pid = 100;
    let mut now = Duration::ZERO;
    let mut known: Vec<Key> = Vec::new();
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
                    .is_some_and(|e| e.should_start(role, periodic));
                if start {
                    table.started(key, role, next_pid, now);
                    next_pid += 1;
                }
            }
            2 => {
                let pids: Vec<i32> = table.pids().collect();
                if !pids.is_empty() {
                    let pid = pids[usize::from(input.byte()) % pids.len()];
                    assert!(table.reaped(pid, now).is_some());
                }
            }
            3 => assert!(table.reaped(next_pid + 7, now).is_none()),
            4 => table.begin_scan(),
            _ => {
                for gone in table.drop_inactive() {
                    assert!(!gone.active && gone.main.pid.is_none() && gone.logger.pid.is_none());
                }
            }
        }
        check(&mut table, &known);
    }
}

fn check(table: &mut Table<()>, known: &[Key]) {
    let mut slots = Vec::new();
    for &key in known {
        if let Some(entry) = table.get_mut(key) {
            for role in [Role::Main, Role::Log] {
                if let Some(pid) = entry.slot(role).pid {
                    assert!(!entry.should_start(role, true));
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

// SPDX-License-Identifier: BSD-2-Clause
//! rust: Rust names to demangle (legacy and v0 mangling, see names.mk):
//! a module, a method, a generic function with two instances. Counts its
//! own calls: `rust N` prints "names: calls NAME COUNT".
//!
//! The counters are plain `static mut` on purpose: an atomic increment
//! compiles to a `lock`-prefixed first instruction, and the kernel refuses to
//! place a uprobe on one (arch/x86/kernel/uprobes.c, is_prefix_bad()), so such
//! a function would never fire. One thread: the increments cannot race.

static mut N_NORM: u64 = 0;
static mut N_SCALE: u64 = 0;

pub mod geo {
    pub struct Point {
        pub x: i64,
    }

    impl Point {
        #[inline(never)]
        pub fn norm(&self) -> i64 {
            unsafe { super::N_NORM += 1 };
            self.x.abs()
        }
    }

    #[inline(never)]
    pub fn scale<T: Into<i64>>(t: T) -> i64 {
        unsafe { super::N_SCALE += 1 };
        t.into() * 3
    }
}

fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let mut sink = 0i64;
    for i in 0..n {
        let p = geo::Point { x: i as i64 };
        sink = sink.wrapping_add(p.norm() + geo::scale(i as u8) + geo::scale(i as i32));
    }
    let (norm, scale) = unsafe { (N_NORM, N_SCALE) };
    println!("names: calls geo::Point::norm {}", norm);
    println!("names: calls geo::scale {}", scale);
    if sink == i64::MIN {
        println!("(sink)");
    }
}

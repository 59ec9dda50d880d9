/* SPDX-License-Identifier: BSD-2-Clause */
/* What the follow_*.c files share among themselves; the rest of uscope uses follow.h. */
#ifndef USCOPE_FOLLOW_INTERNAL_H
#define USCOPE_FOLLOW_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

struct follow;

/* Add PID (forked by PARENT, 0: seeded) to the set in MAP_FD. Message printed on failure. */
int follow_seed(int map_fd, pid_t pid, pid_t parent);

/* Add every live descendant of ROOT (already a member) found in /proc. */
int follow_seed_descendants(int map_fd, pid_t root);

bool follow_proc_alive(pid_t pid);

/* True (message printed once) when BPF found task_struct not laid out as at build time. */
bool follow_check_layout(const struct follow *f);

#endif

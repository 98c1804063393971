/*
 * cpus.h - how many CPUs this process may really use: the default number of
 * event loops.
 *
 * Two limits apply and the smaller wins:
 *   - the affinity mask (sched_getaffinity: taskset, cpusets, --cpuset-cpus);
 *   - the cgroup v2 CPU quota (cpu.max "QUOTA PERIOD", as set by
 *     `podman run --cpus`, Kubernetes limits.cpu or systemd CPUQuota), on the
 *     process's own cgroup and every ancestor: QUOTA / PERIOD rounded up, as
 *     the JDK does, since a loop that is throttled part of the time still
 *     serves in the rest of it.
 */
#ifndef PWGEND_CPUS_H
#define PWGEND_CPUS_H

#include <stddef.h>

/* The usable CPUs, from 1 to `max`. */
size_t cpus_usable(size_t max);

/* The CPUs a cpu.max text allows ("max 100000" or "150000 100000"), or 0
 * for no limit or text that is not of that form. */
size_t cpus_from_cpu_max(const char *text);

#endif

/* cpus.c - see cpus.h. */
#define _GNU_SOURCE  /* sched_getaffinity, CPU_COUNT */
#include "cpus.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>

size_t cpus_from_cpu_max(const char *text)
{
	unsigned long long quota, period;

	if (sscanf(text, "%llu %llu", &quota, &period) != 2 || period == 0 ||
	    quota == 0)
		return 0;  /* "max ..." (no limit) or not a quota */
	return (size_t)((quota + period - 1) / period);
}

static size_t affinity_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 1;
	return CPU_COUNT(&set) > 0 ? (size_t)CPU_COUNT(&set) : 1;
}

/* The process's cgroup v2 path, from the "0::PATH" line. */
static int own_cgroup(char *path, size_t size)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[512];
	int rc = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(path, size, "%s", line + 3);
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

static size_t cgroup_cpus_at(const char *dir)
{
	char file[600], text[64];
	FILE *f;
	size_t n = 0;

	snprintf(file, sizeof(file), "/sys/fs/cgroup%s/cpu.max", dir);
	f = fopen(file, "re");
	if (f == NULL)
		return 0;
	if (fgets(text, sizeof(text), f) != NULL)
		n = cpus_from_cpu_max(text);
	fclose(f);
	return n;
}

/* The tightest quota on the way from the process's cgroup to the root. */
static size_t cgroup_cpus(void)
{
	char path[512];
	size_t best = 0;

	if (own_cgroup(path, sizeof(path)) < 0)
		return 0;
	for (;;) {
		size_t n = cgroup_cpus_at(strcmp(path, "/") == 0 ? "" : path);
		char *slash = strrchr(path, '/');

		if (n > 0 && (best == 0 || n < best))
			best = n;
		if (slash == NULL || slash == path)
			break;
		*slash = '\0';
	}
	if (strcmp(path, "/") != 0) {  /* the root itself */
		size_t n = cgroup_cpus_at("");

		if (n > 0 && (best == 0 || n < best))
			best = n;
	}
	return best;
}

size_t cpus_usable(size_t max)
{
	size_t n = affinity_cpus(), quota = cgroup_cpus();

	if (quota > 0 && quota < n)
		n = quota;
	if (n > max)
		n = max;
	return n > 0 ? n : 1;
}

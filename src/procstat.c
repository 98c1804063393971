/*
 * procstat.c - see procstat.h. The fields are those of proc(5):
 * /proc/self/stat (utime, stime, starttime in clock ticks since boot),
 * /proc/self/statm (sizes in pages), /proc/stat's btime (boot time, epoch
 * seconds) and the entries of /proc/self/fd.
 */
#include "procstat.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* utime, stime and starttime: fields 14, 15 and 22 of /proc/self/stat,
 * counted after the command name, which may hold spaces but ends at the
 * last ')'. */
static int read_stat(unsigned long long *ticks, unsigned long long *start)
{
	char buf[1024], *p;
	unsigned long long utime, stime;
	FILE *f = fopen("/proc/self/stat", "re");
	size_t n = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f != NULL)
		fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu "
		   "%llu %*d %*d %*d %*d %*d %*d %llu", &utime, &stime,
		   start) != 3)
		return -1;
	*ticks = utime + stime;
	return 0;
}

static int read_statm(unsigned long long *size, unsigned long long *rss)
{
	FILE *f = fopen("/proc/self/statm", "re");
	int rc = f != NULL && fscanf(f, "%llu %llu", size, rss) == 2 ? 0 : -1;

	if (f != NULL)
		fclose(f);
	return rc;
}

static int read_boot_time(unsigned long long *btime)
{
	char line[256];
	FILE *f = fopen("/proc/stat", "re");
	int rc = -1;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "btime %llu", btime) == 1) {
			rc = 0;
			break;
		}
	if (f != NULL)
		fclose(f);
	return rc;
}

/* Entries of /proc/self/fd, less the one opendir holds. */
static unsigned long long count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned long long n = 0;
	struct dirent *e;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n > 0 ? n - 1 : 0;
}

void procstat_sample(struct metrics_process *out)
{
	unsigned long long ticks, start, size, rss, btime;
	long hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	struct rlimit rl;

	memset(out, 0, sizeof(*out));
	if (hz <= 0 || page <= 0 || read_stat(&ticks, &start) < 0 ||
	    read_statm(&size, &rss) < 0 || read_boot_time(&btime) < 0)
		return;
	out->cpu_seconds = (double)ticks / (double)hz;
	out->resident_bytes = rss * (unsigned long long)page;
	out->virtual_bytes = size * (unsigned long long)page;
	out->open_fds = count_fds();
	out->max_fds = getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
				       rl.rlim_cur != RLIM_INFINITY
			       ? (uint64_t)rl.rlim_cur
			       : 0;
	out->start_time_seconds = (double)btime + (double)start / (double)hz;
	out->known = true;
}

/*
 * procstat.h - what this process uses, read from /proc at scrape time
 * (CPU time, memory, descriptors, start time): the process_* metrics.
 */
#ifndef PWGEND_PROCSTAT_H
#define PWGEND_PROCSTAT_H

#include "metrics.h"

/* Fill *out; out->known is false when /proc could not be read. */
void procstat_sample(struct metrics_process *out);

#endif

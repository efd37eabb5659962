/* Memory recycling (--max-worker-rss, uWSGI's reload-on-rss): after each
 * request the worker looks at its resident set; above the limit it finishes
 * (the request is already answered) and is replaced, counted in the
 * scoreboard's "rss_recycles". */
#ifndef FCGI_RSS_H
#define FCGI_RSS_H

#include <stdbool.h>

/* True when this process's resident set is above limit_mb megabytes. Costs
 * one getrusage() while the peak is below the limit, then a read of
 * /proc/self/statm. limit_mb <= 0, or statm unreadable: false. */
bool rss_above(long limit_mb);

/* This process's resident set in kB; -1 when /proc/self/statm cannot be read. */
long rss_kb(void);

#endif

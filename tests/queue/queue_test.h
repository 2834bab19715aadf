/*
 * queue_test.h - helpers shared by the queue test programs (queue_test.c).
 * cfg and q are the test's configuration and queue, remade by qt_setup()
 * (a Check fixture) on an emptied database; qt_reopen() remakes q after a
 * test changed cfg with qt_set().
 */
#ifndef XQ_QUEUE_TEST_H
#define XQ_QUEUE_TEST_H

#include <check.h>

#include "config.h"
#include "job.h"
#include "queue.h"

extern xq_config cfg;
extern xq_queue *q;

void qt_set(const char *k, const char *v);
void qt_flushdb(void);
void qt_reopen(void);
void qt_setup(void);
void qt_teardown(void);
long long qt_mono_ms(void);
long long qt_wall_ms(void);
void qt_sleep_ms(long ms);
xq_status qt_add_job(const char *owner, int prio, char id[XQ_JOB_ID_LEN + 1], long long *pos,
                     long *retry);
void qt_must_add(const char *owner, int prio, char id[XQ_JOB_ID_LEN + 1]);
xq_job *qt_get(const char *id);
xq_job *qt_claim(const char *worker);
xq_status qt_complete(const char *id, const char *worker, const char *file);
xq_job_state qt_state_of(const char *id);

/* Start redis, run the suite in one process, stop redis: the exit code. */
int qt_run(Suite *s);

#endif

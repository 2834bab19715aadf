/*
 * cmd_queue.c - the queue administration subcommands of exportqctl: stats,
 * jobs, show, retry, cancel, remove, pause, resume, clean (workers:
 * cmd_workers.c).
 *
 * Each is an xq_ctl_cmd entry (runner.h: the runner parses the options and
 * opens the queue) and a handler over src/queue.h (the same Lua scripts the
 * HTTP admin routes run, so the CLI and the API cannot disagree), printing a
 * human table by default and with --json the same shapes as the API
 * (SPEC §5, §10).  Files of removed/cleaned jobs are deleted through
 * xq_purge_delete_files() (src/purge.h), which only ever unlinks a
 * generated file name inside EXPORT_DIR, and tombstoned as the admin routes
 * do, so their downloads answer 410 afterwards.
 */
#include <stdlib.h>

#include "cmd_ops.h"
#include "ctlout.h"
#include "purge.h"
#include "queue.h"

/* Options a subcommand may accept (bit mask). */
#define OPT_STATE 0x01
#define OPT_PAGE 0x02
#define OPT_OLDER 0x04
#define OPT_STATE_REQUIRED 0x08

/* The option block of a queue command (ctx->opts); each command's initial
 * value says which options it accepts. */
typedef struct {
    unsigned allowed;   /* OPT_* */
    int state;          /* -1: none given */
    long limit, offset;
    double older_hours; /* < 0: none given */
} qopts;

static const struct option queue_longopts[] = {
    {"json", no_argument, NULL, 'j'},       {"config", required_argument, NULL, 'c'},
    {"state", required_argument, NULL, 's'}, {"limit", required_argument, NULL, 'l'},
    {"offset", required_argument, NULL, 'o'}, {"older-than", required_argument, NULL, 'O'},
    {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};

static int queue_option(xq_ctl_ctx *ctx, int c, const char *arg)
{
    qopts *o = ctx->opts;
    const char *cmd = ctx->name, *usage = ctx->cmd->usage;

    switch (c) {
    case 's':
        if (!(o->allowed & OPT_STATE))
            return xq_ctl_usage(cmd, usage, "--state is not an option of %s", cmd);
        o->state = xq_job_state_parse(arg);
        if (o->state < 0)
            return xq_ctl_usage(cmd, usage,
                                "unknown state '%.64s' (waiting, active, delayed, "
                                "completed, failed, cancelled)",
                                arg);
        break;
    case 'l':
        if (!(o->allowed & OPT_PAGE) || xq_ctl_parse_long(arg, 1, 100, &o->limit) != 0)
            return xq_ctl_usage(cmd, usage, "--limit takes 1..100");
        break;
    default: /* 'o' or 'O': the rest of queue_longopts */
        if (c == 'o') {
            if (!(o->allowed & OPT_PAGE) || xq_ctl_parse_long(arg, 0, 100000000, &o->offset) != 0)
                return xq_ctl_usage(cmd, usage, "--offset takes a number >= 0");
        } else if (!(o->allowed & OPT_OLDER) || xq_ctl_parse_hours(arg, &o->older_hours) != 0) {
            return xq_ctl_usage(cmd, usage, "--older-than takes hours (e.g. 24 or 0.5)");
        }
        break;
    }
    return 0;
}

static int queue_check(xq_ctl_ctx *ctx)
{
    const qopts *o = ctx->opts;

    if ((o->allowed & OPT_STATE_REQUIRED) && o->state < 0)
        return xq_ctl_usage(ctx->name, ctx->cmd->usage, "--state is required");
    if ((o->allowed & OPT_OLDER) && o->older_hours < 0)
        return xq_ctl_usage(ctx->name, ctx->cmd->usage, "--older-than is required");
    return 0;
}

/* Delete the files a remove/clean returned and leave their tombstones, as
 * the admin routes do (a later download answers 410, not 404).  Failures
 * are reported on stderr but never change the exit code: the jobs are gone
 * either way. */
static void delete_files(const char *cmd, const xq_config *cfg, xq_queue *q, char **names,
                         size_t n, const char *owner)
{
    xq_err err;
    size_t i;

    if (n == 0)
        return;
    xq_err_clear(&err);
    if (xq_purge_delete_files(cfg, (const char *const *)names, n, NULL, NULL, &err) != XQ_OK)
        fprintf(stderr, "exportqctl: %s: warning: %s\n", cmd, err.msg);
    for (i = 0; i < n; i++) {
        xq_err_clear(&err);
        if (names[i] != NULL && xq_purge_tombstone(q, names[i], owner, &err) != XQ_OK)
            fprintf(stderr, "exportqctl: %s: warning: %s\n", cmd, err.msg);
    }
}

static void free_names(char **names, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* ---- stats ---- */

static json_object *stats_json(const xq_queue_stats *s)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "waiting", json_object_new_int64(s->waiting));
    json_object_object_add(o, "active", json_object_new_int64(s->active));
    json_object_object_add(o, "delayed", json_object_new_int64(s->delayed));
    json_object_object_add(o, "completed", json_object_new_int64(s->completed));
    json_object_object_add(o, "failed", json_object_new_int64(s->failed));
    json_object_object_add(o, "cancelled", json_object_new_int64(s->cancelled));
    json_object_object_add(o, "paused", json_object_new_boolean(s->paused));
    json_object_object_add(o, "workers", json_object_new_int64(s->workers));
    return o;
}

static int stats_run(xq_ctl_ctx *ctx)
{
    xq_queue_stats s;
    xq_err err;

    xq_err_clear(&err);
    if (xq_queue_stats_get(ctx->q, &s, &err) != XQ_OK)
        return xq_ctl_fail(ctx->name, &err);
    if (ctx->json) {
        json_object *j = stats_json(&s);

        xq_ctl_json_print(stdout, j);
        json_object_put(j);
    } else {
        printf("waiting    %lld\nactive     %lld\ndelayed    %lld\ncompleted  %lld\n"
               "failed     %lld\ncancelled  %lld\npaused     %s\nworkers    %lld\n",
               s.waiting, s.active, s.delayed, s.completed, s.failed, s.cancelled,
               s.paused ? "yes" : "no", s.workers);
    }
    return 0;
}

/* ---- jobs ---- */

static const char *const job_headers[] = {"JOB", "STATE", "TYPE", "FORMAT", "PRIO",
                                          "PROGRESS", "ROWS", "TRIES", "OWNER", "REQUESTED"};

static xq_status job_row(xq_ctl_table *t, const xq_job *j)
{
    char prog[16], rows[32], tries[16], req[32];
    const char *cells[10];

    snprintf(prog, sizeof(prog), "%d%%", j->progress);
    snprintf(rows, sizeof(rows), "%lld", j->rows_written);
    snprintf(tries, sizeof(tries), "%d", j->attempts_made);
    xq_ctl_fmt_time(j->requested_at_ms, req, sizeof(req));
    cells[0] = j->id;
    cells[1] = xq_job_state_name(j->state);
    cells[2] = j->export_type;
    cells[3] = j->format;
    cells[4] = j->priority == 1 ? "high" : j->priority == 10 ? "low" : "normal";
    cells[5] = prog;
    cells[6] = rows;
    cells[7] = tries;
    cells[8] = j->owner;
    cells[9] = req;
    return xq_ctl_table_row(t, cells);
}

/* The API job object plus what only an operator sees. New reference. */
static json_object *job_json(const xq_job *j, const xq_config *cfg, long long now)
{
    json_object *o = xq_job_to_api_json(j, cfg, now);

    if (o == NULL)
        return NULL;
    json_object_object_add(o, "owner", json_object_new_string(j->owner ? j->owner : ""));
    json_object_object_add(o, "ownerEmail",
                           json_object_new_string(j->owner_email ? j->owner_email : ""));
    if (j->worker_id != NULL && j->worker_id[0] != '\0')
        json_object_object_add(o, "workerId", json_object_new_string(j->worker_id));
    return o;
}

/* Print a page of jobs gathered from one or several states. */
static int print_jobs(const xq_config *cfg, xq_job **jobs, size_t n, long long total, int json)
{
    size_t i;
    long long now = xq_ctl_now_ms();

    if (json) {
        json_object *root = json_object_new_object(), *arr = json_object_new_array();

        for (i = 0; i < n; i++) {
            json_object *j = job_json(jobs[i], cfg, now);

            if (j != NULL)
                json_object_array_add(arr, j);
        }
        json_object_object_add(root, "jobs", arr);
        json_object_object_add(root, "total", json_object_new_int64(total));
        xq_ctl_json_print(stdout, root);
        json_object_put(root);
        return 0;
    } else {
        xq_ctl_table *t = xq_ctl_table_new(10, job_headers);

        if (t == NULL)
            return XQ_CTL_EXIT_FAIL;
        for (i = 0; i < n; i++) {
            if (job_row(t, jobs[i]) != XQ_OK) {
                xq_ctl_table_free(t);
                return XQ_CTL_EXIT_FAIL;
            }
        }
        xq_ctl_table_print(t, stdout);
        printf("(%zu shown of %lld)\n", n, total);
        xq_ctl_table_free(t);
    }
    return 0;
}

/* Every state in the order an operator reads them: what runs, what waits,
 * then what finished. */
static const xq_job_state all_states[] = {XQ_JOB_ACTIVE,    XQ_JOB_WAITING, XQ_JOB_DELAYED,
                                          XQ_JOB_FAILED,    XQ_JOB_COMPLETED,
                                          XQ_JOB_CANCELLED};

static long long state_count(const xq_queue_stats *s, xq_job_state st)
{
    switch (st) {
    case XQ_JOB_WAITING: return s->waiting;
    case XQ_JOB_ACTIVE: return s->active;
    case XQ_JOB_DELAYED: return s->delayed;
    case XQ_JOB_COMPLETED: return s->completed;
    case XQ_JOB_FAILED: return s->failed;
    case XQ_JOB_CANCELLED: return s->cancelled;
    default: return 0;
    }
}

static int jobs_run(xq_ctl_ctx *ctx)
{
    const qopts *o = ctx->opts;
    const char *cmd = ctx->name;
    xq_queue *q = ctx->q;
    xq_job **page = NULL, **part = NULL;
    size_t n = 0, np = 0, k;
    long long total = 0, skip, got_total;
    xq_queue_stats s;
    xq_err err;
    int rc;

    xq_err_clear(&err);
    if (o->state >= 0) {
        if (xq_queue_list_state(q, (xq_job_state)o->state, o->offset, o->limit, &page, &n, &total,
                                &err) != XQ_OK) {
            rc = xq_ctl_fail(cmd, &err);
            goto out;
        }
        rc = print_jobs(&ctx->cfg, page, n, total, ctx->json);
        goto out;
    }
    /* No --state: one page over the states in all_states order, the offset
     * counted across them, using the stats counts to skip whole states. */
    if (xq_queue_stats_get(q, &s, &err) != XQ_OK) {
        rc = xq_ctl_fail(cmd, &err);
        goto out;
    }
    page = calloc((size_t)o->limit, sizeof(*page));
    if (page == NULL) {
        rc = XQ_CTL_EXIT_FAIL;
        goto out;
    }
    skip = o->offset;
    for (k = 0; k < sizeof(all_states) / sizeof(all_states[0]); k++) {
        long long cnt = state_count(&s, all_states[k]);
        size_t i;

        total += cnt;
        if ((long)n >= o->limit || cnt == 0)
            continue;
        if (skip >= cnt) {
            skip -= cnt;
            continue;
        }
        if (xq_queue_list_state(q, all_states[k], (long)skip, o->limit - (long)n, &part, &np,
                                &got_total, &err) != XQ_OK) {
            rc = xq_ctl_fail(cmd, &err);
            goto out;
        }
        skip = 0;
        for (i = 0; i < np && (long)n < o->limit; i++) {
            page[n++] = part[i];
            part[i] = NULL;
        }
        xq_job_list_free(part, np);
        part = NULL;
        np = 0;
    }
    rc = print_jobs(&ctx->cfg, page, n, total, ctx->json);
out:
    if (o->state >= 0) {
        xq_job_list_free(page, n);
    } else if (page != NULL) {
        /* our own array of jobs taken from the per-state lists */
        for (k = 0; k < n; k++)
            xq_job_free(page[k]);
        free(page);
    }
    return rc;
}

/* ---- show ---- */

static void show_line(const char *key, const char *val)
{
    printf("%-12s ", key);
    xq_ctl_put_clean(stdout, val);
    fputc('\n', stdout);
}

static int show_run(xq_ctl_ctx *ctx)
{
    xq_job *j = NULL;
    xq_err err;
    char buf[64];

    xq_err_clear(&err);
    if (xq_queue_get(ctx->q, ctx->job_id, &j, &err) != XQ_OK)
        return xq_ctl_fail(ctx->name, &err);
    if (ctx->json) {
        json_object *jo = job_json(j, &ctx->cfg, xq_ctl_now_ms());

        xq_ctl_json_print(stdout, jo);
        json_object_put(jo);
        xq_job_free(j);
        return 0;
    }
    show_line("job", j->id);
    show_line("state", xq_job_state_name(j->state));
    show_line("type", j->export_type);
    show_line("format", j->format);
    show_line("priority", j->priority == 1 ? "high" : j->priority == 10 ? "low" : "normal");
    show_line("owner", j->owner);
    show_line("owner email", j->owner_email);
    snprintf(buf, sizeof(buf), "%d%%", j->progress);
    show_line("progress", buf);
    snprintf(buf, sizeof(buf), "%lld of ~%lld", j->rows_written, j->rows_estimated);
    show_line("rows", buf);
    snprintf(buf, sizeof(buf), "%d", j->attempts_made);
    show_line("attempts", buf);
    xq_ctl_fmt_time(j->requested_at_ms, buf, sizeof(buf));
    show_line("requested", buf);
    xq_ctl_fmt_time(j->started_at_ms, buf, sizeof(buf));
    show_line("started", buf);
    xq_ctl_fmt_time(j->finished_at_ms, buf, sizeof(buf));
    show_line("finished", buf);
    if (j->position > 0) {
        snprintf(buf, sizeof(buf), "%lld", j->position);
        show_line("position", buf);
    }
    if (j->worker_id != NULL && j->worker_id[0] != '\0')
        show_line("worker", j->worker_id);
    if (j->cancel_requested)
        show_line("cancel", "requested");
    show_line("request", j->request_json);
    if (j->result_json != NULL)
        show_line("result", j->result_json);
    if (j->error != NULL)
        show_line("error", j->error);
    xq_job_free(j);
    return 0;
}

/* ---- retry, cancel, remove ---- */

static int print_result(const xq_ctl_ctx *ctx, const char *state, const char *text)
{
    if (ctx->json) {
        json_object *r = json_object_new_object();

        json_object_object_add(r, "jobId", json_object_new_string(ctx->job_id));
        json_object_object_add(r, "status", json_object_new_string(state));
        xq_ctl_json_print(stdout, r);
        json_object_put(r);
    } else {
        printf("%s: %s\n", ctx->job_id, text);
    }
    return 0;
}

static int retry_run(xq_ctl_ctx *ctx)
{
    xq_err err;

    xq_err_clear(&err);
    if (xq_queue_retry(ctx->q, ctx->job_id, &err) != XQ_OK)
        return xq_ctl_fail(ctx->name, &err);
    return print_result(ctx, "waiting", "queued again (attempts reset)");
}

static int cancel_run(xq_ctl_ctx *ctx)
{
    xq_err err;
    int was_active = 0;

    xq_err_clear(&err);
    if (xq_queue_cancel(ctx->q, ctx->job_id, &was_active, &err) != XQ_OK)
        return xq_ctl_fail(ctx->name, &err);
    if (was_active)
        return print_result(ctx, "active", "cancel requested; the worker stops within 2 s");
    return print_result(ctx, "cancelled", "cancelled");
}

static int remove_run(xq_ctl_ctx *ctx)
{
    xq_err err;
    xq_job *job = NULL;
    char *file = NULL;
    int rc;

    xq_err_clear(&err);
    /* the owner for the tombstone, read before the record goes */
    if (xq_queue_get(ctx->q, ctx->job_id, &job, &err) != XQ_OK ||
        xq_queue_remove(ctx->q, ctx->job_id, &file, &err) != XQ_OK) {
        rc = xq_ctl_fail(ctx->name, &err);
    } else {
        if (file != NULL)
            delete_files(ctx->name, &ctx->cfg, ctx->q, &file, 1, job->owner);
        rc = print_result(ctx, "removed", "removed");
    }
    xq_job_free(job);
    free(file);
    return rc;
}

/* ---- pause, resume ---- */

static int set_paused(xq_ctl_ctx *ctx, int paused)
{
    xq_err err;

    xq_err_clear(&err);
    if (xq_queue_set_paused(ctx->q, paused, &err) != XQ_OK)
        return xq_ctl_fail(ctx->name, &err);
    if (ctx->json) {
        json_object *r = json_object_new_object();

        json_object_object_add(r, "paused", json_object_new_boolean(paused));
        xq_ctl_json_print(stdout, r);
        json_object_put(r);
    } else {
        printf(paused ? "queue paused: no new job starts; active jobs finish\n"
                      : "queue resumed\n");
    }
    return 0;
}

static int pause_run(xq_ctl_ctx *ctx)
{
    return set_paused(ctx, 1);
}

static int resume_run(xq_ctl_ctx *ctx)
{
    return set_paused(ctx, 0);
}

/* ---- clean ---- */

static int clean_check(xq_ctl_ctx *ctx)
{
    const qopts *o = ctx->opts;
    int rc = queue_check(ctx);

    if (rc == 0 && o->state == XQ_JOB_ACTIVE)
        rc = xq_ctl_usage(ctx->name, ctx->cmd->usage,
                          "active jobs cannot be cleaned; cancel or remove them");
    return rc;
}

static int clean_run(xq_ctl_ctx *ctx)
{
    const qopts *o = ctx->opts;
    xq_err err;
    char **names = NULL;
    size_t nnames = 0;
    long long removed = 0;

    xq_err_clear(&err);
    if (xq_queue_clean(ctx->q, (xq_job_state)o->state, (long long)(o->older_hours * 3600000.0),
                       &removed, &names, &nnames, &err) != XQ_OK) {
        free_names(names, nnames);
        return xq_ctl_fail(ctx->name, &err);
    }
    delete_files(ctx->name, &ctx->cfg, ctx->q, names, nnames, NULL);
    if (ctx->json) {
        json_object *r = json_object_new_object();

        json_object_object_add(r, "removed", json_object_new_int64(removed));
        xq_ctl_json_print(stdout, r);
        json_object_put(r);
    } else {
        printf("removed %lld %s job%s older than %g h\n", removed,
               xq_job_state_name((xq_job_state)o->state), removed == 1 ? "" : "s",
               o->older_hours);
    }
    free_names(names, nnames);
    return 0;
}

/* ---- the table entries (main.c) ---- */

#define QUEUE_CMD(name, summary, usage, args, check, init, run)                                 \
    {name, summary, usage, "jc:h", queue_longopts, queue_option, args, check,                  \
     XQ_CTL_NEED_QUEUE, sizeof(qopts), init, run, NULL}

static const qopts plain = {0, -1, 20, 0, -1};
static const qopts paged = {OPT_STATE | OPT_PAGE, -1, 20, 0, -1};
static const qopts cleaning = {OPT_STATE | OPT_STATE_REQUIRED | OPT_OLDER, -1, 20, 0, -1};

const xq_ctl_cmd xq_ctl_cmd_stats =
    QUEUE_CMD("stats", "jobs per state, paused, live workers", "stats [--json] [--config FILE]",
              XQ_CTL_ARGS_NONE, queue_check, &plain, stats_run);
const xq_ctl_cmd xq_ctl_cmd_jobs =
    QUEUE_CMD("jobs", "list jobs (of one state with --state)",
              "jobs [--state S] [--limit N] [--offset N] [--json] [--config FILE]",
              XQ_CTL_ARGS_NONE, queue_check, &paged, jobs_run);
const xq_ctl_cmd xq_ctl_cmd_show =
    QUEUE_CMD("show", "everything stored about one job", "show JOB [--json] [--config FILE]",
              XQ_CTL_ARGS_JOB, queue_check, &plain, show_run);
const xq_ctl_cmd xq_ctl_cmd_retry =
    QUEUE_CMD("retry", "failed job back to waiting", "retry JOB [--json] [--config FILE]",
              XQ_CTL_ARGS_JOB, queue_check, &plain, retry_run);
const xq_ctl_cmd xq_ctl_cmd_cancel =
    QUEUE_CMD("cancel", "cancel a waiting or active job", "cancel JOB [--json] [--config FILE]",
              XQ_CTL_ARGS_JOB, queue_check, &plain, cancel_run);
const xq_ctl_cmd xq_ctl_cmd_remove =
    QUEUE_CMD("remove", "remove a job in any state, and its file",
              "remove JOB [--json] [--config FILE]", XQ_CTL_ARGS_JOB, queue_check, &plain,
              remove_run);
const xq_ctl_cmd xq_ctl_cmd_pause =
    QUEUE_CMD("pause", "stop dispatch on every host", "pause [--json] [--config FILE]",
              XQ_CTL_ARGS_NONE, queue_check, &plain, pause_run);
const xq_ctl_cmd xq_ctl_cmd_resume =
    QUEUE_CMD("resume", "restart dispatch", "resume [--json] [--config FILE]", XQ_CTL_ARGS_NONE,
              queue_check, &plain, resume_run);
const xq_ctl_cmd xq_ctl_cmd_clean =
    QUEUE_CMD("clean", "remove old jobs of one state",
              "clean --state S --older-than HOURS [--json] [--config FILE]", XQ_CTL_ARGS_NONE,
              clean_check, &cleaning, clean_run);

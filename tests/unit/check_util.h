/* check_util.h - small helpers shared by the Check suites (header only). */
#ifndef XQ_CHECK_UTIL_H
#define XQ_CHECK_UTIL_H

#include <string.h>

#include "request.h"

/* 1 when the validation errors name field. */
static inline int xq_check_has_field(const xq_field_errors *fe, const char *field)
{
    int i;

    for (i = 0; i < fe->count; i++)
        if (strcmp(fe->e[i].field, field) == 0)
            return 1;
    return 0;
}

#endif

/*
 * hello.c - the baseline of bench/http: the smallest libfcgi responder,
 * answering every request with a fixed JSON body and the same standard
 * headers exportq.fcgi sends (Cache-Control, nosniff), after reading the
 * request body.  run.sh puts it under the very lighttpd configuration the
 * responder runs under, so the ratio measures exportq's own work.
 */
#include <stdio.h>
#include <string.h>

#include <fcgiapp.h>

int main(void)
{
    static const char head[] = "Status: 200 OK\r\n"
                               "Content-Type: application/json\r\n"
                               "Content-Length: 15\r\n"
                               "Cache-Control: no-store\r\n"
                               "X-Content-Type-Options: nosniff\r\n\r\n";
    static const char body[] = "{\"status\":\"ok\"}";
    char sink[4096];
    FCGX_Request req;

    if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
        return 1;
    while (FCGX_Accept_r(&req) >= 0) {
        while (FCGX_GetStr(sink, sizeof(sink), req.in) > 0)
            ;
        FCGX_PutStr(head, (int)sizeof(head) - 1, req.out);
        FCGX_PutStr(body, (int)sizeof(body) - 1, req.out);
        FCGX_Finish_r(&req);
    }
    return 0;
}

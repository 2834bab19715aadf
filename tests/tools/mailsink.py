#!/usr/bin/python3
"""mailsink: an SMTP server for tests that stores each message as one .eml file.

    /usr/bin/python3 tests/tools/mailsink.py --host 127.0.0.1 --port 2525 --dir DIR

No AUTH, no STARTTLS, any sender and recipient accepted, SMTPUTF8 allowed.
Each message is written to DIR/.tmp-<name> and renamed to DIR/<name>.eml when
complete, so a reader never sees half a message.  Two headers are prepended
with the envelope: X-Mailsink-From and X-Mailsink-To (comma-separated).
Runs until SIGTERM or SIGINT.  Needs Debian's python3-aiosmtpd.
"""
import argparse
import asyncio
import itertools
import os
import signal
import sys
import time

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        name = "%d-%06d-%d" % (time.time_ns() // 1000, n, os.getpid())
        tmp = os.path.join(self.directory, ".tmp-" + name)
        final = os.path.join(self.directory, name + ".eml")
        head = ("X-Mailsink-From: %s\r\nX-Mailsink-To: %s\r\n" % (
            envelope.mail_from, ", ".join(envelope.rcpt_tos))).encode("utf-8", "replace")
        body = envelope.original_content or envelope.content or b""
        if isinstance(body, str):
            body = body.encode("utf-8", "replace")
        with open(tmp, "wb") as f:
            f.write(head)
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, final)
        print("stored %s from=%s to=%s bytes=%d" % (
            final, envelope.mail_from, ",".join(envelope.rcpt_tos), len(body)), flush=True)
        return "250 Message accepted for delivery"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Sink(args.dir)

    def factory():
        return SMTP(handler, enable_SMTPUTF8=True, decode_data=False,
                    auth_required=False,
                    # AUTH is only offered over TLS, and there is no TLS: never.
                    auth_require_tls=True,
                    hostname="mailsink.localhost")

    server = loop.run_until_complete(
        loop.create_server(factory, host=args.host, port=args.port, reuse_address=True))
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("mailsink listening on %s:%d, storing in %s" % (args.host, args.port, args.dir),
          flush=True)
    loop.run_until_complete(stop.wait())
    server.close()
    loop.run_until_complete(server.wait_closed())
    loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

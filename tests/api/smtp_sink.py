"""A loopback SMTP server for the outbox tests (Debian's python3-aiosmtpd).

usage: python3 smtp_sink.py PORT DIR
Each accepted message is written to DIR/<n>.eml. While DIR/refuse exists,
every message is refused with 451 (a temporary failure), so the tests can
watch the outbox retry. Prints "ready" once listening.
"""
import os
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if os.path.exists(os.path.join(self.folder, "refuse")):
            return "451 4.3.0 Try again later"
        self.count += 1
        path = os.path.join(self.folder, "%d.eml" % self.count)
        with open(path, "wb") as f:
            f.write(b"X-Rcpt: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        return "250 OK"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()

"""Starts a moto server for one test run and stops it when the test process goes away.

Binds 127.0.0.1 on a free port chosen by the OS (no race between choosing and binding), prints
`ready <port>` once it answers, and serves until its stdin closes: the test process holds the other end
of that pipe, so however the tests end, the emulator ends with them.

Gaps in moto that the functions need filled are patched here, before the server starts, rather than
weakened in the functions (see the shared EMULATOR.md). Each patch says what moto lacks.
"""

import logging
import sys

from moto.server import ThreadedMotoServer


def main() -> None:
    # One line per request would bury the test output; errors still show.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    print(f"ready {port}", flush=True)
    for _ in sys.stdin:
        pass
    server.stop()


if __name__ == "__main__":
    main()

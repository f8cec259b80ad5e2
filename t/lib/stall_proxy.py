#!/usr/bin/python3
# stall_proxy.py DELAY_FILE COUNT_FILE LISTEN=TARGET ...: a TCP proxy that
# makes a server slow.  Each LISTEN (host:port) forwards to its TARGET
# (host:port); every chunk the client sends is held for the number of
# seconds in DELAY_FILE (read at each chunk: the test changes it while the
# proxy runs; 0 when missing) after it arrived, then passed on in order.
# What the server sends goes back at once.  COUNT_FILE gets the number of
# client chunks forwarded so far, rewritten after each (diagnostics).
# Prints "ready" on stdout once every port listens.  Loopback only.
import asyncio
import os
import sys

delay_file, count_file = sys.argv[1], sys.argv[2]
routes = [a.split("=", 1) for a in sys.argv[3:]]
count = 0


def delay():
    try:
        with open(delay_file) as f:
            return max(0.0, float(f.read().strip() or 0))
    except (OSError, ValueError):
        return 0.0


def counted():
    global count
    count += 1
    with open(count_file + ".tmp", "w") as f:
        f.write("%d\n" % count)
    os.replace(count_file + ".tmp", count_file)


def split(hp):
    host, _, port = hp.rpartition(":")
    return host, int(port)


async def to_server(reader, writer):
    loop = asyncio.get_running_loop()
    q = asyncio.Queue()

    async def read():
        while True:
            data = await reader.read(65536)
            q.put_nowait((loop.time() + delay(), data))
            if not data:
                return

    async def write():
        while True:
            due, data = await q.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                writer.close()
                return
            writer.write(data)
            await writer.drain()
            counted()

    await asyncio.gather(read(), write())


async def to_client(reader, writer):
    while True:
        data = await reader.read(65536)
        if not data:
            writer.close()
            return
        writer.write(data)
        await writer.drain()


def handler(target):
    async def handle(creader, cwriter):
        try:
            sreader, swriter = await asyncio.open_connection(*split(target))
        except OSError:
            cwriter.close()
            return
        try:
            await asyncio.gather(to_server(creader, swriter), to_client(sreader, cwriter))
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            swriter.close()
            cwriter.close()
    return handle


async def main():
    servers = []
    for listen, target in routes:
        host, port = split(listen)
        servers.append(await asyncio.start_server(handler(target), host, port,
                                                  reuse_address=True))
    print("ready", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


asyncio.run(main())

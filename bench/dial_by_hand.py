"""Drive one call by hand with any back-end, printing what `dialdeck dial --json` will print.

    python bench/dial_by_hand.py +14155550100 --backend sip --domain pbx.example.com \
        --user 1001 --password secret --caller-id +12125550142 [--register] [--extension 12] \
        [--audio alsa,default|none] [--ring-timeout 30] [--hangup-after 20] [--drop vm.wav]
    python bench/dial_by_hand.py +14155550100 --backend tel
    python bench/dial_by_hand.py +14155550100 --backend command --command 'linphonecsh dial {e164}'
    python bench/dial_by_hand.py +14155550100 --loopback-peer [--drop vm.wav]   # sipp on 127.0.0.1

A development aid, not part of dialdeck: the CLI and the TUI will read these values from the
settings and call the same dialers API (make_dialer, dial, hang_up, drop, wait, close).
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from dialdeck.dialers import CallEvent, CallState, DialerError, DialTarget, make_dialer
from dialdeck.dialers.baresip import SipAccount, free_port
from dialdeck.dialers.sip import SipConfig, SipDialer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("number", help="E.164, e.g. +14155550100")
    parser.add_argument("--extension")
    parser.add_argument("--backend", default="manual", choices=["manual", "tel", "command", "sip"])
    parser.add_argument("--command", help="dial.command template")
    parser.add_argument("--domain")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--caller-id")
    parser.add_argument("--register", action="store_true")
    parser.add_argument("--audio", default="alsa,default")
    parser.add_argument("--ring-timeout", type=int, default=30)
    parser.add_argument("--hangup-after", type=float, help="end an answered call after this many seconds")
    parser.add_argument("--drop", type=Path, help="play this WAV once answered; the call ends with it")
    parser.add_argument("--loopback-peer", action="store_true", help="call a sipp UAS started on 127.0.0.1")
    args = parser.parse_args()

    peer = None
    try:
        if args.loopback_peer:
            peer, dialer = _loopback(args)
        else:
            settings = {
                "dial.backend": args.backend, "dial.command": args.command or "", "sip.domain": args.domain or "",
                "sip.user": args.user or "", "sip.password": args.password or "", "sip.caller_id": args.caller_id or "",
                "sip.register": "yes" if args.register else "no", "sip.audio": args.audio,
                "dial.ring_timeout": str(args.ring_timeout),
            }
            dialer = make_dialer({k: v for k, v in settings.items() if v})
        return _call(dialer, DialTarget(args.number, args.extension), args)
    except DialerError as exc:
        print(f"dial_by_hand: error: {exc}", file=sys.stderr)
        return 1
    finally:
        if peer is not None:
            peer.terminate()


def _call(dialer, target: DialTarget, args: argparse.Namespace) -> int:
    answered = threading.Event()

    def show(event: CallEvent) -> None:
        print(json.dumps(event.as_json()), flush=True)
        if event.state is CallState.ANSWERED:
            answered.set()
        if event.result is not None:
            answered.set()

    try:
        call = dialer.dial(target, show)
        if dialer.places_calls:
            answered.wait()
            if call.state is CallState.ANSWERED:
                if args.drop:
                    call.drop(args.drop)
                elif args.hangup_after is not None:
                    if call.wait(args.hangup_after) is None:
                        call.hang_up()
        result = call.wait()
        print(json.dumps(result.as_json()), flush=True)
        return 0
    except KeyboardInterrupt:
        call.hang_up()
        result = call.wait(10)
        if result:
            print(json.dumps(result.as_json()), flush=True)
        return 130
    finally:
        dialer.close()


def _loopback(args: argparse.Namespace) -> tuple[subprocess.Popen[bytes], SipDialer]:
    if shutil.which("sipp") is None:
        raise DialerError("--loopback-peer needs sipp: apt-get install sip-tester")
    port = free_port("127.0.0.1", both=True)
    peer = subprocess.Popen(
        ["sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", str(port), "-mp", str(free_port("127.0.0.1", both=True)),
         "-cp", str(free_port("127.0.0.1", both=True)), "-m", "1", "-nostdin"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    _wait_bound(port)
    config = SipConfig(
        SipAccount(domain=f"127.0.0.1:{port}", caller_id=args.caller_id), ring_timeout=args.ring_timeout,
        audio="none", listen="127.0.0.1", interface="127.0.0.1",
    )
    return peer, SipDialer(config)


def _wait_bound(port: int) -> None:
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return
        time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main())

// Command connecttimeout runs the deadline client of package connecttimeout
// against its slow loopback server and prints an OK line; it exits 1 on
// failure.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/wsaemu/wsaemu/examples/connecttimeout"
	"github.com/wsaemu/wsaemu/windows"
)

func main() {
	var o connecttimeout.Options
	var recvMs, delayMs uint
	flag.UintVar(&recvMs, "recv-timeout", 50, "receive deadline in milliseconds")
	flag.UintVar(&delayMs, "server-delay", 200, "how long the server sits on the first request, in milliseconds")
	flag.IntVar(&o.MaxTimeouts, "max-timeouts", 40, "timed-out receives in a row before giving up")
	flag.BoolVar(&o.ReuseAfterCancel, "buggy", false, "seed bug (c): reuse the record right after CancelIoEx")
	flag.Parse()
	o.RecvTimeoutMs, o.ServerDelayMs = uint32(recvMs), uint32(delayMs)
	var res connecttimeout.Result
	var err error
	if rerr := windows.Run(func() { res, err = connecttimeout.Exchange(o) }); rerr != nil {
		err = rerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "connecttimeout: FAIL:", err)
		os.Exit(1)
	}
	fmt.Printf("connecttimeout: OK: connected with ConnectEx, %d receive(s) timed out and cancelled (%d completed anyway), %d reply bytes received\n",
		res.Timeouts, res.CompletedAnyway, res.BytesFromServer)
}

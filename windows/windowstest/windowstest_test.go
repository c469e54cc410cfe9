//go:build !windows || wsaemu

package windowstest_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/windows"
	"github.com/wsaemu/wsaemu/windows/windowstest"
)

// udpReceive is a small program: a datagram sent by a second thread,
// received with an overlapped WSARecv signalled through an event. With
// assumePending it carries a common bug: it takes ERROR_IO_PENDING for
// granted, though the page lets an overlapped WSARecv complete at once
// when data is already there ("If no error occurs and the receive
// operation has completed immediately, WSARecv returns zero",
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsarecv).
// Windows usually shows the pending form, so the bug passes a plain run.
func udpReceive(runs *int, assumePending bool) func(t windowstest.TB) {
	return func(t windowstest.TB) {
		*runs++
		var d windows.WSAData
		if err := windows.WSAStartup(0x0202, &d); err != nil {
			t.Fatalf("WSAStartup: %v", err)
		}
		s, err := windows.WSASocket(windows.AF_INET, windows.SOCK_DGRAM, windows.IPPROTO_UDP, nil, 0, windows.WSA_FLAG_OVERLAPPED)
		if err != nil {
			t.Fatalf("WSASocket: %v", err)
		}
		addr := &windows.SockaddrInet4{Port: 5000, Addr: [4]byte{127, 0, 0, 1}}
		if err := windows.Bind(s, addr); err != nil {
			t.Fatalf("bind: %v", err)
		}
		ev, err := windows.CreateEvent(nil, 1, 0, nil)
		if err != nil {
			t.Fatalf("CreateEvent: %v", err)
		}
		windows.Go(func() {
			c, err := windows.Socket(windows.AF_INET, windows.SOCK_DGRAM, windows.IPPROTO_UDP)
			if err != nil {
				t.Errorf("sender socket: %v", err)
				return
			}
			if err := windows.Sendto(c, []byte("hello"), 0, addr); err != nil {
				t.Errorf("sendto: %v", err)
			}
			windows.Closesocket(c)
		})
		buf := make([]byte, 16)
		wb := windows.WSABuf{Len: uint32(len(buf)), Buf: &buf[0]}
		ov := windows.Overlapped{HEvent: ev}
		var n, flags uint32
		switch err := windows.WSARecv(s, &wb, 1, &n, &flags, &ov, nil); {
		case err == windows.ERROR_IO_PENDING:
			if r, err := windows.WaitForSingleObject(ev, windows.INFINITE); r != windows.WAIT_OBJECT_0 {
				t.Fatalf("wait: %#x %v", r, err)
			}
			if err := windows.WSAGetOverlappedResult(s, &ov, &n, false, &flags); err != nil {
				t.Fatalf("WSAGetOverlappedResult: %v", err)
			}
		case err == nil && assumePending:
			t.Errorf("WSARecv returned at once; this program only knows ERROR_IO_PENDING")
			n = 5 // the program goes on with what it has
		case err != nil:
			t.Fatalf("WSARecv: %v", err)
		}
		if got := string(buf[:n]); got != "hello" {
			t.Errorf("received %q, want hello", got)
		}
		windows.Closesocket(s)
		windows.CloseHandle(ev)
		windows.WSACleanup()
	}
}

// Run's promise: a correct body passes the usual schedule, every seed
// asked for and the hostile chooser, one run each.
func TestRunCorrectBodyPassesEverySchedule(t *testing.T) {
	runs := 0
	windowstest.Run(t, udpReceive(&runs, false), windowstest.Seeds(50))
	if runs != 52 {
		t.Errorf("the body ran %d times, want 52 (usual + 50 seeds + hostile)", runs)
	}
}

// Rapid's promise: the body runs under drawn schedules.
func TestRapidCorrectBody(t *testing.T) {
	runs := 0
	windowstest.Rapid(t, udpReceive(&runs, false))
	if runs == 0 {
		t.Error("the body never ran")
	}
}

// TestChildBuggy is run by the tests below in a child process (it fails
// on purpose); EMU_WINDOWSTEST_CHILD selects what it does.
func TestChildBuggy(t *testing.T) {
	switch os.Getenv("EMU_WINDOWSTEST_CHILD") {
	case "run":
		runs := 0
		windowstest.Run(t, udpReceive(&runs, true))
	case "fatal":
		runs := 0
		windowstest.Run(t, func(t windowstest.TB) {
			runs++
			if runs == 3 {
				t.Fatalf("stop here")
			}
		}, windowstest.NoUsual())
	case "rapid":
		runs := 0
		windowstest.Rapid(t, udpReceive(&runs, true))
	default:
		t.Skip("run only as a child of TestRunFindsAndReplaysTheBug and TestRapidFindsTheBug")
	}
}

func child(t *testing.T, mode string, args ...string) (string, bool) {
	t.Helper()
	return childTest(t, "^TestChildBuggy$", mode, args...)
}

// childTest runs the tests matching pattern in a child process with
// EMU_WINDOWSTEST_CHILD=mode.
func childTest(t *testing.T, pattern, mode string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=" + pattern}, args...)...)
	cmd.Env = append(os.Environ(), "EMU_WINDOWSTEST_CHILD="+mode)
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

// The buggy body passes the usual schedule, Run finds a seed that breaks
// it and prints a replay command, and the command replays that failure
// alone.
func TestRunFindsAndReplaysTheBug(t *testing.T) {
	if out, ok := child(t, "run", "-windowstest.run=usual"); !ok {
		t.Fatalf("the buggy body fails the usual schedule; it should pass it:\n%s", out)
	}
	out, ok := child(t, "run")
	if ok {
		t.Fatalf("Run did not find the bug:\n%s", out)
	}
	i := strings.Index(out, "replay: go test -run '^TestChildBuggy$' -windowstest.run=seed=")
	if i < 0 || !strings.Contains(out, "returned at once") {
		t.Fatalf("no failing seed and replay command in:\n%s", out)
	}
	flagArg := strings.Fields(out[i:])[5]
	if !strings.Contains(out, "trace") {
		t.Errorf("no trace in the report:\n%s", out)
	}
	if again, ok := child(t, "run", flagArg); ok || !strings.Contains(again, "returned at once") {
		t.Errorf("%s did not replay the failure:\n%s", flagArg, again)
	}
}

// Rapid finds the same bug and shows the shrunk schedule.
func TestRapidFindsTheBug(t *testing.T) {
	out, ok := child(t, "rapid", "-rapid.nofailfile")
	if ok {
		t.Fatalf("Rapid did not find the bug:\n%s", out)
	}
	if !strings.Contains(out, "emu.ReplayChooser") || !strings.Contains(out, "returned at once") {
		t.Errorf("no schedule in the report:\n%s", out)
	}
}

// A body that calls t.Fatalf ends the test's goroutine (it runs as the
// machine's first thread on that goroutine); Run still says which
// schedule it was under.
func TestRunReportsTheScheduleOfAFatal(t *testing.T) {
	out, ok := child(t, "fatal")
	if ok {
		t.Fatalf("the child passed:\n%s", out)
	}
	if !strings.Contains(out, "stop here") || !strings.Contains(out, "happened under seed 3; replay: go test -run '^TestChildBuggy$' -windowstest.run=seed=3") {
		t.Errorf("no schedule for the fatal failure in:\n%s", out)
	}
}

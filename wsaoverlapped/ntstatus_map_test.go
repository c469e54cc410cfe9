package wsaoverlapped

import "testing"

// Ground truth, table "NTSTATUS → WSA error (ws2_32: WSAGetOverlappedResult,
// completion routines)", every row, as raw numbers copied from the notes.
func TestWSAErrorGroundTruthRows(t *testing.T) {
	rows := []struct {
		status uint32
		want   uint32
	}{
		{0x0, 0},
		{0x103, 996},
		{0x80000005, 10040},
		{0xC0000005, 10014},
		{0xC0000008, 10038},
		{0xC0000017, 10055},
		{0xC0000023, 10014},
		{0xC00000A3, 10035},
		{0xC00000B0, 10058},
		{0xC00000B5, 10060},
		{0xC00000BB, 10045},
		{0xC0000120, 995},
		{0xC000013B, 10053},
		{0xC000013C, 10054},
		{0xC0000140, 10057},
		{0xC0000206, 10040},
		{0xC000020D, 10054},
		{0xC0000236, 10061},
		{0xC0000237, 10101},
		{0xC000023C, 10051},
		{0xC000023D, 10065},
		{0xC000023F, 10054},
		{0xC0000241, 10053},
	}
	for _, r := range rows {
		s := NTStatus(r.status)
		if got := s.WSAError(); uint32(got) != r.want {
			t.Errorf("%s (%#x).WSAError() = %s, want %d", s.Name(), r.status, got.Name(), r.want)
		}
		if !s.Known() {
			t.Errorf("%#x has no name", r.status)
		}
	}
	n := 0
	for _, row := range WSAErrorTable {
		if row.Source == "ground-truth" {
			n++
		}
	}
	if n != len(rows) {
		t.Errorf("WSAErrorTable has %d ground-truth rows, the ground-truth table %d", n, len(rows))
	}
}

// Ground truth, same table, last two lines: "other success codes: call
// returns TRUE" and "other warning/error codes: WSAEINVAL". Also the Wine
// note that a close with STATUS_HANDLES_CLOSED shows WSAEINVAL to ws2_32.
func TestWSAErrorFallbacks(t *testing.T) {
	cases := []struct {
		s    NTStatus
		want Errno
	}{
		{STATUS_USER_APC, 0},
		{STATUS_TIMEOUT, 0},
		{STATUS_ABANDONED_WAIT_0, 0},
		{0x40000123, 0}, // an informational code
		{STATUS_HANDLES_CLOSED, WSAEINVAL},
		{0x80001234, WSAEINVAL}, // an unknown warning
		{STATUS_END_OF_FILE, WSAEINVAL},
		{STATUS_PIPE_BROKEN, WSAEINVAL},
		{0xC0FFEE00, WSAEINVAL}, // an unknown error
	}
	for _, c := range cases {
		if got := c.s.WSAError(); got != c.want {
			t.Errorf("%s.WSAError() = %s, want %s", c.s.Name(), got.Name(), c.want.Name())
		}
	}
}

// Ground truth, "NTSTATUS → Win32 error (kernel32: GetOverlappedResult,
// GetQueuedCompletionStatus, ReadFileEx routines)", every row, plus the rows
// the package spec adds and the rows Wine's ntdll conformance test checks strictly;
// raw numbers.
func TestWin32ErrorRows(t *testing.T) {
	rows := []struct {
		status uint32
		want   uint32
		from   string
	}{
		// docs/windows-behaviour.md
		{0xC0000120, 995, "ground truth"},
		{0xC000020D, 64, "ground truth"},
		{0xC0000241, 1236, "ground truth"},
		{0xC0000236, 1225, "ground truth"},
		{0xC00000BB, 50, "ground truth"},
		{0xC0000023, 122, "ground truth"},
		{0x80000005, 234, "ground truth"},
		{0xC0000008, 6, "ground truth"},
		{0x8000000A, 676, "ground truth (Wine close)"},
		// the package spec
		{0x0, 0, "package spec"},
		{0x103, 997, "package spec"},
		{0xC000014B, 109, "package spec"},
		{0xC0000011, 38, "package spec"},
		{0xC00000B0, 233, "package spec"},
		{0xC00000B1, 232, "package spec"},
		{0xC000000D, 87, "package spec"},
		{0xC0000225, 1168, "package spec"},
		{0xC00000B5, 121, "package spec"},
		{0xC0000017, 8, "package spec"},
		{0xC0000005, 998, "package spec"},
		{0x102, 258, "package spec"},
		{0x80, 735, "package spec"},
		// Wine's RtlNtStatusToDosError test, strict rows
		{0xC00000A3, 21, "ntdll test"},
		{0xC00000D9, 232, "ntdll test"},
		{0xC000013B, 64, "ntdll test"},
		{0xC000013C, 64, "ntdll test"},
		{0xC0000140, 59, "ntdll test"},
		{0xC0000206, 1784, "ntdll test"},
		{0xC0000237, 1226, "ntdll test"},
		{0xC000023C, 1231, "ntdll test"},
		{0xC000023D, 1232, "ntdll test"},
		{0xC000023F, 1234, "ntdll test"},
		{0xC00000AE, 231, "ntdll test"}, // STATUS_PIPE_BUSY, ERROR_PIPE_BUSY
		{0xC00000B4, 230, "ntdll test"}, // STATUS_INVALID_READ_MODE, ERROR_BAD_PIPE
	}
	for _, r := range rows {
		s := NTStatus(r.status)
		if got := s.Win32Error(); uint32(got) != r.want {
			t.Errorf("%s (%#x).Win32Error() = %s, want %d (%s)", s.Name(), r.status, got.Name(), r.want, r.from)
		}
	}
	if len(Win32ErrorTable) != len(rows) {
		t.Errorf("Win32ErrorTable has %d rows, test lists %d", len(Win32ErrorTable), len(rows))
	}
}

// Package spec: a status kernel32 has no translation for gives
// ERROR_MR_MID_NOT_FOUND (317), as RtlNtStatusToDosError does.
func TestWin32ErrorFallback(t *testing.T) {
	for _, s := range []NTStatus{STATUS_USER_APC, 0x40000123, 0x80001234, 0xC0FFEE00} {
		if got := s.Win32Error(); got != ERROR_MR_MID_NOT_FOUND {
			t.Errorf("%s.Win32Error() = %s, want ERROR_MR_MID_NOT_FOUND", s.Name(), got.Name())
		}
	}
}

// The tables are data other packages iterate (docs, the clause matrix):
// sorted by status, no status twice, every status and error named, and every
// Source one of the documented labels.
func TestMappingTablesWellFormed(t *testing.T) {
	for name, table := range map[string][]StatusMapping{"WSAErrorTable": WSAErrorTable, "Win32ErrorTable": Win32ErrorTable} {
		for i, row := range table {
			if i > 0 && table[i-1].Status >= row.Status {
				t.Errorf("%s: not strictly sorted at %s", name, row.Status.Name())
			}
			// Rows from Wine's ws2_32 test may carry a status this package
			// does not name: no emulated operation ends with it; it reaches
			// the table only through a record a program filled in.
			if !row.Errno.Known() || (!row.Status.Known() && row.Source != "wine-test") {
				t.Errorf("%s: row %s -> %s has an unnamed value", name, row.Status.Name(), row.Errno.Name())
			}
			switch row.Source {
			case "ground-truth", "ntdll-test", "assumed", "wine-test":
			default:
				t.Errorf("%s: row %s has source %q", name, row.Status.Name(), row.Source)
			}
		}
	}
	// Every named status except STATUS_USER_APC has a kernel32 row.
	for _, row := range ntstatusTable {
		if row.code == STATUS_USER_APC {
			continue
		}
		if _, ok := lookupMapping(Win32ErrorTable, row.code); !ok {
			t.Errorf("%s has no Win32ErrorTable row", row.name)
		}
	}
}

// Wine's dlls/ws2_32/tests/sock.c, test_WSAGetOverlappedResult, sweeps
// whole ranges of statuses through WSAGetOverlappedResult and passes on
// Windows: these rows of its table, and WSAEINVAL for any other failure.
func TestWSAErrorWineSockTestRows(t *testing.T) {
	rows := map[uint32]Errno{
		0xC0000002: WSAEOPNOTSUPP, 0xC0000007: WSAENOBUFS, 0xC000000E: WSAENETDOWN,
		0xC000000F: WSAENETDOWN, 0xC0000018: WSAENOBUFS, 0xC0000022: WSAEACCES,
		0xC0000024: WSAENOTSOCK, 0xC0000034: WSAENETDOWN, 0xC000003A: WSAENETDOWN,
		0xC0000043: WSAEADDRINUSE, 0xC0000044: WSAENOBUFS, 0xC0000097: WSAENOBUFS,
		0xC000009A: WSAENOBUFS, 0xC00000A1: WSAENOBUFS, 0xC00000BC: WSAECONNREFUSED,
		0xC00000BE: WSAENETUNREACH, 0xC00000BF: WSAENETDOWN, 0xC00000C3: WSAENETDOWN,
		0xC00000C4: WSAENETDOWN, 0xC00000D0: WSAEWOULDBLOCK, 0xC000012D: WSAENOBUFS,
		0xC000013D: WSAENOBUFS, 0xC000013E: WSAECONNRESET, 0xC000013F: WSAETIMEDOUT,
		0xC0000141: WSAEADDRNOTAVAIL, 0xC0000207: WSAEADDRNOTAVAIL, 0xC0000209: WSAENOBUFS,
		0xC000020A: WSAEADDRINUSE, 0xC000020C: WSAECONNRESET, 0xC000020F: WSAECONNABORTED,
		0xC000023B: WSAEISCONN, 0xC000023E: WSAENETUNREACH, 0xC0000240: WSAEINTR,
		0xC00002C5: WSAEFAULT, 0xC0000350: WSAEHOSTDOWN, 0x800703E4: WSA_IO_INCOMPLETE,
		0xC00103E4: WSA_IO_INCOMPLETE, 0xC00703E4: WSA_IO_INCOMPLETE,
		0xC0000001: WSAEINVAL, 0x80000001: WSAEINVAL, 0xD0000001: WSAEINVAL,
	}
	for st, want := range rows {
		if got := NTStatus(st).WSAError(); got != want {
			t.Errorf("status %#x: got %v, want %v", st, got, want)
		}
	}
	for i := 1; i < len(WSAErrorTable); i++ {
		if WSAErrorTable[i-1].Status >= WSAErrorTable[i].Status {
			t.Fatalf("WSAErrorTable not sorted at row %d", i)
		}
	}
}

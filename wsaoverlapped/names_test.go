package wsaoverlapped

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// declaredConsts reads a source file of this package and returns, for every
// constant declared with the given type and a numeric literal, its name and
// value, and for every constant declared as another constant's name (an
// alias), the alias and its target.
func declaredConsts(t *testing.T, file, typ string) (lits map[string]uint64, order []string, aliases map[string]string) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	lits = map[string]uint64{}
	aliases = map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			if len(vs.Names) != 1 || len(vs.Values) != 1 {
				t.Fatalf("%s: unexpected const form at %v", file, vs.Names)
			}
			name := vs.Names[0].Name
			switch v := vs.Values[0].(type) {
			case *ast.BasicLit:
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != typ {
					continue // another type, or untyped (WSABASEERR)
				}
				n, err := strconv.ParseUint(v.Value, 0, 32)
				if err != nil {
					t.Fatalf("%s: %s = %s: %v", file, name, v.Value, err)
				}
				lits[name] = n
				order = append(order, name)
			case *ast.Ident:
				aliases[name] = v.Name
			}
		}
	}
	return lits, order, aliases
}

// The package spec and the design rule "names follow golang.org/x/sys/windows":
// every Errno constant declared in errno.go has a table row whose name is
// spelled exactly like the constant and whose number is the constant's; the
// table has no other rows; names are non-empty and unique; numbers are
// sorted and unique (lookups binary-search them).
func TestErrnoTableMatchesConstants(t *testing.T) {
	lits, order, aliases := declaredConsts(t, "errno.go", "Errno")
	if len(lits) != len(errnoTable) {
		t.Errorf("%d Errno constants but %d table rows", len(lits), len(errnoTable))
	}
	names := map[string]bool{}
	for i, row := range errnoTable {
		if row.name == "" || row.msg == "" {
			t.Errorf("row %d (%d) has an empty name or message", i, row.code)
		}
		if names[row.name] {
			t.Errorf("name %s appears twice", row.name)
		}
		names[row.name] = true
		if i > 0 && errnoTable[i-1].code >= row.code {
			t.Errorf("table not strictly sorted at %s (%d)", row.name, row.code)
		}
		if v, ok := lits[row.name]; !ok || v != uint64(row.code) {
			t.Errorf("row %s=%d does not match a declared constant (declared: %v, %d)", row.name, row.code, ok, v)
		}
	}
	for _, name := range order {
		if e := Errno(lits[name]); e.Name() != name {
			t.Errorf("constant %s=%d: Name() = %q", name, lits[name], e.Name())
		}
	}
	// Aliases name the ERROR_ spelling (package spec: "Name() of a shared number
	// returns the ERROR_ name").
	wantAliases := map[string]string{
		"WSA_INVALID_HANDLE":    "ERROR_INVALID_HANDLE",
		"WSA_NOT_ENOUGH_MEMORY": "ERROR_NOT_ENOUGH_MEMORY",
		"WSA_INVALID_PARAMETER": "ERROR_INVALID_PARAMETER",
		"WSA_OPERATION_ABORTED": "ERROR_OPERATION_ABORTED",
		"WSA_IO_INCOMPLETE":     "ERROR_IO_INCOMPLETE",
		"WSA_IO_PENDING":        "ERROR_IO_PENDING",
	}
	if len(aliases) != len(wantAliases) {
		t.Errorf("aliases declared: %v", aliases)
	}
	for a, target := range aliases {
		if wantAliases[a] != target {
			t.Errorf("alias %s -> %s, want -> %s", a, target, wantAliases[a])
		}
		if _, ok := lits[target]; !ok {
			t.Errorf("alias %s points at %s, which is not a literal Errno constant", a, target)
		}
	}
}

// Same rule for NTSTATUS names (ntstatus.h spelling, unique, sorted).
func TestNTStatusTableMatchesConstants(t *testing.T) {
	lits, order, aliases := declaredConsts(t, "ntstatus.go", "NTStatus")
	if len(lits) != len(ntstatusTable) {
		t.Errorf("%d NTStatus constants but %d table rows", len(lits), len(ntstatusTable))
	}
	names := map[string]bool{}
	for i, row := range ntstatusTable {
		if row.name == "" || row.msg == "" || names[row.name] {
			t.Errorf("row %d (%s): empty or duplicate", i, row.name)
		}
		names[row.name] = true
		if i > 0 && ntstatusTable[i-1].code >= row.code {
			t.Errorf("table not strictly sorted at %s", row.name)
		}
		if v, ok := lits[row.name]; !ok || v != uint64(row.code) {
			t.Errorf("row %s=%#x does not match a declared constant", row.name, uint32(row.code))
		}
	}
	for _, name := range order {
		if s := NTStatus(lits[name]); s.Name() != name {
			t.Errorf("constant %s: Name() = %q", name, s.Name())
		}
	}
	if len(aliases) != 1 || aliases["STATUS_WAIT_0"] != "STATUS_SUCCESS" {
		t.Errorf("NTStatus aliases: %v", aliases)
	}
}

// Values the package spec and docs/windows-behaviour.md fix, checked against literal
// numbers so a typo in a constant cannot hide behind the table.
func TestWellKnownNumbers(t *testing.T) {
	errnos := []struct {
		e    Errno
		want uint32
	}{
		{WSA_IO_PENDING, 997}, {WSA_IO_INCOMPLETE, 996}, {WSA_INVALID_HANDLE, 6},
		{WSA_INVALID_PARAMETER, 87}, {WSA_NOT_ENOUGH_MEMORY, 8}, {WSA_OPERATION_ABORTED, 995},
		{WSAEINTR, 10004}, {WSAEINVAL, 10022}, {WSAEWOULDBLOCK, 10035}, {WSAENOTSOCK, 10038},
		{WSAEMSGSIZE, 10040}, {WSAEOPNOTSUPP, 10045}, {WSAECONNABORTED, 10053},
		{WSAECONNRESET, 10054}, {WSAENOBUFS, 10055}, {WSAETIMEDOUT, 10060},
		{WSAEDISCON, 10101}, {WSAEREFUSED, 10112}, {WSAHOST_NOT_FOUND, 11001},
		{WSANO_DATA, 11004}, {WSA_QOS_RECEIVERS, 11005}, {WSA_QOS_RESERVED_PETYPE, 11031},
		{ERROR_NETNAME_DELETED, 64}, {ERROR_MORE_DATA, 234}, {WAIT_TIMEOUT, 258},
		{ERROR_MR_MID_NOT_FOUND, 317}, {ERROR_HANDLES_CLOSED, 676}, {ERROR_NOT_FOUND, 1168},
		{ERROR_CONNECTION_REFUSED, 1225}, {ERROR_CONNECTION_ABORTED, 1236}, {ERROR_SEM_TIMEOUT, 121},
	}
	for _, c := range errnos {
		if uint32(c.e) != c.want {
			t.Errorf("%s = %d, want %d", c.e.Name(), uint32(c.e), c.want)
		}
	}
	// The WSABASEERR range 10004..10112 has 58 defined codes; 11001..11031
	// has 31.
	n1, n2 := 0, 0
	for _, row := range errnoTable {
		switch {
		case row.code >= 10004 && row.code <= 10112:
			n1++
		case row.code >= 11001 && row.code <= 11031:
			n2++
		}
	}
	if n1 != 58 || n2 != 31 {
		t.Errorf("Winsock codes: %d in 10004..10112 (want 58), %d in 11001..11031 (want 31)", n1, n2)
	}
}

// Brief: Error() is "NAME (number): message"; these strings are part of the
// package's stable surface (traces and golden files use them).
func TestErrorStringsAreStable(t *testing.T) {
	golden := []struct {
		err  error
		want string
	}{
		{WSAEINVAL, "WSAEINVAL (10022): an argument was not valid"},
		{WSA_IO_PENDING, "ERROR_IO_PENDING (997): the overlapped operation was started and will finish later"},
		{WSA_IO_INCOMPLETE, "ERROR_IO_INCOMPLETE (996): the overlapped operation has not finished yet"},
		{WSAENOTSOCK, "WSAENOTSOCK (10038): the descriptor is not a socket"},
		{ERROR_SUCCESS, "ERROR_SUCCESS (0): the operation succeeded"},
		{Errno(12345), "Errno(12345): unknown error code"},
		{STATUS_CANCELLED, "STATUS_CANCELLED (0xC0000120): the I/O request was cancelled"},
		{STATUS_PENDING, "STATUS_PENDING (0x00000103): the operation has not finished yet"},
		{NTStatus(0x12345678), "NTStatus(0x12345678): unknown status code"},
	}
	for _, g := range golden {
		if got := g.err.Error(); got != g.want {
			t.Errorf("Error() = %q, want %q", got, g.want)
		}
	}
	if got := Errno(12345).Name(); got != "Errno(12345)" {
		t.Errorf("unknown Errno name %q", got)
	}
	if got := NTStatus(0xC0FFEE00).Name(); got != "NTStatus(0xC0FFEE00)" {
		t.Errorf("unknown NTStatus name %q", got)
	}
	if Errno(12345).Known() || !WSAEINVAL.Known() || NTStatus(1).Known() || !STATUS_PENDING.Known() {
		t.Error("Known() wrong")
	}
	var e error = WSAECONNRESET
	var target Errno
	if !errors.As(e, &target) || target != WSAECONNRESET {
		t.Error("errors.As does not recover an Errno")
	}
}

// NTSTATUS layout: the top two bits are the severity (0 success,
// 1 informational, 2 warning, 3 error); NT_SUCCESS covers 0 and 1.
func TestNTStatusSeverity(t *testing.T) {
	cases := []struct {
		s                               NTStatus
		success, info, warning, errorSv bool
	}{
		{STATUS_SUCCESS, true, false, false, false},
		{STATUS_PENDING, true, false, false, false},
		{STATUS_USER_APC, true, false, false, false},
		{0x40000000, true, true, false, false},
		{STATUS_BUFFER_OVERFLOW, false, false, true, false},
		{STATUS_HANDLES_CLOSED, false, false, true, false},
		{STATUS_CANCELLED, false, false, false, true},
		{0xFFFFFFFF, false, false, false, true},
	}
	for _, c := range cases {
		if c.s.IsSuccess() != c.success || c.s.IsInformational() != c.info ||
			c.s.IsWarning() != c.warning || c.s.IsError() != c.errorSv {
			t.Errorf("%s: success=%v info=%v warning=%v error=%v", c.s.Name(),
				c.s.IsSuccess(), c.s.IsInformational(), c.s.IsWarning(), c.s.IsError())
		}
	}
}

// WaitForMultipleObjectsEx / WSAWaitForMultipleEvents pages: results are
// WAIT_OBJECT_0+n, WAIT_ABANDONED_0+n, WAIT_IO_COMPLETION, WAIT_TIMEOUT,
// WAIT_FAILED, with at most MAXIMUM_WAIT_OBJECTS (64) objects.
func TestWaitName(t *testing.T) {
	cases := []struct {
		v    uint32
		want string
	}{
		{WAIT_OBJECT_0, "WAIT_OBJECT_0"},
		{WAIT_OBJECT_0 + 2, "WAIT_OBJECT_0+2"},
		{WAIT_OBJECT_0 + 63, "WAIT_OBJECT_0+63"},
		{64, "WAIT(0x00000040)"},
		{WAIT_ABANDONED, "WAIT_ABANDONED"},
		{WAIT_ABANDONED + 5, "WAIT_ABANDONED+5"},
		{WAIT_IO_COMPLETION, "WAIT_IO_COMPLETION"},
		{WSA_WAIT_IO_COMPLETION, "WAIT_IO_COMPLETION"},
		{WSA_WAIT_TIMEOUT, "WAIT_TIMEOUT"},
		{uint32(WAIT_TIMEOUT), "WAIT_TIMEOUT"},
		{WAIT_FAILED, "WAIT_FAILED"},
		{WSA_WAIT_FAILED, "WAIT_FAILED"},
		{0x1234, "WAIT(0x00001234)"},
	}
	for _, c := range cases {
		if got := WaitName(c.v); got != c.want {
			t.Errorf("WaitName(%#x) = %q, want %q", c.v, got, c.want)
		}
	}
	if WAIT_IO_COMPLETION != uint32(STATUS_USER_APC) || uint32(WAIT_TIMEOUT) != uint32(STATUS_TIMEOUT) ||
		WAIT_ABANDONED != uint32(STATUS_ABANDONED_WAIT_0) {
		t.Error("wait results must equal the kernel statuses they come from")
	}
	if MAXIMUM_WAIT_OBJECTS != 64 || WSA_MAXIMUM_WAIT_EVENTS != 64 || INFINITE != 0xFFFFFFFF {
		t.Error("wait limits wrong")
	}
}

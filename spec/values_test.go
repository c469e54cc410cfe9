package spec

import (
	"testing"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// ParseValue reads a word that begins with a digit as a number without
// searching the name tables: that is only the same answer if no name
// begins with a digit. Every named constant, error code name and status
// name is checked here, so a table gaining such a name fails this test.
func TestValueNamesBeginWithALetter(t *testing.T) {
	isDigit := func(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }
	for name := range namedConst {
		if isDigit(name) {
			t.Errorf("named constant %q begins with a digit", name)
		}
	}
	for c := range uint32(20000) {
		if n := wso.Errno(c).Name(); isDigit(n) {
			if _, ok := wso.ParseErrno(n); ok {
				t.Errorf("error code name %q begins with a digit", n)
			}
		}
	}
	var sts []wso.NTStatus
	for _, base := range []wso.NTStatus{0, 0x40000000, 0x80000000, 0xC0000000} {
		for i := range wso.NTStatus(0x1000) {
			sts = append(sts, base+i)
		}
	}
	for _, st := range sts {
		if n := st.Name(); isDigit(n) {
			if _, ok := wso.ParseNTStatus(n); ok {
				t.Errorf("status name %q begins with a digit", n)
			}
		}
	}
	for _, c := range []struct {
		w    string
		want uint64
	}{{"0", 0}, {"10", 10}, {"0x10", 16}, {"WSA_IO_PENDING", 997}, {"INFINITE", 0xFFFFFFFF}, {"STATUS_PENDING", 0x103}} {
		if got, err := ParseValue(c.w); err != nil || got != c.want {
			t.Errorf("ParseValue(%q) = %d, %v; want %d", c.w, got, err, c.want)
		}
	}
}

// parseValue (which matchValue uses) reads what ParseValue reads, and
// the same value, without making an error for a word that is no value.
func TestParseValueWithoutError(t *testing.T) {
	words := []string{"0", "5", "0x10", "0X1f", "0o17", "0b101", "017", "1_000", "0x_1f", "18446744073709551615", "18446744073709551616",
		"5abc", "127.0.0.1:5000", "[::1]:80", "", "_", "WSAEWOULDBLOCK", "WSA_IO_PENDING", "ERROR_IO_PENDING", "STATUS_PENDING",
		"MSG_PEEK", "INFINITE", "TRUE", "NULL", "untouched", "none", "SOCKET_ERROR", "\x00" + "5", "\x00abc", "x5", "-1", "+1", "1e3", "0x"}
	for _, w := range words {
		want, err := ParseValue(w)
		got, ok := parseValue(w)
		if ok != (err == nil) || (ok && got != want) {
			t.Errorf("%q: parseValue %d %v, ParseValue %d %v", w, got, ok, want, err)
		}
	}
}

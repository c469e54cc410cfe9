package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestTourOneKindStop: the README says the reset stop runs with the IFS
// provider whatever -kind says (its scenario is written for that kind
// only); asked for the non-IFS kind, the tour shows it under IFS and it
// passes, while the stops written for both kinds follow -kind.
func TestTourOneKindStop(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"tour", "-kind", "nonifs", "-width", "80"}, &out, &errb); code != exitOK {
		t.Fatalf("tour exit %d: %s", code, errb.String())
	}
	stops := strings.Split(out.String(), "Stop ")
	var reset, accept string
	for _, s := range stops {
		switch {
		case strings.Contains(s, "07-reset-ends-receive.scenario"):
			reset = s
		case strings.Contains(s, "06-acceptex-pending.scenario"):
			accept = s
		}
	}
	if !strings.Contains(strings.Join(strings.Fields(reset), " "), "provider ifs") || !strings.Contains(reset, "ERROR_NETNAME_DELETED") {
		t.Errorf("the reset stop is not shown under the IFS provider:\n%s", reset)
	}
	if !strings.Contains(strings.Join(strings.Fields(accept), " "), "provider nonifs") {
		t.Errorf("the AcceptEx stop does not follow -kind nonifs:\n%s", accept)
	}
}

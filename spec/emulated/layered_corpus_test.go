package emulated_test

import (
	"testing"

	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
)

// layeredDiffers lists the corpus scenarios that run under nonifs and
// assert what a layered provider changes: they must fail under layered.
var layeredDiffers = map[string]bool{
	"scenarios/layered/base-handle-ifs.scenario":       true, // SIO_BASE_HANDLE names the socket itself only without a layer
	"scenarios/layered/bsp-handle-ifs.scenario":        true, // so do the SIO_BSP_HANDLE codes
	"scenarios/layered/enum-protocols-nonifs.scenario": true, // the catalogue lists the layer's chains
	// The AFD poll names sockets by their AFD (base) handles: a layer's
	// own socket handle is not one, so a poll given it fails. That is why
	// mio and wepoll ask SIO_BASE_HANDLE for the handle they poll.
	"scenarios/afd/poll-accept.scenario":              true,
	"scenarios/afd/poll-cancel.scenario":              true,
	"scenarios/afd/poll-connect-fail.scenario":        true,
	"scenarios/afd/poll-connected-immediate.scenario": true,
	"scenarios/afd/poll-disconnect.scenario":          true,
	"scenarios/afd/poll-exclusive.scenario":           true,
	"scenarios/afd/poll-local-close.scenario":         true,
	"scenarios/afd/poll-receive-port.scenario":        true,
	"scenarios/afd/poll-recv-takes-data.scenario":     true,
	"scenarios/afd/poll-send-buffer-full.scenario":    true,
	"scenarios/afd/poll-timeout.scenario":             true,
	"scenarios/afd/poll-two-entries.scenario":         true,
}

// TestLayeredCorpus: a layered provider that only passes calls down gives
// a program the results the non-IFS provider gives (clause
// layered.same-results): every scenario of the corpus written for the
// non-IFS provider passes on the layered stack too (under the usual
// schedule, as check runs them), except the ones that assert the
// difference. No scenario's kinds line names layered for this: the test
// adds the runs.
func TestLayeredCorpus(t *testing.T) {
	runs, failed := 0, map[string]bool{}
	for _, p := range spec.EmbeddedFiles() {
		sc, err := spec.ParseEmbedded(p)
		if err != nil {
			t.Fatal(err)
		}
		nonifs := false
		for _, k := range sc.Kinds {
			nonifs = nonifs || k == "nonifs"
		}
		if !nonifs {
			continue
		}
		for _, pr := range sc.Profiles {
			rep := spec.Run(sc, &emulated.Emulator{}, spec.RunConfig{Kind: "layered", Profile: pr})
			runs++
			if rep.Passed() {
				continue
			}
			failed[sc.File] = true
			if !layeredDiffers[sc.File] {
				t.Errorf("%s [layered/%s]: %v", sc.File, pr, rep.Failures())
			}
		}
	}
	for f := range layeredDiffers {
		if !failed[f] {
			t.Errorf("%s passes on the layered stack, but it asserts a difference from it", f)
		}
	}
	if runs < 100 {
		t.Errorf("only %d layered runs: the corpus was not found", runs)
	}
}

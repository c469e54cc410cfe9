package timeline

import (
	"bytes"
	"encoding/json"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
	"sort"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
)

func renderChromeTrace(t *testing.T, r pictureRun) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := ChromeTrace(&b, r.rep, r.tr, r.names, r.ids); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestChromeTraceGolden(t *testing.T) {
	for _, f := range pictureFixtures {
		t.Run(f.name, func(t *testing.T) {
			golden(t, f.name+".perfetto.json", renderChromeTrace(t, runForPicture(t, f.file)))
		})
	}
}

type ctFile struct {
	TraceEvents []struct {
		Name  string          `json:"name"`
		Cat   string          `json:"cat"`
		Ph    string          `json:"ph"`
		Ts    *uint64         `json:"ts"`
		Dur   *uint64         `json:"dur"`
		Pid   *int            `json:"pid"`
		Tid   *int            `json:"tid"`
		S     string          `json:"s"`
		Cname string          `json:"cname"`
		Args  json.RawMessage `json:"args"`
	} `json:"traceEvents"`
	OtherData map[string]any `json:"otherData"`
}

// The Chrome trace is valid JSON in the shape the viewers read: every event
// has a phase, a timestamp, a process and a thread; the threads are named;
// slices on one thread nest; and the kinds of event the run had are there,
// stamped with their trace sequence numbers.
func TestChromeTraceValid(t *testing.T) {
	for _, f := range pictureFixtures {
		t.Run(f.name, func(t *testing.T) {
			r := runForPicture(t, f.file)
			raw := renderChromeTrace(t, r)
			if !json.Valid(raw) {
				t.Fatal("not valid JSON")
			}
			var ct ctFile
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&ct); err != nil {
				t.Fatal(err)
			}
			if len(ct.TraceEvents) == 0 {
				t.Fatal("no traceEvents")
			}
			threads := map[string]int{}
			cats := map[string]bool{}
			type slice struct{ from, to uint64 }
			slices := map[int][]slice{}
			for i, e := range ct.TraceEvents {
				if e.Ts == nil || e.Pid == nil || e.Tid == nil || e.Name == "" {
					t.Fatalf("event %d lacks name, ts, pid or tid: %+v", i, e)
				}
				switch e.Ph {
				case "M":
					if e.Name == "thread_name" {
						var a struct{ Name string }
						if err := json.Unmarshal(e.Args, &a); err != nil {
							t.Fatal(err)
						}
						threads[a.Name] = *e.Tid
					}
				case "X":
					if e.Dur == nil {
						t.Errorf("slice %q has no dur", e.Name)
						continue
					}
					cats[e.Cat] = true
					slices[*e.Tid] = append(slices[*e.Tid], slice{*e.Ts, *e.Ts + *e.Dur})
				case "i":
					if e.S != "t" {
						t.Errorf("instant %q: scope %q, want t", e.Name, e.S)
					}
					cats[e.Cat] = true
					var a struct{ Seq uint64 }
					if err := json.Unmarshal(e.Args, &a); err != nil || a.Seq != *e.Ts {
						t.Errorf("instant %q: ts %d, want its trace sequence number %d", e.Name, *e.Ts, a.Seq)
					}
				default:
					t.Errorf("event %q: unexpected phase %q", e.Name, e.Ph)
				}
			}
			for _, n := range append(append([]string(nil), r.names...), "sys (the system)", "steps") {
				if _, ok := threads[n]; !ok {
					t.Errorf("no thread_name for %q (have %v)", n, threads)
				}
			}
			want := []string{"step", "call", "field"}
			switch f.name {
			case "pending-event":
				want = append(want, "signal", "complete")
			case "routine-in-wait":
				want = append(want, "apc", "apc-queued", "block", "wake", "blocked", "clock", "choice", "settle")
			}
			for _, c := range want {
				if !cats[c] {
					t.Errorf("no %q events", c)
				}
			}
			// Slices on one thread either nest or do not meet.
			for tid, ss := range slices {
				sort.Slice(ss, func(i, j int) bool {
					return ss[i].from < ss[j].from || ss[i].from == ss[j].from && ss[i].to > ss[j].to
				})
				var open []slice
				for _, s := range ss {
					for len(open) > 0 && open[len(open)-1].to <= s.from {
						open = open[:len(open)-1]
					}
					if len(open) > 0 && s.to > open[len(open)-1].to {
						t.Errorf("thread %d: slice [%d,%d) crosses [%d,%d)", tid, s.from, s.to, open[len(open)-1].from, open[len(open)-1].to)
					}
					open = append(open, s)
				}
			}
		})
	}
}

func TestChromeTraceDeterministic(t *testing.T) {
	for _, f := range pictureFixtures {
		a := renderChromeTrace(t, runForPicture(t, f.file))
		b := renderChromeTrace(t, runForPicture(t, f.file))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two runs gave different Chrome traces", f.name)
		}
	}
}

// Every scenario of the corpus renders both ways: no error, the same bytes
// twice, and a Chrome trace that is valid JSON.
func TestPicturesOfCorpus(t *testing.T) {
	for _, f := range spec.EmbeddedFiles() {
		sc, err := spec.ParseEmbedded(f)
		if err != nil {
			continue // TestCorpus reports it
		}
		cfg := spec.Configs(sc)[0]
		var out [2][2]bytes.Buffer
		for i := range out {
			em := &emulated.Emulator{}
			rep := spec.Run(sc, em, cfg)
			names, ids := em.Threads()
			var tr *emu.Trace
			if sys := em.System(); sys != nil {
				tr = sys.Trace()
			}
			if err := HTML(&out[i][0], rep, tr, names, ids); err != nil {
				t.Errorf("%s: HTML: %v", f, err)
			}
			if err := ChromeTrace(&out[i][1], rep, tr, names, ids); err != nil {
				t.Errorf("%s: ChromeTrace: %v", f, err)
			}
		}
		if !bytes.Equal(out[0][0].Bytes(), out[1][0].Bytes()) || !bytes.Equal(out[0][1].Bytes(), out[1][1].Bytes()) {
			t.Errorf("%s: two runs drew different pictures", f)
		}
		if !json.Valid(out[0][1].Bytes()) {
			t.Errorf("%s: the Chrome trace is not valid JSON", f)
		}
	}
}

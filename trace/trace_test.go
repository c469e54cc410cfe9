package trace

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// Every example trace in docs/examples validates: the promise of
// docs/trace-format.md that they are traces of the format.
func TestExamplesValidate(t *testing.T) {
	files, _ := filepath.Glob("../docs/examples/*.jsonl")
	more, _ := filepath.Glob("../docs/examples/rejected/*.jsonl")
	files = append(files, more...)
	if len(files) < 10 {
		t.Fatalf("found %d example traces, want the ten or more docs/examples holds", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !IsTrace(bytes.SplitN(b, []byte("\n"), 2)[0]) {
			t.Errorf("%s: first line is not a header", f)
		}
		if _, err := Read(bytes.NewReader(b)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// The schema file states the rules Validate implements: the same keys per
// record, the same required keys, the same enumerations, the same id rule.
func TestSchemaAgreesWithValidate(t *testing.T) {
	b, err := os.ReadFile("../docs/trace-format.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Defs map[string]struct {
			Required   []string                   `json:"required"`
			Properties map[string]json.RawMessage `json:"properties"`
			Pattern    string                     `json:"pattern"`
			Not        struct {
				Enum []string `json:"enum"`
			} `json:"not"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	sorted := func(xs []string) []string {
		out := append([]string(nil), xs...)
		sort.Strings(out)
		return out
	}
	for kind, want := range Keys {
		d, ok := schema.Defs[kind]
		if !ok {
			t.Errorf("schema has no $defs/%s", kind)
			continue
		}
		var props []string
		for k := range d.Properties {
			props = append(props, k)
		}
		if !reflect.DeepEqual(sorted(props), sorted(want.Allowed)) {
			t.Errorf("%s: schema's properties %v, Validate allows %v", kind, sorted(props), sorted(want.Allowed))
		}
		if !reflect.DeepEqual(sorted(d.Required), sorted(want.Required)) {
			t.Errorf("%s: schema requires %v, Validate %v", kind, sorted(d.Required), sorted(want.Required))
		}
	}
	id := schema.Defs["id"]
	if id.Pattern != idPattern.String() {
		t.Errorf("id pattern: schema %q, Validate %q", id.Pattern, idPattern.String())
	}
	var reserved []string
	for w := range reservedIDs {
		reserved = append(reserved, w)
	}
	if !reflect.DeepEqual(sorted(id.Not.Enum), sorted(reserved)) {
		t.Errorf("reserved ids: schema %v, Validate %v", id.Not.Enum, sorted(reserved))
	}
	var field struct {
		Enum []string `json:"enum"`
	}
	json.Unmarshal(schema.Defs["read"].Properties["field"], &field)
	if !reflect.DeepEqual(field.Enum, OvFields) {
		t.Errorf("read fields: schema %v, Validate %v", field.Enum, OvFields)
	}
	all := map[string]bool{}
	for _, k := range eventKeys {
		all[k] = true
	}
	for kind, keys := range Keys {
		for _, k := range keys.Allowed {
			if kind != "header" && !all[k] {
				t.Errorf("%s's key %s is not in eventKeys", kind, k)
			}
		}
	}
	var kinds []string
	for k := range Keys {
		if k != "header" {
			kinds = append(kinds, k)
		}
	}
	if !reflect.DeepEqual(sorted(kinds), sorted(EventKinds)) {
		t.Errorf("Keys names %v, EventKinds %v", kinds, EventKinds)
	}
}

const hdr = `{"format":"wsaemu-trace","version":1}` + "\n"

// Each rule of docs/trace-format.md that Validate checks rejects a trace
// breaking it, naming the line.
func TestInvalidTraces(t *testing.T) {
	call := `{"ev":"call","thread":"a","fn":"SetEvent","args":{"h":"e"},"ret":1}`
	for _, c := range []struct{ name, text, want string }{
		{"empty", "", "no header"},
		{"not a header", call + "\n", "line 1: not a trace header"},
		{"other format", `{"format":"other","version":1}` + "\n", `format "other"`},
		{"version 2", `{"format":"wsaemu-trace","version":2}` + "\n", "version 2"},
		{"provider", `{"format":"wsaemu-trace","version":1,"provider":"afd"}` + "\n", `provider "afd"`},
		{"unknown key", hdr + `{"ev":"call","thread":"a","fn":"X","ret":0,"colour":1}` + "\n", `line 2: not an event record: json: unknown field "colour"`},
		{"unknown ev", hdr + `{"ev":"jump","thread":"a"}` + "\n", `ev "jump"`},
		{"bad thread id", hdr + `{"ev":"call","thread":"1a","fn":"X","ret":0}` + "\n", `thread "1a"`},
		{"reserved id", hdr + `{"ev":"call","thread":"NULL","fn":"X","ret":0}` + "\n", `thread "NULL"`},
		{"no ret", hdr + `{"ev":"call","thread":"a","fn":"X"}` + "\n", "without \"ret\""},
		{"bad ret", hdr + `{"ev":"call","thread":"a","fn":"X","ret":1.5}` + "\n", "not an integer"},
		{"unfinished with ret", hdr + `{"ev":"call","thread":"a","fn":"X","ret":0,"unfinished":true}` + "\n", "unfinished call has no ret"},
		{"after unfinished", hdr + `{"ev":"call","thread":"a","fn":"X","unfinished":true}` + "\n" + call + "\n", "line 3: thread a has a record after its unfinished call at line 2"},
		{"routine lacks bytes", hdr + `{"ev":"routine","thread":"a","routine":"r","err":0,"ov":"o"}` + "\n", `gives "bytes"`},
		{"negative err", hdr + `{"ev":"routine","thread":"a","routine":"r","err":-1,"bytes":0,"ov":"o"}` + "\n", "cannot unmarshal"},
		{"fn in routine", hdr + `{"ev":"routine","thread":"a","routine":"r","err":0,"bytes":0,"ov":"o","fn":"X"}` + "\n", `"fn" does not belong`},
		{"t1 in read", hdr + `{"ev":"read","thread":"a","ov":"o","field":"Internal","value":0,"t1":3}` + "\n", `"t1" does not belong`},
		{"bad field", hdr + `{"ev":"read","thread":"a","ov":"o","field":"hEvent","value":0}` + "\n", `field "hEvent"`},
		{"t1 before t0", hdr + `{"ev":"call","thread":"a","fn":"X","ret":0,"t0":5,"t1":4}` + "\n", "t1 4 is before t0 5"},
		{"time goes back", hdr + `{"ev":"call","thread":"a","fn":"X","ret":0,"t0":5,"t1":6}` + "\n" + `{"ev":"call","thread":"a","fn":"X","ret":0,"t0":5,"t1":7}` + "\n", "line 3: t0 5 is before"},
	} {
		_, err := Read(strings.NewReader(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

// What Writer writes, Read reads back the same.
func TestWriteRead(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b, Header{Recorder: "test", Provider: "ifs"})
	t0, t1 := int64(1), int64(2)
	bytes5, zero := uint32(5), uint32(0)
	ov := "ov1"
	in := []Event{
		{Ev: EvCall, Thread: "main", Fn: "WSARecv", Args: map[string]json.RawMessage{"s": Raw("r"), "buffers": Raw([]Buffer{{Len: 4}}), "ov": Raw(Record{ID: "ov1", HEvent: "e1"})}, Ret: Raw(-1), Error: &zero, T0: &t0, T1: &t1},
		{Ev: EvRoutine, Thread: "main", Routine: "cr", ErrCode: &zero, Bytes: &bytes5, Ov: &ov, T0: &t1},
		{Ev: EvCall, Thread: "main", Fn: "SleepEx", Args: map[string]json.RawMessage{"ms": Raw(0), "alertable": Raw(true)}, Ret: Raw(192), T0: &t1, T1: &t1},
	}
	for _, e := range in {
		w.Write(e)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	tr, err := Read(&b)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Header.Format != FormatName || tr.Header.Version != Version || tr.Header.Recorder != "test" {
		t.Errorf("header %+v", tr.Header)
	}
	for i := range in {
		in[i].Line = i + 2
	}
	got, _ := json.Marshal(tr.Events)
	want, _ := json.Marshal(in)
	if !bytes.Equal(got, want) {
		t.Errorf("read back\n%s\nwant\n%s", got, want)
	}
}

package spec

import (
	"math"
	"strconv"
	"strings"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The call table's part for the AFD poll: NtDeviceIoControlFile with
// IOCTL_AFD_POLL (written AfdPoll), a look at a poll's status block and
// output buffer (AfdPollResult), and NtCancelIoFileEx. No Microsoft page
// documents IOCTL_AFD_POLL: the layout and bits are the public
// definitions' (provider/afd.go), the behaviour what Wine's
// dlls/ws2_32/tests/afd.c asserts.

// AfdMachine is the Machine's part for the AFD poll.
type AfdMachine interface {
	AfdPoll(*AfdPollCall) (Result, error)
	AfdPollResult(*AfdPollResultCall) (Result, error)
	NtCancelIoFileEx(*NtCancelIoFileExCall) (Result, error)
}

// AfdEntry is one AFD_POLL_HANDLE_INFO of a poll.
type AfdEntry struct {
	Socket Handle
	Events uint32
}

// AfdPollCall is NtDeviceIoControlFile(IOCTL_AFD_POLL) on H (or, with
// ViaAfd, on a handle the backend opened on \Device\Afd), with Event
// (NULL: none), the record Ov as IO_STATUS_BLOCK and ApcContext, and
// input and output the same AFD_POLL_INFO. Timeout is the LARGE_INTEGER
// (100 ns units, negative relative; math.MaxInt64 never expires).
type AfdPollCall struct {
	opBase
	H         Handle
	ViaAfd    bool
	Event     Handle
	Ov        Ref
	Entries   []AfdEntry
	Timeout   int64
	Exclusive bool
}

// AfdPollResultCall reads the status block and output buffer of the last
// poll issued with record Ov.
type AfdPollResultCall struct {
	opBase
	Ov Ref
}

// NtCancelIoFileExCall is NtCancelIoFileEx(H, Ov or NULL).
type NtCancelIoFileExCall struct {
	opBase
	H  Handle
	Ov Ref
}

func (c *AfdPollCall) Run(m Machine) (Result, error)          { return m.AfdPoll(c) }
func (c *AfdPollResultCall) Run(m Machine) (Result, error)    { return m.AfdPollResult(c) }
func (c *NtCancelIoFileExCall) Run(m Machine) (Result, error) { return m.NtCancelIoFileEx(c) }

// afdNames name the AFD_POLL_* bits, lowest first.
var afdNames = []string{"AFD_POLL_RECEIVE", "AFD_POLL_RECEIVE_EXPEDITED", "AFD_POLL_SEND", "AFD_POLL_DISCONNECT",
	"AFD_POLL_ABORT", "AFD_POLL_LOCAL_CLOSE", "AFD_POLL_CONNECT", "AFD_POLL_ACCEPT", "AFD_POLL_CONNECT_FAIL"}

func afdName(b uint64) string {
	for i, n := range afdNames {
		if b == 1<<i {
			return n
		}
	}
	return strconv.FormatUint(b, 10)
}

// StatusOut is an NTSTATUS out-parameter, by name.
func StatusOut(key string, st wso.NTStatus) OutKV {
	if st == 0 {
		return OutKV{key, "STATUS_SUCCESS"}
	}
	return OutKV{key, st.Name()}
}

// AfdResultOuts turns a poll's status block (iostatus, information) and
// output buffer (count, then handleN, eventsN and, when not 0, statusN) into out-parameters. Entries are named by the poll's own
// entries: handles maps the handle values of c's entries.
func AfdResultOuts(c *AfdPollCall, handles []uint64, status wso.NTStatus, info uint64, count uint32, out []AfdOutEntry) []OutKV {
	return AppendAfdResultOuts(nil, c, handles, status, info, count, out)
}

// AfdResultOutsLen is the most entries AfdResultOuts writes for count
// output entries.
func AfdResultOutsLen(count int) int { return 3 + 3*count }

// AppendAfdResultOuts appends AfdResultOuts(...) to kv.
func AppendAfdResultOuts(kv []OutKV, c *AfdPollCall, handles []uint64, status wso.NTStatus, info uint64, count uint32, out []AfdOutEntry) []OutKV {
	kv = append(kv, StatusOut("iostatus", status), OutKV{"information", strconv.FormatUint(info, 10)}, OutKV{"count", strconv.FormatUint(uint64(count), 10)})
	for i := 0; i < int(count) && i < len(out); i++ {
		name := "?"
		for j, h := range handles {
			if h == out[i].Handle {
				name = c.Entries[j].Socket.Name
				break
			}
		}
		kv = append(kv, OutKV{afdHandleKeys.key(i + 1), name}, OutKV{afdEventsKeys.key(i + 1), afdPlus.text(uint64(out[i].Events))})
		if out[i].Status != 0 {
			kv = append(kv, StatusOut(afdStatusKeys.key(i+1), out[i].Status))
		}
	}
	return kv
}

var (
	afdHandleKeys, afdEventsKeys, afdStatusKeys = newNumberedKeys("handle"), newNumberedKeys("events"), newNumberedKeys("status")
	afdPlus                                     = newPlusCache(afdName)
)

// AfdOutEntry is one output entry as a backend read it.
type AfdOutEntry struct {
	Handle uint64
	Events uint32
	Status wso.NTStatus
}

var afdTable = []*Entry{
	{Name: "AfdPoll", Usage: "AfdPoll <handle|afd> <ov> <socket:EVENTS>... [event=E] [timeout=MS|INFINITE] [exclusive]   (EVENTS: AFD_POLL_RECEIVE+AFD_POLL_SEND..., ALL for ~0; afd: a \\Device\\Afd handle)",
		Ret: RetVoid, Outs: []string{"status"},
		decode: func(d *decoder) Op {
			d.need(3)
			c := &AfdPollCall{Timeout: math.MaxInt64}
			if h := d.pos(0); h == "afd" {
				c.ViaAfd = true
			} else {
				c.H = d.handle(h)
			}
			c.Ov = d.ov(d.pos(1))
			c.Exclusive = d.has("exclusive")
			for i := 2; i < len(d.c.Args.Pos); i++ {
				w := d.c.Args.Pos[i]
				if w == "exclusive" {
					continue
				}
				d.pos(i)
				s, ev, ok := strings.Cut(w, ":")
				if !ok {
					d.fail("entry %q: want socket:EVENTS", w)
					break
				}
				e := AfdEntry{Socket: d.handle(s)}
				if ev == "ALL" {
					e.Events = math.MaxUint32
				} else if n, ok := PlusFlags(ev); ok {
					e.Events = uint32(n)
				} else {
					d.fail("entry %q: bad events %q", w, ev)
				}
				c.Entries = append(c.Entries, e)
			}
			c.Event = d.handle("NULL")
			if v, ok := d.kv("event"); ok {
				c.Event = d.handle(v)
			}
			if v, ok := d.kv("timeout"); ok && v != "INFINITE" {
				c.Timeout = -int64(d.ms(v)) * 10000
			}
			return c
		}},
	{Name: "AfdPollResult", Usage: "AfdPollResult <ov>   (the status block and output buffer of the poll issued with ov)",
		Ret: RetVoid, Outs: []string{"iostatus", "information", "count", "handleN", "eventsN", "statusN"},
		decode: func(d *decoder) Op {
			d.need(1)
			return &AfdPollResultCall{Ov: d.ov(d.pos(0))}
		}},
	{Name: "NtCancelIoFileEx", Usage: "NtCancelIoFileEx <handle> [ov]", Ret: RetVoid, Outs: []string{"status"},
		decode: func(d *decoder) Op {
			d.need(1)
			return &NtCancelIoFileExCall{H: d.handle(d.pos(0)), Ov: d.ov(orNull(d.pos(1)))}
		}},
}

func init() {
	for _, e := range afdTable {
		table = append(table, e)
		entries[e.Name] = e
		Calls[e.Name] = e.Usage
	}
	for i, n := range afdNames {
		namedConst[n] = 1 << i
	}
	namedConst["IOCTL_AFD_POLL"] = uint64(provider.IOCTL_AFD_POLL)
}

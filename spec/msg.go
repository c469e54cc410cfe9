package spec

import (
	"fmt"
	"net/netip"
	"strconv"
)

// MsgOuts are what a WSARecvMsg writes into its WSAMSG, read after the
// receive completed (a pending receive fills the caller's WSAMSG when it
// completes, not when the call returns): dwFlags, namelen, Control.len,
// and what the name and the control buffer hold.
type MsgOuts struct {
	Flags      uint32
	Namelen    int32
	ControlLen uint32
	From       netip.AddrPort // the zero value when the name holds none
	Dst        netip.Addr     // an IP_PKTINFO destination, when one is there
}

// MsgReader is a Backend that can read the WSAMSG of the last WSARecvMsg
// made with a record (the expectation "msg OV key=value ...").
type MsgReader interface {
	Msg(ov string) (MsgOuts, error)
}

// msgKeys are the keys a "msg" expectation may check.
var msgKeys = []string{"msgflags", "namelen", "controllen", "from", "dst"}

// render gives the WSAMSG's outputs by key.
func (m MsgOuts) render() map[string]string {
	out := map[string]string{
		"msgflags":   strconv.FormatUint(uint64(m.Flags), 10),
		"namelen":    strconv.FormatInt(int64(m.Namelen), 10),
		"controllen": strconv.FormatUint(uint64(m.ControlLen), 10),
		"from":       "",
		"dst":        "",
	}
	if m.From.IsValid() {
		out["from"] = m.From.String()
	}
	if m.Dst.IsValid() {
		out["dst"] = m.Dst.String()
	}
	return out
}

// checkMsg evaluates "msg OV key=value ...".
func (ev *evaluator) checkMsg(w []string) string {
	mr, ok := ev.b.(MsgReader)
	if !ok {
		return fmt.Sprintf("msg %s: the %s backend cannot read a WSAMSG", w[1], ev.b.Name())
	}
	m, err := mr.Msg(w[1])
	if err != nil {
		return err.Error()
	}
	got := m.render()
	var bad string
	for _, kv := range w[2:] {
		k, v, _ := cutKV(kv)
		if !matchValue(got[k], v) {
			if bad != "" {
				bad += "; "
			}
			bad += fmt.Sprintf("msg %s %s: want %s, got %s", w[1], k, show(v), got[k])
		}
	}
	return bad
}

// validateMsg checks "msg OV key=value ..." when the scenario is read.
func (v *validator) validateMsg(line int, w []string) error {
	if len(w) < 3 {
		return v.errf(line, "msg expectation: msg OV key=value ... (keys: msgflags, namelen, controllen, from, dst)")
	}
	if err := v.object(line, w[1], "overlapped"); err != nil {
		return err
	}
	for _, kv := range w[2:] {
		k, val, ok := cutKV(kv)
		if !ok {
			return v.errf(line, "cannot read %q: want key=value", kv)
		}
		if !contains(msgKeys, k) {
			return v.errf(line, "unknown key %q (known: msgflags, namelen, controllen, from, dst)%s", k, didYouMean(k, msgKeys))
		}
		if k == "from" || k == "dst" {
			continue // an address or "none"
		}
		if err := v.value(line, val); err != nil {
			return err
		}
	}
	return nil
}

func cutKV(kv string) (string, string, bool) {
	for i := 0; i < len(kv); i++ {
		if kv[i] == '=' {
			return kv[:i], kv[i+1:], true
		}
	}
	return kv, "", false
}

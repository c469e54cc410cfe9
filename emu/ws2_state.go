package emu

import "github.com/wsaemu/wsaemu/provider"

// ws2State is the ws2 layer's part of a System: everything ws2_32 keeps
// above the kernel. Sockets themselves are kernel objects in the handle
// table (see socket), which owns their close, cancel and thread-exit
// behaviour.
type ws2State struct {
	s        *System
	provKind provider.Kind
	prov     provider.ServiceProvider // the one catalogue entry: started by the first WSAStartup
	up       upcalls                  // the WSPUPCALLTABLE handed to the provider
	refs     int                      // WSAStartup calls not yet matched by WSACleanup
	issuing  *request                 // the IFS request whose provider call is in progress
	layered  bool                     // install a non-IFS layered provider above the IFS base (ws2_layered.go)
	afd      afdState                 // outstanding AFD polls (ws2_afd.go)
	rec      ws2Records               // the arenas of the layer's records
}

// ws2Records are the ws2 layer's arenas (see records).
type ws2Records struct {
	sockets arena[socket, *socket]
	afds    arena[afdDevice, *afdDevice]
	polls   arena[afdPoll, *afdPoll]
}

// scrubbed is the layer's part of System.scrub: what a new System's layer
// holds, but with the memory of its poll list and its arenas, every
// record in them made free.
func (w *ws2State) scrubbed() ws2State {
	clear(w.afd.polls)
	rec := w.rec
	rec.sockets.reset()
	rec.afds.reset()
	rec.polls.reset()
	return ws2State{afd: afdState{polls: w.afd.polls[:0]}, rec: rec}
}

func (k *socket) recycle() {
	clear(k.recvMsgOvs)
	*k = socket{fileObject: k.fileObject.emptied(), recvMsgOvs: k.recvMsgOvs}
}

func (d *afdDevice) recycle() { *d = afdDevice{fileObject: d.fileObject.emptied()} }

func (p *afdPoll) recycle() {
	clear(p.in)
	*p = afdPoll{in: p.in[:0]}
}

// ws2Thread is the ws2 layer's per-thread state.
type ws2Thread struct {
	blocking int                  // blocking Winsock calls in progress on this thread
	tid      provider.WSATHREADID // what the ws2 layer hands the provider as the caller's WSATHREADID
}

// attach ties the layer to its System and registers for thread exits.
func (w *ws2State) attach(s *System) {
	w.s = s
	w.up.s = s
	s.exitNotify = append(s.exitNotify, w)
}

// threadExiting implements threadExitNotifier. A non-IFS provider keeps
// its requests itself, out of the I/O manager's sight; where the profile
// says an exiting thread's socket I/O is cancelled, the provider is asked
// to cancel every operation the thread issued, on any socket.
func (w *ws2State) threadExiting(t *Thread) {
	if w.prov != nil && w.refs > 0 && w.provKind == provider.NonIFS && w.s.profile.cancelSocketIOAtThreadExit() {
		tid := provider.WSATHREADID{ThreadHandle: t.handle, Reserved: uintptr(t.id)}
		w.prov.CancelThread(&tid)
	}
}

// WithProviderKind picks the kind of the System's Winsock provider:
// provider.NonIFS (the default: the protocol the SPI pages describe) or
// provider.IFS (what Windows' own provider does).
func WithProviderKind(k provider.Kind) Option { return func(s *System) { s.ws2.provKind = k } }

// WithProvider installs a provider of the caller's own (for example one
// that wraps the in-memory provider to inject faults). It replaces the
// built-in one.
func WithProvider(p provider.ServiceProvider) Option {
	return func(s *System) {
		s.ws2.prov = p
		s.ws2.provKind = p.Kind()
	}
}

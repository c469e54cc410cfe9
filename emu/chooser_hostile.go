package emu

// HostileChooser returns a Chooser that steers every open decision to the
// permitted outcome a program least expects: operations pend rather than
// complete at once, completion routines run newest first, the most
// recently readied thread or the latest system action goes next, a cancel
// is still under way when the completion arrives (so the completion wins),
// and a thread is preempted at every call where another could run. Every
// one of these is something the pages allow.
func HostileChooser() Chooser { return hostileChooser{} }

type hostileChooser struct{}

func (hostileChooser) Choose(p Point, n int) int {
	switch p {
	case PointPend, PointCancel, PointPreempt, PointUnsettled:
		return 1
	}
	return n - 1
}

// SwarmChooser returns a Chooser for swarm testing: from the seed it first
// draws, for each kind of decision, how often to take an unusual
// alternative (never, rarely, half the time, mostly, always), then draws
// every decision with that bias. Different seeds thus explore very
// different mixes of behaviour, which finds bugs that a uniform draw
// rarely reaches.
func SwarmChooser(seed uint64) *Swarm {
	sw := &Swarm{}
	sw.Reset(seed)
	return sw
}

// Reset makes sw the chooser SwarmChooser(seed) returns, in sw's memory:
// a driver that runs many seeds one after the other keeps one Swarm.
func (sw *Swarm) Reset(seed uint64) {
	sw.rng = Seeded{state: seed}
	levels := [...]uint64{0, 1 << 60, 1 << 63, 15 << 60, 1<<64 - 1}
	for i := range sw.bias[:PointReset] {
		sw.bias[i] = levels[sw.rng.next()%uint64(len(levels))]
	}
	// PointReset (asked only WithResets) draws its bias from a generator
	// of its own, so that the sequence every other point sees is the one
	// it was before the point existed: a seed names the same run.
	own := Seeded{state: seed ^ 0x5e5e7}
	sw.bias[PointReset] = levels[own.next()%uint64(len(levels))]
}

// Swarm is the chooser SwarmChooser returns.
type Swarm struct {
	rng  Seeded
	bias [numPoints]uint64 // chance of an unusual alternative, out of 2^64
}

// Choose implements Chooser.
func (sw *Swarm) Choose(p Point, n int) int {
	if n <= 1 {
		return 0
	}
	var b uint64
	if p < numPoints {
		b = sw.bias[p]
	}
	if sw.rng.next() >= b && b != 1<<64-1 {
		return 0
	}
	return 1 + sw.rng.Choose(p, n-1)
}

// WithPoison makes the System write a recognisable poison value
// (0xDEADBEEF) into an out-parameter a Winsock call leaves unwritten
// because its operation pended (lpNumberOfBytesSent,
// lpNumberOfBytesRecvd): a program that reads it anyway gets garbage at
// once instead of a stale value that happens to look right. (ReadFile and
// WriteFile zero their byte count before doing anything, so theirs is
// never unwritten.)
func WithPoison() Option { return func(s *System) { s.poison = true } }

// Poison is the value WithPoison writes.
const Poison = 0xDEADBEEF

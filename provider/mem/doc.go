// Package mem is the in-memory Winsock service provider and its network:
// UDP and TCP over IPv4 and IPv6 loopback addresses (TCP: listen, accept,
// connect, a byte stream per direction with send and receive buffers,
// graceful and abortive endings; stream.go), as a non-IFS provider (the
// protocol the SPI pages describe) or an IFS one (completion through the
// I/O manager, as Windows' own provider does).
//
// It implements the contract of package provider and sees the machine only
// through the upcall table handed to WSPStartup; it never imports the
// emulator.
package mem

// Package provider is the Winsock service provider interface as a
// contract: the WSP* calls a provider implements (ServiceProvider), the
// upcall table it is handed at WSPStartup (Upcalls), the SPI's types, and
// the Winsock ABI constants spelled as winsock2.h, ws2def.h, ws2ipdef.h,
// mswsock.h and ws2spi.h spell them, with Windows' values.
//
// It holds no behaviour: the in-memory provider is package provider/mem,
// the emulator's ws2 layer (package emu) drives a provider through this
// contract, and the native backend uses the same constants against the
// real ws2_32. Nothing here imports the emulator or an implementation.
// https://learn.microsoft.com/windows/win32/api/ws2spi/
package provider
